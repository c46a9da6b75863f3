/**
 * A one-pass, allocation-free prefilter for the SQLi detector: `sqliCannotMatch(text)` is true only
 * when `analyzeSqli` is certain to return null for `text`, so the lexer and judge can be skipped.
 *
 * Why it is conservative (derived from ./lexer.ts, ./words.ts and ./judge.ts):
 * 1. Every character is ASCII and one of: letters, digits, `_`, `$`, space, tab, `.`, `,`, `'`,
 *    `"`, `@` followed by a word character, `-` not followed by `-`. Then no token of class
 *    `( ) ; c f` can exist (they need `( ) ; -- # /*`), no executable comment, no quote
 *    look-alike, and the only operator token made of punctuation is a lone `-`.
 * 2. Words: word tokens are maximal runs of `[A-Za-z0-9_$]`, possibly joined by dots into one `n`
 *    token (so the first run of a dotted name is checked against the first segment of every dotted
 *    name); a run that starts with a digit may split into a number and a word at any letter, so
 *    every suffix that starts with a letter must be insignificant. Rejected outright: set
 *    operators, keywords but the inert ones (INERT_KEYWORDS), `div`/`mod`, out-of-band procedure
 *    and specific catalogue names, and runs holding `unionselect` / `unionallselect` (the only
 *    `n` words the judge scores).
 * 3. Logic words (`and`, `or`, `xor`), the other word operators (`is`, `in`, `like`, `not`…) and
 *    `as` are allowed only (a) from the third space-separated chunk on, (b) with no quote before
 *    them, and with no `-` and no `1.e` anywhere: every chunk before them then holds a token and
 *    no token is dropped or merged before them, so in every context they are neither of the first
 *    two tokens, where `judgeContext` starts `tail` (in a quote context they lie inside the
 *    opening string); and (c) a logic word is followed by `,` or a word that is no literal
 *    (`true`, `null`…) and not `not`, so `anywhere` never sees `and <literal> <cmp> <literal>`.
 * 4. A value of at most 10 characters opening with a quote is never skipped: the quote-operator
 *    probe (`'-'`, `'or'`) judges the raw text.
 * 5. Operator and bracket characters `/ : ? = < > ~ ! % ^ * + [ ] { } \ | &` (paths, URLs, times)
 *    are allowed when the value also has no quote, no logic or word operator, no `as`, no `/*`,
 *    `&&`, `||`, `::` (casts) or `{` before a letter (the lexer drops `{identifier`), and, when it
 *    opens with a number or a literal word (after unary operators), none of `= < > ~ ?`.
 *    `1.e.` (the lexer flags a glued empty exponent) is never skipped.
 *    They make `o` and `x` tokens only (and `[name]` a name token, inert like any name). With no
 *    quote the only context is the bare one; `tail` at the start then reads an operator, a name or a number: after an operator `expr` finds no
 *    call, subquery or dangerous function, and what follows it can only be an inert keyword,
 *    so the only shape left would be `literal-comparison` (a number, a comparison, a literal),
 *    which needs a comparison operator after a leading number.
 * 6. Whole-value fragments (./fragment.ts, ./quote-fragment.ts, ./numbers.ts): a value opening
 *    with an operator character (up to 32 characters), holding no word character at all (or none
 *    after its first `=`), a quote with digits and no letters or with a `, <digit>`, a `, <digit>`
 *    with a comparison, a number probe (whole or after `=`), `order`/`group` followed by `by`, and
 *    the names of DB_ONLY_NAMES / DB_WORDS are never skipped. Every other fragment rule needs `(`,
 *    `)`, `;`, `::`, a comment, a quote followed by a REJECT word, or a REJECT / positional word.
 * Then `tail` at the start sees `n 1 s v x ,`, an inert keyword or a `-` with no operand behind
 * it (a `-` between operands folds away), and returns null without recursing; `anywhere` scores
 * only `U ; f n(procedure, catalogue) k(waitfor, into outfile, from catalogue|subquery)`, `o` (a
 * `::` cast, or a JSON operator after a string) and `&` followed by a literal comparison or a
 * dangerous call. Hence every context judges null.
 * test/detect/sqli.test.ts checks this against the full analysis on generated values.
 */
import {
  DB_ONLY_NAMES,
  DB_WORDS,
  OOB_NAMES,
  SPECIFIC_SYSTEM_NAMES,
  SPECIFIC_SYSTEM_PREFIXES,
} from './words.js';
import { KEYWORDS, LOGIC, SETOPS, WORD_OPS } from './lexer.js';
import { numberProbe } from './numbers.js';

const RUN = 1;
const SPACE = 2;
const PUNCT = 3;
const AT = 4;
const DASH = 5;

const CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASS[c] = RUN;
for (let c = 65; c <= 90; c++) CLASS[c] = RUN;
for (let c = 97; c <= 122; c++) CLASS[c] = RUN;
CLASS[95] = RUN; // _
CLASS[36] = RUN; // $
CLASS[32] = SPACE;
CLASS[9] = SPACE;
CLASS[46] = PUNCT; // .
CLASS[44] = PUNCT; // ,
CLASS[39] = PUNCT; // '
CLASS[34] = PUNCT; // "
CLASS[64] = AT;
CLASS[45] = DASH;
const OTHER = 6;
// operators and brackets (`/ : ? = < > ~ ! % ^ * + [ ] { } \\ | &`): see rule 5 of the file comment
for (const ch of '/:?=<>~!%^*+[]{}\\|&') CLASS[ch.charCodeAt(0)] = OTHER;

/**
 * Run characters by what they tell the fragment rules: DIGIT_KIND for digits and `$` (both sort
 * below `:`), LETTER_KIND for letters, OTHER_RUN_KIND for `_`; 0 outside runs.
 */
const DIGIT_KIND = 1;
const LETTER_KIND = 2;
const OTHER_RUN_KIND = 4;
const RUN_KIND = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (CLASS[c] !== RUN) continue;
  RUN_KIND[c] = c <= 57 ? DIGIT_KIND : c !== 95 && c !== 36 ? LETTER_KIND : OTHER_RUN_KIND;
}

function lc(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function hashOf(w: string): number {
  let h = 0;
  for (let i = 0; i < w.length; i++) h = (Math.imul(h, 31) + w.charCodeAt(i)) | 0;
  return h;
}

/** A word that sends the value to the full analysis. */
const REJECT = 1;
/** `and`/`or`/`xor`: allowed away from the start, before a word that is no literal (see below). */
const LOGIC_WORD = 2;
/** Word operators and `as`: allowed away from the start (see below). */
const POSITIONAL = 3;

/** Significant words by hash of their lower-case text. */
const SIGNIFICANT = new Map<number, { w: string; kind: number }[]>();
/**
 * A one-lookup gate in front of the hash: bit `min(length, 31)` of the entry for (first, last)
 * character (low five bits each) is set when some significant word has that shape. Most words of
 * prose fail it, so they are never hashed; a collision only costs the exact check.
 */
const MAYBE = new Uint32Array(1024);
function shapeKey(first: number, last: number): number {
  return ((first & 31) << 5) | (last & 31);
}
function lengthBit(len: number): number {
  return 1 << Math.min(len, 31);
}
let maxLen = 0;
function addWord(w: string, kind: number): void {
  if (!/^[a-z0-9_$]+$/.test(w)) return;
  MAYBE[shapeKey(w.charCodeAt(0), w.charCodeAt(w.length - 1))]! |= lengthBit(w.length);
  const h = hashOf(w);
  let list = SIGNIFICANT.get(h);
  if (list === undefined) SIGNIFICANT.set(h, (list = []));
  const prev = list.find((x) => x.w === w);
  if (prev === undefined) list.push({ w, kind });
  else prev.kind = Math.min(prev.kind, kind);
  if (w.length > maxLen) maxLen = w.length;
}
/**
 * Keywords that start no shape of the judge in a value that passes this prefilter: `keywordTail`
 * and `statement` have no case for them (`call` needs a function after it, `into` needs
 * `outfile`), `anywhere` scores `from` only before a catalogue name or `(`, `primary` reads no
 * keyword but `case`/`exists`, and `fold` merges only `order`/`group` + `by` and set operators +
 * `all`/`distinct`. Common English words (`from`, `time`, `call`, `if`, `on`, `by`, `end`…).
 * Keep in step with ./judge.ts: a keyword given a case there must leave this list.
 */
export const INERT_KEYWORDS: ReadonlySet<string> = new Set([
  'from',
  'into',
  'all',
  'distinct',
  'top',
  'join',
  'on',
  'asc',
  'desc',
  'by',
  'when',
  'then',
  'else',
  'end',
  'with',
  'if',
  'call',
  'offset',
  'fetch',
  'rownum',
  'dual',
  'boolean',
  'mode',
  'handler',
  'open',
  'language',
  'returns',
  'function',
  'program',
  'table',
  'database',
  'values',
  'data',
  'time',
  'delay',
  'infile',
  'describe',
  // `order` / `group` matter only when `by` follows (fold merges them): see byFollows
  'order',
  'group',
]);
/** Literal words (class `1`) and `not` (dropped after `and`): never right after a logic word. */
const AFTER_LOGIC_REJECT = new Set(['true', 'false', 'null', 'unknown', 'not']);
// `div`/`mod` fold arithmetic (they shift token positions) and stay rejected
const ARITH_WORDS = new Set(['div', 'mod']);
for (const w of KEYWORDS) if (!INERT_KEYWORDS.has(w)) addWord(w, w === 'as' ? POSITIONAL : REJECT);
for (const w of SETOPS) addWord(w, REJECT);
for (const w of LOGIC) addWord(w, LOGIC_WORD);
for (const w of WORD_OPS) addWord(w, ARITH_WORDS.has(w) ? REJECT : POSITIONAL);
// `n` words the judge scores: procedure names and catalogue names; a dotted name's token starts
// with its first segment
for (const w of OOB_NAMES) addWord(w.split('.')[0]!, REJECT);
for (const w of SPECIFIC_SYSTEM_NAMES) addWord(w.split('.')[0]!, REJECT);
const DOTTED_PREFIXES: string[] = [];
/** Catalogue prefixes without a dot: a run starting with one is significant. */
const RUN_PREFIXES: string[] = [];
for (const p of SPECIFIC_SYSTEM_PREFIXES) {
  if (p.includes('.')) DOTTED_PREFIXES.push(p.split('.')[0]!);
  else RUN_PREFIXES.push(p);
}
for (const w of DOTTED_PREFIXES) addWord(w, REJECT);
/** The first two characters of every RUN_PREFIXES entry: most words fail this before any compare. */
const PREFIX_PAIRS = new Uint8Array(128 * 128);
for (const p of RUN_PREFIXES) PREFIX_PAIRS[(p.charCodeAt(0) << 7) | p.charCodeAt(1)] = 1;
// names judged alone as the whole value (./fragment.ts)
for (const w of DB_ONLY_NAMES) addWord(w, REJECT);
for (const w of DB_WORDS) addWord(w, REJECT);
const MAX_SIGNIFICANT = maxLen;

function equalsAt(text: string, a: number, b: number, w: string): boolean {
  if (b - a !== w.length) return false;
  for (let k = 0; k < w.length; k++) if (lc(text.charCodeAt(a + k)) !== w.charCodeAt(k)) return false;
  return true;
}

function startsAt(text: string, a: number, b: number, w: string): boolean {
  if (b - a < w.length) return false;
  for (let k = 0; k < w.length; k++) if (lc(text.charCodeAt(a + k)) !== w.charCodeAt(k)) return false;
  return true;
}

/** `xunionselectx`: glued set-operator keywords score anywhere in a name (judge.ts `anywhere`). */
function gluedUnion(text: string, a: number, b: number): boolean {
  for (let k = a; k + 11 <= b; k++)
    if (
      lc(text.charCodeAt(k)) === 117 &&
      (startsAt(text, k, b, 'unionselect') || startsAt(text, k, b, 'unionallselect'))
    )
      return true;
  return false;
}

/** How significant the word text[a, b) is (lower-cased): 0 not, or REJECT / LOGIC_WORD / POSITIONAL. */
function significance(text: string, a: number, b: number): number {
  const c0 = lc(text.charCodeAt(a));
  if (b - a >= 2 && PREFIX_PAIRS[((c0 & 127) << 7) | (lc(text.charCodeAt(a + 1)) & 127)] === 1)
    for (const p of RUN_PREFIXES) if (startsAt(text, a, b, p)) return REJECT;
  if (b - a > MAX_SIGNIFICANT) return 0;
  if ((MAYBE[shapeKey(c0, lc(text.charCodeAt(b - 1)))]! & lengthBit(b - a)) === 0) return 0;
  let h = 0;
  for (let k = a; k < b; k++) h = (Math.imul(h, 31) + lc(text.charCodeAt(k))) | 0;
  const list = SIGNIFICANT.get(h);
  if (list === undefined) return 0;
  for (const x of list) if (equalsAt(text, a, b, x.w)) return x.kind;
  return 0;
}

/** A literal word (`true`, `false`, `null`, `unknown`: class `1`, like a number) starts at j. */
function literalWordAt(text: string, j: number): boolean {
  let k = j;
  while (k < text.length && text.charCodeAt(k) < 128 && CLASS[text.charCodeAt(k)] === RUN) k++;
  return (
    equalsAt(text, j, k, 'true') ||
    equalsAt(text, j, k, 'false') ||
    equalsAt(text, j, k, 'null') ||
    equalsAt(text, j, k, 'unknown')
  );
}

/** After a logic word ending at i: spaces, then `,` or a word that is no literal and not `not`. */
function plainAfterLogic(text: string, i: number): boolean {
  const n = text.length;
  let j = i;
  while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
  if (j >= n) return false;
  const c = text.charCodeAt(j);
  if (c === 44) return true;
  if (!isLetterLike(c)) return false;
  let k = j;
  while (k < n && text.charCodeAt(k) < 128 && CLASS[text.charCodeAt(k)] === RUN) k++;
  if (k - j > 7) return true;
  for (const w of AFTER_LOGIC_REJECT) if (equalsAt(text, j, k, w)) return false;
  return true;
}

/**
 * `order by`, `group+by`: the lexer folds `order`/`group` and a following `by` into one keyword even
 * across spaces and unary operators, so `by` after any run of non-alphanumeric characters counts.
 */
function byFollows(text: string, i: number): boolean {
  const n = text.length;
  let j = i;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c >= 128 || CLASS[c] === RUN) break;
    j++;
  }
  if (j + 2 > n || lc(text.charCodeAt(j)) !== 98 || lc(text.charCodeAt(j + 1)) !== 121) return false;
  const d = j + 2 < n ? text.charCodeAt(j + 2) : 32;
  return !(d < 128 && CLASS[d] === RUN);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetterLike(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}

/** True only when the SQLi analysis of `text` is certain to find nothing (see the file comment). */
export function sqliCannotMatch(text: string): boolean {
  const n = text.length;
  // the quote-operator probe (`'-'`, `"or"`) is judged on the raw text
  const q0 = text.charCodeAt(0);
  if (n <= 10 && (q0 === 39 || q0 === 34)) return false;
  // `<>`, `<=> null`, `->`: a short value opening with an operator may be a lone SQL operator
  if (n <= 32 && '<>=!|&~^'.includes(text[0]!)) return false;
  if (n <= 32 && q0 === 45 && text.charCodeAt(1) === 62) return false;
  // 2.2250738585072011e-308, 1e309: judged before this prefilter (./fragment.ts numberProbe)
  if (n <= 48 && numberProbe(text) !== null) return false;
  let runStart = -1;
  /** Index of the current space-separated chunk (0-based), -1 before the first. */
  let chunk = -1;
  let prevSpace = true;
  let quoteSeen = false;
  let dashSeen = false;
  let positional = false;
  let emptyExponent = false;
  let other = false;
  let compareSeen = false;
  // RUN_KIND bits of the runs of the whole value, and of those after its first `=` (an embedded
  // `name=value` is judged from after the `=` too, see ../sqli.ts)
  let kinds = 0;
  let eqAt = -1;
  let kindsAfterEq = 0;
  /** A `,` followed by a digit: `b,1=1` is a list item, then a literal comparison. */
  let commaDigit = false;
  for (let i = 0; i <= n; i++) {
    let c = i < n ? text.charCodeAt(i) : 32;
    let k = c < 128 ? CLASS[c]! : 0;
    if (k !== SPACE && prevSpace && i < n) chunk++;
    if (k === RUN) {
      // the whole run at once (most characters of a value are in runs), then its end right here
      runStart = i;
      let run = RUN_KIND[c]!;
      for (i++; i < n; i++) {
        c = text.charCodeAt(i);
        const r = c < 128 ? RUN_KIND[c]! : 0;
        if (r === 0) break;
        run |= r;
      }
      if (i === n) c = 32;
      k = c < 128 ? CLASS[c]! : 0;
      kinds |= run;
      if (eqAt >= 0) kindsAfterEq |= run;
    }
    prevSpace = k === SPACE;
    if (runStart >= 0) {
      // once per run (not per suffix below): linear
      if (i - runStart >= 11 && gluedUnion(text, runStart, i)) return false;
      // `1.e1union`: a letter run right after `<digit>.` may continue a number (`1.e1`)
      const afterNumberDot =
        runStart >= 2 && text.charCodeAt(runStart - 1) === 46 && isDigit(text.charCodeAt(runStart - 2));
      if (isLetterLike(text.charCodeAt(runStart)) && !afterNumberDot) {
        if (
          i - runStart === 5 &&
          (equalsAt(text, runStart, i, 'order') || equalsAt(text, runStart, i, 'group')) &&
          byFollows(text, i)
        )
          return false;
        const kind = significance(text, runStart, i);
        if (kind === REJECT) return false;
        if (kind !== 0) {
          // a logic or word operator: not among the first two tokens of any context
          if (quoteSeen || chunk < 2) return false;
          if (kind === LOGIC_WORD && !plainAfterLogic(text, i)) return false;
          positional = true;
        }
      } else {
        // a run opening with digits (or continuing `1.`): the lexer may split a word off at any letter
        for (let q = afterNumberDot ? runStart : runStart + 1; q < i; q++)
          if (
            isLetterLike(text.charCodeAt(q)) &&
            (significance(text, q, i) !== 0 ||
              ((equalsAt(text, q, i, 'order') || equalsAt(text, q, i, 'group')) && byFollows(text, i)))
          )
            return false;
      }
      runStart = -1;
    }
    if (i === n) break;
    switch (k) {
      case SPACE:
        break;
      case PUNCT:
        if (c === 44) {
          let j = i + 1;
          while (j < n && text.charCodeAt(j) === 32) j++;
          if (isDigit(text.charCodeAt(j))) commaDigit = true;
        }
        if (c === 39 || c === 34) quoteSeen = true;
        else if (
          c === 46 &&
          i > 0 &&
          isDigit(text.charCodeAt(i - 1)) &&
          (text.charCodeAt(i + 1) | 32) === 101
        ) {
          // `1.e` before a non-word character lexes to nothing (MySQL separator): positions shift
          const d = i + 2 < n ? text.charCodeAt(i + 2) : 32;
          // `1.e.tables`: the lexer flags the glued separator
          if (d === 46) return false;
          if (!(d < 128 && CLASS[d] === RUN)) emptyExponent = true;
        }
        break;
      case AT: {
        const d = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (!(d < 128 && CLASS[d] === RUN)) return false;
        break;
      }
      case DASH:
        if (i + 1 < n && text.charCodeAt(i + 1) === 45) return false;
        dashSeen = true;
        break;
      case OTHER: {
        if (c === 61 && eqAt < 0) eqAt = i;
        const d = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        // `{identifier expr}` escapes: the lexer drops the brace and the identifier
        if (c === 123 && isLetterLike(d)) return false;
        // `/*` comments, `&&` / `||` logic operators, `::` casts (`current_user::int`)
        if (
          (c === 47 && d === 42) ||
          (c === 38 && d === 38) ||
          (c === 124 && d === 124) ||
          (c === 58 && d === 58)
        )
          return false;
        if (c === 61 || c === 60 || c === 62 || c === 126 || c === 63) compareSeen = true;
        other = true;
        break;
      }
      default:
        return false;
    }
  }
  // `' ', 10`, `3' ' 1`: quotes and numbers only are judged as a literal list (./fragment.ts)
  const noRun = kinds === 0 || (eqAt >= 0 && kindsAfterEq === 0);
  const noLetter = (kinds & LETTER_KIND) === 0 || (eqAt >= 0 && (kindsAfterEq & LETTER_KIND) === 0);
  if (quoteSeen && (kinds & DIGIT_KIND) !== 0 && (noLetter || commaDigit)) return false;
  // `x=1e309`: a number probe after an embedded `name=`
  if (eqAt >= 0 && n - eqAt <= 49 && numberProbe(text.slice(eqAt + 1)) !== null) return false;
  // `-` folds arithmetic and drops unary minus, `1.e` vanishes: token positions would shift
  if (positional && (dashSeen || emptyExponent)) return false;
  if (other) {
    // operators alone (`<>`, `->`, `<=`) are judged as the whole value (./fragment.ts)
    if (positional || quoteSeen || noRun || (compareSeen && commaDigit)) return false;
    // a value opening with a number (after unary operators) could be `1=1`, `2>1`
    let j = 0;
    while (j < n && ' \t-+~!'.includes(text[j]!)) j++;
    const f = text.charCodeAt(j);
    if (compareSeen && (isDigit(f) || f === 46 || literalWordAt(text, j))) return false;
  }
  return true;
}
