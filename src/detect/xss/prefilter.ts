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
 */
export const XSS_TRIGGER =
  /[<(`[{\u0130\u212a\u00bc]|\/\*|--!?>|\bon[a-z]*[\x00-\x20]*=|(?:formaction|srcdoc|href)[\x00-\x20]*=|new function|adw-|-moz-binding|utf-?7|["'][)\]}]{0,3}\s*(?:[;+\-*|&,^%]|in[\s(])/i;

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

export function mayBeXss(v: string): boolean {
  if (XSS_TRIGGER.test(v)) return true;
  const bang = v.indexOf('!');
  if (bang >= 0 && v.indexOf('!', bang + 1) >= 0) return true;
  for (let i = v.indexOf(':'); i >= 0; i = v.indexOf(':', i + 1)) if (schemeAt(v, i)) return true;
  for (let i = v.indexOf('.'); i >= 0; i = v.indexOf('.', i + 1)) if (sinkAt(v, i)) return true;
  return false;
}
