/**
 * "The whole value is a SQL fragment": shapes judged on short values that are nothing but a piece
 * of SQL — a function call left open, a lone SQL-only operator, an IN list, a comparison that is
 * true, a clause cut short. Fuzzers and scanners send these to make the query fail or flip; benign
 * values are words, names, numbers and prose, which never consist of such a piece alone. Every rule
 * below needs the fragment to be the entire value (a sentence containing `order by` or `like` or
 * `in (2020)` has other words and does not qualify), and anything that is also common outside SQL
 * (`||`, `->`, `<>`, a type name) scores for paranoia 2–3 only.
 * All scans are linear in the token count or bounded by a constant.
 */
import type { Judged } from './judge.js';
import type { Tok } from './lexer.js';
import { SQL_CALL_NAMES } from './functions.js';
import { DB_ONLY_NAMES, DB_WORDS, INT_TYPES, SQL_ONLY_COMPARE } from './words.js';

/** Values longer than this are not fragments (a fragment is a few tokens). */
export const FRAGMENT_MAX = 256;
/** Non-word characters a fuzzer puts between a function name and its `(` (`md5\(`, `if !(`). */
const CALL_JUNK_MAX = 8;

const r = (score: number, rule: string, at = 0): Judged => ({ score, rule, at });

function isWordCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}
function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * `concat(`, `COALESCE (`, `md5\(`, `if !(`: a SQL function name and a `(` left open as the whole
 * value. The open call is a syntax-error probe (the error page tells the prober the value reached a
 * query); a benign value does not end in a bare `(`. `:` and `;` never sit in between, so `day :(`
 * (an emoticon) stays prose.
 */
export function danglingCall(text: string): Judged | null {
  let e = text.length;
  while (e > 0 && isBlank(text.charCodeAt(e - 1))) e--;
  if (e < 2 || text.charCodeAt(e - 1) !== 40) return null;
  const paren = e - 1;
  let k = paren;
  while (k > 0 && !isWordCode(text.charCodeAt(k - 1))) {
    const c = text.charCodeAt(k - 1);
    if (c === 58 || c === 59 || c === 40 || c > 127 || paren - k >= CALL_JUNK_MAX) return null;
    k--;
  }
  let w = k;
  while (w > 0 && isWordCode(text.charCodeAt(w - 1))) {
    if (k - w > 32) return null;
    w--;
  }
  if (w === k) return null;
  for (let i = 0; i < w; i++) if (!isBlank(text.charCodeAt(i))) return null;
  return SQL_CALL_NAMES.has(text.slice(w, k).toLowerCase()) ? r(0.55, 'function-probe') : null;
}

/** Operators that exist in SQL only, judged as the whole value. */
const LONE_OPERATORS = new Map<string, number>([
  // MySQL's pattern operator: no other language or English word
  ['rlike', 0.5],
  // null-safe equality (also PHP's spaceship), exclusive or, SQL's not-equal
  ['<=>', 0.45],
  ['xor', 0.45],
  ['<>', 0.4],
  ['regexp', 0.35],
  // operators of every language: a filter UI may send them alone
  ['||', 0.3],
  ['&&', 0.3],
  ['!=', 0.3],
  ['==', 0.3],
  ['<=', 0.3],
  ['>=', 0.3],
  ['<<', 0.3],
  ['>>', 0.3],
  ['->', 0.3],
  ['->>', 0.3],
  ['<', 0.3],
  ['>', 0.3],
]);

const PATTERN_OPS = new Set(['like', 'rlike', 'regexp', '<=>']);
const POSITIVE_CMP = new Set(['=', '==', '<=>', 'like', 'rlike', 'regexp', 'glob', 'is']);
const NEGATIVE_CMP = new Set(['!=', '<>']);

function isLit(x: Tok | undefined): boolean {
  return x !== undefined && ((x.c === '1' && x.w !== 'null') || (x.c === 's' && x.closed === true));
}

function literalValue(x: Tok): string {
  if (x.c === '1') {
    const v = Number(x.w);
    return Number.isNaN(v) ? x.w : String(v);
  }
  const v = x.w.trim() === '' ? Number.NaN : Number(x.w);
  return Number.isNaN(v) ? x.w : String(v);
}

/**
 * `1=1`, `11!=1`, `42 like 42`, `'1' not regexp '2'`, `1 is not 2`: two literals compared, and the
 * comparison is true. That is a tautology probe (`… AND 1=1` flips a condition); a false one
 * (`11=1`, `1 is not 1`) is as common in documentation and stays weak. Judged on raw tokens, where
 * `not` is still there. `b,1=1` (a list item, then the tautology) too.
 */
export function trueComparison(raw: Tok[]): Judged | null {
  let i = 0;
  if (raw[0]?.c === ',') i = 1;
  else if (raw[1]?.c === ',' && (raw[0]!.c === 'n' || raw[0]!.c === '1')) i = 2;
  const a = raw[i];
  if (!isLit(a)) return null;
  let j = i + 1;
  let negate = false;
  if (raw[j]?.w === 'not') {
    negate = true;
    j++;
  }
  const op = raw[j];
  if (op === undefined || op.c !== 'o') return null;
  j++;
  if (op.w === 'is' && raw[j]?.w === 'not') {
    negate = !negate;
    j++;
  }
  if (op.w === 'sounds' && raw[j]?.w === 'like') j++;
  const b = raw[j];
  if (!isLit(b) || j + 1 !== raw.length) return null;
  let positive: boolean;
  if (POSITIVE_CMP.has(op.w) || op.w === 'sounds') positive = true;
  else if (NEGATIVE_CMP.has(op.w)) positive = false;
  else return null;
  if (negate) positive = !positive;
  const same = literalValue(a!) === literalValue(b!);
  return same === positive ? r(0.5, 'tautology-probe', i) : null;
}

const STATEMENT_VERBS = new Set([
  'select',
  'insert',
  'update',
  'delete',
  'drop',
  'create',
  'alter',
  'truncate',
  'exec',
  'execute',
  'declare',
  'shutdown',
]);
const DDL = new Set(['drop', 'delete', 'truncate', 'alter', 'create']);
const CLAUSES = new Set(['where', 'having', 'group by', 'order by', 'limit']);
const WHERE_CMP = new Set(['=', '<', '>', '<=', '>=', '<>', '!=', 'like', 'rlike', 'regexp']);
const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max']);
const CAST_TYPES = new Set([
  ...INT_TYPES,
  'text',
  'varchar',
  'char',
  'bytea',
  'json',
  'jsonb',
  'regclass',
  'date',
  'timestamp',
  'boolean',
  'uuid',
  'inet',
  'xml',
]);

function matchParen(t: Tok[], i: number): number {
  let depth = 0;
  for (let j = i; j < t.length; j++) {
    if (t[j]!.c === '(') depth++;
    else if (t[j]!.c === ')' && --depth === 0) return j;
  }
  return -1;
}

function isLitOrOpen(x: Tok | undefined): boolean {
  return x !== undefined && (x.c === '1' || x.c === 's');
}

/** `(lit, lit, …)` from i (at `(`); the index after `)`, or the end when the list is cut short. */
function literalTuple(t: Tok[], i: number, min: number): number {
  if (t[i]?.c !== '(') return -1;
  let j = i + 1;
  let count = 0;
  while (j < t.length) {
    if (!isLit(t[j])) return -1;
    count++;
    j++;
    if (t[j]?.c === ',') j++;
    else break;
  }
  if (count < min) return -1;
  if (j === t.length) return j;
  return t[j]!.c === ')' ? j + 1 : -1;
}

/** A table name: a word or a quoted identifier, possibly qualified (`` `db`.`t` ``). */
function tableName(t: Tok[], i: number): number {
  if (t[i]?.c !== 'n') return -1;
  if (t[i + 1]?.w === '.' && t[i + 2]?.c === 'n') return i + 3;
  return i + 1;
}

/**
 * Shapes of a value judged with no quote (the bare context). `raw` are the lexer's tokens, `t` the
 * folded ones, `inlineComment` whether a comment sat between two words.
 */
export function bareFragment(text: string, raw: Tok[], t: Tok[], inlineComment: boolean): Judged | null {
  if (text.length > FRAGMENT_MAX) return null;
  let best: Judged | null = danglingCall(text);
  const take = (j: Judged | null) => {
    if (j !== null && (best === null || j.score > best.score)) best = j;
  };
  take(trueComparison(raw));
  take(literalSequence(t));
  take(clauseFragment(raw, t, inlineComment));
  return best;
}

function isBlankString(x: Tok): boolean {
  return x.c === 's' && x.closed === true && x.w.trim() === '';
}

/**
 * `' ', 10`, `'', '', 13`, `3' ' 1`: literals and blank strings only — the placeholders of a UNION
 * column count or an INSERT row (blank strings hold no data, so no benign list has them). With
 * real strings (`'abc', 0x1a`) it may be a pasted list: paranoia 2. Also `'{…}' < '$.c' = 7`:
 * literals chained by comparisons, which only SQL evaluates left to right.
 */
function literalSequence(t: Tok[]): Judged | null {
  const n = t.length;
  if (n < 3 || n > 64) return null;
  let blank = 0;
  let strings = 0;
  let numbers = 0;
  let commas = 0;
  let compares = 0;
  for (let i = 0; i < n; i++) {
    const x = t[i]!;
    if (x.c === 's') {
      if (x.closed !== true) return null;
      strings++;
      if (isBlankString(x)) blank++;
    } else if (x.c === '1') {
      // plain decimals only (`1e309` and `0x1a` are judged elsewhere)
      for (let k = 0; k < x.w.length; k++) {
        const c = x.w.charCodeAt(k);
        if (!((c >= 48 && c <= 57) || c === 46)) return null;
      }
      numbers++;
    } else if (x.c === ',' && i > 0 && i < n - 1 && t[i - 1]!.c !== ',') commas++;
    else if (x.c === 'o' && CHAIN_CMP.has(x.w) && i > 0 && i < n - 1) compares++;
    else if (
      !(x.c === '(' && t[i + 1]?.c === '1' && t[i + 2]?.c === ')') &&
      !(x.c === ')' && t[i - 2]?.c === '(')
    )
      return null;
  }
  if (compares >= 2 && commas === 0 && strings > 0) return r(0.5, 'chained-comparison');
  // the list ends with a number (the column or value count being probed)
  if (compares > 0 || numbers === 0 || strings === 0 || t[n - 1]!.c !== '1') return null;
  if (commas === 0 && blank < strings) return null;
  return r(blank > 0 ? 0.5 : 0.4, 'literal-list');
}

const CHAIN_CMP = new Set(['=', '<', '>', '<=', '>=', '<>', '!=']);

function clauseFragment(raw: Tok[], t: Tok[], inlineComment: boolean): Judged | null {
  const n = t.length;
  const x = t[0];
  const y = t[1];
  if (x === undefined) return null;
  // one token, and the lexer dropped nothing around it (`{1.e select>` is not a lone `>`)
  if (n === 1 && raw.length === 1) {
    // a lone operator, or a name that only a database has
    if (x.c === 'o' || x.c === '&') {
      const s = LONE_OPERATORS.get(x.w);
      return s === undefined ? null : r(s, 'lone-operator');
    }
    const w = x.c === 'n' || (x.c === 's' && x.closed === true) ? x.w : '';
    if (DB_ONLY_NAMES.has(w)) return r(0.5, 'database-object');
    if (DB_WORDS.has(w)) return r(0.4, 'database-word');
    return null;
  }
  if (n === 1) {
    // `ORder by` alone: the clause without its argument (the lexer made one keyword of two words)
    return raw.length === 2 && (x.w === 'order by' || x.w === 'group by') ? r(0.4, 'clause-fragment') : null;
  }
  // `IS NULL`, `LIKE NULL`, `IS NOT NULL`: a null test missing only its left operand
  if (n === 2 && x.c === 'o' && SQL_ONLY_COMPARE.has(x.w) && y!.c === '1') {
    if (y!.w === 'null') return r(0.5, 'null-test-fragment');
    // `like 5`, `<=> 7` (not `is true`, which reads as English)
    if (PATTERN_OPS.has(x.w)) return r(0.4, 'operator-fragment');
    return null;
  }
  // `'["a"]'::jsonb`: a JSON literal cast the PostgreSQL way
  if (x.c === 's' && y!.w === '::' && (t[2]?.w === 'json' || t[2]?.w === 'jsonb')) return r(0.5, 'json-cast');
  // `in (0,1)`: an IN list of literals, the left operand left to the query
  if (x.c === 'o' && x.w === 'in' && literalTuple(t, 1, 2) === n) return r(0.5, 'in-list');
  // `or 88`: a logic word and a literal, nothing else
  if (n === 2 && x.c === '&' && (x.w === 'or' || x.w === 'and') && y!.c === '1')
    return r(0.4, 'logic-literal');
  // `order by name`: the clause and its argument alone
  if (
    n === 2 &&
    raw.length === 3 &&
    x.c === 'k' &&
    (x.w === 'order by' || x.w === 'group by') &&
    (y!.c === 'n' || y!.c === '1')
  )
    return r(0.4, 'clause-fragment');
  // `, find_in_set('22', category)`: a list item opened by the value, a SQL call as the item
  if (x.c === ',' && y?.c === 'f' && SQL_CALL_NAMES.has(y.w) && matchParen(t, 2) === n - 1)
    return r(0.5, 'list-call');
  // `;update users`, `;drop`: a statement stacked after the query, cut short
  if (x.c === ';' && y !== undefined && (y.c === 'k' || y.c === 'f') && STATEMENT_VERBS.has(y.w) && n <= 4)
    return r(0.5, 'stacked-keyword');
  // `1='1' or-- -`: a condition, a logic word, and the rest of the query cut off
  if (x.c === '1' && n >= 3 && t[n - 1]!.c === 'c' && t[n - 2]!.c === '&') return r(0.6, 'logic-comment');
  // `) when 234 then`: the branch of a CASE after the condition it closes
  if (x.c === ')') {
    let i = 1;
    while (t[i]?.c === ')') i++;
    const w = t[i];
    const v = t[i + 1];
    if (w?.w === 'when' && (v?.c === '1' || v?.c === 's') && t[i + 2]?.w === 'then' && n <= i + 4)
      return r(0.5, 'case-branch');
    return null;
  }
  if (x.c === 'k' || x.c === 'f' || x.c === 'U') return keywordFragment(t, inlineComment);
  // `something LIKE '`: a pattern comparison whose string the application will close
  if (n === 3 && (x.c === 'n' || x.c === '1') && y!.c === 'o' && SQL_ONLY_COMPARE.has(y!.w)) {
    const z = t[2]!;
    if (z.c === 's' && z.closed !== true) return r(0.5, 'open-pattern');
  }
  return null;
}

function keywordFragment(t: Tok[], inlineComment: boolean): Judged | null {
  const n = t.length;
  const x = t[0]!;
  const y = t[1]!;
  const z = t[2];
  switch (x.w) {
    case 'having':
    case 'where': {
      // `HAVING 1=`: a condition cut before its right operand
      if (n === 3 && y.c === '1' && z!.c === 'o' && !SQL_ONLY_COMPARE.has(z!.w))
        return r(0.5, 'open-condition');
      // `HAVING COUNT(id) > 5`: an aggregate compared, the only thing HAVING is for
      if (x.w === 'having' && y.c === 'f' && AGGREGATES.has(y.w)) {
        const j = matchParen(t, 2);
        if (j > 0 && t[j + 1]?.c === 'o' && (t[j + 2]?.c === '1' || t[j + 2]?.c === 's') && j + 3 === n)
          return r(0.55, 'having-aggregate');
      }
      return null;
    }
    case 'select':
      // `SELECT (CASE`, `select (select`: a subexpression only SQL opens this way
      return y.c === '(' && z?.c === 'k' && (z.w === 'case' || z.w === 'select')
        ? r(0.5, 'select-subexpression')
        : null;
    case 'values':
      // `VALUES ('192.168.0.1', 'test')`: a row for an INSERT the application started
      return literalTuple(t, 1, 1) === n && t[n - 1]!.c === ')' ? r(0.5, 'values-row') : null;
    case 'union':
    case 'except':
    case 'intersect':
      // `except values(1,2)`: a set operation with a row of our own
      return y.w === 'values' && literalTuple(t, 2, 1) === n ? r(0.6, 'set-operation-values') : null;
    case 'from': {
      // `from users where id=1`, ``from `db`.`t` limit``: a FROM clause followed by another clause
      const j = tableName(t, 1);
      const c = t[j];
      if (j < 0 || c === undefined || c.c !== 'k' || !CLAUSES.has(c.w)) return null;
      const a = t[j + 1];
      if (c.w === 'limit') return a === undefined || a.c === '1' ? r(0.55, 'from-clause') : null;
      if (c.w === 'group by' || c.w === 'order by')
        return a !== undefined && (a.c === 'n' || a.c === '1') ? r(0.55, 'from-clause') : null;
      // where / having: one operand compared with a literal (`where it is sunny` is prose)
      const left = t[j + 1];
      let k = j + 2;
      if (left?.c === 'f') k = matchParen(t, j + 2) + 1;
      else if (left?.c !== 'n') return null;
      const o = t[k];
      return k > 0 && o?.c === 'o' && WHERE_CMP.has(o.w) && isLitOrOpen(t[k + 1])
        ? r(0.55, 'from-clause')
        : null;
    }
    case 'execute':
      // `execute sp_who`: a procedure run by name (T-SQL), the whole value; `exec` is also an
      // English abbreviation (`exec summary`) and stays weak
      return n === 2 && y.c === 'n' ? r(0.5, 'execute-procedure') : null;
    default:
      break;
  }
  if (DDL.has(x.w) && y.c === 'n' && n <= 4) {
    // `DROP users;--`: a statement closed and the rest of the query cut off by a comment;
    // `drop/**/users` hides the space
    const closed = n >= 3 && t[n - 1]!.c === 'c' && (n === 3 || t[2]!.c === ';');
    if (closed) return r(0.6, 'statement-closed');
    if (n === 2 && inlineComment) return r(0.5, 'statement-comment');
  }
  // `function(foo)::text`: a call cast by PostgreSQL's `::`
  if (y.c === '(') {
    const j = matchParen(t, 1);
    if (j > 0 && t[j + 1]?.w === '::' && CAST_TYPES.has(t[j + 2]?.w ?? '') && j + 3 === n)
      return r(0.5, 'cast-call');
  }
  return null;
}
