// A JSON walker that never builds the document: it emits every key and every string leaf with its
// path, as the bytes say. Duplicate keys and keys differing only in case are all seen (a map would
// keep one of them, and the application may read the other). Depth and value counts are bounded;
// deeper nesting is skipped with a flat scan and reported. Never throws.
import { formatLocation, formatSegment } from '../profiles.js';
import { ENGINE_SCAN, ENGINE_SCAN_ALL, ENGINE_SCAN_NON_ASCII } from '../triggers.js';
import type { Sink } from './sink.js';

export type JsonOutcome = 'ok' | 'malformed';

function hex4(s: string, at: number): number {
  let v = 0;
  for (let k = at; k < at + 4; k++) {
    const c = s.charCodeAt(k);
    let h: number;
    if (c >= 48 && c <= 57) h = c - 48;
    else if (c >= 65 && c <= 70) h = c - 55;
    else if (c >= 97 && c <= 102) h = c - 87;
    else return -1;
    v = (v << 4) | h;
  }
  return v;
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

class JsonWalker {
  private i = 0;
  private stopped = false;
  private readonly n: number;
  /** Printed locations of the open containers (parallel to `segs` from the base on). */
  /** `undefined` until some value there needs it (numbers and plain keys never do). */
  private readonly locs: (string | undefined)[];
  /** Index in `segs` of the segment `locs[1]` describes. */
  private readonly base: number;
  /** `loc` bound once: given to the sink, which calls it only when it keeps a value. */
  private readonly locFn = (): string => this.loc();
  private readonly json: boolean;
  /** The raw scan (triggers.ts finishScan) of the last string read when it had no escape, else undefined. */
  private scan: number | undefined;

  constructor(
    private readonly s: string,
    private readonly segs: (string | number)[],
    private readonly sink: Sink,
    private readonly maxDepth: number,
    private readonly onString?: (segs: (string | number)[], value: string) => boolean,
  ) {
    this.n = s.length;
    this.json = segs[1] === '$';
    this.locs = [undefined];
    this.base = segs.length;
  }

  /** The printed location of the innermost open value, built from the nearest one known. */
  private loc(): string {
    const locs = this.locs;
    let d = locs.length - 1;
    while (d >= 0 && locs[d] === undefined) d--;
    let out = d >= 0 ? (locs[d] as string) : formatLocation(this.segs.slice(0, this.base));
    if (d < 0) locs[(d = 0)] = out;
    for (let k = d + 1; k < locs.length; k++) {
      out += formatSegment(this.segs[this.base + k - 1], this.json);
      locs[k] = out;
    }
    return out;
  }

  run(): JsonOutcome {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    this.ws();
    if (this.i >= this.n) return 'ok';
    if (!this.value(0)) return this.stopped ? 'ok' : 'malformed';
    if (this.stopped) return 'ok';
    this.ws();
    return this.i < this.n ? 'malformed' : 'ok';
  }

  private ws(): void {
    while (this.i < this.n && isWs(this.s.charCodeAt(this.i))) this.i++;
  }

  private value(depth: number): boolean {
    this.ws();
    if (this.i >= this.n) return false;
    const c = this.s.charCodeAt(this.i);
    if (c === 123 /* { */) return this.object(depth + 1);
    if (c === 91 /* [ */) return this.array(depth + 1);
    if (c === 34 /* " */) {
      const str = this.string();
      if (str === undefined) return false;
      if (this.onString?.(this.segs, str)) return true;
      this.sink.add(this.segs, str, 'body', undefined, this.locFn, this.scan);
      return true;
    }
    return this.scalar();
  }

  private scalar(): boolean {
    const start = this.i;
    while (this.i < this.n) {
      const c = this.s.charCodeAt(this.i);
      if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || (c >= 97 && c <= 122) || c === 69) {
        this.i++;
      } else break;
    }
    const tok = this.s.slice(start, this.i);
    if (tok === 'true' || tok === 'false' || tok === 'null') return true;
    if (tok.length === 0 || tok.length > 64) return false;
    // Numbers: digits with an optional sign, fraction and exponent (checked loosely, linear).
    let digits = 0;
    for (let k = 0; k < tok.length; k++) {
      const c = tok.charCodeAt(k);
      if (c >= 48 && c <= 57) digits++;
      else if (c !== 43 && c !== 45 && c !== 46 && c !== 101 && c !== 69) return false;
    }
    return digits > 0;
  }

  /**
   * The string starting at the quote at `i`, unescaped; undefined when malformed (a raw control
   * character, a bad escape, no closing quote). One pass; runs between escapes are sliced.
   */
  private string(): string | undefined {
    const s = this.s;
    const n = this.n;
    let j = this.i + 1;
    let start = j;
    let out = '';
    // the engine's scan of the string (see triggers.ts finishScan), folded into this pass
    let any = 0;
    let all = ENGINE_SCAN_ALL;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c === 34 /* " */) {
        this.i = j + 1;
        if (out.length !== 0) {
          this.scan = undefined;
          return out + s.slice(start, j);
        }
        this.scan = (any & ~ENGINE_SCAN_ALL) | all;
        return s.slice(start, j);
      }
      if (c < 32) return undefined;
      if (c !== 92 /* \\ */) {
        if (c < 128) {
          const f = ENGINE_SCAN[c]!;
          any |= f;
          all &= f;
        } else {
          any |= ENGINE_SCAN_NON_ASCII;
          all = 0;
        }
        j++;
        continue;
      }
      out += s.slice(start, j);
      switch (s.charCodeAt(j + 1)) {
        case 34:
          out += '"';
          break;
        case 92:
          out += '\\';
          break;
        case 47:
          out += '/';
          break;
        case 98:
          out += '\b';
          break;
        case 102:
          out += '\f';
          break;
        case 110:
          out += '\n';
          break;
        case 114:
          out += '\r';
          break;
        case 116:
          out += '\t';
          break;
        case 117: {
          const code = j + 6 <= n ? hex4(s, j + 2) : -1;
          if (code < 0) return undefined;
          out += String.fromCharCode(code);
          j += 6;
          start = j;
          continue;
        }
        default:
          return undefined;
      }
      j += 2;
      start = j;
    }
    return undefined;
  }

  private object(depth: number): boolean {
    if (depth > this.maxDepth) {
      this.sink.tooDeep();
      return this.skip();
    }
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 125) {
      this.i++;
      return true;
    }
    for (;;) {
      if (this.sink.full()) {
        this.stopped = true;
        return false;
      }
      this.ws();
      if (this.s.charCodeAt(this.i) !== 34) return false;
      const key = this.string();
      if (key === undefined) return false;
      this.ws();
      if (this.s.charCodeAt(this.i) !== 58 /* : */) return false;
      this.i++;
      this.segs.push(key);
      this.locs.push(undefined);
      this.sink.add(this.segs, key, 'key', undefined, this.locFn, this.scan);
      const ok = this.value(depth);
      this.segs.pop();
      this.locs.pop();
      if (!ok) return false;
      this.ws();
      const c = this.s.charCodeAt(this.i);
      this.i++;
      if (c === 44 /* , */) continue;
      if (c === 125 /* } */) return true;
      return false;
    }
  }

  private array(depth: number): boolean {
    if (depth > this.maxDepth) {
      this.sink.tooDeep();
      return this.skip();
    }
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 93) {
      this.i++;
      return true;
    }
    for (let index = 0; ; index++) {
      if (this.sink.full()) {
        this.stopped = true;
        return false;
      }
      this.segs.push(index);
      this.locs.push(undefined);
      const ok = this.value(depth);
      this.segs.pop();
      this.locs.pop();
      if (!ok) return false;
      this.ws();
      const c = this.s.charCodeAt(this.i);
      this.i++;
      if (c === 44) continue;
      if (c === 93) return true;
      return false;
    }
  }

  /** Skips a nested container without recursion; checks bracket balance and string syntax only. */
  private skip(): boolean {
    const stack: number[] = [];
    while (this.i < this.n) {
      const c = this.s.charCodeAt(this.i);
      if (c === 34) {
        if (this.string() === undefined) return false;
        continue;
      }
      if (c === 123 || c === 91) stack.push(c === 123 ? 125 : 93);
      else if (c === 125 || c === 93) {
        if (stack.pop() !== c) return false;
        if (stack.length === 0) {
          this.i++;
          return true;
        }
      }
      this.i++;
    }
    return false;
  }
}

/**
 * Walks a JSON text, adding keys (source `key`) and string leaves (source `body`) under `base`
 * (e.g. `['body', '$']`). `onString` may claim a string leaf (returns true) instead of adding it.
 */
export function walkJson(
  text: string,
  base: (string | number)[],
  sink: Sink,
  maxDepth: number,
  onString?: (segs: (string | number)[], value: string) => boolean,
): JsonOutcome {
  try {
    return new JsonWalker(text, base, sink, maxDepth, onString).run();
  } catch {
    return 'malformed';
  }
}
