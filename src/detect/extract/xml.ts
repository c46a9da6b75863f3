// A tolerant XML scanner: text nodes and attribute values with an element path
// (`/order/item`, `/order/item/@id`). It never resolves entities or DTDs (the raw document goes
// to the xxe detector separately). Linear, bounded, never throws.
import type { Sink } from './sink.js';

function isNameChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 45 ||
    c === 46 ||
    c === 58 ||
    c === 95 ||
    c >= 128
  );
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Returns true when the document is too deep (reported by the caller through the sink). */
export function walkXml(text: string, sink: Sink, maxDepth: number): void {
  try {
    scan(text, sink, maxDepth);
  } catch {
    // Tolerant by design: whatever was found before the failure has been added.
  }
}

function scan(s: string, sink: Sink, maxDepth: number): void {
  const stack: string[] = [];
  const n = s.length;
  let i = 0;
  const path = () => (stack.length === 0 ? '/' : `/${stack.join('/')}`);
  const addText = (t: string) => {
    const trimmed = t.trim();
    if (trimmed.length > 0) sink.add(['body', path()], trimmed, 'body');
  };
  while (i < n && !sink.full()) {
    const lt = s.indexOf('<', i);
    if (lt === -1) {
      addText(s.slice(i));
      return;
    }
    if (lt > i) addText(s.slice(i, lt));
    if (s.startsWith('<!--', lt)) {
      const end = s.indexOf('-->', lt + 4);
      i = end === -1 ? n : end + 3;
    } else if (s.startsWith('<![CDATA[', lt)) {
      const end = s.indexOf(']]>', lt + 9);
      addText(s.slice(lt + 9, end === -1 ? n : end));
      i = end === -1 ? n : end + 3;
    } else if (s.startsWith('<?', lt)) {
      const end = s.indexOf('?>', lt + 2);
      i = end === -1 ? n : end + 2;
    } else if (s.startsWith('<!', lt)) {
      // DOCTYPE with an optional internal subset: skip to `]>` or the first `>`.
      const bracket = s.indexOf('[', lt);
      const gt = s.indexOf('>', lt);
      if (bracket !== -1 && (gt === -1 || bracket < gt)) {
        const end = s.indexOf(']', bracket);
        const close = end === -1 ? -1 : s.indexOf('>', end);
        i = close === -1 ? n : close + 1;
      } else i = gt === -1 ? n : gt + 1;
    } else if (s.charCodeAt(lt + 1) === 47 /* / */) {
      const gt = s.indexOf('>', lt);
      const name = s.slice(lt + 2, gt === -1 ? n : gt).trim();
      // Pop to the matching element (tolerates unclosed children).
      const at = stack.lastIndexOf(name);
      if (at !== -1) stack.length = at;
      else if (stack.length > 0 && stack.length <= maxDepth) stack.pop();
      i = gt === -1 ? n : gt + 1;
    } else {
      let j = lt + 1;
      while (j < n && isNameChar(s.charCodeAt(j))) j++;
      const name = s.slice(lt + 1, j);
      if (name.length === 0) {
        addText('<');
        i = lt + 1;
        continue;
      }
      const deep = stack.length >= maxDepth;
      if (deep) sink.tooDeep();
      else stack.push(name);
      // Attributes.
      let selfClosing = false;
      while (j < n) {
        while (j < n && isWs(s.charCodeAt(j))) j++;
        const c = s.charCodeAt(j);
        if (c === 62 /* > */) {
          j++;
          break;
        }
        if (c === 47 && s.charCodeAt(j + 1) === 62) {
          selfClosing = true;
          j += 2;
          break;
        }
        const an = j;
        while (j < n && isNameChar(s.charCodeAt(j))) j++;
        const attr = s.slice(an, j);
        if (attr.length === 0) {
          j++;
          continue;
        }
        while (j < n && isWs(s.charCodeAt(j))) j++;
        if (s.charCodeAt(j) !== 61 /* = */) continue;
        j++;
        while (j < n && isWs(s.charCodeAt(j))) j++;
        const q = s.charCodeAt(j);
        let value: string;
        if (q === 34 || q === 39) {
          const end = s.indexOf(q === 34 ? '"' : "'", j + 1);
          value = s.slice(j + 1, end === -1 ? n : end);
          j = end === -1 ? n : end + 1;
        } else {
          const vs = j;
          while (j < n && !isWs(s.charCodeAt(j)) && s.charCodeAt(j) !== 62) j++;
          value = s.slice(vs, j);
        }
        if (value.length > 0) sink.add(['body', `${path()}/@${attr}`], value, 'body');
      }
      if (selfClosing && !deep) stack.pop();
      i = j;
    }
  }
}
