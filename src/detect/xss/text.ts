// Character classes, the per-value scan context and small helpers shared by the XSS scanners.
import type { Paranoia } from '../types.js';
import { DATA_SCHEMES, EXEC_SCHEMES } from './tables.js';

export interface Hit {
  score: number;
  at: number;
  end: number;
  why: string;
}

export const isLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isIdent = (c: number): boolean => isLetter(c) || isDigit(c) || c === 95 || c === 36;
export const isSpace = (c: number): boolean => c <= 32;
/**
 * Part of a JS identifier on the left of a name: ASCII word characters, and any non-ASCII letter
 * (`оalert(` is one identifier), but not the spaces a decoder may have left (NBSP, U+2000…, BOM).
 */
export const joinsIdent = (c: number): boolean =>
  isIdent(c) ||
  (c >= 0xc0 &&
    c !== 0xd7 &&
    c !== 0xf7 &&
    !(c >= 0x2000 && c <= 0x206f) &&
    c !== 0x3000 &&
    c !== 0xfeff &&
    !(c >= 0xff00 && c <= 0xff20));

/**
 * Whether the name at `i` is glued to a word on its left: an identifier character, or a UTF-8
 * multi-byte character read as Latin-1 (`Ð¾alert(` is Cyrillic `оalert(`, one identifier).
 */
export function gluedLeft(s: string, i: number): boolean {
  if (i === 0) return false;
  const c = s.charCodeAt(i - 1);
  if (joinsIdent(c)) return true;
  if (c < 0x80 || c > 0xbf || i < 2) return false;
  const lead = s.charCodeAt(i - 2);
  // 0xC2 leads U+0080…U+00BF, symbols (`Â¾` is `¾`): not part of a word
  return lead >= 0xc3 && lead <= 0xf4;
}
export const isQuote = (c: number): boolean => c === 34 || c === 39 || c === 96;

/** Removes whitespace, control characters, backslashes and leftover entities (`&tab;`), bounded. */
export function compact(s: string, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to && out.length < 256; i++) {
    const c = s.charCodeAt(i);
    if (isSpace(c) || c === 92 || c === 0xad || c === 0x200b || c === 0xfeff) continue;
    if (c === 38) {
      // `&tab;`, `&#9;`, `&#x09;` left by a decoder that stopped early
      let j = i + 1;
      while (j < to && j - i < 10 && (isIdent(s.charCodeAt(j)) || s.charCodeAt(j) === 35)) j++;
      if (j < to && s.charCodeAt(j) === 59 && j > i + 1) {
        i = j;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

export function stripCssComments(v: string): string {
  let out = '';
  let i = 0;
  while (i < v.length) {
    if (v.charCodeAt(i) === 47 && v.charCodeAt(i + 1) === 42) {
      const end = v.indexOf('*/', i + 2);
      if (end < 0) break;
      i = end + 2;
      continue;
    }
    out += v[i];
    i++;
  }
  return out;
}

export function startsWithAny(v: string, list: readonly string[]): string | undefined {
  for (const p of list) if (v.startsWith(p)) return p;
  return undefined;
}

/** Strength of an attribute value used as a URL: executable schemes only. */
export function scriptUrlScore(compacted: string): number {
  if (startsWithAny(compacted, EXEC_SCHEMES)) return 0.9;
  if (startsWithAny(compacted, DATA_SCHEMES)) return 0.85;
  return 0;
}

export interface Ctx {
  s: string;
  raw: string;
  paranoia: Paranoia;
  markupOnly: boolean;
  /** Whether HTML in this field is itself suspect (not prose, not markup). */
  htmlInjection: boolean;
  best: Hit | undefined;
}

export function hit(ctx: Ctx, score: number, at: number, end: number, why: string): void {
  if (ctx.best === undefined || score > ctx.best.score) ctx.best = { score, at, end, why };
}

export interface Strongest {
  score: number;
  why: string;
}

export function raise(best: Strongest, score: number, why: string): void {
  if (score > best.score) {
    best.score = score;
    best.why = why;
  }
}

/** A token with nothing but punctuation (or the value's ends) on either side. */
export function standalone(s: string, from: number, to: number): boolean {
  const before = from > 0 ? s[from - 1] : '';
  const after = to < s.length ? s[to] : '';
  return (
    (before === '' || '([{\'"`=,+;:|&'.includes(before)) && (after === '' || ')]}\'"`;,.+&|'.includes(after))
  );
}

/** `scriptalert(1)/script`: what a filter that strips `<` and `>` leaves of a script element. */
export function afterTagRemnant(s: string, at: number): boolean {
  return at >= 6 && s.startsWith('script', at - 6) && (at === 6 || !isLetter(s.charCodeAt(at - 7)));
}

export function receiverBefore(s: string, dot: number): string {
  let j = dot - 1;
  while (j >= 0 && dot - j < 12 && isIdent(s.charCodeAt(j))) j--;
  return s.slice(j + 1, dot);
}
