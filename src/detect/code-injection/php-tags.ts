// PHP outside function calls: open tags followed by code (`<?php`, `<?=`, `<? stmt`, `<?xml` used
// as a short tag, `[php]` blocks), PHP's own stream wrappers (`php://filter`, `phar://`,
// `expect://`, `data://` holding an open tag) and ini directives set from a request (`-d
// allow_url_include=1`). `s` is the lower-cased value.
import { INI_NAMESPACES } from './php-names.js';
import {
  atWordStart,
  findWithin,
  identEnd,
  isDigit,
  isIdentStart,
  isLetter,
  isQuote,
  isSpace,
  type Report,
  skipGap,
  skipSpace,
} from './lex.js';

const MAX_CANDIDATES = 256;

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
export function openTags(s: string, report: Report): void {
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

/** `php://filter`, `phar://`, `expect://`, `compress.zlib://`…: PHP's own stream wrappers. */
export function wrappers(raw: string, s: string, report: Report): void {
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
export function iniDirectives(s: string, report: Report): void {
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
  for (const namespace of INI_NAMESPACES) {
    let i = s.indexOf(namespace);
    for (let n = 0; i >= 0 && n < 16; n++) {
      const e = identEnd(s, i + namespace.length);
      if (e > i + namespace.length + 1 && atWordStart(s, i) && s.charCodeAt(skipSpace(s, e)) === 61) {
        report(0.4, i, `PHP ini directive ${s.slice(i, e)}=`);
        return;
      }
      i = s.indexOf(namespace, i + namespace.length);
    }
  }
}
