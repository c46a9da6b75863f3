/**
 * Fragments after the application's quote, and the random-case evasion (see ./fragment.ts for the
 * bare value). Bounded by the token count.
 */
import type { Judged } from './judge.js';
import type { Tok } from './lexer.js';
import { SQL_CALL_NAMES } from './functions.js';
import { SQL_ONLY_COMPARE } from './words.js';

const r = (score: number, rule: string, at = 0): Judged => ({ score, rule, at });

const QUOTE_BREAK_KEYWORDS = new Set([
  'union',
  'alter',
  'drop',
  'create',
  'truncate',
  'delete',
  'insert',
  'update',
]);

/**
 * Shapes after the application's quote (t[0] is the closed string the quote opened): a keyword cut
 * short (`'alter a`, `' union/`), a logic word and a comment (`a'or?--`), a logic word and a string
 * left open for the application's closing quote (`' * from = 1 or '9`), a stacked word (`';print'`).
 */
export function quoteFragment(t: Tok[]): Judged | null {
  const n = t.length;
  if (n < 2 || n > 12) return null;
  const y = t[1]!;
  if (QUOTE_BREAK_KEYWORDS.has(y.w) && (y.c === 'k' || y.c === 'U') && n <= 3) {
    const z = t[2];
    // cut short right after the keyword: nothing, punctuation or a letter or two (`'Union Jack` is a name)
    if (z === undefined || z.c === 'o' || z.c === 'x' || (z.c === 'n' && z.w.length <= 2))
      return r(0.5, 'quote-keyword', 1);
  }
  if ((y.c === '&' || (y.c === 'o' && SQL_ONLY_COMPARE.has(y.w))) && t[n - 1]!.c === 'c' && n <= 8)
    return r(0.7, 'quote-logic-comment', 1);
  const last = t[n - 1]!;
  if (last.c === 's' && last.closed !== true && t[n - 2]!.c === '&' && n >= 4) {
    for (let i = 1; i < n - 2; i++) if (t[i]!.c === 'n' || t[i]!.c === 's') return null;
    return r(0.5, 'quote-logic-open-string', n - 2);
  }
  // `' = #`, `'? # = --`: a quote closed, an operator, and the rest of the query cut off
  if (last.c === 'c' && n <= 4) {
    let ops = true;
    for (let i = 1; i < n - 1; i++) if (t[i]!.c !== 'o') ops = false;
    if (ops && n >= 3) return r(0.6, 'quote-operator-comment', 1);
  }
  if (y.c === ';' && n <= 4 && (t[2]?.c === 'n' || t[2]?.c === 'k')) {
    const z = t[3];
    if (z === undefined || (z.c === 's' && z.closed !== true)) return r(0.5, 'quote-semicolon-word', 1);
  }
  return null;
}

/**
 * `ORder by`, `cOnCaT(`, `SeLeCt`: a SQL word in random case, the casing filters are dodged with.
 * Prose writes words lower case, Title case or upper case.
 */
export function randomCase(text: string, t: Tok[]): boolean {
  for (const x of t) {
    if (!(x.c === 'k' || x.c === 'U' || x.c === '&' || (x.c === 'f' && SQL_CALL_NAMES.has(x.w)))) continue;
    const end = Math.min(text.length, x.s + x.w.length);
    // per word (`Order By` is Title case): upper after lower (`cOnCaT`), or lower after two uppers (`ORder`)
    let lowerSeen = false;
    let uppers = 0;
    for (let i = x.s; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c >= 97 && c <= 122) {
        if (uppers >= 2) return true;
        lowerSeen = true;
      } else if (c >= 65 && c <= 90) {
        if (lowerSeen) return true;
        uppers++;
      } else {
        lowerSeen = false;
        uppers = 0;
      }
    }
  }
  return false;
}
