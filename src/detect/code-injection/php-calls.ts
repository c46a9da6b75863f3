// Calls of PHP functions in a value: functions that run commands or decode payloads (comments and
// whitespace allowed before the `(`, as PHP allows), include/require of a variable, path or URL,
// `chr()` chains, and names assembled at run time (`'sys'.'tem'`, `(sy.(st).em)(…)`). `s` is the
// lower-cased value.
import { phpOnlyName } from './php-names.js';
import {
  atWordStart,
  findWithin,
  identEnd,
  isDigit,
  isIdentStart,
  isLetter,
  isQuote,
  isSpace,
  MAX_GAP,
  type Report,
  skipGap,
  skipSpace,
} from './lex.js';

const MAX_CANDIDATES = 256;

/**
 * Functions whose names exist only in PHP (C and Node names such as `fopen`, `readFile` are left
 * out: PHP names are case-insensitive) and that run commands or code, decode
 * a hidden payload, write files or leak the configuration: any call of one is code.
 */
export const PHP_FUNCTIONS = new Set([
  'shell_exec',
  'passthru',
  'proc_open',
  'popen',
  'pcntl_exec',
  'create_function',
  'call_user_func',
  'call_user_func_array',
  'register_shutdown_function',
  'base64_decode',
  'str_rot13',
  'gzinflate',
  'gzuncompress',
  'gzdecode',
  'bzdecompress',
  'convert_uudecode',
  'hex2bin',
  'file_put_contents',
  'file_get_contents',
  'move_uploaded_file',
  'fsockopen',
  'pfsockopen',
  'stream_socket_client',
  'curl_exec',
  'phpinfo',
  'php_uname',
  'get_defined_vars',
  'highlight_file',
  'show_source',
  'assert_options',
  'ini_set',
  'unserialize',
  'preg_replace',
  'scandir',
  'apache_setenv',
  'get_defined_functions',
  'get_defined_constants',
  'ini_get_all',
  'php_ini_loaded_file',
  'zlib_decode',
  'curl_init',
]);
/** PHP extension namespaces for process control: every function in them is dangerous. */
export const PHP_PREFIXES = ['posix_', 'pcntl_', 'proc_'];
/** Probes that take no argument: an empty call is the attack. */
const PROBES = new Set([
  'phpinfo',
  'php_uname',
  'get_defined_vars',
  'get_defined_functions',
  'get_defined_constants',
  'ini_get_all',
  'php_ini_loaded_file',
]);
/** Common words that are also functions running code: only with a code-like argument. */
export const WORD_FUNCTIONS = new Set(['system', 'exec', 'eval', 'assert']);
/** Names that, assembled from pieces at run time, are worth hiding. */
const HIDDEN_NAMES = new Set([...PHP_FUNCTIONS, ...WORD_FUNCTIONS]);
HIDDEN_NAMES.delete('scandir');
HIDDEN_NAMES.delete('preg_replace');

/** The argument list after `(` at `p`: what it starts with. */
function argumentKind(s: string, p: number): 'empty' | 'end' | 'code' | 'word' | 'number' | 'other' {
  const a = skipGap(s, p + 1);
  if (a < 0 || a >= s.length) return 'end';
  const c = s.charCodeAt(a);
  if (c === 41) return 'empty';
  // a string, a variable, shell backticks, a nested call, an error-silenced expression
  if (isQuote(c) || c === 36 || c === 64 || c === 40) return 'code';
  if (isDigit(c)) return 'number';
  if (isIdentStart(c)) {
    const e = identEnd(s, a);
    const g = skipGap(s, e);
    if (g >= 0 && s.charCodeAt(g) === 40 && HIDDEN_NAMES.has(s.slice(a, e))) return 'code';
    // `system(s)` is English; `exec(blah)` with its closing parenthesis reads as a call
    return e - a >= 2 && s.charCodeAt(skipSpace(s, e)) === 41 ? 'word' : 'other';
  }
  return 'other';
}

/** `preg_replace('/x/e', …)`: the `e` modifier evaluates the replacement as PHP. */
function pregEval(s: string, p: number): boolean {
  const a = skipSpace(s, p + 1);
  const q = s.charCodeAt(a);
  if (q !== 39 && q !== 34) return false;
  const close = findWithin(s, s[a], a + 1, 256);
  if (close < 0) return false;
  const pattern = s.slice(a + 1, close);
  if (pattern.length < 2) return false;
  const delimiter = pattern[0] === '(' ? ')' : pattern[0] === '{' ? '}' : pattern[0];
  const end = pattern.lastIndexOf(delimiter);
  return end > 0 && pattern.slice(end + 1).includes('e');
}

/** `chr(115).chr(121)…`: the string such a chain builds, and how many pieces it has. */
function chrChain(s: string, start: number): { text: string; pieces: number; end: number } {
  let text = '';
  let pieces = 0;
  let i = start;
  let end = start;
  while (pieces < 32 && s.startsWith('chr', i)) {
    const p = skipGap(s, i + 3);
    if (p < 0 || s.charCodeAt(p) !== 40) break;
    let k = skipSpace(s, p + 1);
    let n = 0;
    const from = k;
    while (k < s.length && k - from < 4 && isDigit(s.charCodeAt(k))) n = n * 10 + s.charCodeAt(k++) - 48;
    if (k === from) break;
    k = skipSpace(s, k);
    if (s.charCodeAt(k) !== 41) break;
    text += String.fromCharCode(n & 0xff);
    pieces++;
    end = k;
    const dot = skipSpace(s, k + 1);
    if (s.charCodeAt(dot) !== 46) break;
    i = skipSpace(s, dot + 1);
  }
  return { text: text.toLowerCase(), pieces, end };
}

/** Calls of dangerous functions, include/require of a URL or variable, chr() chains. */
export function calls(s: string, report: Report): void {
  let budget = MAX_CANDIDATES;
  for (let i = 0; i < s.length && budget > 0; i++) {
    const c = s.charCodeAt(i);
    if (!isIdentStart(c) || !atWordStart(s, i)) continue;
    const e = identEnd(s, i);
    const next = i;
    i = e - 1;
    // every name looked up is 3 to 64 characters long (PHP's longest built-ins, e.g.
    // `sodium_crypto_aead_chacha20poly1305_ietf_keygen`): other words cost no allocation
    if (e - next < 3 || e - next > 64) continue;
    const name = s.slice(next, e);
    if (name === 'include' || name === 'require' || name === 'include_once' || name === 'require_once') {
      include(s, next, e, report);
      continue;
    }
    const isPhp = PHP_FUNCTIONS.has(name) || PHP_PREFIXES.some((x) => name.startsWith(x));
    const only = isPhp || WORD_FUNCTIONS.has(name) || name === 'chr' ? undefined : phpOnlyName(name);
    if (only !== undefined) {
      phpOnlyCall(s, next, e, name, only, report);
      continue;
    }
    if (!isPhp && !WORD_FUNCTIONS.has(name) && name !== 'chr') continue;
    // a long run of calls says what one of them says: bounded work per value
    budget--;
    const p = skipGap(s, e);
    if (p < 0 || s.charCodeAt(p) !== 40) continue;
    const arg = argumentKind(s, p);
    // a comment between a name and its `(` is written by nobody but an evasive payload
    const commented = p > e && /[#/]/.test(s.slice(e, p));
    if (name === 'chr') {
      const chain = chrChain(s, next);
      if (chain.pieces >= 2 && HIDDEN_NAMES.has(chain.text))
        report(0.9, next, `"${chain.text}" built with chr()`);
      else if (chain.pieces >= 3) report(0.6, next, 'string built with chr()');
      else if (chain.pieces === 1) report(0.4, next, 'chr() call');
      i = Math.max(i, chain.end);
      continue;
    }
    if (name === 'preg_replace') {
      if (pregEval(s, p)) report(0.9, next, 'preg_replace with the /e modifier');
      else if (arg === 'code') report(0.5, next, 'preg_replace() call');
      continue;
    }
    if (isPhp) {
      if (arg === 'empty') report(PROBES.has(name) || commented ? 0.8 : 0.55, next, `${name}() call`);
      else if (arg === 'end') report(0.5, next, `${name}( call`);
      else report(0.85, next, `call to ${name}()`);
    } else if (arg === 'code' || (commented && arg !== 'end')) {
      report(0.8, next, `call to ${name}() with code argument`);
    } else if (arg === 'word') report(0.5, next, `${name}() call`);
    else if (arg === 'number') report(0.45, next, `${name}() call`);
  }
}

/**
 * A call of a PHP-only built-in (php-names.ts): paranoia 2. A method (`x.substr(`, `$o->file(`,
 * `A::pack(`) belongs to some other language or object and does not count.
 */
function phpOnlyCall(
  s: string,
  at: number,
  e: number,
  name: string,
  kind: 'core' | 'word',
  report: Report,
): void {
  const p = skipGap(s, e);
  if (p < 0 || s.charCodeAt(p) !== 40) return;
  let b = at - 1;
  while (b >= 0 && isSpace(s.charCodeAt(b))) b--;
  const before = b >= 0 ? s.charCodeAt(b) : 0;
  if (before === 46 /* . */ || before === 58 /* : */ || (before === 62 /* > */ && s.charCodeAt(b - 1) === 45))
    return;
  if (kind === 'word') {
    const arg = argumentKind(s, p);
    if (arg !== 'empty' && arg !== 'code') return;
  }
  // a comment between the name and its `(` is written by nobody but an evasive payload
  const commented = p > e && /[#/]/.test(s.slice(e, p));
  report(commented ? 0.55 : 0.4, at, `call of the PHP built-in ${name}()`);
}

/** `include $x`, `require_once('http://…')`: inclusion of a variable, URL or path. */
function include(s: string, at: number, e: number, report: Report): void {
  let k = skipGap(s, e);
  if (k < 0) return;
  if (s.charCodeAt(k) === 40) k = skipSpace(s, k + 1);
  const c = s.charCodeAt(k);
  if (c === 36) {
    report(0.75, at, 'include of a variable');
    return;
  }
  if (c !== 39 && c !== 34) return;
  const close = findWithin(s, s[k], k + 1, 256);
  const body = s.slice(k + 1, close < 0 ? Math.min(s.length, k + 256) : close);
  if (body.includes('://') || body.startsWith('/') || body.startsWith('.') || body.startsWith('\\')) {
    report(0.75, at, 'include of a path or URL');
  } else report(0.45, at, 'include statement');
}

/** Letters and `_` of the text before a computed callee, e.g. `(sy.(st).em)` → `system`. */
function calleeLetters(s: string, end: number): string {
  let out = '';
  for (let k = end; k >= 0 && end - k < 64; k--) {
    const c = s.charCodeAt(k);
    if (isLetter(c) || c === 95) out = s[k] + out;
  }
  return out;
}

/**
 * Function names hidden from a scan: a callee that is an expression (`(system)(…)`,
 * `"sys"."tem"(…)`, `{[system][0]}(…)`), and strings concatenated into a dangerous name.
 */
export function computedNames(s: string, report: Report): void {
  let p = s.indexOf('(');
  for (let n = 0; p >= 0 && n < MAX_CANDIDATES; n++) {
    let j = p - 1;
    while (j >= 0 && p - j < 64 && isSpace(s.charCodeAt(j))) j--;
    if (j > 0 && s.charCodeAt(j) === 47 && s.charCodeAt(j - 1) === 42) {
      const from = Math.max(0, j - MAX_GAP);
      const rel = s.slice(from, j - 1).lastIndexOf('/*');
      if (rel >= 0) {
        j = from + rel - 1;
        while (j >= 0 && p - j < 2 * MAX_GAP && isSpace(s.charCodeAt(j))) j--;
      }
    }
    const c = s.charCodeAt(j);
    if (c === 41 || c === 93 || c === 125 || c === 39 || c === 34) {
      const a = skipSpace(s, p + 1);
      const d = s.charCodeAt(a);
      if (a < s.length && d !== 41) {
        const letters = calleeLetters(s, j);
        for (const name of HIDDEN_NAMES) {
          if (letters.endsWith(name) && letters.length > 0) {
            report(0.85, Math.max(0, j - name.length), `call of a computed function name (${name})`);
            break;
          }
        }
      }
    }
    p = s.indexOf('(', p + 1);
  }
  // 'sys'.'tem', "shell_"."exec": string pieces joined into a dangerous name
  for (let i = 0; i < s.length; i++) {
    const q = s.charCodeAt(i);
    if (q !== 39 && q !== 34) continue;
    let joined = '';
    let pieces = 0;
    let k = i;
    while (pieces < 16) {
      const quote = s[k];
      const close = findWithin(s, quote, k + 1, 64);
      if (close < 0) break;
      joined += s.slice(k + 1, close);
      pieces++;
      k = close;
      const op = skipSpace(s, close + 1);
      const o = s.charCodeAt(op);
      if (o !== 46 && o !== 43) break;
      const nextQuote = skipSpace(s, op + 1);
      const nq = s.charCodeAt(nextQuote);
      if (nq !== 39 && nq !== 34) break;
      k = nextQuote;
    }
    if (pieces >= 2 && HIDDEN_NAMES.has(joined.trim()))
      report(0.85, i, `"${joined.trim()}" assembled from strings`);
    i = Math.max(i, k);
  }
}
