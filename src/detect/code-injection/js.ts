// JavaScript written into a value for a server that evaluates or merges it (Node `eval`, `vm`,
// `Function`, template engines, deep-merge of parsed JSON), by what the code does rather than by
// words:
// - prototype pollution: `__proto__` or `constructor.prototype` used as a property path
//   (`__proto__[isAdmin]`, `{"__proto__":{…}}`, `a[constructor][prototype]`), which turns a
//   deep merge or a query-string parser into a write to every object of the process;
// - React Server Components references that walk the prototype chain (`"$1:constructor:constructor"`,
//   CVE-2025-55182): the Flight decoder resolves them to the Function constructor;
// - a loop whose condition is a constant (`while(!0)`, `for(;;)`): the event loop never returns;
// - probes and lead-ins that only make sense to an evaluator: a `console.x(…)` canary, `process.env`,
//   bracket access on `process`/`require` (`process["mainModule"]`, written so to dodge filters),
//   `module.exports =`, a function literal.
// `s` is lower-cased. Keys are values too: a query key `__proto__[x]` arrives with source `key`.
import { identEnd, isDigit, isIdent, isQuote, isSpace, type Report, skipSpace } from './lex.js';

/** Literal needles the gate (gate.ts) anchors on; every report below needs one of them. */
export const JS_ANCHORS = [
  '__proto__',
  'prototype',
  'console.',
  'console[',
  'process.',
  'process[',
  'require[',
  'module.exports',
] as const;
/** Keywords the gate anchors on when a `(` follows (after whitespace). */
export const JS_KEYWORDS = ['while', 'for', 'function'] as const;

/** Names whose bracketed spelling on `process` reaches code loading or native bindings. */
const PROCESS_CODE = new Set(['mainmodule', 'binding', '_linkedbinding', 'dlopen']);
/**
 * Constants a loop condition can be written with, and whether each is truthy as it is and after
 * a unary `+`/`-` (`+{}` is NaN, `+[]` is 0, `+new Date` a timestamp).
 */
const CONSTANTS = new Map<string, readonly [boolean, boolean]>([
  ['true', [true, true]],
  ['false', [false, false]],
  ['null', [false, false]],
  ['undefined', [false, false]],
  ['nan', [false, false]],
  ['infinity', [true, true]],
  ['this', [true, false]],
  ['string', [true, false]],
  ['number', [true, false]],
  ['object', [true, false]],
  ['array', [true, false]],
  ['boolean', [true, false]],
  ['symbol', [true, false]],
  ['date', [true, false]],
  ['{}', [true, false]],
  ['[]', [true, false]],
  ['""', [false, false]],
]);

/** Whether `s[i]` is preceded by something that cannot be part of an identifier. */
const wordStart = (s: string, i: number): boolean => i === 0 || !isIdent(s.charCodeAt(i - 1));

/**
 * At `i`: `constructor` followed by `.prototype`, `[prototype]`, `["prototype"]` or, in JSON,
 * `"constructor": {"prototype"` (closing brackets and quotes of the key itself skipped).
 */
function constructorPrototype(s: string, i: number): boolean {
  let j = i + 11;
  const limit = Math.min(s.length, j + 24);
  let opened = false;
  while (j < limit) {
    const c = s.charCodeAt(j);
    if (isQuote(c) || isSpace(c) || c === 93 /* ] */ || c === 58 /* : */) {
      j++;
      continue;
    }
    if (c === 46 /* . */ || c === 91 /* [ */ || c === 123 /* { */) {
      if (opened) return false;
      opened = true;
      j++;
      continue;
    }
    break;
  }
  return opened && s.startsWith('prototype', j) && !isIdent(s.charCodeAt(j + 9));
}

/** `__proto__` used as a property: followed by `.`, `[`, `]`, `=` or, as a JSON key, a quote and `:`. */
function protoUsed(s: string, i: number, key: boolean): boolean {
  if (!wordStart(s, i)) return false;
  let j = i + 9;
  if (key && j === s.length) return true;
  while (j < s.length && j - i < 16 && (isQuote(s.charCodeAt(j)) || isSpace(s.charCodeAt(j)))) j++;
  const c = s.charCodeAt(j);
  const quoted = j > i + 9;
  if (c === 46 || c === 91 || c === 93) return true;
  if (quoted && c === 58) return true; // "__proto__": {
  return key && c === 61;
}

function prototypePollution(s: string, key: boolean, report: Report): void {
  const strength = key ? 0.8 : 0.7;
  let i = s.indexOf('__proto__');
  for (let n = 0; i >= 0 && n < 32; n++) {
    if (protoUsed(s, i, key)) {
      report(strength, i, '__proto__ used as a property path (prototype pollution)');
      return;
    }
    i = s.indexOf('__proto__', i + 9);
  }
  i = s.indexOf('constructor');
  for (let n = 0; i >= 0 && n < 32; n++) {
    if (wordStart(s, i) && constructorPrototype(s, i)) {
      report(strength, i, 'constructor.prototype used as a property path (prototype pollution)');
      return;
    }
    i = s.indexOf('constructor', i + 11);
  }
}

/** `$1:constructor:constructor`, `$@2:__proto__:then`: a Flight reference walking the prototype chain. */
function flightReferences(s: string, report: Report): void {
  let i = s.indexOf('$');
  for (let n = 0; i >= 0 && n < 64; n++) {
    let j = i + 1;
    // an optional tag (`$@`, `$B`, `$Q`, `$K`…), then the chunk id in hex
    if (j < s.length && !isDigit(s.charCodeAt(j)) && s.charCodeAt(j + 1) !== 58) j++;
    const id = j;
    while (j < s.length && j - id < 8 && isHexDigit(s.charCodeAt(j))) j++;
    if (j > id && s.charCodeAt(j) === 58) {
      for (let k = 0; k < 6 && s.charCodeAt(j) === 58; k++) {
        const end = identEnd(s, j + 1);
        const seg = s.slice(j + 1, end);
        if (seg === 'constructor' || seg === '__proto__' || seg === 'prototype') {
          report(0.85, i, `Server Components reference walking the prototype chain (${s.slice(i, end)})`);
          return;
        }
        j = end;
      }
    }
    i = s.indexOf('$', i + 1);
  }
}

const isHexDigit = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102);

/**
 * After `while (` or `for (`: the condition is a truthy constant — `;;`, or one literal or
 * constructor name behind `!`, `+`, `-` and parentheses (`!0`, `!!{}`, `new Date`, `-Infinity`),
 * evaluated the way JavaScript does, so that `while(!true)` (never runs) is not reported.
 */
function constantCondition(s: string, open: number, isFor: boolean): boolean {
  let j = skipSpace(s, open + 1);
  if (isFor) {
    if (s.charCodeAt(j) !== 59) return false;
    j = skipSpace(s, j + 1);
    return s.charCodeAt(j) === 59 && s.charCodeAt(skipSpace(s, j + 1)) === 41;
  }
  const limit = Math.min(s.length, open + 64);
  // prefix operators, then one atom, then only `)` and whitespace up to the loop's `)`
  const ops: number[] = [];
  let depth = 1;
  while (j < limit) {
    const c = s.charCodeAt(j);
    if (c === 33 || c === 43 || c === 45) ops.push(c);
    else if (c === 40) depth++;
    else if (!isSpace(c)) break;
    j++;
  }
  let atom: readonly [boolean, boolean] | undefined;
  const c = s.charCodeAt(j);
  if (isDigit(c)) {
    let k = j;
    let nonZero = false;
    while (k < limit && isDigit(s.charCodeAt(k))) nonZero ||= s.charCodeAt(k++) !== 48;
    atom = [nonZero, nonZero];
    j = k;
  } else if (c >= 97 && c <= 122) {
    let end = identEnd(s, j);
    let word = s.slice(j, end);
    if (word === 'new') {
      const k = skipSpace(s, end);
      end = identEnd(s, k);
      word = end > k ? (s.slice(k, end) === 'date' ? 'infinity' : 'object') : '';
    }
    atom = CONSTANTS.get(word);
    j = end;
  } else if (isQuote(c) || c === 123 || c === 91) {
    const pair = s.slice(j, j + 2);
    atom = CONSTANTS.get(isQuote(c) ? (pair.charCodeAt(1) === c ? '""' : '') : pair);
    j += 2;
  }
  if (atom === undefined) return false;
  let [truthy, numeric] = atom;
  for (let k = ops.length - 1; k >= 0; k--) {
    if (ops[k] === 33) numeric = truthy = !truthy;
    else truthy = numeric;
  }
  while (j < limit && (isSpace(s.charCodeAt(j)) || s.charCodeAt(j) === 41)) {
    if (s.charCodeAt(j) === 41 && --depth === 0) return truthy;
    j++;
  }
  return false;
}

/**
 * After the loop's condition (`open` at its `(`): the value ends, or a body or statement end
 * follows (`;`, `{`, `)`, `}`, a quote) — not a word, as in the prose `while(true) loops in Python`.
 */
function statementEnd(s: string, open: number): boolean {
  let depth = 0;
  let j = open;
  const limit = Math.min(s.length, open + 64);
  for (; j < limit; j++) {
    const c = s.charCodeAt(j);
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) break;
  }
  const k = skipSpace(s, j + 1);
  if (k >= s.length) return true;
  const c = s.charCodeAt(k);
  return c === 59 || c === 123 || c === 41 || c === 125 || isQuote(c);
}

function constantLoops(s: string, report: Report): void {
  for (const kw of ['while', 'for'] as const) {
    let i = s.indexOf(kw);
    for (let n = 0; i >= 0 && n < 32; n++) {
      if (wordStart(s, i) && !isIdent(s.charCodeAt(i + kw.length))) {
        const open = skipSpace(s, i + kw.length);
        if (s.charCodeAt(open) === 40 && constantCondition(s, open, kw === 'for') && statementEnd(s, open)) {
          report(0.55, i, 'loop with a constant condition (denial of service)');
          return;
        }
      }
      i = s.indexOf(kw, i + kw.length);
    }
  }
}

/** At `i` (just after `name`): `[` then a quoted name or an identifier; returns that name. */
function bracketMember(s: string, i: number): string | undefined {
  if (s.charCodeAt(i) !== 91) return undefined;
  let j = skipSpace(s, i + 1);
  if (isQuote(s.charCodeAt(j))) j++;
  const end = identEnd(s, j);
  return end > j ? s.slice(j, end) : undefined;
}

/** First `name` used as an object (`name.` or `name[` at a word start), among its first 16 occurrences. */
function objectAt(s: string, name: string): number {
  let i = s.indexOf(name);
  for (let n = 0; i >= 0 && n < 16; n++) {
    const c = s.charCodeAt(i + name.length);
    if ((c === 46 || c === 91) && wordStart(s, i)) return i;
    i = s.indexOf(name, i + name.length);
  }
  return -1;
}

function nodeProbes(s: string, report: Report): void {
  const proc = objectAt(s, 'process');
  if (proc >= 0) {
    const member = bracketMember(s, proc + 7);
    if (member !== undefined) {
      if (PROCESS_CODE.has(member))
        report(0.9, proc, `process['${member}'] (bracket access to code loading)`);
      else report(0.5, proc, 'computed member access on process');
    } else if (s.startsWith('.env', proc + 7) && !isIdent(s.charCodeAt(proc + 11))) {
      report(0.4, proc, 'process.env');
    }
  }
  const req = s.indexOf('require[');
  if (req >= 0 && wordStart(s, req) && bracketMember(s, req + 7) !== undefined)
    report(0.5, req, 'computed member access on require');
  const con = objectAt(s, 'console');
  if (con >= 0) {
    let j = con + 7;
    let member: string | undefined;
    if (s.charCodeAt(j) === 46) {
      const end = identEnd(s, j + 1);
      member = s.slice(j + 1, end);
      j = end;
    } else {
      member = bracketMember(s, j);
      if (member !== undefined) j = s.indexOf(']', j) + 1;
    }
    // `console.info(1)`, `console["log"](…)`, `console.info.call(this, 1)`: a canary the
    // attacker looks for in the logs
    if (member && j > 0) {
      if (s.startsWith('.call', j) || s.startsWith('.apply', j)) j = identEnd(s, j + 1);
      if (s.charCodeAt(skipSpace(s, j)) === 40) report(0.4, con, `console.${member}() call`);
    }
  }
  const mod = s.indexOf('module.exports');
  if (mod >= 0 && wordStart(s, mod)) {
    const eq = skipSpace(s, mod + 14);
    if (s.charCodeAt(eq) === 61 && s.charCodeAt(eq + 1) !== 61)
      report(0.45, mod, 'module.exports assignment');
  }
  const fn = s.indexOf('function');
  if (fn >= 0 && wordStart(s, fn)) {
    // `function () {`, `function(a, b){`: an anonymous function literal
    const open = skipSpace(s, fn + 8);
    if (s.charCodeAt(open) === 40) {
      const close = s.indexOf(')', open);
      if (close > 0 && close - open < 64 && s.charCodeAt(skipSpace(s, close + 1)) === 123)
        report(0.4, fn, 'function literal');
    }
  }
}

/** JavaScript shapes in `s` (lower-cased); `key`: the value is a parameter or JSON key. */
export function scanJs(s: string, key: boolean, report: Report): void {
  if (s.includes('__proto__') || s.includes('prototype')) prototypePollution(s, key, report);
  if (s.includes('$')) flightReferences(s, report);
  if (s.includes('(')) constantLoops(s, report);
  nodeProbes(s, report);
}
