// Markdown exfiltration and active HTML in model output. Linear scans over a text window.

export interface MarkupHit {
  subtype: 'markdown-image-exfiltration' | 'link-injection' | 'html-in-output';
  start: number;
  end: number;
  fragment: string;
}

/** Exact hosts, or `*.example.com` for the domain and its subdomains. */
export function compileHostAllowList(hosts: readonly string[]): (host: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const h of hosts) {
    const l = h.toLowerCase();
    if (l.startsWith('*.')) suffixes.push(l.slice(1));
    else exact.add(l);
  }
  return (host) => {
    const h = host.toLowerCase();
    return exact.has(h) || suffixes.some((s) => h.endsWith(s) || h === s.slice(1));
  };
}

const MIN_DATA_QUERY = 24;

function hostOf(url: string): { host: string; query: string } | undefined {
  if (!/^https?:\/\//i.test(url) && !url.startsWith('//')) return undefined;
  try {
    const u = new URL(url.startsWith('//') ? `https:${url}` : url);
    return { host: u.hostname, query: u.search + u.hash };
  } catch {
    return undefined;
  }
}

/**
 * `![alt](url)` to a host not allowed (an image the client fetches by itself), and `[text](url)` /
 * reference definitions `[id]: url` whose query carries data to such a host. Only constructs
 * starting at or after `from` are reported.
 */
export function findMarkdownExfil(
  text: string,
  from: number,
  allowed: (host: string) => boolean,
): MarkupHit[] {
  const out: MarkupHit[] = [];
  let i = text.indexOf('](', Math.max(0, from - 256));
  while (i !== -1) {
    let e = i + 2;
    while (e < text.length && e - i < 4096 && text.charCodeAt(e) !== 41 && text.charCodeAt(e) > 32) e++;
    const closed = text.charCodeAt(e) === 41 || (e < text.length && text.charCodeAt(e) <= 32);
    const open = text.lastIndexOf('[', i);
    const image = open > 0 && text.charCodeAt(open - 1) === 33 && i - open < 512;
    const start = image ? open - 1 : open === -1 ? i : open;
    if (closed && i >= from) {
      const target = hostOf(text.slice(i + 2, e));
      if (target && !allowed(target.host) && (image || target.query.length >= MIN_DATA_QUERY))
        out.push({
          subtype: image ? 'markdown-image-exfiltration' : 'link-injection',
          start,
          end: Math.min(text.length, e + 1),
          fragment: text.slice(start, Math.min(e + 1, start + 120)),
        });
    }
    i = text.indexOf('](', i + 2);
  }
  // Reference-style definitions: `[id]: http://…` at a line start.
  let r = text.indexOf(']:', from);
  while (r !== -1) {
    const open = text.lastIndexOf('[', r);
    const lineStart = open === 0 || (open > 0 && text.charCodeAt(open - 1) === 10);
    if (lineStart && open >= from && r - open < 128) {
      let s = r + 2;
      while (text.charCodeAt(s) === 32) s++;
      let e = s;
      while (e < text.length && text.charCodeAt(e) > 32) e++;
      const target = hostOf(text.slice(s, e));
      if (target && !allowed(target.host) && e < text.length)
        out.push({
          subtype: 'markdown-image-exfiltration',
          start: open,
          end: e,
          fragment: text.slice(open, Math.min(e, open + 120)),
        });
    }
    r = text.indexOf(']:', r + 2);
  }
  return out;
}

const TAG_END = new Set([9, 10, 13, 32, 47, 62]);
const HTML_MARKERS = [
  '<script',
  '<iframe',
  '<object',
  '<embed',
  '<svg',
  '<img',
  '<form',
  '<meta',
  '<link',
  'javascript:',
];

/** Active HTML: script-capable tags, `javascript:` URLs and `on…=` handlers inside a tag. */
export function findActiveHtml(text: string, from: number): MarkupHit[] {
  const out: MarkupHit[] = [];
  const lower = text.toLowerCase();
  for (const m of HTML_MARKERS) {
    let i = lower.indexOf(m, from);
    while (i !== -1) {
      const next = lower.charCodeAt(i + m.length);
      if (m === 'javascript:' || Number.isNaN(next) || TAG_END.has(next))
        out.push({ subtype: 'html-in-output', start: i, end: i + m.length, fragment: text.slice(i, i + 60) });
      i = lower.indexOf(m, i + m.length);
    }
  }
  // on…= handlers inside a tag: `<tag … onerror=`
  let lt = lower.indexOf('<', from);
  while (lt !== -1) {
    const gt = lower.indexOf('>', lt);
    const end = gt === -1 ? Math.min(lower.length, lt + 512) : Math.min(gt, lt + 512);
    for (let k = lt + 1; k + 3 < end; k++) {
      if (lower.charCodeAt(k) !== 32 || lower.charCodeAt(k + 1) !== 111 || lower.charCodeAt(k + 2) !== 110)
        continue;
      let e = k + 3;
      while (e < end && lower.charCodeAt(e) >= 97 && lower.charCodeAt(e) <= 122) e++;
      while (e < end && lower.charCodeAt(e) === 32) e++;
      if (e > k + 3 && lower.charCodeAt(e) === 61 && isTagName(lower, lt + 1)) {
        out.push({
          subtype: 'html-in-output',
          start: lt,
          end: e + 1,
          fragment: text.slice(lt, Math.min(e + 1, lt + 60)),
        });
        break;
      }
    }
    lt = gt === -1 ? -1 : lower.indexOf('<', gt);
  }
  return out;
}

function isTagName(lower: string, i: number): boolean {
  const c = lower.charCodeAt(i);
  return c >= 97 && c <= 122;
}
