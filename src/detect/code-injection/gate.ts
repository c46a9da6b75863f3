// The prefilter of the code-injection detector: one pass over a value that finds what every check
// of the scanners needs before it can report, so that ordinary text (prose, URLs, e-mail
// addresses, User-Agent strings) costs a table lookup per character and nothing else.
//
// What each check needs (every condition is implied by a report, never the other way round):
// - a literal it searches for, case-insensitively: a function name followed by its `(` (or a
//   comment before it), an open tag, a stream wrapper `php://`, a class or package name, a
//   serialized-stream signature, an upload extension, the base64 letters of a Java class name; a
//   PHP extension prefix followed by the rest of a name and `(` (`array_diff (`), or an ini
//   namespace by the rest of a name and `=` (`opcache.jit=`). These are the ANCHORS below, built
//   from the scanners' own tables so that a name added there is gated here too;
// - a shape of punctuation: `<?` (open tags), `!!` (YAML tags), `(#` (OGNL), `T(` (SpEL), and
//   for the checks that assemble names at run time: any `$` (variables, `${…}`), a `(` right
//   after `)`, `]`, `}`, a quote or a comment (`(sy.(st).em)(…)`), a quote, `.` or `+`, quote
//   (`'sys'.'tem'`), a digit before `:"` (`O:8:"…"`), two `@` (OGNL `@class@member`) or one
//   before `{` (Perl `@{[`), and the Java stream magic byte U+00AC.
// The pass folds ASCII letters to lower case and U+0130 / U+212A to `i` / `k`, the only
// characters outside ASCII that `toLowerCase` turns into ASCII letters (the scanners read the
// lower-cased value).
import { FRAGMENTS } from './base64-names.js';
import { EXEC_CONSTRUCTORS, GADGETS, JVM_ROOTS, REFLECTION, SENSITIVE_PACKAGES } from './jvm.js';
import { INI_DIRECTIVES, PHP_FUNCTIONS, PHP_PREFIXES, WORD_FUNCTIONS, WRAPPERS } from './php.js';
import { GATE_TAILS, INI_NAMESPACES, PHP_CORE_NAMES, PHP_NAMESPACES, PHP_WORD_NAMES } from './php-names.js';
import { JS_ANCHORS, JS_KEYWORDS } from './js.js';
import { RUBY_CALLS } from './perl-ruby.js';
import { DUNDERS, NODE_NEEDLES, PYTHON_CALLS } from './script.js';
import { PICKLE_HEADS, PICKLE_MODULES } from './serialized.js';
import { CONFIG_FILES, SCRIPT_EXTENSIONS } from './upload.js';

// What must follow an anchor, after whitespace, for the check behind it to report.
const ANY = 0;
/** A call: `(`, or a comment PHP allows before it (`/*`, `//`, `#`). */
const CALL = 1;
/** `include` / `require`: a call, a variable or a quoted path. */
const INCLUDE = 2;
/** A constructor call (no comments allowed between). */
const PAREN = 3;
/** An ini directive being set. */
const ASSIGN = 4;
/** A name prefix: the rest of the name, then a call. */
const NAME_CALL = 5;
/** A name prefix: the rest of the name, then `=`. */
const NAME_ASSIGN = 6;
type Follow =
  | typeof ANY
  | typeof CALL
  | typeof INCLUDE
  | typeof PAREN
  | typeof ASSIGN
  | typeof NAME_CALL
  | typeof NAME_ASSIGN;

interface Anchor {
  text: string;
  follow: Follow;
}

const ANCHORS: Anchor[] = [];
const add = (follow: Follow, ...texts: Iterable<string>[]): void => {
  for (const list of texts) {
    for (const text of list) {
      // the pass looks anchors up by their first three characters; shorter ones are
      // punctuation rules (`<?`, `!!`, `(#`, `T(`)
      if (text.length < 3) throw new Error(`code-injection anchor too short: ${text}`);
      ANCHORS.push({ text: text.toLowerCase(), follow });
    }
  }
};

// PHP (php.ts): open tags and block tags, calls, includes, wrappers, ini directives
add(ANY, ['php]', 'php}'], PHP_PREFIXES);
add(
  CALL,
  PHP_FUNCTIONS,
  WORD_FUNCTIONS,
  ['chr'],
  [...PHP_CORE_NAMES].map((n) => GATE_TAILS.get(n) ?? n),
  PHP_WORD_NAMES,
);
add(NAME_CALL, PHP_NAMESPACES);
add(NAME_ASSIGN, INI_NAMESPACES);
add(INCLUDE, ['include', 'require', 'include_once', 'require_once']);
add(
  ANY,
  [...WRAPPERS.keys(), 'data'].map((w) => `${w}://`),
);
add(ASSIGN, INI_DIRECTIVES);
// JVM (jvm.ts): a qualified name is judged only under a JDK root, a sensitive package, a gadget
// class or a class-loader property; constructors need their `(`
add(
  ANY,
  [...JVM_ROOTS].map((r) => `${r}.`),
  ['com.sun', 'org.apache.commons', 'class.module', 'class.classloader', 'class.protectiondomain'],
  SENSITIVE_PACKAGES,
  GADGETS,
  ['#_memberaccess', '#context', 'getruntime(', '.execute(', 'class['],
  REFLECTION,
);
add(PAREN, EXEC_CONSTRUCTORS);
// Node.js and Python (script.ts)
add(
  ANY,
  NODE_NEEDLES.map((n) => n[0]),
  PYTHON_CALLS.map((p) => p[0]),
  ['__import__'],
  DUNDERS,
);
// JavaScript, Perl and Ruby (js.ts, perl-ruby.ts); Perl's `@{[` is a punctuation rule
add(ANY, JS_ANCHORS, RUBY_CALLS);
add(PAREN, JS_KEYWORDS);
// serialized objects (serialized.ts)
add(
  ANY,
  ['__js_function', 'ro0ab', 'aced0005', 'kztaau', 'cs7qaf', '!ruby/', 'aaeaaad/////'],
  PICKLE_HEADS,
  PICKLE_MODULES.map((m) => `c${m}\n`),
  FRAGMENTS.map((f) => f.text),
);
// upload names (upload.ts): every extension, `php` followed by digits or inside the name
add(ANY, SCRIPT_EXTENSIONS, CONFIG_FILES, ['php', 'phar', 'sess_']);

/**
 * A hashed flag per first three (folded) characters, which rules out almost every position of
 * ordinary text with one lookup, and the anchors by that same hash: a hit compares only the few
 * anchors that start alike (keyed by two characters, a common `str` would compare every `st…`).
 */
const TRIGRAM = new Uint16Array(1 << 16);
/** The anchors of TRIGRAM[slot] - 1 (a dense list: a sparse array would be a slow dictionary). */
const BUCKETS: Anchor[][] = [];
const trigramSlot = (three: number): number => Math.imul(three, 0x9e3779b1) >>> 16;
for (const a of ANCHORS) {
  const slot = trigramSlot((a.text.charCodeAt(0) << 14) | (a.text.charCodeAt(1) << 7) | a.text.charCodeAt(2));
  if (TRIGRAM[slot] === 0) TRIGRAM[slot] = BUCKETS.push([]);
  BUCKETS[TRIGRAM[slot] - 1].push(a);
}

/** Per ASCII character: the character folded to lower case, | SPECIAL for a punctuation rule. */
const SPECIAL = 0x80;
const CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) CHARS[c] = c >= 65 && c <= 90 ? c + 32 : c;
for (const c of '$(.+"@?!#') CHARS[c.charCodeAt(0)] |= SPECIAL;

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isQuote = (c: number): boolean => c === 39 || c === 34;
const isIdentChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;

/** The folded character at `i` (0 past the end and for non-ASCII characters that fold to none). */
function folded(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 128) return CHARS[c] & 0x7f;
  return c === 0x130 ? 105 : c === 0x212a ? 107 : 0;
}

// The end of the identifier run last skipped by nameEnd, from `runFrom` (reset per value): every
// prefix anchor inside one run (`array_array_array_…`) reuses it, so the pass stays linear.
let runFrom = -1;
let runEnd = -1;

/** End of the identifier characters starting at `j`. */
function nameEnd(s: string, j: number): number {
  if (j >= runFrom && j <= runEnd) return runEnd;
  let k = j;
  while (k < s.length && isIdentChar(s.charCodeAt(k))) k++;
  runFrom = j;
  runEnd = k;
  return k;
}

function followed(s: string, end: number, follow: Follow): boolean {
  if (follow === ANY) return true;
  let j = end;
  if (follow === NAME_CALL || follow === NAME_ASSIGN) j = nameEnd(s, end);
  while (j < s.length && isSpace(s.charCodeAt(j))) j++;
  const c = s.charCodeAt(j);
  if (c === 40) return true;
  if (follow === ASSIGN || follow === NAME_ASSIGN) return c === 61;
  if (follow === PAREN) return false;
  if (c === 47 || c === 35) return true;
  return follow === INCLUDE && (c === 36 || isQuote(c));
}

/** An anchor of `list` (same first two characters) starts at `i` and has what must follow it. */
function anchorAt(s: string, i: number, list: Anchor[]): boolean {
  for (const a of list) {
    const t = a.text;
    if (i < 0 || i + t.length > s.length) continue;
    // the slot is a hash: the first three characters are compared too
    let k = 0;
    while (k < t.length && folded(s, i + k) === t.charCodeAt(k)) k++;
    if (k === t.length && followed(s, i + k, a.follow)) return true;
  }
  return false;
}

/** Previous character at or before `i` that is not whitespace (0 at the start). */
function before(s: string, i: number): number {
  let j = i;
  while (j >= 0 && isSpace(s.charCodeAt(j))) j--;
  return j < 0 ? 0 : s.charCodeAt(j);
}

/** Next character at or after `i` that is not whitespace (0 at the end). */
function after(s: string, i: number): number {
  let j = i;
  while (j < s.length && isSpace(s.charCodeAt(j))) j++;
  return j < s.length ? s.charCodeAt(j) : 0;
}

/** The punctuation rule at the special character `c` (for `@`, the caller counts). */
function punctuation(s: string, i: number, c: number): boolean {
  const p = s.charCodeAt(i - 1);
  if (c === 36 /* $ */ || c === 64 /* @ */) return true;
  if (c === 63 /* ? */) return p === 60; // <?
  if (c === 33 /* ! */) return p === 33; // !!
  if (c === 35 /* # */) return p === 40; // (#
  if (c === 34 /* " */) {
    // O:8:"…"
    const d = s.charCodeAt(i - 2);
    return p === 58 && d >= 48 && d <= 57;
  }
  if (c === 40 /* ( */) {
    // SpEL `T(`
    if (p === 84 || p === 116) return true;
    // a computed callee: `…)(`, `…](`, `…}(`, `'…'(`, `/* c */(`
    const b = before(s, i - 1);
    if (b === 41 || b === 93 || b === 125 || isQuote(b)) return true;
    if (b !== 47) return false;
    let j = i - 1;
    while (isSpace(s.charCodeAt(j))) j--;
    return s.charCodeAt(j - 1) === 42;
  }
  // `.` and `+` between quotes: 'sys'.'tem'
  return isQuote(before(s, i - 1)) && isQuote(after(s, i + 1));
}

/**
 * False only when no check of the detector can report on `value`, whatever its location,
 * profile or paranoia: see the conditions at the top of this file.
 */
export function mayBeCode(value: string): boolean {
  runFrom = -1;
  runEnd = -1;
  let ats = 0;
  // the last two folded characters, 7 bits each
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let f: number;
    if (c < 128) {
      f = CHARS[c];
      if (f >= SPECIAL) {
        f &= 0x7f;
        // `@`: two of them (OGNL `@class@member`), or one opening a block (Perl `@{[`)
        if (punctuation(value, i, c) && (c !== 64 || ++ats >= 2 || after(value, i + 1) === 123)) return true;
      }
    } else if (c === 0x130) f = 105;
    else if (c === 0x212a) f = 107;
    else if (c === 0xac)
      return true; // the Java stream magic AC ED 00 05
    else f = 0;
    const three = (last << 7) | f;
    const bucket = TRIGRAM[trigramSlot(three)];
    if (bucket !== 0 && anchorAt(value, i - 2, BUCKETS[bucket - 1])) return true;
    last = three & 0x3fff;
  }
  return false;
}
