/**
 * Prefilter, derived from the scanners of this folder, that rejects a value none of them can report on.
 * Markup, calls, brackets, templates and comment/CSS openers need `<`, `(`, `` ` ``, `[`, `{` or
 * `/*`; a comment closer is `-->`/`--!>`; attribute breakouts are a letter run starting `on` (or
 * ending `formaction`/`srcdoc`/`href`) then spaces then `=`; JSFuck without brackets needs two
 * `!`; UTF-7 needs `adw-`; CSS bindings `-moz-binding`; the DOM sinks all contain `.` next to
 * `document`, `window`, `location`, `storage`, `constructor`, `top`, `parent`, `self` (letters
 * possibly split by spaces or `)`, as `scanJsObfuscation` flattens them) or before `innerhtml`,
 * `outerhtml`, `insertadjacenthtml`, except `new function`; script URLs are `script:`, `mocha:`
 * or `data:` with whitespace, `\` or soft hyphens allowed between the letters; a JS string breakout
 * starts with a quote, at most three closers and an operator (`in` among them); UTF-7 charset names contain `utf7` or
 * `utf-7`; high-bit markup needs U+00BC. U+0130 and U+212A
 * lower-case to ASCII (and shift indices), so a value holding one is always passed on.
 *
 * One pass without a regex (this runs on most values): each of those needs one of a few
 * characters, and only at those characters is anything compared. The regex it replaces,
 * `/[<(\`[{\u0130\u212a\u00bc]|\/\*|--!?>|\bon[a-z]*[\x00-\x20]*=|(?:formaction|srcdoc|href)[\x00-\x20]*=|new function|adw-|-moz-binding|utf-?7|["'][)\]}]{0,3}\s*(?:[;+\-*|&,^%]|in[\s(])/i`,
 * is kept in the tests as the reference.
 */
/** Characters `scanSchemes` drops before matching a scheme (whitespace, `\`, soft hyphen). */
export const schemeSkip = (c: number): boolean => c <= 32 || c === 92 || c === 0xad;
/** Characters the flattened sink check drops (whitespace and `)`; `(` and comments trigger anyway). */
export const sinkSkip = (c: number): boolean => c <= 32 || c === 41;

/** Whether the letters before `end` (skipping `skip` characters) spell `word`, ignoring ASCII case. */
export function endsWithFlat(v: string, end: number, word: string, skip: (c: number) => boolean): boolean {
  let j = end - 1;
  for (let k = word.length - 1; k >= 0; k--) {
    while (j >= 0 && skip(v.charCodeAt(j))) j--;
    if (j < 0 || (v.charCodeAt(j) | 0x20) !== word.charCodeAt(k)) return false;
    j--;
  }
  return true;
}

export function startsWithCi(v: string, at: number, word: string): boolean {
  if (at + word.length > v.length) return false;
  for (let k = 0; k < word.length; k++)
    if ((v.charCodeAt(at + k) | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

/** Letters before `at`, skipping `skip` characters: the code of the nearest one, lower case (-1: none). */
export function lastLetterBefore(v: string, at: number, skip: (c: number) => boolean): number {
  let j = at - 1;
  while (j >= 0 && skip(v.charCodeAt(j))) j--;
  return j < 0 ? -1 : v.charCodeAt(j) | 0x20;
}

/** A DOM sink around the `.` at `i`: an owner before it (`document.`, `top.`…) or a member after. */
export function sinkAt(v: string, i: number): boolean {
  switch (lastLetterBefore(v, i, sinkSkip)) {
    case 116: // t
      if (endsWithFlat(v, i, 'document', sinkSkip) || endsWithFlat(v, i, 'parent', sinkSkip)) return true;
      break;
    case 119: // w
      if (endsWithFlat(v, i, 'window', sinkSkip)) return true;
      break;
    case 110: // n
      if (endsWithFlat(v, i, 'location', sinkSkip)) return true;
      break;
    case 101: // e
      if (endsWithFlat(v, i, 'storage', sinkSkip)) return true;
      break;
    case 114: // r
      if (endsWithFlat(v, i, 'constructor', sinkSkip)) return true;
      break;
    case 112: // p
      if (endsWithFlat(v, i, 'top', sinkSkip)) return true;
      break;
    case 102: // f
      if (endsWithFlat(v, i, 'self', sinkSkip)) return true;
      break;
  }
  const next = v.charCodeAt(i + 1) | 0x20;
  return (
    (next === 105 && (startsWithCi(v, i + 1, 'innerhtml') || startsWithCi(v, i + 1, 'insertadjacenthtml'))) ||
    (next === 111 && startsWithCi(v, i + 1, 'outerhtml'))
  );
}

/** A script scheme ending at the `:` at `i`: `…script:`, `mocha:`, `data:`. */
export function schemeAt(v: string, i: number): boolean {
  switch (lastLetterBefore(v, i, schemeSkip)) {
    case 116: // t
      return endsWithFlat(v, i, 'script', schemeSkip);
    case 97: // a
      return endsWithFlat(v, i, 'mocha', schemeSkip) || endsWithFlat(v, i, 'data', schemeSkip);
  }
  return false;
}

/** ASCII characters at which `mayBeXss` looks (everything else is skipped with one load). */
const LOOK = new Uint8Array(128);
for (const ch of '<(`[{/-7= "\'!:.') LOOK[ch.charCodeAt(0)] = 1;

export function mayBeXss(v: string): boolean {
  let bangs = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 128 ? LOOK[c] === 0 : c !== 0x130 && c !== 0x212a && c !== 0xbc) continue;
    switch (c) {
      case 60: // <
      case 40: // (
      case 96: // `
      case 91: // [
      case 123: // {
      case 0x130:
      case 0x212a:
      case 0xbc:
        return true;
      case 47: // `/*`
        if (v.charCodeAt(i + 1) === 42) return true;
        break;
      case 45: // `-->`, `--!>`, `-moz-binding`, `adw-`, `utf-7`
        if (v.charCodeAt(i + 1) === 45) {
          const n = v.charCodeAt(i + 2);
          if (n === 62 || (n === 33 && v.charCodeAt(i + 3) === 62)) return true;
        }
        if (i >= 3 && endsWithCi(v, i, 'adw')) return true;
        if (startsWithCi(v, i + 1, 'moz') && v.charCodeAt(i + 4) === 45 && startsWithCi(v, i + 5, 'binding'))
          return true;
        break;
      case 55: // `utf7`, `utf-7`
        if (endsWithCi(v, i, 'utf') || (v.charCodeAt(i - 1) === 45 && endsWithCi(v, i - 1, 'utf')))
          return true;
        break;
      case 61: // `on…=`, `formaction=`, `srcdoc=`, `href=`
        if (attributeBefore(v, i)) return true;
        break;
      case 32: // `new function`
        if (
          (v.charCodeAt(i - 1) | 0x20) === 119 &&
          endsWithCi(v, i, 'new') &&
          startsWithCi(v, i + 1, 'function')
        )
          return true;
        break;
      case 34: // a string breakout: quote, up to three closers, spaces, an operator or `in`
      case 39:
        if (breakoutAfter(v, i + 1)) return true;
        break;
      case 33: // JSFuck without brackets
        if (++bangs === 2) return true;
        break;
      case 58:
        if (schemeAt(v, i)) return true;
        break;
      case 46:
        if (sinkAt(v, i)) return true;
        break;
    }
  }
  return false;
}

/** `v[end - word.length, end)` is `word` (lower-case ASCII letters), ignoring ASCII case. */
function endsWithCi(v: string, end: number, word: string): boolean {
  return end >= word.length && startsWithCi(v, end - word.length, word);
}

const isLetter = (c: number): boolean => (c | 0x20) >= 97 && (c | 0x20) <= 122;

/**
 * Before the `=` at `eq`, past control characters and spaces: a letter run that starts a word
 * with `on` (`onerror`, `\bon[a-z]*`), or that ends in `formaction`, `srcdoc` or `href`.
 */
function attributeBefore(v: string, eq: number): boolean {
  let end = eq;
  while (end > 0 && v.charCodeAt(end - 1) <= 32) end--;
  let start = end;
  while (start > 0 && isLetter(v.charCodeAt(start - 1))) start--;
  if (end - start >= 2 && startsWithCi(v, start, 'on')) {
    // `\b`: the letter run is the start of a word (no digit or `_` glued before it)
    const p = start > 0 ? v.charCodeAt(start - 1) : -1;
    if (!((p >= 48 && p <= 57) || p === 95)) return true;
  }
  return (
    (end - start >= 4 && endsWithCi(v, end, 'href')) ||
    (end - start >= 6 && endsWithCi(v, end, 'srcdoc')) ||
    (end - start >= 10 && endsWithCi(v, end, 'formaction'))
  );
}

/** JavaScript's `\s`. */
function isJsSpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * After a quote: at most three of `)]}`, spaces, then an operator (`;+-*|&,^%`) or `in` before a
 * space or `(`. Closers, spaces and operators are disjoint, so taking each run whole is the
 * only way to match.
 */
function breakoutAfter(v: string, from: number): boolean {
  let i = from;
  while (i < v.length && i - from < 3) {
    const c = v.charCodeAt(i);
    if (c !== 41 && c !== 93 && c !== 125) break;
    i++;
  }
  while (i < v.length && isJsSpace(v.charCodeAt(i))) i++;
  switch (v.charCodeAt(i)) {
    case 59:
    case 43:
    case 45:
    case 42:
    case 124:
    case 38:
    case 44:
    case 94:
    case 37:
      return true;
    case 73:
    case 105:
      if ((v.charCodeAt(i + 1) | 0x20) === 110) {
        const n = v.charCodeAt(i + 2);
        return n === 40 || isJsSpace(n);
      }
  }
  return false;
}
