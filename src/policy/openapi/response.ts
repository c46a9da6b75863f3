import { selectMedia } from './validate.js';
import type { SpecMediaType, SpecOperation } from './types.js';
import { findUndeclared, type UndeclaredProperty } from './walk.js';

// Response checks: (1) properties the response schema does not declare (or declares writeOnly)
// are removed or flagged — excessive data exposure; (2) error bodies carrying stack traces, SQL
// error text or server file paths are recognised so they can be replaced by a generic body.
// The recognisers are literal searches plus small hand-written frame scanners: linear in the
// scanned text (capped at VERBOSE_SCAN_BYTES), no regular expressions on the body.

export const VERBOSE_SCAN_BYTES = 64 * 1024;

/** The response media type declared for a status (exact, then `2XX`, then `default`). */
export function responseMedia(
  op: SpecOperation,
  status: number,
  contentType: string,
): SpecMediaType | undefined {
  const code = String(status);
  const list = op.responses.get(code) ?? op.responses.get(`${code[0]}XX`) ?? op.responses.get('DEFAULT');
  if (!list || list.length === 0) return undefined;
  return selectMedia(list, contentType);
}

export function pruneResponse(
  value: unknown,
  schema: unknown,
  remove: boolean,
): { found: UndeclaredProperty[]; count: number } {
  return findUndeclared(value, schema, 'response', { forbid: 'writeOnly', remove, limit: 5 });
}

export type VerboseKind =
  | 'python-traceback'
  | 'java-stack'
  | 'node-stack'
  | 'dotnet-stack'
  | 'go-panic'
  | 'php-error'
  | 'ruby-stack'
  | 'sql-error'
  | 'server-path';

export interface VerboseMatch {
  kind: VerboseKind;
  /** A short excerpt around the match (≤ 80 characters). */
  fragment: string;
}

/** Literal markers, matched case-insensitively (all lower case here). */
const MARKERS: readonly (readonly [string, VerboseKind])[] = [
  ['traceback (most recent call last)', 'python-traceback'],
  ['exception in thread "', 'java-stack'],
  ['java.lang.nullpointerexception', 'java-stack'],
  ['org.springframework.', 'java-stack'],
  ['node:internal/', 'node-stack'],
  ['--- end of stack trace from previous location', 'dotnet-stack'],
  ['system.nullreferenceexception', 'dotnet-stack'],
  ['goroutine 1 [running]', 'go-panic'],
  ['panic: runtime error', 'go-panic'],
  ['php fatal error', 'php-error'],
  ['fatal error: uncaught', 'php-error'],
  ['stack trace:\n#0 ', 'php-error'],
  // SQL engines and drivers
  ['you have an error in your sql syntax', 'sql-error'],
  ['sqlstate[', 'sql-error'],
  ['syntax error at or near', 'sql-error'],
  ['unterminated quoted string at or near', 'sql-error'],
  ['unclosed quotation mark after the character string', 'sql-error'],
  ['incorrect syntax near', 'sql-error'],
  ['sqlite_error', 'sql-error'],
  ['sqlite3.operationalerror', 'sql-error'],
  ['psycopg2.errors', 'sql-error'],
  ['org.postgresql.util.psqlexception', 'sql-error'],
  ['java.sql.sqlexception', 'sql-error'],
  ['sequelizedatabaseerror', 'sql-error'],
  ['queryfailederror', 'sql-error'],
  ['er_parse_error', 'sql-error'],
  ['pg::syntaxerror', 'sql-error'],
  ['microsoft ole db provider for sql server', 'sql-error'],
  ['quoted string not properly terminated', 'sql-error'],
  ['ora-00933', 'sql-error'],
  ['ora-01756', 'sql-error'],
  ['mongoerror', 'sql-error'],
  // Server-side file paths
  ['/usr/src/app', 'server-path'],
  ['/var/www/', 'server-path'],
  ['/node_modules/', 'server-path'],
  ['/site-packages/', 'server-path'],
  ['/opt/app/', 'server-path'],
  ['/home/app/', 'server-path'],
  ['c:\\inetpub\\', 'server-path'],
  ['c:\\users\\', 'server-path'],
  ['/go/src/', 'server-path'],
];

function excerpt(text: string, at: number): string {
  const start = Math.max(0, at - 20);
  return text.slice(start, start + 80).replace(/\s+/g, ' ');
}

const isIdent = (c: string): boolean =>
  (c >= 'a' && c <= 'z') ||
  (c >= 'A' && c <= 'Z') ||
  (c >= '0' && c <= '9') ||
  c === '_' ||
  c === '$' ||
  c === '.' ||
  c === '<' ||
  c === '>';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** After `at `: `qualified.Name(…File.java:12)` (Java/Kotlin) or `fn (/path/file.js:1:2)` (Node). */
function stackFrameAt(lower: string, pos: number): VerboseKind | undefined {
  let i = pos;
  const identStart = i;
  while (i < lower.length && i - identStart < 200 && isIdent(lower[i])) i++;
  const ident = lower.slice(identStart, i);
  // Node: `at fn (path:line:col)` or `at path:line:col`
  let open = -1;
  if (lower[i] === '(') open = i;
  else if (lower[i] === ' ' && lower[i + 1] === '(') open = i + 1;
  const limit = Math.min(lower.length, (open === -1 ? i : open) + 300);
  if (open !== -1) {
    const close = lower.indexOf(')', open);
    if (close === -1 || close > limit) return undefined;
    const inner = lower.slice(open + 1, close);
    if (
      ident.includes('.') &&
      (inner.includes('.java:') || inner.includes('.kt:') || inner.includes('.scala:'))
    )
      return 'java-stack';
    if (inner === 'native method' || inner === 'unknown source') return 'java-stack';
    if (hasLineCol(inner)) return 'node-stack';
    // .NET: `at Namespace.Type.Method(args) in C:\src\File.cs:line 42`
    if (ident.includes('.') && lower.startsWith(' in ', close + 1)) {
      const lineAt = lower.indexOf(':line ', close);
      if (lineAt !== -1 && lineAt < close + 300 && isDigit(lower[lineAt + 6])) return 'dotnet-stack';
    }
    return undefined;
  }
  // .NET: `at Namespace.Type.Method() in C:\src\File.cs:line 42`
  if (ident.includes('.')) {
    const inAt = lower.indexOf(':line ', i);
    if (inAt !== -1 && inAt < limit && isDigit(lower[inAt + 6])) return 'dotnet-stack';
  }
  return undefined;
}

/** `…file.js:12:5` style location: a known source extension followed by :digits:digits. */
function hasLineCol(inner: string): boolean {
  for (const ext of ['.js:', '.mjs:', '.cjs:', '.ts:']) {
    const at = inner.lastIndexOf(ext);
    if (at === -1) continue;
    let j = at + ext.length;
    if (!isDigit(inner[j])) continue;
    while (isDigit(inner[j])) j++;
    if (inner[j] === ':' && isDigit(inner[j + 1])) return true;
  }
  return false;
}

/** First `<ext><digits><suffix>` (a source file, a line number, then `suffix`), or -1. */
function lineFrame(lower: string, ext: string, suffix: string): number {
  for (
    let at = lower.indexOf(ext), n = 0;
    at !== -1 && n < 1000;
    at = lower.indexOf(ext, at + ext.length), n++
  ) {
    let j = at + ext.length;
    if (!isDigit(lower[j])) continue;
    while (isDigit(lower[j])) j++;
    if (lower.startsWith(suffix, j)) return at;
  }
  return -1;
}

/**
 * Recognises stack traces, SQL error text and server paths in a (possibly non-JSON) error body.
 * Linear: each literal is one indexOf pass, each `at ` / `File "` occurrence gets a bounded look.
 */
export function findVerboseError(body: Buffer | string): VerboseMatch | undefined {
  const text =
    typeof body === 'string'
      ? body.slice(0, VERBOSE_SCAN_BYTES)
      : body.toString('utf8', 0, VERBOSE_SCAN_BYTES);
  const lower = text.toLowerCase();
  for (const [marker, kind] of MARKERS) {
    const at = lower.indexOf(marker);
    if (at !== -1) return { kind, fragment: excerpt(text, at) };
  }
  // Python frames: File "/app/x.py", line 12, in handler (also JSON-escaped: File \"…\", line 12)
  for (
    let q = lower.indexOf('", line '), n = 0;
    q !== -1 && n < 1000;
    q = lower.indexOf('", line ', q + 8), n++
  ) {
    if (!isDigit(lower[q + 8])) continue;
    const at = lower.lastIndexOf('file ', q);
    if (at === -1 || q - at > 300) continue;
    const open = lower[at + 5] === '\\' ? at + 6 : at + 5;
    if (lower[open] === '"') return { kind: 'python-traceback', fragment: excerpt(text, at) };
  }
  // Java / Node / .NET frames: "at X(" after whitespace.
  for (let at = lower.indexOf('at '), n = 0; at !== -1 && n < 5000; at = lower.indexOf('at ', at + 3), n++) {
    const before = lower[at - 1];
    if (at > 0 && before !== ' ' && before !== '\t' && before !== '\n' && before !== '"') continue;
    const kind = stackFrameAt(lower, at + 3);
    if (kind) return { kind, fragment: excerpt(text, at) };
  }
  // Go frames `/path/file.go:42 +0x1d`; Ruby frames `app/models/user.rb:12:in `save'`.
  const go = lineFrame(lower, '.go:', ' +0x');
  if (go !== -1) return { kind: 'go-panic', fragment: excerpt(text, go) };
  const ruby = lineFrame(lower, '.rb:', ':in ');
  if (ruby !== -1) return { kind: 'ruby-stack', fragment: excerpt(text, ruby) };
  // PHP: "… in /var/x.php on line 3" / "….php:12"
  for (
    let at = lower.indexOf('.php'), n = 0;
    at !== -1 && n < 1000;
    at = lower.indexOf('.php', at + 4), n++
  ) {
    if (lower.startsWith(' on line ', at + 4) || (lower[at + 4] === ':' && isDigit(lower[at + 5])))
      return { kind: 'php-error', fragment: excerpt(text, at) };
  }
  return undefined;
}
