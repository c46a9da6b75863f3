/**
 * `UN/**\/ION SEL/**\/ECT`, `DR/**\/OP`, `SLE/**\/EP(5)`: a SQL keyword or function name cut in two
 * by an empty comment. Filters that strip comments (or match keywords before the database drops
 * them) are dodged this way; no name, sentence, path or piece of code puts an empty comment inside
 * a word, so the cut is evidence of intent on its own, like a MySQL version comment around a
 * keyword (../sqli.ts `executable-comment-keyword`). `joinSplitKeywords` returns the value with
 * such comments removed (so the SQL behind them is judged as written) or null when the value has
 * none. Only an empty comment glued to letters on both sides counts: `a /**\/ b` and
 * `x/*note*\/y` are not splits.
 */
import { SQL_CALL_NAMES } from './functions.js';
import { KEYWORDS, LOGIC, SETOPS } from './lexer.js';

const EMPTY_COMMENT = '/**/';

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isSqlName(word: string): boolean {
  const w = word.toLowerCase();
  return KEYWORDS.has(w) || SETOPS.has(w) || LOGIC.has(w) || SQL_CALL_NAMES.has(w);
}

/** The value with empty comments that split SQL names removed, or null when there is none. */
export function joinSplitKeywords(text: string): string | null {
  let at = text.indexOf(EMPTY_COMMENT);
  if (at < 0) return null;
  let out = '';
  let from = 0;
  let found = false;
  // bounded: at most 64 comments are examined, each once
  for (let n = 0; at >= 0 && n < 64; n++) {
    const after = at + EMPTY_COMMENT.length;
    if (
      at > 0 &&
      after < text.length &&
      isLetter(text.charCodeAt(at - 1)) &&
      isLetter(text.charCodeAt(after))
    ) {
      let s = at;
      while (s > from && isLetter(text.charCodeAt(s - 1)) && at - s < 32) s--;
      // the letters before it were the end of a name joined already: this comment is a space
      if (s === at) {
        at = text.indexOf(EMPTY_COMMENT, after);
        continue;
      }
      // the word may be cut again (`SE/**/LE/**/CT`), and an empty comment also stands for a space
      // (`DR/**/OP/**/TABLE`): the longest run of pieces that spells a SQL name is the word
      let joined = text.slice(s, at);
      let best = '';
      let e = at;
      let k = after;
      while (k < text.length && joined.length < 32) {
        let p = k;
        while (p < text.length && isLetter(text.charCodeAt(p)) && joined.length + p - k < 32) p++;
        joined += text.slice(k, p);
        if (isSqlName(joined)) {
          best = joined;
          e = p;
        }
        if (!(text.startsWith(EMPTY_COMMENT, p) && isLetter(text.charCodeAt(p + 4)))) break;
        k = p + 4;
      }
      if (best !== '') {
        out += text.slice(from, s) + best;
        from = e;
        found = true;
      }
      at = text.indexOf(EMPTY_COMMENT, Math.max(e, after));
      continue;
    }
    at = text.indexOf(EMPTY_COMMENT, after);
  }
  return found ? out + text.slice(from) : null;
}
