/**
 * Path traversal and local file access in one value: a value that climbs out of its directory
 * (`../`, `..\`, `....//`, `..;/`, `0x2e0x2e/` residues), names a sensitive absolute path
 * (/etc/passwd, /proc/self/environ, ~/.ssh, ~/.aws/credentials, C:\Windows\win.ini, a Hugging Face
 * token…), uses a `file:` URL, a UNC share or Win32 device path, an NTFS stream (`::$DATA`), or
 * carries a NUL byte. This is also the "model file / artifact download" case: an API serving files
 * by name must only get relative, inward names.
 * Without any traversal, a file name whose kind is never meant to be served is also reported:
 * database dumps (`backup.sql.gz`), backups and editor swaps (`x.php.bak`, `x~`, `.swp`), private
 * keys, framework logs (`/wp-content/debug.log`). Strongest in the URL path, then in a field named
 * like a file (`file`, `download`…); in other fields only archived dumps fire at paranoia 1 —
 * `report.sql` in an ordinary field, any `.log`, `.ini`/`.conf`/`.pem` wait for paranoia 2.
 * One linear pass over a normalised copy of the first 64 KB.
 */
import type { Finding } from '../core/findings.js';
import { fieldWords, inclusionHit, mayInclude } from './path-traversal/inclusion.js';
import { BARE_SENSITIVE, FILE_WORDS, PROGRAM_DIRS, SENSITIVE, SYSTEM_ROOTS } from './path-traversal/names.js';
import type { DetectorOptions, InspectedValue, Paranoia, ValueDetector } from './types.js';

const MAX_SCAN = 64 * 1024;
/** Lowest internal strength reported (0.5 on the engine's scale). */
const REPORT = 0.35;
/**
 * Internal strengths put 0.5 at "fires at paranoia 1"; the engine compares against 0.7 / 0.5 / 0.3
 * (detect.thresholds). This maps 0.5 to 0.7 and 0.35 to 0.5, monotonically.
 */
const toEngineScore = (s: number): number =>
  Math.round(Math.min(1, s >= 0.5 ? 0.7 + 0.6 * (s - 0.5) : 0.7 - (4 / 3) * (0.5 - s)) * 100) / 100;

/** SENSITIVE grouped by the two characters after the leading slash. */
const SENSITIVE_BY_LEAD = new Map<number, string[]>();
for (const s of SENSITIVE) {
  const key = s.charCodeAt(1) * 65536 + s.charCodeAt(2);
  const list = SENSITIVE_BY_LEAD.get(key) ?? [];
  list.push(s);
  SENSITIVE_BY_LEAD.set(key, list);
}

function fileField(location: string | undefined): boolean {
  return fieldWords(location).some((w) => FILE_WORDS.has(w));
}

/** Words of a field name that say it holds a file-system path, absolute ones included. */
const PATH_WORDS = new Set(['path', 'filepath', 'dir', 'directory', 'folder', 'root', 'location', 'cwd']);

function pathField(location: string | undefined): boolean {
  return fieldWords(location).some((w) => PATH_WORDS.has(w));
}

const isAlnum = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
const isSpace = (c: number): boolean => c <= 32;

/** Characters some file APIs or normalisers turn into `/` (`\`, division slash, fullwidth…). */
const SLASH_LIKE = new Set([0x5c, 0x2215, 0x2216, 0x2044, 0xff0f, 0xff3c, 0xfe68]);
/** Characters turned into `.` by NFKC or lenient decoders (fullwidth, one-dot leader, small stop). */
const DOT_LIKE = new Set([0xff0e, 0x2024, 0xfe52]);
/** Encodings a decoder may leave one layer deep. */
const RESIDUES: readonly [string, string][] = [
  ['0x2e', '.'],
  ['0x2f', '/'],
  ['0x5c', '/'],
  ['%2e', '.'],
  ['%2f', '/'],
  ['%5c', '/'],
  ['%c0%ae', '.'],
  ['%c0%af', '/'],
  ['%c1%9c', '/'],
  ['%c1%1c', '/'],
  ['%e0%80%ae', '.'],
  ['%e0%80%af', '/'],
  ['%u002e', '.'],
  ['%u002f', '/'],
  ['%u2215', '/'],
  ['%252e', '.'],
  ['%252f', '/'],
];

/** Lower case, `\` and encoded-dot/slash residues (`0x2e`, `%2f`, U+2215) folded to `.` and `/`. */
export function normalizePath(value: string): string {
  const v = value.length > MAX_SCAN ? value.slice(0, MAX_SCAN) : value;
  const lower = v.toLowerCase();
  // copy runs of ordinary characters in one slice; only special characters are looked at
  const out: string[] = [];
  let run = 0;
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    let replacement: string | undefined;
    let skip = 0;
    if (c === 92 || (c > 127 && SLASH_LIKE.has(c))) replacement = '/';
    else if (c > 127 && DOT_LIKE.has(c)) replacement = '.';
    else if (c === 48 || c === 37) {
      // residues: `0x2e`, `%2e`, `%c0%ae` / `%c0%af` (overlong UTF-8), `%e0%80%ae`, `%u002e`
      const residue = RESIDUES.find(([r]) => lower.startsWith(r, i));
      if (residue !== undefined) {
        replacement = residue[1];
        skip = residue[0].length - 1;
      }
    }
    if (replacement === undefined) continue;
    if (i > run) out.push(lower.slice(run, i));
    out.push(replacement);
    i += skip;
    run = i + 1;
  }
  if (out.length === 0) return lower;
  if (run < lower.length) out.push(lower.slice(run));
  return out.join('');
}

interface Hit {
  score: number;
  at: number;
  why: string;
  /** A file included through a URL or stream wrapper rather than reached by a path. */
  inclusion?: boolean;
}

interface Scan {
  /** `..` segments that climb a level (followed by a separator). */
  ups: number;
  /** Longest run of consecutive climbing segments. */
  consecutive: number;
  /** Whether the value starts by climbing (`../x`, `/../x`). */
  leading: boolean;
  /** Runs of three or more dots used as a segment (`.../`, `....//`). */
  oddDots: number;
  /** `/./` no-op segments. */
  noops: number;
  firstAt: number;
}

const LEFT_BOUNDARY = '/=:"\'`;,|({[<>';

function scanDots(n: string): Scan {
  const r: Scan = { ups: 0, consecutive: 0, leading: false, oddDots: 0, noops: 0, firstAt: -1 };
  let run = 0;
  let lastUpEnd = -2;
  let i = n.indexOf('.');
  while (i >= 0) {
    let j = i;
    while (j < n.length && n.charCodeAt(j) === 46) j++;
    const dots = j - i;
    const prev = i > 0 ? n[i - 1] : '';
    const next = j < n.length ? n.charCodeAt(j) : -1;
    const leftOk = i === 0 || LEFT_BOUNDARY.includes(prev) || isSpace(n.charCodeAt(i - 1));
    // `..;/` (Tomcat path parameter), `..{file}` and `..` followed by a separator climb a level
    const rightSep = next === 47 || next === 59 || next === 123 || next === 63 || next === 35 || next === 42;
    if (leftOk && dots === 1 && next === 47 && prev === '/') r.noops++;
    if (leftOk && dots === 2 && rightSep) {
      r.ups++;
      if (r.firstAt < 0) r.firstAt = i;
      // consecutive when only separators lie between this and the previous climb
      run = lastUpEnd >= 0 && onlySeparators(n, lastUpEnd, i) ? run + 1 : 1;
      if (run > r.consecutive) r.consecutive = run;
      lastUpEnd = j;
      if (onlySeparators(n, 0, i)) r.leading = true;
    } else if (
      leftOk &&
      dots >= 3 &&
      (rightSep || (prev === '/' && (next === -1 || isAlnum(next) || next === 123)))
    ) {
      r.oddDots++;
      if (r.firstAt < 0) r.firstAt = i;
    }
    i = n.indexOf('.', j);
  }
  return r;
}

/** `n[0, to)` is a climb prefix: `/`, `.`, `;` and residues a filter left (`x2e` from `0x2e`). */
function climbPrefix(n: string, to: number): boolean {
  if (to > 512) return false;
  let sawClimb = false;
  for (let k = 0; k < to; k++) {
    const c = n.charCodeAt(k);
    if (c === 47 || c === 59) {
      if (k > 0 && n.charCodeAt(k - 1) === 47) sawClimb = true;
      continue;
    }
    if (c === 46) {
      sawClimb = true;
      continue;
    }
    // `x2e`, `x2f`, `x5c`: `0x2e` with its `0` stripped
    if (c === 120 && (n.startsWith('2e', k + 1) || n.startsWith('2f', k + 1) || n.startsWith('5c', k + 1))) {
      k += 2;
      sawClimb = true;
      continue;
    }
    return false;
  }
  return sawClimb;
}

function onlyDotsAndSlashes(n: string): boolean {
  for (let k = 0; k < n.length; k++) {
    const c = n.charCodeAt(k);
    if (c !== 46 && c !== 47) return false;
  }
  return true;
}

function onlySeparators(n: string, from: number, to: number): boolean {
  if (to - from > 16) return false;
  for (let k = from; k < to; k++) {
    const c = n.charCodeAt(k);
    if (c !== 47 && c !== 59 && c !== 46) return false;
  }
  return true;
}

/**
 * The first sensitive path in the normalised value (slashes collapsed), preferring anything to a
 * program directory, and where.
 */
function findSensitive(n: string): { name: string; at: number; dir: boolean } | undefined {
  // collapse `//`, `/./` so that `/etc//passwd` and `/etc/./passwd` match
  // built as an array and joined: a flat string, cheap to index (a `+=` rope is not)
  const chars: string[] = ['/'];
  let last = '';
  for (let i = 0; i < n.length; i++) {
    const ch = n[i];
    if (ch === '/' && last === '/') continue;
    if (ch === '.' && last === '/' && n[i + 1] === '/') {
      i++;
      continue;
    }
    chars.push(ch);
    last = ch;
  }
  const padded = chars.join('');
  // one pass over the slashes; candidates are grouped by the character after the slash
  let dir: { name: string; at: number; dir: boolean } | undefined;
  for (let at = 0; at >= 0; at = padded.indexOf('/', at + 1)) {
    const candidates = SENSITIVE_BY_LEAD.get(padded.charCodeAt(at + 1) * 65536 + padded.charCodeAt(at + 2));
    if (candidates === undefined) continue;
    for (const s of candidates) {
      if (padded.startsWith(s, at) && endsSegment(s, padded.charCodeAt(at + s.length))) {
        if (!PROGRAM_DIRS.has(s)) return { name: s, at: Math.max(0, at - 1), dir: false };
        dir ??= { name: s, at: Math.max(0, at - 1), dir: true };
      }
    }
  }
  return dir;
}

/** `/.env` is the segment `.env` or `.env.local`, not `.environment`; `/.history` not `/.historyx`. */
function endsSegment(s: string, after: number): boolean {
  if (Number.isNaN(after) || s.endsWith('/')) return true;
  if (s === '/.env') return after === 47 || after === 46 || after === 34 || after === 39;
  return !(isAlnum(after) && !s.includes('.'));
}

function findBare(n: string): { name: string; at: number } | undefined {
  const squashed = n.replace(/[/:]/g, '');
  for (const b of BARE_SENSITIVE) {
    const at = squashed.indexOf(b);
    if (at >= 0) return { name: b, at: 0 };
  }
  return undefined;
}

/** Backup, dump, editor-swap and key files: never meant to be served from a web root. */
const BACKUP_SUFFIXES = ['.bak', '.old', '.orig', '.swp', '.swo', '.save', '.backup', '.bkp', '.dump', '~'];
const ARCHIVE_SUFFIXES = ['.gz', '.zip', '.bz2', '.7z', '.tar', '.tgz', '.xz', '.rar'];
const KEY_SUFFIXES = ['.key', '.p12', '.pfx', '.ppk', '.jks', '.keystore', '.kdbx'];
/** Log files that frameworks leave in the web root (WordPress debug.log, PHP error_log…). */
const LOG_NAMES = new Set([
  'debug.log',
  'error.log',
  'errors.log',
  'access.log',
  'error_log',
  'access_log',
  'php_errors.log',
  'php_error.log',
  'laravel.log',
  'npm-debug.log',
  'yarn-error.log',
  'install.log',
  'wp-debug.log',
]);
const CONFIG_SUFFIXES = ['.ini', '.conf', '.cfg', '.config', '.inc'];

/**
 * How sensitive a file name is by its kind, without any traversal: `dump` / `dump-archive`
 * (database dumps, `db.sql`, `backup.sql.gz`), `backup` (`x.php.bak`, `x~`, `.swp`), `key`, `log` (well-known log names),
 * `anylog` (any `.log`), `config`. Undefined for ordinary names.
 */
function fileKind(name: string): string | undefined {
  if (name.length < 3 || name.length > 255) return undefined;
  if (LOG_NAMES.has(name)) return 'log';
  if (name.indexOf('.') < 0) return undefined;
  let base = name;
  let archived = false;
  for (const a of ARCHIVE_SUFFIXES) {
    if (base.endsWith(a)) {
      base = base.slice(0, -a.length);
      archived = true;
      break;
    }
  }
  if (
    base.endsWith('.sql') ||
    base.endsWith('.sql~') ||
    base.endsWith('.sqlite') ||
    base.endsWith('.sqlite3') ||
    base.endsWith('.db') ||
    base.endsWith('.mdb')
  )
    return archived ? 'dump-archive' : 'dump';
  for (const b of BACKUP_SUFFIXES) if (base.endsWith(b) && base.length > b.length + 1) return 'backup';
  for (const k of KEY_SUFFIXES) if (base.endsWith(k) && base.length > k.length) return 'key';
  if (base.endsWith('.pem') && base.length > 4) return 'config';
  if (LOG_NAMES.has(base)) return 'log';
  if (base.endsWith('.log')) return 'anylog';
  for (const c of CONFIG_SUFFIXES) if (base.endsWith(c) && base.length > c.length) return 'config';
  return undefined;
}

/** The last path segment of a single-token value (no spaces), query and fragment removed. */
function lastSegment(n: string): string | undefined {
  let end = n.length;
  const q = n.indexOf('?');
  if (q >= 0) end = q;
  const h = n.indexOf('#');
  if (h >= 0 && h < end) end = h;
  if (end === 0 || end > 1024) return undefined;
  for (let i = 0; i < end; i++) if (isSpace(n.charCodeAt(i))) return undefined;
  const slash = n.lastIndexOf('/', end - 1);
  return n.slice(slash + 1, end);
}

/** Strength of a sensitive file kind: in the URL path, in a field that names a file, elsewhere. */
const KIND_SCORE: Record<string, readonly [number, number, number]> = {
  'dump-archive': [0.65, 0.6, 0.5],
  dump: [0.65, 0.6, 0.4],
  key: [0.65, 0.6, 0.45],
  backup: [0.6, 0.55, 0.4],
  log: [0.6, 0.55, 0.4],
  anylog: [0.45, 0.4, 0.3],
  config: [0.45, 0.4, 0.3],
};

// ---------------------------------------------------------------------------------------------
// Prefilter: rejects, without normalising, a value in which `analyze` cannot find anything.

const escapeRe = (t: string): string => t.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
/**
 * Characters and pairs that make `analyze` do real work: NUL, `%` (encoded residues, `%00`), `\`
 * and the slash/dot look-alikes `normalizePath` folds, `{` (`{file}`, `..{`), `<`/`>`
 * (redirection), `..` (every climb), `/.` (no-op segments, hidden files, `//./`), `0x2e`/`0x2f`/
 * `0x5c` residues, `file:/`, `::$` (NTFS streams), `__x00__`. U+0130 and U+212A lower-case to
 * ASCII (and shift indices). Without any of these, the normalised value is the lower-cased value.
 */
const PT_TRIGGER =
  /[\0%\\{<>\u2215\u2216\u2044\uff0f\uff3c\ufe68\uff0e\u2024\ufe52\u0130\u212a]|\.\.|\/\.|0x[25]|file:\/|::\$|__x00__/i;
/** What follows a `/` in a sensitive path: SENSITIVE's first segments (with their slash). */
const SENSITIVE_HEADS = [
  ...new Set(
    SENSITIVE.map((e) => {
      const slash = e.indexOf('/', 1);
      return slash < 0 ? e.slice(1) : e.slice(1, slash + 1);
    }),
  ),
];
/** A sensitive path right after a `/` (sticky: tested at a given index). */
const SENSITIVE_AT = new RegExp(`(?:${SENSITIVE_HEADS.map(escapeRe).join('|')})`, 'iy');
/**
 * At the value's start: a sensitive path without its leading slash (`findSensitive` pads one),
 * a bare sensitive name, a system root, a Win32 device path, `/@fs/`, a drive letter.
 */
const PT_START = new RegExp(
  `^(?:${[...SENSITIVE_HEADS, ...BARE_SENSITIVE].map(escapeRe).join('|')}|\\/(?:${SYSTEM_ROOTS.map((r) => escapeRe(r.slice(1, -1))).join('|')})\\/|\\/\\/\\?|\\/@|[a-z]:\\/)`,
  'i',
);
/** Where `findBare` looks (a value starting with a drive, `file:` or `/`)… */
const BARE_ANCHOR = /^(?:[a-z]:|file:|\/)/i;
/** …for a bare sensitive name with `/` and `:` possibly between its characters. */
const BARE_SPLIT = new RegExp(BARE_SENSITIVE.map((b) => [...b].map(escapeRe).join('[/:]*')).join('|'), 'i');
/** Extensions (after the last `.` of the last segment) that `fileKind` may report. */
const KIND_EXTENSIONS = new Set(
  [
    ...ARCHIVE_SUFFIXES,
    ...BACKUP_SUFFIXES,
    ...KEY_SUFFIXES,
    ...CONFIG_SUFFIXES,
    '.sql',
    '.sqlite',
    '.sqlite3',
    '.db',
    '.mdb',
    '.pem',
    '.log',
  ]
    .filter((x) => x.startsWith('.'))
    .map((x) => x.slice(1)),
);
const WHITESPACE = /[\x00-\x20]/;

/** Whether `fileKind(lastSegment(value))` can be defined (see both): by the segment's ending. */
function mayBeSensitiveFile(v: string): boolean {
  let end = v.length;
  const q = v.indexOf('?');
  if (q >= 0) end = q;
  const h = v.indexOf('#');
  if (h >= 0 && h < end) end = h;
  if (end === 0 || end > 1024) return false;
  const ws = v.search(WHITESPACE);
  if (ws >= 0 && ws < end) return false;
  const slash = v.lastIndexOf('/', end - 1);
  const last = v.charCodeAt(end - 1);
  if (last === 126) return true; // `~`
  if (
    end - slash > 3 &&
    (last | 0x20) === 103 &&
    (v.charCodeAt(end - 2) | 0x20) === 111 &&
    (v.charCodeAt(end - 3) | 0x20) === 108
  )
    return true; // `…log`: LOG_NAMES and `.log`
  const dot = v.lastIndexOf('.', end - 1);
  if (dot <= slash || end - dot > 9) return false;
  return KIND_EXTENSIONS.has(v.slice(dot + 1, end).toLowerCase());
}

/**
 * False only when `analyze` provably finds nothing: no trigger character or pair, no sensitive
 * name at the start or after a slash, no bare sensitive name where `findBare` looks, no file
 * name of a sensitive kind.
 */
export function mayTraverse(v: string): boolean {
  if (PT_TRIGGER.test(v) || PT_START.test(v)) return true;
  if (v.charCodeAt(0) === 47 && v.length >= 129) return true;
  for (let i = v.indexOf('/'); i >= 0; i = v.indexOf('/', i + 1)) {
    let j = i + 1;
    while (v.charCodeAt(j) === 47) j++;
    SENSITIVE_AT.lastIndex = j;
    if (SENSITIVE_AT.test(v)) return true;
    i = j - 1;
  }
  if (BARE_ANCHOR.test(v) && BARE_SPLIT.test(v)) return true;
  return mayBeSensitiveFile(v);
}

function analyze(input: InspectedValue, paranoia: Paranoia): Hit | undefined {
  const raw = input.value.length > MAX_SCAN ? input.value.slice(0, MAX_SCAN) : input.value;
  const n = normalizePath(raw);
  let best: Hit | undefined;
  const hit = (score: number, at: number, why: string): void => {
    if (best === undefined || score > best.score) best = { score, at, why };
  };
  const prose = input.profile === 'free-text' || input.profile === 'llm-message' || input.profile === 'code';

  // NUL byte: truncates the name at the C layer (`x.php\0.jpg`)
  const nul = raw.indexOf('\0');
  if (nul >= 0) hit(0.75, nul, 'NUL byte in a name');
  else if (n.includes('%00')) hit(0.6, n.indexOf('%00'), 'encoded NUL byte');

  const dots = n.indexOf('.') >= 0 ? scanDots(n) : undefined;
  const target = findSensitive(n);
  const climbs = dots !== undefined && (dots.ups > 0 || dots.oddDots > 0);

  if (dots !== undefined && climbs) {
    let score = 0;
    if (dots.consecutive >= 2 || dots.ups >= 2) score = 0.85;
    else if (dots.oddDots > 0) score = 0.75;
    else if (dots.leading) score = 0.7;
    else score = paranoia >= 2 ? 0.55 : 0.45;
    if (target !== undefined) score = 0.95;
    if (prose && target === undefined) score -= 0.2;
    hit(score, dots.firstAt, target ? `traversal to ${target.name}` : 'climbs out of its directory');
  }
  if (dots !== undefined && dots.noops >= 4) hit(0.6, n.indexOf('/./'), 'redundant ./ segments');

  if (target !== undefined) {
    // an absolute reference (value starts with it, or right after a scheme/drive/space)
    const absolute =
      target.at === 0 ||
      /^(file:|[a-z]:|~|\/)/.test(n) ||
      n.charCodeAt(target.at - 1) === 32 ||
      n.charCodeAt(target.at - 1) === 58;
    let score = absolute ? 0.8 : 0.65;
    if (target.dir && input.source !== 'path' && !fileField(input.location)) score = 0.45;
    else if (target.dir) score = absolute ? 0.65 : 0.55;
    // prose and code name config files while explaining them (`edit /etc/mysql/my.cnf`)
    if (prose) score -= 0.35;
    hit(score, target.at, `sensitive path ${target.name}`);
  } else {
    const bare = findBare(n);
    if (bare !== undefined && (climbs || /^([a-z]:|file:|\.\.|\/)/.test(n)))
      hit(0.7, 0, `sensitive name ${bare.name}`);
  }

  // an absolute path into a system directory, in a field that names a thing to serve (`model`,
  // `file`, `download`): such a field holds a name, and an absolute path leaves the served
  // directory. A field named for a path (`path`, `directory`) holds absolute paths by contract —
  // deployment, backup and log-viewer APIs send `/var/tmp` there every day — so it counts nothing
  // there, and waits for paranoia 2 elsewhere (the secrets below those roots are SENSITIVE entries)
  // (the field's name is read last: a value that reaches nothing leaves its location unread)
  if (target === undefined && !prose && n.charCodeAt(0) === 47) {
    const root = SYSTEM_ROOTS.find((r) => n.startsWith(r));
    if (root !== undefined && !pathField(input.location))
      hit(fileField(input.location) ? 0.55 : 0.45, 0, `absolute path under ${root}`);
  }
  // file: URLs (also `url:file://`, `jar:file:`), UNC shares, Windows drive paths
  const file = n.indexOf('file:');
  if (file >= 0 && (file === 0 || !isAlnum(n.charCodeAt(file - 1))) && n.charCodeAt(file + 5) === 47) {
    hit(prose ? 0.45 : 0.75, file, 'file: URL');
  }
  if (/^\/\/[a-z0-9][a-z0-9.-]*\/[a-z0-9$]/.test(n) && raw.startsWith('\\\\')) hit(0.7, 0, 'UNC share path');
  // Win32 device and long-path namespaces (`\\?\C:\…`, `\\.\PhysicalDrive0`, `\\?\UNC\host\…`)
  if ((n.startsWith('//?/') || n.startsWith('//./')) && n.length > 5) hit(0.7, 0, 'Win32 device path');
  if (/^[a-z]:\/[a-z]/.test(n) && !prose) {
    hit(paranoia >= 2 || input.profile === 'identifier' ? 0.6 : 0.45, 0, 'absolute Windows path');
  }
  // a backup, dump, key or log file asked for by name (`/wp-content/debug.log`, `?f=db.sql.gz`)
  if (!prose) {
    const seg = lastSegment(n);
    const kind = seg === undefined ? undefined : fileKind(seg);
    if (kind !== undefined) {
      const [inPath, inFileField, elsewhere] = KIND_SCORE[kind];
      const score = input.source === 'path' ? inPath : fileField(input.location) ? inFileField : elsewhere;
      if (score >= REPORT) hit(score, Math.max(0, n.length - (seg?.length ?? 0)), `sensitive file ${seg}`);
    }
    // shell redirection into a system directory (`>/tmp/x`, `< /etc/hosts`)
    let r = 0;
    while (
      r < n.length &&
      r < 4 &&
      (n.charCodeAt(r) === 62 || n.charCodeAt(r) === 60 || isSpace(n.charCodeAt(r)))
    )
      r++;
    if (
      r > 0 &&
      r < n.length &&
      n.charCodeAt(r) === 47 &&
      n.charCodeAt(0) !== 47 &&
      !isSpace(n.charCodeAt(0))
    ) {
      if (SYSTEM_ROOTS.some((root) => n.startsWith(root, r)))
        hit(0.6, 0, 'redirection into a system directory');
    }
    // Windows alternate data streams (`index.asp::$DATA`): source disclosure on IIS
    const ads = n.indexOf('::$');
    if (ads > 0 && (n.startsWith('data', ads + 3) || n.startsWith('index_allocation', ads + 3)))
      hit(0.7, ads, 'NTFS alternate data stream');
    // a name that starts with a well-known sensitive file whose slashes a filter removed (`web-infweb.xml`)
    if (target === undefined && BARE_SENSITIVE.some((b) => n.startsWith(b))) hit(0.6, 0, 'sensitive name');
    // `/aaaa…a` (hundreds of one character): a buffer-overflow probe of a path parser; no file
    // or directory name is a run of 128 identical characters
    if (n.charCodeAt(0) === 47 && n.length >= 129) {
      let same = 1;
      const c1 = n.charCodeAt(1);
      while (same < 256 && same + 1 < n.length && n.charCodeAt(same + 1) === c1) same++;
      if (same >= 128 && isAlnum(c1)) hit(0.5, 0, 'overlong path segment');
    }
    // an unrendered traversal template from a scanner (`//{file}`, `..{file}`): paranoia 1 when
    // only separators, dots and residues precede it (a fuzzer's climb prefix), else paranoia 2
    const tpl = n.indexOf('{file}');
    const b1 = tpl > 0 ? n.charCodeAt(tpl - 1) : 0;
    const b2 = tpl > 1 ? n.charCodeAt(tpl - 2) : 0;
    if (tpl > 1 && climbPrefix(n, tpl)) hit(0.55, 0, 'traversal template placeholder');
    else if (b1 === 46 || (b1 === 47 && (b2 === 47 || b2 === 46)))
      hit(0.4, tpl, 'traversal template placeholder');
    // `....oot.ini`: a climb whose slashes a filter removed, glued to a config, key or dump name
    if (n.startsWith('....') && target === undefined) {
      let d = 4;
      while (d < n.length && n.charCodeAt(d) === 46) d++;
      const seg = lastSegment(n.slice(d));
      const kind = seg === undefined ? undefined : fileKind(seg);
      if (kind !== undefined && kind !== 'anylog') hit(0.6, 0, `dot run before the file ${seg}`);
    }
    // `/./`, `/.//./`: nothing but no-op segments, a path normaliser probe
    if (
      n.length >= 3 &&
      n.length <= 64 &&
      n.charCodeAt(0) === 47 &&
      n.includes('/./') &&
      onlyDotsAndSlashes(n)
    )
      hit(0.5, 0, 'only no-op path segments');
  }
  // a dot-directory requested in the URL path (/.git/, /.env, /.aws/…), except /.well-known/
  if (input.source === 'path') {
    const seg = n.indexOf('/.');
    if (seg >= 0 && isAlnum(n.charCodeAt(seg + 2)) && !n.startsWith('well-known', seg + 2)) {
      hit(0.6, seg, 'hidden file or directory requested');
    }
    // Vite dev server file-system access (`/@fs/etc/passwd?raw`) and its NUL escape `__x00__`
    if (n.startsWith('/@fs/')) hit(0.7, 0, 'dev server file-system access');
    const x00 = n.indexOf('__x00__');
    if (x00 >= 0) hit(0.55, x00, 'escaped NUL byte in a path');
  }
  return best;
}

export const pathTraversalDetector: ValueDetector = {
  kind: 'value',
  id: 'path-traversal',
  category: 'injection',
  compile(options: DetectorOptions): (input: InspectedValue) => Finding[] {
    const paranoia = options.paranoia;
    return (input) => {
      const v = input.value;
      if (v.length < 3) return [];
      let best = mayTraverse(v) ? analyze(input, paranoia) : undefined;
      // remote file inclusion and stream wrappers (php://filter, phar://, data: with PHP…): its
      // own prefilter, so that ordinary URLs skip the path analysis
      // (never in a header: a Referer is a URL by definition)
      if (input.source !== 'header' && mayInclude(v)) {
        const inc = inclusionHit(v.trim().toLowerCase(), {
          prose: input.profile === 'free-text' || input.profile === 'llm-message' || input.profile === 'code',
          field: input,
        });
        if (inc !== undefined && (best === undefined || inc.score > best.score))
          best = { ...inc, inclusion: true };
      }
      if (best === undefined || best.score < REPORT) return [];
      const at = Math.max(0, best.at);
      return [
        {
          category: 'injection',
          subtype: 'path-traversal',
          detector: 'path-traversal',
          severity: best.score < 0.5 ? 'low' : best.score >= 0.8 ? 'high' : 'medium',
          score: toEngineScore(best.score),
          location: input.location,
          fragment: input.value.slice(at, at + 120),
          message: `${best.inclusion ? 'File inclusion' : 'Path traversal'}: ${best.why}`,
        },
      ];
    };
  },
};
