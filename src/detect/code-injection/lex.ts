// Small lexical helpers shared by the code-injection scanners. Every loop is bounded by the
// caller's scan length or by a fixed window: no rescans of a long value per candidate.

/** Most characters skipped between a name and its `(` (spaces, comments). */
export const MAX_GAP = 128;
/** Longest identifier or qualified name read. */
export const MAX_NAME = 96;

/** Records a candidate: internal strength (0.5 = fires at paranoia 1), position, reason. */
export type Report = (score: number, at: number, why: string) => void;

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
export const isIdentStart = (c: number): boolean => isLetter(c) || c === 95;
export const isIdent = (c: number): boolean => isIdentStart(c) || isDigit(c);
export const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
export const isQuote = (c: number): boolean => c === 39 || c === 34 || c === 96;

/** End of the identifier starting at `i` (at most MAX_NAME characters). */
export function identEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length && j - i < MAX_NAME && isIdent(s.charCodeAt(j))) j++;
  return j;
}

/**
 * Skips whitespace and comments (`/* … *\/`, `// …`, `# …` to the end of the line) the way PHP
 * and C-like languages do between a function name and its argument list. Bounded by MAX_GAP:
 * returns -1 when the gap is longer, or a comment runs past the end (PHP would not call there).
 */
export function skipGap(s: string, i: number): number {
  const limit = Math.min(s.length, i + MAX_GAP);
  let j = i;
  while (j < limit) {
    const c = s.charCodeAt(j);
    if (isSpace(c)) {
      j++;
      continue;
    }
    const d = s.charCodeAt(j + 1);
    if (c === 47 && d === 42) {
      const end = findWithin(s, '*/', j + 2, limit - j - 2);
      if (end < 0) return -1;
      j = end + 2;
      continue;
    }
    if ((c === 47 && d === 47) || c === 35) {
      let k = j + 1;
      while (k < limit && s.charCodeAt(k) !== 10 && s.charCodeAt(k) !== 13) k++;
      if (k >= limit) return -1;
      j = k + 1;
      continue;
    }
    return j;
  }
  return j >= s.length ? j : -1;
}

/** Whitespace only, bounded. */
export function skipSpace(s: string, i: number): number {
  const limit = Math.min(s.length, i + MAX_GAP);
  let j = i;
  while (j < limit && isSpace(s.charCodeAt(j))) j++;
  return j;
}

/** A name starts at `i`: the character before it is not part of a name. */
export function atWordStart(s: string, i: number): boolean {
  if (i === 0) return true;
  const c = s.charCodeAt(i - 1);
  return !isIdent(c) && c !== 36; /* $ */
}

/**
 * The segments of a dotted name (`java.lang.Runtime`) starting at `i`, and where it ends.
 * Segments may start with `$` (Java allows it). Empty when `i` does not start a name.
 */
export function readQualified(s: string, i: number): { segments: string[]; end: number } {
  const segments: string[] = [];
  let j = i;
  while (j < s.length && j - i < MAX_NAME * 2) {
    const c = s.charCodeAt(j);
    if (!isIdentStart(c) && c !== 36) break;
    let k = j + 1;
    while (k < s.length && k - j < MAX_NAME && (isIdent(s.charCodeAt(k)) || s.charCodeAt(k) === 36)) k++;
    segments.push(s.slice(j, k));
    j = k;
    if (s.charCodeAt(j) !== 46 /* . */ || !isIdentStart(s.charCodeAt(j + 1))) break;
    j++;
  }
  return { segments, end: j };
}

/** First `needle` at or after `from` that ends before `from + window` (no scan past it). */
export function findWithin(s: string, needle: string, from: number, window: number): number {
  const limit = Math.min(s.length, from + window);
  const first = needle.charCodeAt(0);
  for (let k = from; k + needle.length <= limit; k++) {
    if (s.charCodeAt(k) === first && s.startsWith(needle, k)) return k;
  }
  return -1;
}
