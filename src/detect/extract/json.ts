// A JSON walker that never builds the document: it emits every key and every string leaf with its
// path, as the bytes say. Duplicate keys and keys differing only in case are all seen (a map would
// keep one of them, and the application may read the other). Depth and value counts are bounded;
// deeper nesting is skipped with a flat scan and reported. Never throws.
import type { Sink } from './sink.js';

export type JsonOutcome = 'ok' | 'malformed';

// JSON strings may not hold raw control characters.
const CONTROL = /[\u0000-\u001f]/;
const HEX4 = /^[0-9a-fA-F]{4}$/;

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

class JsonWalker {
  private i = 0;
  private stopped = false;
  private readonly n: number;

  constructor(
    private readonly s: string,
    private readonly segs: (string | number)[],
    private readonly sink: Sink,
    private readonly maxDepth: number,
    private readonly onString?: (segs: (string | number)[], value: string) => boolean,
  ) {
    this.n = s.length;
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
      this.sink.add(this.segs, str, 'body');
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

  /** Position of the next backslash at or after `from` (-1: none left); found once, reused. */
  private backslash = -2;
  private nextBackslash(from: number): number {
    if (this.backslash !== -1 && this.backslash < from) this.backslash = this.s.indexOf('\\', from);
    return this.backslash;
  }

  private string(): string | undefined {
    const s = this.s;
    // Runs between escapes are found and copied with native scans; the common string without
    // escapes is one slice.
    let j = this.i + 1;
    let out = '';
    for (;;) {
      const q = s.indexOf('"', j);
      if (q === -1) return undefined;
      const e = this.nextBackslash(j);
      if (e === -1 || e > q) {
        const run = s.slice(j, q);
        if (CONTROL.test(run)) return undefined;
        this.i = q + 1;
        return out + run;
      }
      const run = s.slice(j, e);
      if (CONTROL.test(run)) return undefined;
      out += run;
      switch (s.charCodeAt(e + 1)) {
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
          const hex = s.slice(e + 2, e + 6);
          if (hex.length !== 4 || !HEX4.test(hex)) return undefined;
          out += String.fromCharCode(Number.parseInt(hex, 16));
          j = e + 6;
          continue;
        }
        default:
          return undefined;
      }
      j = e + 2;
    }
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
      this.sink.add(this.segs, key, 'key');
      const ok = this.value(depth);
      this.segs.pop();
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
      const ok = this.value(depth);
      this.segs.pop();
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
