/**
 * File inclusion through a URL instead of a path: a remote script handed to an `include`
 * (remote file inclusion), and the stream wrappers that turn an include or a file read into code
 * execution or source disclosure (`php://filter`, `php://input`, `expect://`, `phar://`, `zip://`,
 * `data:` carrying PHP, `jar:http://…!/`). Part of the path-traversal detector: the same
 * sink (a file API fed by the request), the same taxonomy id.
 *
 * Most URLs in parameters are harmless (return addresses, image links, webhooks), so a plain
 * remote URL never fires. What does: a truncation suffix after it (`shell.txt?`, `%00`) that only
 * makes sense when the server appends to the value; a script hosted on a bare IP address or over
 * FTP; a remote URL in a field that names a local directory or include (`_CONF[path]`,
 * `absolute_path`, `include_dir`). Headers are skipped (a Referer is a URL by definition).
 */

import { isInternalClass, parseHostAddress } from '../ip.js';

/** What `inclusionHit` found. */
export interface InclusionHit {
  score: number;
  at: number;
  why: string;
}

/** Context the caller already computed. */
export interface InclusionContext {
  /** Free text, chat or code: a wrapper name may be discussed there. */
  prose: boolean;
  /**
   * The value's input itself: its location is read only by a rule that needs the field's name,
   * so a value in which nothing is found leaves it unread (the engine remembers such verdicts).
   */
  field: { readonly location: string | undefined; readonly source: string };
}

/** PHP stream wrappers that execute, read the request body or encode a file for disclosure. */
const PHP_STREAMS = ['filter', 'input', 'stdin', 'fd', 'memory', 'temp', 'stdout', 'stderr', 'output'];
/** Archive and other wrappers that reach a local file by another name (`phar://upload.jpg/x`). */
const ARCHIVE_WRAPPERS = [
  'phar://',
  'zip://',
  'compress.zlib://',
  'compress.bzip2://',
  'glob://',
  'rar://',
  'ogg://',
  'ssh2.shell://',
  'ssh2.exec://',
];
/** Extensions of files an `include` executes or that RFI kits host their shells as. */
const SCRIPT_EXTENSIONS = new Set([
  'txt',
  'php',
  'php3',
  'php4',
  'php5',
  'php7',
  'phtml',
  'inc',
  'pl',
  'py',
  'sh',
  'cgi',
  'asp',
  'aspx',
  'jsp',
  'rb',
]);
/** Media that an image or document field legitimately points at. */
const MEDIA_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'svg',
  'ico',
  'bmp',
  'pdf',
  'mp3',
  'mp4',
  'webm',
  'css',
  'woff',
  'woff2',
]);
/**
 * Words of a field name that say it holds a local directory or an include: the base an
 * application prepends to its own script names (`$path . '/lib.php'`).
 */
const INCLUDE_WORDS = new Set([
  'path',
  'dir',
  'directory',
  'folder',
  'root',
  'basedir',
  'basepath',
  'include',
  'inc',
  'require',
  'tpl',
  'template',
]);
/** Words of a field name that say a URL belongs there. */
const URL_WORDS = new Set(['url', 'uri', 'href', 'link', 'endpoint', 'webhook', 'callback']);
/** Words of a field name that say something is fetched from there (an FTP mirror is normal). */
const FETCH_WORDS = new Set(['src', 'source', 'mirror', 'location', 'download', 'feed', 'remote', 'origin']);
const REMOTE_SCHEMES = ['http://', 'https://', 'ftp://', 'ftps://'];

/** Words of the last key of a location (`query._CONF[path]` → path, `body.$.includeDir` → include dir). */
export function fieldWords(location: string | undefined): string[] {
  if (!location) return [];
  const cut = Math.max(location.lastIndexOf('.'), location.lastIndexOf('['));
  return location
    .slice(cut + 1)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Verdicts of `includeField` by location (a route sees few distinct ones); bounded. */
const INCLUDE_FIELD_CACHE = new Map<string, boolean>();

function includeField(location: string | undefined): boolean {
  if (!location) return false;
  let v = INCLUDE_FIELD_CACHE.get(location);
  if (v === undefined) {
    // `templateUrl`, `root_uri`: the name itself says a URL is expected there
    const words = fieldWords(location);
    v = words.some((w) => INCLUDE_WORDS.has(w)) && !words.some((w) => URL_WORDS.has(w));
    if (INCLUDE_FIELD_CACHE.size >= 4096) INCLUDE_FIELD_CACHE.clear();
    INCLUDE_FIELD_CACHE.set(location, v);
  }
  return v;
}

/** The field's name says it holds a URL or a place to fetch from (`source_url`, `feedLink`). */
function urlField(location: string | undefined): boolean {
  return fieldWords(location).some((w) => URL_WORDS.has(w) || FETCH_WORDS.has(w));
}

const isAlnum = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);

/** Longest value judged: an include target is a short URL or wrapper path. */
const MAX_INCLUSION = 4096;
/** Every shape `inclusionHit` reports contains one of these (any case)… */
const INCLUSION_TRIGGER = /:\/\/|data:|jar:|php:|expect:/i;
/** …except the scheme probe (`http?`, `ftp??`), which ends in `?` and has no `:`. */
const SCHEME_PROBE = /^\s*(?:https?|ftps?|file)\?+\s*$/i;
/** False only when `inclusionHit` provably finds nothing (no `:`, no trigger, or too long). */
export function mayInclude(v: string): boolean {
  if (v.length > MAX_INCLUSION) return false;
  if (v.indexOf(':') >= 0) return INCLUSION_TRIGGER.test(v);
  if (v.length > 16) return false;
  const last = v.charCodeAt(v.length - 1);
  return (last === 63 || last <= 32) && SCHEME_PROBE.test(v);
}

/**
 * `host` of an authority is a public IP literal (dotted IPv4, bracketed or bare IPv6). Internal
 * addresses are the SSRF detector's.
 */
function publicIpLiteral(host: string): boolean {
  if (!ipLiteral(host)) return false;
  const a = parseHostAddress(host);
  return a !== undefined && !isInternalClass(a.class);
}

function ipLiteral(host: string): boolean {
  if (host.length === 0 || host.length > 64) return false;
  if (host.charCodeAt(0) === 91) return true;
  let dots = 0;
  let colons = 0;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c === 46) dots++;
    else if (c === 58) colons++;
    else if (!((c >= 48 && c <= 57) || (colons > 0 && c >= 97 && c <= 102))) return false;
  }
  return (dots === 3 && colons === 0) || colons >= 2;
}

/** A remote URL that is the whole value: judged for the remote-inclusion shapes. */
function remoteInclusion(n: string, ctx: InclusionContext): InclusionHit | undefined {
  const c0 = n.charCodeAt(0);
  let from = 0;
  if (c0 === 104) from = n.startsWith('http://') ? 7 : n.startsWith('https://') ? 8 : 0;
  else if (c0 === 102) from = n.startsWith('ftp://') ? 6 : n.startsWith('ftps://') ? 7 : 0;
  if (from === 0) return undefined;
  const ftp = c0 === 102;
  let end = from;
  while (end < n.length && end - from < 300) {
    const c = n.charCodeAt(end);
    if (c === 47 || c === 63 || c === 35 || c === 92 || c <= 32) break;
    end++;
  }
  const userAt = n.lastIndexOf('@', end - 1);
  const hostAt = userAt >= from ? userAt + 1 : from;
  // every rule below needs a truncation, an address literal or an include field: most URLs
  // (a name host, nothing cut off, an ordinary field) leave here
  const h0 = n.charCodeAt(hostAt);
  if (
    !ftp &&
    !(h0 >= 48 && h0 <= 57) &&
    h0 !== 91 &&
    n.charCodeAt(n.length - 1) !== 63 &&
    n.indexOf('%00', end) < 0 &&
    n.indexOf('\0', end) < 0 &&
    !includeField(ctx.field.location)
  )
    return undefined;
  let host = n.slice(hostAt, end);
  if (host.charCodeAt(0) === 91) host = host.slice(0, host.indexOf(']') + 1);
  else if (host.indexOf(':') === host.lastIndexOf(':') && host.indexOf(':') >= 0)
    host = host.slice(0, host.indexOf(':'));
  if (host.length === 0) return undefined;
  // path: up to the query or fragment
  let q = end;
  while (q < n.length && q - end < 2048) {
    const c = n.charCodeAt(q);
    if (c === 63 || c === 35 || c <= 32) break;
    q++;
  }
  const path = n.slice(end, q);
  const slash = path.lastIndexOf('/');
  const last = path.slice(slash + 1);
  const dot = last.lastIndexOf('.');
  const ext = dot > 0 ? last.slice(dot + 1) : '';
  const script = SCRIPT_EXTENSIONS.has(ext);
  // the server appends to the value (`$url . '.php'`): `?` or a NUL cuts that off
  let tail = q;
  while (tail < n.length && n.charCodeAt(tail) === 63) tail++;
  const truncated =
    (tail > q && tail === n.length) || n.indexOf('\0', end) >= 0 || n.indexOf('%00', end) >= 0;
  const bareIp = publicIpLiteral(host);
  let score = 0;
  let why = '';
  if (truncated) {
    score = script ? 0.75 : 0.55;
    why = 'remote URL cut short by a truncation suffix';
  }
  if (bareIp && (script || ftp) && score < 0.6) {
    score = 0.6;
    why = `remote ${script ? 'script' : 'FTP resource'} on a bare IP address`;
  } else if (bareIp && score < 0.45) {
    score = 0.45;
    why = 'remote URL on a bare IP address';
  }
  // FTP is not how an API receives a document or a callback any more; an `ftp://` URL in a field
  // not named for URLs is an include or fetch through a second protocol (PHP's ftp:// wrapper
  // includes remote code exactly like http://). A URL field (`source_url`) may still hold one.
  if (ftp && !bareIp && score < 0.4) {
    score = urlField(ctx.field.location) ? 0.4 : 0.5;
    why = 'FTP URL in a field not named for URLs';
  }
  if (!MEDIA_EXTENSIONS.has(ext) && includeField(ctx.field.location)) {
    const s = script ? 0.7 : 0.55;
    if (s > score) {
      score = s;
      why = 'remote URL in a field naming a local path or include';
    }
  }
  if (score === 0) return undefined;
  return { score, at: 0, why };
}

/** `data:` with PHP code as its content (`<?php`, or its base64 `PD9…`). */
function phpDataUrl(n: string): boolean {
  if (!n.startsWith('data:')) return false;
  const comma = n.indexOf(',');
  if (comma < 0 || comma > 200) return false;
  const body = n.slice(comma + 1, comma + 8);
  return body.startsWith('<?') || (n.lastIndexOf('base64', comma) > 0 && body.startsWith('pd9'));
}

/**
 * The strongest inclusion shape in `n` (lower-cased, trimmed, not path-normalised: `\` and
 * residues matter to a URL differently). Bounded: fixed prefixes, one `indexOf` per wrapper.
 */
export function inclusionHit(n: string, ctx: InclusionContext): InclusionHit | undefined {
  const source = ctx.field.source;
  if (source === 'header' || n.length > MAX_INCLUSION) return undefined;
  let best = wrapperHit(n);
  if (best === undefined && source !== 'path') best = remoteInclusion(n, ctx) ?? schemeProbe(n);
  if (best === undefined && source === 'path') best = urlInPath(n);
  if (best !== undefined && ctx.prose) best.score -= 0.45;
  return best;
}

/**
 * A scheme name and nothing but question marks (`http?`, `ftp??`): a scanner learning whether the
 * server appends a suffix to what it includes — the `?` turns that suffix into a query string, as
 * in `shell.txt?`. No field holds a bare protocol name followed by `?`.
 */
function schemeProbe(n: string): InclusionHit | undefined {
  if (n.length > 16 || n.charCodeAt(n.length - 1) !== 63 || !SCHEME_PROBE.test(n)) return undefined;
  return { score: 0.5, at: 0, why: 'scheme name cut short by `?` (remote inclusion probe)' };
}

/**
 * A remote URL as a segment of the request path (`/fetch/https://host/x`): the application routes
 * a path segment into a fetch or include. Proxies and archives do this by design, so it is
 * paranoia 2.
 */
function urlInPath(n: string): InclusionHit | undefined {
  for (let at = n.indexOf('://'); at >= 0; at = n.indexOf('://', at + 3)) {
    let b = at;
    while (b > 0 && at - b < 5 && n.charCodeAt(b - 1) >= 97 && n.charCodeAt(b - 1) <= 122) b--;
    if (b === 0 || n.charCodeAt(b - 1) !== 47) continue;
    const scheme = n.slice(b, at);
    if (scheme !== 'http' && scheme !== 'https' && scheme !== 'ftp' && scheme !== 'ftps') continue;
    if (!isAlnum(n.charCodeAt(at + 3)) && n.charCodeAt(at + 3) !== 91) continue;
    return { score: 0.4, at: b, why: 'remote URL inside the request path' };
  }
  return undefined;
}

/** Stream wrappers; the first one found (a value names one wrapper). */
function wrapperHit(n: string): InclusionHit | undefined {
  // php://filter, php://input… anywhere after a non-word character
  for (let at = n.indexOf('php://'); at >= 0; at = n.indexOf('php://', at + 6)) {
    if (at > 0 && isAlnum(n.charCodeAt(at - 1))) continue;
    const stream = PHP_STREAMS.find((s) => n.startsWith(s, at + 6));
    if (stream !== undefined) return { score: 0.8, at, why: `PHP stream wrapper php://${stream}` };
  }
  const expect = n.indexOf('expect://');
  if (expect >= 0 && (expect === 0 || !isAlnum(n.charCodeAt(expect - 1))))
    return { score: 0.85, at: expect, why: 'expect:// wrapper (command execution)' };
  // the rest are the whole value: dispatch on its first letter
  const c0 = n.charCodeAt(0);
  if (c0 === 100 && phpDataUrl(n)) return { score: 0.8, at: 0, why: 'data: URL carrying PHP code' };
  // jar:http://host/x.jar!/entry fetches and opens a remote archive
  if (
    c0 === 106 &&
    n.startsWith('jar:') &&
    REMOTE_SCHEMES.some((s) => n.startsWith(s, 4)) &&
    n.indexOf('!') > 0
  )
    return { score: 0.65, at: 0, why: 'jar: URL to a remote archive' };
  if (c0 !== 104 && c0 !== 102) {
    for (const w of ARCHIVE_WRAPPERS) {
      if (n.startsWith(w)) return { score: 0.7, at: 0, why: `${w} wrapper reaches a file inside an archive` };
    }
  }
  return undefined;
}
