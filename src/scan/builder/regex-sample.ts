// A small generator for the regular-expression shapes common in API descriptions:
// literals, escapes (\d \w \s \. …), character classes with ranges, groups with alternation,
// and the quantifiers ? * + {n} {n,} {n,m}. Anything else falls back to the caller's default.

type Node =
  | { kind: 'chars'; set: string }
  | { kind: 'group'; alts: Node[][] }
  | { kind: 'repeat'; node: Node; min: number; max: number };

const DIGITS = '0123456789';
const WORD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';

function classEscape(c: string): string {
  switch (c) {
    case 'd':
      return DIGITS;
    case 'w':
      return WORD;
    case 's':
      return ' ';
    case 'D':
    case 'W':
      return '-';
    case 'S':
      return 'a';
    case 'n':
      return '\n';
    case 't':
      return '\t';
    default:
      return c;
  }
}

class Parser {
  i = 0;
  constructor(readonly src: string) {}

  parseAlts(depth: number): Node[][] {
    if (depth > 20) throw new Error('too deep');
    const alts: Node[][] = [[]];
    while (this.i < this.src.length) {
      const c = this.src[this.i];
      if (c === ')') break;
      if (c === '|') {
        this.i++;
        alts.push([]);
        continue;
      }
      const atom = this.parseAtom(depth);
      if (atom) alts[alts.length - 1].push(this.parseQuantifier(atom));
    }
    return alts;
  }

  parseAtom(depth: number): Node | undefined {
    const c = this.src[this.i++];
    if (c === '^' || c === '$') return undefined;
    if (c === '(') {
      if (this.src[this.i] === '?') {
        // (?: … ) and lookarounds: treat lookarounds as empty, non-capturing as a group
        const kind = this.src[this.i + 1];
        this.i += 2;
        if (kind === '=' || kind === '!') {
          this.parseAlts(depth + 1);
          this.i++;
          return undefined;
        }
        if (kind === '<') {
          while (this.i < this.src.length && this.src[this.i] !== '>') this.i++;
          this.i++;
        }
      }
      const alts = this.parseAlts(depth + 1);
      if (this.src[this.i] !== ')') throw new Error('unbalanced group');
      this.i++;
      return { kind: 'group', alts };
    }
    if (c === '[') return { kind: 'chars', set: this.parseClass() };
    if (c === '.') return { kind: 'chars', set: 'a' };
    if (c === '\\') {
      const e = this.src[this.i++];
      if (e === undefined) throw new Error('dangling escape');
      if (e === 'b' || e === 'B') return undefined;
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.src.slice(this.i, this.i + 4))) {
        const ch = String.fromCharCode(Number.parseInt(this.src.slice(this.i, this.i + 4), 16));
        this.i += 4;
        return { kind: 'chars', set: ch };
      }
      return { kind: 'chars', set: classEscape(e) };
    }
    return { kind: 'chars', set: c };
  }

  parseClass(): string {
    let negate = false;
    if (this.src[this.i] === '^') {
      negate = true;
      this.i++;
    }
    let set = '';
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== ']' || first)) {
      first = false;
      let c = this.src[this.i++];
      if (c === '\\') {
        const e = this.src[this.i++];
        set += classEscape(e);
        continue;
      }
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        let end = this.src[this.i + 1];
        this.i += 2;
        if (end === '\\') end = this.src[this.i++];
        const a = c.charCodeAt(0);
        const b = end.charCodeAt(0);
        for (let k = a; k <= b && k - a < 128; k++) set += String.fromCharCode(k);
        continue;
      }
      set += c;
      c = '';
    }
    if (this.src[this.i] !== ']') throw new Error('unterminated class');
    this.i++;
    if (negate) {
      const candidates = 'aZ0_-';
      for (const ch of candidates) if (!set.includes(ch)) return ch;
      return 'q';
    }
    return set || 'a';
  }

  parseQuantifier(node: Node): Node {
    const c = this.src[this.i];
    let min = 1;
    let max = 1;
    if (c === '?') [min, max] = [0, 1];
    else if (c === '*') [min, max] = [0, 3];
    else if (c === '+') [min, max] = [1, 3];
    else if (c === '{') {
      const close = this.src.indexOf('}', this.i);
      const body = close > 0 ? this.src.slice(this.i + 1, close) : '';
      const m = /^(\d+)(,(\d*))?$/.exec(body);
      if (!m) return node;
      min = Number(m[1]);
      max = m[2] ? (m[3] ? Number(m[3]) : min + 3) : min;
      this.i = close + 1;
      if (this.src[this.i] === '?') this.i++;
      return { kind: 'repeat', node, min: Math.min(min, 256), max: Math.min(max, 256) };
    } else return node;
    this.i++;
    if (this.src[this.i] === '?' || this.src[this.i] === '+') this.i++;
    return { kind: 'repeat', node, min, max };
  }
}

function emit(nodes: Node[], pick: number, out: string[]): void {
  for (const n of nodes) {
    if (n.kind === 'chars') out.push(n.set[pick % n.set.length]);
    else if (n.kind === 'group') emit(n.alts[0], pick, out);
    else {
      const count = Math.max(n.min, Math.min(n.max, n.min === 0 ? 1 : n.min));
      for (let k = 0; k < count; k++) emit([n.node], pick + k, out);
    }
  }
}

/** A string matching `pattern`, or undefined when the pattern uses unsupported syntax. */
export function sampleFromPattern(pattern: string): string | undefined {
  try {
    const parser = new Parser(pattern);
    const alts = parser.parseAlts(0);
    if (parser.i < pattern.length) return undefined;
    const out: string[] = [];
    emit(alts[0], 0, out);
    const value = out.join('');
    const re = new RegExp(pattern, 'u');
    if (re.test(value)) return value;
    for (let pick = 1; pick < 4; pick++) {
      const again: string[] = [];
      emit(alts[0], pick, again);
      if (re.test(again.join(''))) return again.join('');
    }
    return undefined;
  } catch {
    return undefined;
  }
}
