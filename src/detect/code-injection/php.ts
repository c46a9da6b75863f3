// PHP code in a value: open tags with code after them, calls of functions that run commands or
// decode payloads (comments and whitespace allowed before the `(`, as PHP allows), variable
// functions (`$f(…)`, `$_GET[a]($_GET[b])`, `${…}`), names assembled from strings
// (`'sys'.'tem'`, `(sy.(st).em)(…)`, `chr(115).chr(121)…`), stream wrappers (`php://filter`,
// `phar://`, `expect://`), superglobals and ini directives set from a request (`-d
// allow_url_include=1`). `s` is the lower-cased value.
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

/** PHP's request superglobals (names without `$`). */
const SUPERGLOBALS = new Set([
  '_get',
  '_post',
  '_cookie',
  '_request',
  '_server',
  '_files',
  '_env',
  '_session',
  'globals',
  'http_raw_post_data',
  'http_get_vars',
  'http_post_vars',
  'http_cookie_vars',
  'http_server_vars',
  'http_env_vars',
  'http_post_files',
]);

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

/** Stream wrappers only PHP resolves, by strength. */
export const WRAPPERS = new Map<string, number>([
  ['php', 0.9],
  ['phar', 0.9],
  ['expect', 0.9],
  ['ssh2.shell', 0.9],
  ['ssh2.exec', 0.9],
  ['ssh2.tunnel', 0.7],
  ['ssh2.sftp', 0.7],
  ['ssh2.scp', 0.7],
  ['compress.zlib', 0.8],
  ['compress.bzip2', 0.8],
  ['zlib', 0.7],
  ['glob', 0.7],
  ['zip', 0.6],
  ['rar', 0.6],
  ['ogg', 0.6],
]);

/** ini directives whose change from a request is an attack (PHP-CGI `-d`, `ini_set`, .user.ini). */
export const INI_DIRECTIVES = [
  'allow_url_include',
  'allow_url_fopen',
  'auto_prepend_file',
  'auto_append_file',
  'disable_functions',
  'open_basedir',
  'safe_mode',
  'cgi.force_redirect',
  'register_globals',
  'enable_dl',
  'sendmail_path',
  'suhosin.simulation',
  // a native library loaded from a directory the attacker chose (an upload): code execution
  'extension_dir',
  'zend_extension',
  // includes resolved from, a log or session written to, an attacker-chosen place
  'include_path',
  'error_log',
  'session.save_path',
  'user_ini.filename',
];

const STATEMENT_WORDS = new Set([
  'php',
  'echo',
  'print',
  'include',
  'require',
  'include_once',
  'require_once',
  'die',
  'exit',
]);

/** Code starts at `a`: a variable, `@`, backticks, a call or a statement keyword. */
function startsStatement(s: string, a: number): boolean {
  const d = s.charCodeAt(a);
  if (d === 36 || d === 64 || d === 96) return true;
  if (!isIdentStart(d)) return false;
  const e = identEnd(s, a);
  const g = skipGap(s, e);
  return (g >= 0 && s.charCodeAt(g) === 40) || STATEMENT_WORDS.has(s.slice(a, e));
}

/** `<?php …`, `<?= …`, `<? stmt`, `[php]`: an opener followed by code. */
function openTags(s: string, report: Report): void {
  let i = s.indexOf('<?');
  for (let n = 0; i >= 0 && n < MAX_CANDIDATES; n++) {
    const c = s.charCodeAt(i + 2);
    if (s.startsWith('php', i + 2)) {
      const next = s.charCodeAt(i + 5);
      if (Number.isNaN(next) || isSpace(next)) {
        // an opener with nothing after it runs nothing (and cookie jars do hold `<?php`)
        if (skipSpace(s, i + 5) < s.length) report(0.9, i, 'PHP open tag <?php');
      }
    } else if (c === 61 /* = */) {
      const a = skipSpace(s, i + 3);
      const d = s.charCodeAt(a);
      if (d === 36 || d === 64 || d === 40 || isQuote(d) || isIdentStart(d) || isDigit(d)) {
        report(0.85, i, 'PHP echo tag <?=');
      }
    } else if (isSpace(c)) {
      if (startsStatement(s, skipSpace(s, i + 2))) report(0.8, i, 'PHP short open tag with code');
    } else if (s.startsWith('xml', i + 2)) {
      // `<?xml :echo 1;` is a goto label named `xml`, `<?xml ();` a call of `xml()`: PHP with short
      // tags on, written to pass filters that let XML declarations through. A declaration has
      // `version=` after the blank, a processing instruction `-` (`<?xml-stylesheet`).
      const a = skipSpace(s, i + 5);
      const d = s.charCodeAt(a);
      if (d === 40 || (d === 58 && s.charCodeAt(a + 1) !== 58 && startsStatement(s, skipSpace(s, a + 1))))
        report(0.8, i, 'PHP short open tag disguised as <?xml');
    }
    i = s.indexOf('<?', i + 2);
  }
  for (const tag of ['[php]', '[/php]', '[\\php]', '{php}', '{/php}']) {
    const at = s.indexOf(tag);
    if (at >= 0) report(0.5, at, `PHP block tag ${tag}`);
  }
}

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
function calls(s: string, report: Report): void {
  let budget = MAX_CANDIDATES;
  for (let i = 0; i < s.length && budget > 0; i++) {
    const c = s.charCodeAt(i);
    if (!isIdentStart(c) || !atWordStart(s, i)) continue;
    const e = identEnd(s, i);
    const next = i;
    i = e - 1;
    // every name looked up is 3 to 32 characters long: other words cost no allocation
    if (e - next < 3 || e - next > 32) continue;
    const name = s.slice(next, e);
    if (name === 'include' || name === 'require' || name === 'include_once' || name === 'require_once') {
      include(s, next, e, report);
      continue;
    }
    const isPhp = PHP_FUNCTIONS.has(name) || PHP_PREFIXES.some((x) => name.startsWith(x));
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

/** The bracket closing the `[` or `{` at `b` (nesting counted, within 64 characters), or -1. */
function closingBracket(s: string, b: number): number {
  const open = s.charCodeAt(b);
  if (open !== 91 && open !== 123) return -1;
  const close = open === 91 ? 93 : 125;
  let depth = 0;
  for (let k = b; k < s.length && k - b <= 64; k++) {
    const c = s.charCodeAt(k);
    if (c === open) depth++;
    else if (c === close && --depth === 0) return k;
  }
  return -1;
}

/** `$f(…)`, `$$f(…)`, `$_GET[a](…)`, `${'a'}`, `$ {$a}`, `$_SERVER[…]`. */
function variables(s: string, report: Report): void {
  let i = s.indexOf('$');
  for (let n = 0; i >= 0 && n < MAX_CANDIDATES * 4; n++) {
    let j = i + 1;
    while (s.charCodeAt(j) === 36 && j - i < 8) j++;
    const spaced = skipSpace(s, j);
    if (s.charCodeAt(spaced) === 123 /* { */) {
      const close = findWithin(s, '}', spaced + 1, MAX_GAP);
      if (close > 0) {
        const inner = s.slice(spaced + 1, close).trim();
        const first = inner.charCodeAt(0);
        const g = skipGap(s, close + 1);
        if (inner.length > 0 && g >= 0 && s.charCodeAt(g) === 40)
          report(0.8, i, 'call of a variable variable ${…}(…)');
        else if (inner.length > 0 && (first === 39 || first === 34 || first === 36 || spaced > j)) {
          report(0.55, i, 'PHP variable variable ${…}');
        }
      }
    } else if (isIdentStart(s.charCodeAt(j))) {
      const e = identEnd(s, j);
      const name = s.slice(j, e);
      let k = e;
      let indexed = false;
      // `[…]` / `{…}` offsets, nested (`$__[$_[1]]`), with comments between them as PHP allows
      for (let m = 0; m < 4; m++) {
        const b = skipGap(s, k);
        if (b < 0) break;
        const close = closingBracket(s, b);
        if (close < 0 || s.slice(b + 1, close).trim() === '') break;
        indexed = true;
        k = close + 1;
      }
      const g = skipGap(s, k);
      const called = g >= 0 && s.charCodeAt(g) === 40;
      const superglobal = SUPERGLOBALS.has(name);
      if (called) report(superglobal ? 0.9 : 0.75, i, `variable function call $${name}(…)`);
      else if (superglobal) report(indexed ? 0.85 : 0.45, i, `PHP superglobal $${name.toUpperCase()}`);
    }
    i = s.indexOf('$', Math.max(j, i + 1));
  }
}

/** `php://filter`, `phar://`, `expect://`, `compress.zlib://`…: PHP's own stream wrappers. */
function wrappers(raw: string, s: string, report: Report): void {
  let i = s.indexOf('://');
  for (let n = 0; i >= 0 && n < MAX_CANDIDATES; n++) {
    let k = i - 1;
    while (k >= 0 && i - k <= 16) {
      const c = s.charCodeAt(k);
      if (!(isLetter(c) || isDigit(c) || c === 46 || c === 43 || c === 45)) break;
      k--;
    }
    const scheme = s.slice(k + 1, i);
    const strength = WRAPPERS.get(scheme);
    if (scheme === 'data') dataWrapper(raw, s, i + 3, k + 1, report);
    else if (strength !== undefined) {
      // zip://archive.zip#entry.php names a file inside the archive to include
      const zipEntry = scheme === 'zip' && s.slice(i, i + 256).includes('#');
      report(zipEntry ? 0.8 : strength, k + 1, `PHP stream wrapper ${scheme}://`);
    }
    i = s.indexOf('://', i + 3);
  }
}

/**
 * `data://text/plain;base64,…`: PHP includes it as code, so it is one when the payload holds an
 * open tag; otherwise a data URL is ordinary.
 */
function dataWrapper(raw: string, s: string, from: number, at: number, report: Report): void {
  const comma = findWithin(s, ',', from, 96);
  if (comma < 0) return;
  let payload = s.slice(comma + 1, comma + 1 + 4096);
  // base64 is decoded from the original letters (`s` is lower-cased; same offsets when the
  // lengths agree, which only odd Unicode changes)
  if (s.slice(from, comma).endsWith(';base64') && raw.length === s.length) {
    payload = Buffer.from(raw.slice(comma + 1, comma + 1 + 4096), 'base64').toString('latin1');
  }
  if (payload.includes('<?')) report(0.9, at, 'PHP code in a data:// wrapper');
}

/** `allow_url_include=1`, `-d auto_prepend_file=php://input`. */
function iniDirectives(s: string, report: Report): void {
  for (const directive of INI_DIRECTIVES) {
    let i = s.indexOf(directive);
    for (let n = 0; i >= 0 && n < 16; n++) {
      const a = skipSpace(s, i + directive.length);
      if (atWordStart(s, i) && s.charCodeAt(a) === 61) {
        const before = s.slice(Math.max(0, i - 4), i);
        report(/-d\s*$/.test(before) ? 0.9 : 0.75, i, `PHP ini directive ${directive}=`);
        break;
      }
      i = s.indexOf(directive, i + directive.length);
    }
  }
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
function computedNames(s: string, report: Report): void {
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

export function scanPhp(raw: string, s: string, report: Report): void {
  if (s.includes('<?') || s.includes('php]') || s.includes('php}')) openTags(s, report);
  if (s.includes('(')) {
    calls(s, report);
    computedNames(s, report);
  } else if (s.includes('include') || s.includes('require')) calls(s, report);
  if (s.includes('$')) variables(s, report);
  if (s.includes('://')) wrappers(raw, s, report);
  if (s.includes('=')) iniDirectives(s, report);
}
