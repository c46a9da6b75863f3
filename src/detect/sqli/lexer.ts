/**
 * SQL lexer for the SQLi detector: turns a value into one-character token classes and folds them.
 * Hand-written linear scanner (no regexes on input), bounded by `maxTokens`.
 *
 * Token classes:
 *   s string        1 number/literal (also true/false/null)   n bareword / quoted identifier
 *   k keyword       U set operator (union, intersect, except)  f function name (word followed by '(')
 *   o operator      & logical operator (and, or, xor, &&, ||)  , comma   ( )   ; semicolon
 *   c comment that ends the input (truncation)                 v variable (@x, @@version)
 *   x anything else (unknown punctuation)
 */

export type TokClass =
  | 's'
  | '1'
  | 'n'
  | 'k'
  | 'U'
  | 'f'
  | 'o'
  | '&'
  | ','
  | '('
  | ')'
  | ';'
  | 'c'
  | 'v'
  | 'x';

export interface Tok {
  c: TokClass;
  /** Lower-cased text (words, operators); for strings the content without quotes. */
  w: string;
  /** Start offset in the lexed text. */
  s: number;
  /** For strings: false when the string ran to the end of input without its closing quote. */
  closed?: boolean;
}

export interface LexResult {
  toks: Tok[];
  /** An inline comment sat between two words (`union/**\/select`), a classic evasion. */
  inlineComment: boolean;
  /** MySQL executable comment `/*! … *\/` seen. */
  execComment: boolean;
  /** An executable comment opens with a SQL keyword or operator (`/*!50000select*\/`): attack-only syntax. */
  execKeyword: boolean;
  /** `1.e(`, `1.e.tables`: MySQL's empty-exponent float glued to a call or a name, attack-only syntax. */
  sciGlue: boolean;
}

export const LOGIC = new Set(['and', 'or', 'xor', '&&', '||']);
export const SETOPS = new Set(['union', 'intersect', 'except']);
const LITERAL_WORDS = new Set(['true', 'false', 'null', 'unknown']);
/** Words that act as comparison / binary operators. */
export const WORD_OPS = new Set([
  'like',
  'rlike',
  'regexp',
  'ilike',
  'similar',
  'is',
  'in',
  'between',
  'div',
  'mod',
  'sounds',
  'glob',
  'match',
  'not',
  'escape',
  'collate',
  // PostgreSQL / SQLite postfix null tests: `x notnull`, `x isnull`
  'notnull',
  'isnull',
]);
export const KEYWORDS = new Set([
  'select',
  'from',
  'where',
  'insert',
  'into',
  'update',
  'delete',
  'drop',
  'create',
  'alter',
  'table',
  'database',
  'exec',
  'execute',
  'declare',
  'set',
  'values',
  'having',
  'group',
  'order',
  'by',
  'limit',
  'offset',
  'procedure',
  'case',
  'when',
  'then',
  'else',
  'end',
  'begin',
  'if',
  'waitfor',
  'delay',
  'time',
  'shutdown',
  'truncate',
  'grant',
  'revoke',
  'as',
  'distinct',
  'all',
  'top',
  'join',
  'on',
  'asc',
  'desc',
  'call',
  'outfile',
  'dumpfile',
  'load',
  'data',
  'infile',
  'exists',
  'returns',
  'language',
  'function',
  'replace',
  'copy',
  'program',
  'dual',
  'boolean',
  'mode',
  'fetch',
  'rownum',
  'use',
  'show',
  'describe',
  'handler',
  'open',
  'pragma',
  'attach',
  'with',
]);
/** Keywords that are also functions when directly followed by '('. */
const FUNC_KEYWORDS = new Set([
  'if',
  'replace',
  'left',
  'right',
  'insert',
  'database',
  'user',
  'char',
  'values',
  'time',
  'load',
  'schema',
  'mod',
  'match',
  'exists',
  // `= all (select …)`: a quantified subquery
  'all',
  // SQLite spells its pattern operators as functions too (`glob(x,y)`, `like(x,y)`); after an
  // operand they stay operators (`1 rlike (select …)`)
  'glob',
  'like',
  'regexp',
  'rlike',
  'isnull',
]);

function isWordStart(ch: number): boolean {
  // letters, _, $, and non-ASCII except the Unicode spaces
  return (
    (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || ch === 95 || ch === 36 || (ch > 127 && !isSpace(ch))
  );
}
function isWordChar(ch: number): boolean {
  return isWordStart(ch) || (ch >= 48 && ch <= 57);
}
function isDigit(ch: number): boolean {
  return ch >= 48 && ch <= 57;
}
function isHex(ch: number): boolean {
  return isDigit(ch) || (ch >= 97 && ch <= 102) || (ch >= 65 && ch <= 70);
}
function isSpace(ch: number): boolean {
  return (
    ch === 32 ||
    (ch >= 9 && ch <= 13) ||
    ch === 160 ||
    ch === 0 ||
    ch === 0x1680 ||
    (ch >= 0x2000 && ch <= 0x200b) ||
    ch === 0x2028 ||
    ch === 0x2029 ||
    ch === 0x202f ||
    ch === 0x205f ||
    ch === 0x3000 ||
    ch === 0xfeff
  );
}

const TWO_CHAR_OPS = new Set([
  '<=',
  '>=',
  '<>',
  '!=',
  '::',
  ':=',
  '<<',
  '>>',
  '->',
  '@>',
  '<@',
  '~*',
  '!~',
  '^=',
  '|/',
  '=>',
  '==',
  // PostgreSQL JSON / jsonpath operators (`?|`, `?&`, `@?`, `@@`) used as comparisons in injections
  '?|',
  '?&',
  '@?',
  '@@',
]);
const OP_CHARS = '=<>+-*/%^|&~!:@?';

/**
 * Lex `text`. When `quote` is given, the text is taken to start inside a string opened with that
 * quote (the value was placed into `'…'` by the application), so the first token is the string up
 * to the first unescaped closing quote.
 */
export function lex(text: string, quote: '' | "'" | '"' | '`', maxTokens: number): LexResult {
  const toks: Tok[] = [];
  const n = text.length;
  let i = 0;
  let inlineComment = false;
  let execComment = false;
  let execKeyword = false;
  let sciGlue = false;
  let execOpenAt = -1;
  let execDepth = 0;

  if (quote !== '') {
    const q = quote.charCodeAt(0);
    let j = 0;
    while (j < n) {
      if (text.charCodeAt(j) === q) {
        if (j + 1 < n && text.charCodeAt(j + 1) === q) {
          j += 2;
          continue;
        }
        break;
      }
      j++;
    }
    toks.push({ c: 's', w: lowerSlice(text, 0, Math.min(j, 64)), s: 0, closed: j < n });
    i = j + 1;
  }

  while (i < n && toks.length < maxTokens) {
    if (execOpenAt >= 0 && toks.length > execOpenAt) {
      const c = toks[execOpenAt]!.c;
      if (c === 'k' || c === 'U' || c === '&') execKeyword = true;
      execOpenAt = -1;
    }
    const ch = text.charCodeAt(i);
    if (isSpace(ch)) {
      i++;
      continue;
    }
    const start = i;
    // Strings
    if (ch === 39 || ch === 34) {
      let j = i + 1;
      while (j < n) {
        const c2 = text.charCodeAt(j);
        if (c2 === ch) {
          if (j + 1 < n && text.charCodeAt(j + 1) === ch) {
            j += 2;
            continue;
          }
          break;
        }
        if (c2 === 92 && j + 1 < n) {
          j += 2;
          continue;
        }
        j++;
      }
      toks.push({ c: 's', w: lowerSlice(text, i + 1, Math.min(j, i + 65)), s: start, closed: j < n });
      i = j + 1;
      continue;
    }
    // Backtick / bracket quoted identifiers
    if (ch === 96) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== 96) j++;
      toks.push({ c: 'n', w: lowerSlice(text, i + 1, Math.min(j, i + 65)), s: start });
      i = j + 1;
      continue;
    }
    // Comments
    if (ch === 45 && text.charCodeAt(i + 1) === 45) {
      let j = i + 2;
      while (j < n && text.charCodeAt(j) !== 10) j++;
      pushComment(toks, text, j, start);
      i = j;
      continue;
    }
    if (ch === 35 && isJsonHashOp(text, i, toks[toks.length - 1])) {
      const len = text.charCodeAt(i + 1) === 62 && text.charCodeAt(i + 2) === 62 ? 3 : 2;
      toks.push({ c: 'o', w: text.slice(i, i + len), s: start });
      i += len;
      continue;
    }
    if (ch === 35) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== 10) j++;
      pushComment(toks, text, j, start);
      i = j;
      continue;
    }
    if (ch === 47 && text.charCodeAt(i + 1) === 42) {
      if (text.charCodeAt(i + 2) === 33) {
        // MySQL executable comment: the content is code.
        execComment = true;
        execDepth++;
        i += 3;
        while (i < n && isDigit(text.charCodeAt(i)) && i - start < 9) i++;
        execOpenAt = toks.length;
        continue;
      }
      const close = text.indexOf('*/', i + 2);
      const j = close < 0 ? n : close + 2;
      const prev = toks[toks.length - 1];
      if (prev !== undefined && nextNonSpace(text, j) < n) inlineComment = true;
      pushComment(toks, text, j, start);
      i = j;
      continue;
    }
    if (ch === 42 && text.charCodeAt(i + 1) === 47 && execDepth > 0) {
      execDepth--;
      i += 2;
      continue;
    }
    // Variables
    if (ch === 64) {
      let j = i + 1;
      if (text.charCodeAt(j) === 64) j++;
      // MySQL user variables may be named by `.` alone: `@.:=…`, `select@.`
      if (j < n && (isWordChar(text.charCodeAt(j)) || text.charCodeAt(j) === 46)) {
        while (j < n && (isWordChar(text.charCodeAt(j)) || text.charCodeAt(j) === 46)) j++;
        toks.push({ c: 'v', w: lowerSlice(text, i, Math.min(j, i + 64)), s: start });
        i = j;
        continue;
      }
    }
    // Numbers
    if (isDigit(ch) || (ch === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let j = i;
      const c1 = text.charCodeAt(i + 1) | 32;
      if (ch === 48 && (c1 === 120 || c1 === 98) && i + 2 < n) {
        j = i + 2;
        while (j < n && isHex(text.charCodeAt(j))) j++;
      } else {
        while (j < n && isDigit(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j) === 46) {
          j++;
          while (j < n && isDigit(text.charCodeAt(j))) j++;
        }
        if ((text.charCodeAt(j) | 32) === 101 && j > i) {
          let k = j + 1;
          const sign = text.charCodeAt(k);
          if (sign === 43 || sign === 45) k++;
          if (isDigit(text.charCodeAt(k))) {
            j = k;
            while (j < n && isDigit(text.charCodeAt(j))) j++;
          }
        }
      }
      // MySQL `1.e(` / `1.e.tables`: a float with an empty exponent, used as a separator
      if (
        text.charCodeAt(j - 1) === 46 &&
        (text.charCodeAt(j) | 32) === 101 &&
        !isWordChar(text.charCodeAt(j + 1))
      ) {
        const d = text.charCodeAt(j + 1);
        if (
          d === 40 ||
          (d === 46 && isWordStart(text.charCodeAt(j + 2)) && isWordChar(text.charCodeAt(j + 4)))
        )
          sciGlue = true;
        i = j + 1;
        continue;
      }
      if (j < n && isWordChar(text.charCodeAt(j))) {
        // Digits glued to letters: a keyword glued to a number (`1union`) splits, anything else is a word.
        let k = j;
        while (k < n && isWordChar(text.charCodeAt(k))) k++;
        const tail = lowerSlice(text, j, k);
        if (LOGIC.has(tail) || SETOPS.has(tail) || KEYWORDS.has(tail)) {
          toks.push({ c: '1', w: lowerSlice(text, i, Math.min(j, i + 64)), s: start });
          i = j;
          continue;
        }
        pushWord(toks, text, i, k);
        i = k;
        continue;
      }
      toks.push({ c: '1', w: lowerSlice(text, i, Math.min(j, i + 64)), s: start });
      i = j;
      continue;
    }
    // Words (with dotted qualification: dbms_lock.sleep, master..sysdatabases)
    if (isWordStart(ch)) {
      let j = i;
      while (j < n) {
        const c2 = text.charCodeAt(j);
        if (isWordChar(c2)) j++;
        else if (
          c2 === 46 &&
          j + 1 < n &&
          (isWordStart(text.charCodeAt(j + 1)) || text.charCodeAt(j + 1) === 46)
        )
          j++;
        else break;
      }
      pushWord(toks, text, i, j);
      i = j;
      continue;
    }
    if (ch === 91) {
      // `array[id]` subscripts belong to their operand; `[name]` is an MSSQL quoted identifier
      let j = i + 1;
      // only names inside: brackets never hide quotes, comments or calls
      while (
        j < n &&
        j - i <= 64 &&
        (isWordChar(text.charCodeAt(j)) || text.charCodeAt(j) === 32 || text.charCodeAt(j) === 46)
      )
        j++;
      if (j < n && text.charCodeAt(j) === 93) {
        const prev = toks[toks.length - 1];
        if (prev === undefined || !(prev.c === 'n' || prev.c === 'v' || prev.c === ')' || prev.c === 's'))
          toks.push({ c: 'n', w: lowerSlice(text, i + 1, j), s: start });
        i = j + 1;
        continue;
      }
    }
    if (ch === 44) {
      toks.push({ c: ',', w: ',', s: start });
      i++;
      continue;
    }
    if (ch === 40 || ch === 41) {
      toks.push({ c: ch === 40 ? '(' : ')', w: ch === 40 ? '(' : ')', s: start });
      i++;
      continue;
    }
    if (ch === 59) {
      toks.push({ c: ';', w: ';', s: start });
      i++;
      continue;
    }
    if (OP_CHARS.includes(text[i]!)) {
      const two = text.slice(i, i + 2);
      if (two === '||' || two === '&&') {
        toks.push({ c: '&', w: two, s: start });
        i += 2;
        continue;
      }
      if (text.slice(i, i + 3) === '<=>' || text.slice(i, i + 3) === '->>') {
        toks.push({ c: 'o', w: text.slice(i, i + 3), s: start });
        i += 3;
        continue;
      }
      if (TWO_CHAR_OPS.has(two)) {
        toks.push({ c: 'o', w: two, s: start });
        i += 2;
        continue;
      }
      toks.push({ c: 'o', w: text[i]!, s: start });
      i++;
      continue;
    }
    toks.push({ c: 'x', w: text[i]!, s: start });
    i++;
  }
  if (execOpenAt >= 0 && toks.length > execOpenAt) {
    const c = toks[execOpenAt]!.c;
    if (c === 'k' || c === 'U' || c === '&') execKeyword = true;
  }
  return { toks, inlineComment, execComment, execKeyword, sciGlue };
}

/**
 * PostgreSQL JSON operators `#>`, `#>>`, `#-` between operands (`'{…}'::json #>> '{a}'`): taken as
 * operators only right after an operand and before a space or a quote, else `#` opens a comment.
 */
function isJsonHashOp(text: string, i: number, prev: Tok | undefined): boolean {
  if (prev === undefined || !(prev.c === 's' || prev.c === 'n' || prev.c === '1' || prev.c === ')'))
    return false;
  const a = text.charCodeAt(i + 1);
  if (a !== 62 && a !== 45) return false;
  const k = a === 62 && text.charCodeAt(i + 2) === 62 ? i + 3 : i + 2;
  const d = text.charCodeAt(k);
  return d === 32 || d === 39;
}

function nextNonSpace(text: string, j: number): number {
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  return j;
}

function pushComment(toks: Tok[], text: string, end: number, start: number): void {
  // Only a comment that runs to the end of the input matters (truncation); others are whitespace.
  if (nextNonSpace(text, end) >= text.length)
    toks.push({ c: 'c', w: lowerSlice(text, start, start + 16), s: start });
}

/**
 * The class of every special word, in the precedence of the sets (logic, set operator, literal,
 * word operator, keyword): one lookup per word instead of five, and none for a word longer than
 * all of them (most words of a User-Agent or a sentence).
 */
const WORD_CLASS = new Map<string, TokClass>();
for (const [set, c] of [
  [KEYWORDS, 'k'],
  [WORD_OPS, 'o'],
  [LITERAL_WORDS, '1'],
  [SETOPS, 'U'],
  [LOGIC, '&'],
] as const)
  for (const w of set) WORD_CLASS.set(w, c);
let maxClassWord = 0;
/** Bit `length` of the entry for a first character: some special word has that shape (no hashing of other words). */
const CLASS_SHAPES = new Uint32Array(32);
for (const w of WORD_CLASS.keys()) {
  maxClassWord = Math.max(maxClassWord, w.length);
  CLASS_SHAPES[w.charCodeAt(0) & 31]! |= 1 << w.length;
}
const MAX_CLASS_WORD = maxClassWord;

/** `text.slice(a, b).toLowerCase()` without the second copy when the slice has no upper case. */
function lowerSlice(text: string, a: number, b: number): string {
  const e = Math.min(b, text.length);
  for (let k = a; k < e; k++) {
    const ch = text.charCodeAt(k);
    if ((ch >= 65 && ch <= 90) || ch > 127) return text.slice(a, b).toLowerCase();
  }
  return text.slice(a, b);
}

function pushWord(toks: Tok[], text: string, i: number, j: number): void {
  const w = lowerSlice(text, i, Math.min(j, i + 64));
  const c: TokClass =
    (w.length <= MAX_CLASS_WORD && (CLASS_SHAPES[w.charCodeAt(0) & 31]! & (1 << w.length)) !== 0
      ? WORD_CLASS.get(w)
      : undefined) ?? 'n';
  toks.push({ c, w, s: i });
}

/**
 * Fold the token stream: function detection, multi-word keywords, unary operators and arithmetic
 * chains between operands. Comments that do not end the input were already dropped by the lexer.
 */
export function fold(toks: Tok[]): Tok[] {
  const out: Tok[] = [];
  /** `{identifier expr}` escapes opened and not closed yet. */
  let braces = 0;
  for (let i = 0; i < toks.length; i++) {
    let t = toks[i]!;
    const next = toks[i + 1];
    // word followed by '(' is a function call
    if (
      next?.c === '(' &&
      (t.c === 'n' ||
        (t.c === 'k' && FUNC_KEYWORDS.has(t.w)) ||
        (t.c === 'o' && FUNC_KEYWORDS.has(t.w) && !(out.length > 0 && isBinaryLeft(out[out.length - 1]!))))
    ) {
      t = { ...t, c: 'f' };
    }
    const prev = out[out.length - 1];
    // multi-word keywords
    if (prev !== undefined) {
      if (prev.c === 'U' && (t.w === 'all' || t.w === 'distinct' || t.w === 'distinctrow')) continue;
      if (prev.c === 'k' && (prev.w === 'order' || prev.w === 'group') && t.w === 'by') {
        out[out.length - 1] = { ...prev, w: `${prev.w} by` };
        continue;
      }
      if (prev.c === 'o' && prev.w === 'not' && t.c === 'o') {
        // `not like`, `not in`
        out[out.length - 1] = { ...t, s: prev.s };
        continue;
      }
      if (prev.c === 'o' && prev.w === 'is' && t.c === 'o' && t.w === 'not') continue;
      if (prev.c === 'o' && prev.w === 'sounds' && t.w === 'like') continue;
    }
    // ODBC escapes `{fn …}` / MySQL `{identifier expr}`: the braces and the identifier are noise.
    // `{name}` alone (templates, f-strings) has no expression and stays punctuation.
    if (t.c === 'x' && t.w === '{' && (next?.c === 'n' || next?.c === 'k')) {
      const after = toks[i + 2];
      if (after !== undefined && !(after.c === 'x' && after.w === '}')) {
        braces++;
        i++;
        continue;
      }
    }
    if (t.c === 'x' && t.w === '}' && braces > 0) {
      braces--;
      continue;
    }
    // `union+all+select`: '+' next to a keyword is a space that was not decoded
    if (
      t.c === 'o' &&
      t.w === '+' &&
      (prev?.c === 'U' || prev?.c === 'k' || next?.c === 'U' || next?.c === 'k')
    )
      continue;
    // unary operators: dropped when they cannot be binary
    if (t.c === 'o' && (t.w === '-' || t.w === '+' || t.w === '~' || t.w === '!' || t.w === 'not')) {
      if (
        prev === undefined ||
        prev.c === 'o' ||
        prev.c === '&' ||
        prev.c === '(' ||
        prev.c === ',' ||
        prev.c === 'k' ||
        prev.c === ';'
      ) {
        continue;
      }
    }
    // arithmetic between operands folds into the left operand
    if (isOperandEnd(t) && prev !== undefined && prev.c === 'o' && ARITH.has(prev.w) && next?.w !== '::') {
      const left = out[out.length - 2];
      if (left !== undefined && isOperandEnd(left) && t.c !== 'f') {
        out.pop();
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

// `::` casts are kept: `x::int` is the PostgreSQL error-based read the judge looks for
const ARITH = new Set(['+', '-', '*', '/', '%', '^', '|', '&', '<<', '>>', 'div', 'mod']);

/** A token after which a word operator is binary (`x like (…)`) rather than a call. */
function isBinaryLeft(t: Tok): boolean {
  return isOperandEnd(t) || t.c === ')';
}

function isOperandEnd(t: Tok): boolean {
  return t.c === '1' || t.c === 's' || t.c === 'n' || t.c === 'v';
}
