/**
 * Server-side request forgery in one value: a URL or host[:port] that points to loopback, private,
 * link-local, unspecified or shared address space, or to a cloud metadata service, in every spelling
 * a resolver or URL parser accepts (decimal/octal/hex/short IPv4, IPv6 with embedded IPv4, `@` and
 * `#@` authority tricks, `*.localhost`, wildcard DNS such as 127.0.0.1.nip.io, gopher:// and other
 * alternative schemes). The authority is parsed by hand (WHATWG `URL` is consulted as a second
 * opinion, and its failures are ignored). Plain numbers only count as hosts where the field is a
 * URL (profile `url`) or its name says so (url, host, callback, webhook, …).
 *
 * An optional DNS check (`createDnsResolverCheck`) tells whether a host *name* resolves to an
 * internal address; the synchronous detector only reads its cache, a miss schedules a lookup.
 */
import { lookup } from 'node:dns/promises';
import type { Finding } from '../core/findings.js';
import { type AddressClass, isInternalClass, parseHostAddress } from './ip.js';
import type { DetectorOptions, InspectedValue, Paranoia, ValueDetector } from './types.js';

const MAX_SCAN = 64 * 1024;
const MAX_URLS = 16;
/** Lowest internal strength reported (0.5 on the engine's scale). */
const REPORT = 0.35;
/**
 * Internal strengths put 0.5 at "fires at paranoia 1"; the engine compares against 0.7 / 0.5 / 0.3
 * (detect.thresholds). This maps 0.5 to 0.7 and 0.35 to 0.5, monotonically.
 */
const toEngineScore = (s: number): number =>
  Math.round(Math.min(1, s >= 0.5 ? 0.7 + 0.6 * (s - 0.5) : 0.7 - (4 / 3) * (0.5 - s)) * 100) / 100;

/** Words of a field name that say it carries a URL or a host (`image_url`, `callbackUrl`, `host`). */
const URLISH_WORDS = new Set([
  'url',
  'uri',
  'href',
  'link',
  'callback',
  'webhook',
  'hook',
  'host',
  'hostname',
  'endpoint',
  'target',
  'redirect',
  'return',
  'next',
  'dest',
  'destination',
  'src',
  'source',
  'image',
  'img',
  'avatar',
  'icon',
  'feed',
  'proxy',
  'server',
  'domain',
  'fetch',
  'site',
  'address',
  'addr',
  'ip',
  'remote',
  'upstream',
  'base',
]);
/** Glued names: `webhookurl`, `imageuri`, `serverhost`. */
const URLISH_SUFFIXES = ['url', 'uri', 'host', 'hook', 'endpoint', 'addr'];
/**
 * Headers whose value a server does not fetch: the page and origin a browser reports (localhost
 * during development), and the client address and proxy chain a load balancer reports, which
 * are internal addresses by design (`X-Real-IP: 10.0.3.7`, `X-Forwarded-Host: localhost:3000`).
 * Spoofing those is an access-control problem, not a request forgery.
 */
const IGNORED_HEADERS = new Set([
  'referer',
  'origin',
  'host',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-server',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-original-host',
  'x-host',
  'forwarded',
  'via',
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-cluster-client-ip',
  'x-originating-ip',
  'x-remote-ip',
  'x-remote-addr',
]);

const ALT_SCHEMES = new Set([
  'gopher',
  'dict',
  'ftp',
  'ftps',
  'tftp',
  'sftp',
  'ldap',
  'ldaps',
  'file',
  'jar',
  'netdoc',
  'smb',
  'ssh',
  'telnet',
  'redis',
  'mysql',
  'postgres',
  'mongodb',
  'memcached',
  'zookeeper',
  'phar',
]);
const SMUGGLING_SCHEMES = new Set(['gopher', 'dict', 'tftp', 'netdoc']);

const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.com',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
  'metadata.platformequinix.com',
  'metadata.packet.net',
]);
const LOOPBACK_NAMES = new Set([
  'localhost',
  'localhost.localdomain',
  'localhost4',
  'localhost6',
  'localhost4.localdomain4',
  'localhost6.localdomain6',
  'ip6-localhost',
  'ip6-loopback',
  'ipv6-localhost',
  'ipv6-loopback',
  'loopback',
]);
/** Public names that resolve to 127.0.0.1 by design. */
const LOOPBACK_DOMAINS = ['localtest.me', 'lvh.me', 'vcap.me', 'localh.st', 'lacolhost.com'];
/** Wildcard DNS services that answer with the address written in the name. */
const WILDCARD_DNS = ['nip.io', 'sslip.io', 'xip.io', 'nip.direct', 'traefik.me', 'ip.me.uk'];
/** DNS rebinding services. */
const REBINDING = ['rbndr.us', '1u.ms', 'rebind.it', 'rebind.network'];
const INTERNAL_TLDS = [
  '.internal',
  '.local',
  '.localdomain',
  '.home.arpa',
  '.intranet',
  '.lan',
  '.corp',
  '.private',
];

/**
 * Characters `parseIPv4Loose` accepts (`127.0.0.1`, `0x7f.1`, `2130706433`), host in lower case.
 * Its digit test ORs 0x20, so U+0010–U+0019 count as digits there too.
 */
const ADDRESS_CHARS = /^[0-9a-fx.\x10-\x19]+$/;
const lastLabel = (n: string): string => n.slice(n.lastIndexOf('.') + 1);
/** Last labels of every name `classifyHost` recognises (the lists above and `*.localhost`). */
const NAME_LAST_LABELS = new Set([
  ...[
    ...METADATA_NAMES,
    ...LOOPBACK_NAMES,
    ...LOOPBACK_DOMAINS,
    ...WILDCARD_DNS,
    ...REBINDING,
    ...INTERNAL_TLDS,
  ].map(lastLabel),
  'localhost',
]);
const LOOPBACK_DOMAIN_LAST = new Set(LOOPBACK_DOMAINS.map(lastLabel));
const WILDCARD_LAST = new Set(WILDCARD_DNS.map(lastLabel));
const REBINDING_LAST = new Set(REBINDING.map(lastLabel));
const INTERNAL_LAST = new Set(INTERNAL_TLDS.map(lastLabel));
/** `name.endsWith(`.${d}`)` without building the string. */
const endsWithLabel = (name: string, d: string): boolean =>
  name.length > d.length && name.endsWith(d) && name.charCodeAt(name.length - d.length - 1) === 46;

export type HostVerdict =
  | { kind: 'address'; class: AddressClass; canonical: string; obfuscated: boolean }
  | { kind: 'name'; class: AddressClass | 'internal-name' | 'rebinding'; why: string }
  | undefined;

/**
 * What every name `classifyHost` recognises ends with (the whole name, a domain, a TLD), grouped
 * by last character.
 */
const NAME_TAILS = new Map<number, string[]>();
for (const tail of [
  ...METADATA_NAMES,
  ...LOOPBACK_NAMES,
  ...LOOPBACK_DOMAINS,
  ...WILDCARD_DNS,
  ...REBINDING,
  ...INTERNAL_TLDS,
  '.localhost',
]) {
  const c = tail.charCodeAt(tail.length - 1);
  NAME_TAILS.set(c, [...(NAME_TAILS.get(c) ?? []), tail]);
}

/**
 * `h` (its first `n` characters) is an ASCII host name (letters, digits, `.`, `-`, `_`; not only
 * address characters) that ends in none of NAME_TAILS: `classifyHost` answers undefined, found here without lowering or
 * slicing (this runs for nearly every value). Anything else is left to `classifyHost`.
 */
function plainUnknownName(h: string, n = h.length): boolean {
  if (n === 0 || n > 255) return false;
  let addressish = true;
  for (let i = 0; i < n; i++) {
    const c = h.charCodeAt(i);
    const l = c | 0x20;
    if (l >= 97 && l <= 122) {
      if (l > 102 && l !== 120) addressish = false;
    } else if (c === 45 || c === 95) addressish = false;
    else if (!((c >= 48 && c <= 57) || c === 46)) return false;
  }
  if (addressish) return false;
  const end = h.charCodeAt(n - 1) === 46 ? n - 1 : n;
  const c = h.charCodeAt(end - 1);
  const tails = NAME_TAILS.get(c >= 65 && c <= 90 ? c + 32 : c);
  if (tails === undefined) return true;
  for (const t of tails) if (endsWithLower(h, end, t)) return false;
  return true;
}

/** `h[end - t.length, end)` lower-cased is `t` (ASCII). */
function endsWithLower(h: string, end: number, t: string): boolean {
  const from = end - t.length;
  if (from < 0) return false;
  for (let k = 0; k < t.length; k++) {
    const c = h.charCodeAt(from + k);
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== t.charCodeAt(k)) return false;
  }
  return true;
}

/** Classifies a host as written in an authority (port already removed). */
export function classifyHost(rawHost: string): HostVerdict {
  return plainUnknownName(rawHost) ? undefined : classifyHostFully(rawHost);
}

/** `classifyHost` without the `plainUnknownName` shortcut (exported for the tests). */
export function classifyHostFully(rawHost: string): HostVerdict {
  const host = rawHost.toLowerCase();
  if (host.length === 0 || host.length > 255) return undefined;
  // an address has only the characters of inet_aton forms, or is IPv6 (`[`, `:`)
  if (ADDRESS_CHARS.test(host) || host.charCodeAt(0) === 91 || host.includes(':')) {
    const addr = parseHostAddress(host);
    if (addr !== undefined) {
      return { kind: 'address', class: addr.class, canonical: addr.canonical, obfuscated: addr.obfuscated };
    }
  }
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (!/^[a-z0-9_.-]+$/.test(name)) return undefined;
  // every name below ends in one of these labels: skip the lists for any other name
  const last = name.slice(name.lastIndexOf('.') + 1);
  if (!NAME_LAST_LABELS.has(last)) return undefined;
  if (METADATA_NAMES.has(name)) return { kind: 'name', class: 'metadata', why: `metadata host ${name}` };
  if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost')) {
    return { kind: 'name', class: 'loopback', why: `loopback name ${name}` };
  }
  if (LOOPBACK_DOMAIN_LAST.has(last))
    for (const d of LOOPBACK_DOMAINS) {
      if (name === d || endsWithLabel(name, d))
        return { kind: 'name', class: 'loopback', why: `${d} resolves to loopback` };
    }
  if (WILDCARD_LAST.has(last))
    for (const d of WILDCARD_DNS) {
      if (endsWithLabel(name, d)) {
        const embedded = embeddedAddress(name.slice(0, -d.length - 1));
        if (embedded !== undefined) {
          return { kind: 'name', class: embedded.class, why: `wildcard DNS for ${embedded.canonical}` };
        }
      }
    }
  if (REBINDING_LAST.has(last))
    for (const d of REBINDING) {
      if (endsWithLabel(name, d))
        return { kind: 'name', class: 'rebinding', why: `DNS rebinding service ${d}` };
    }
  if (INTERNAL_LAST.has(last))
    for (const t of INTERNAL_TLDS) {
      if (name.endsWith(t)) return { kind: 'name', class: 'internal-name', why: `internal domain ${t}` };
    }
  return undefined;
}

/** `10-0-0-1`, `app.10.0.0.1`, `7f000001`: the address a wildcard DNS name encodes. */
function embeddedAddress(prefix: string): ReturnType<typeof parseHostAddress> {
  const labels = prefix.split('.');
  if (labels.length >= 4) {
    const dotted = labels.slice(-4).join('.');
    const a = parseHostAddress(dotted);
    if (a !== undefined) return a;
  }
  const last = labels[labels.length - 1];
  const dashed = last.split('-');
  if (dashed.length >= 4) {
    const a = parseHostAddress(dashed.slice(-4).join('.'));
    if (a !== undefined) return a;
  }
  if (/^[0-9a-f]{8}$/.test(last)) return parseHostAddress(`0x${last}`);
  return undefined;
}

interface Target {
  /** Hosts the authority may mean (parsers disagree on `a@b@c`). */
  hosts: string[];
  scheme: string | undefined;
  at: number;
  end: number;
  hasPort: boolean;
  hasPath: boolean;
  userinfo: boolean;
}

const isSchemeChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;

/** Splits an authority (`user@host:port`) into candidate hosts. */
function hostsOf(authority: string): { hosts: string[]; hasPort: boolean; userinfo: boolean } {
  const hosts: string[] = [];
  let hasPort = false;
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0;
  const candidates = [authority.slice(at + 1)];
  if (userinfo) {
    const first = authority.indexOf('@');
    // `a@127.0.0.1@good.com`: some parsers take the first `@`
    if (first !== at) candidates.push(authority.slice(first + 1, at));
  }
  for (const c of candidates) {
    let h = c;
    if (h.startsWith('[')) {
      const end = h.indexOf(']');
      if (end > 0) {
        hasPort ||= h.charCodeAt(end + 1) === 58;
        h = h.slice(0, end + 1);
      }
    } else {
      const colon = h.lastIndexOf(':');
      if (colon >= 0 && h.indexOf(':') === colon) {
        hasPort = true;
        h = h.slice(0, colon);
      }
    }
    if (h.length > 0) hosts.push(h);
  }
  return { hosts, hasPort, userinfo };
}

const AUTH_END = '/?#\\ \t\r\n"\'<>`{}|^';
const IS_AUTH_END = new Uint8Array(128);
for (let k = 0; k < AUTH_END.length; k++) IS_AUTH_END[AUTH_END.charCodeAt(k)] = 1;

function authorityEnd(s: string, from: number): number {
  let i = from;
  const limit = Math.min(s.length, from + 512);
  while (i < limit) {
    const c = s.charCodeAt(i);
    if (c < 128 && IS_AUTH_END[c] === 1) break;
    i++;
  }
  return i;
}

/** URLs with a scheme anywhere in the value, then the value itself when it is host-shaped. */
function findTargets(s: string): Target[] {
  const out: Target[] = [];
  let i = s.indexOf('://');
  let count = 0;
  while (i >= 0 && count < MAX_URLS) {
    count++;
    let b = i;
    while (b > 0 && i - b < 20 && isSchemeChar(s.charCodeAt(b - 1))) b--;
    const scheme = b < i ? s.slice(b, i) : undefined;
    const from = i + 3;
    const end = authorityEnd(s, from);
    const { hosts, hasPort, userinfo } = hostsOf(s.slice(from, end));
    const next = s.charCodeAt(end);
    const t: Target = { hosts, scheme, at: b, end, hasPort, hasPath: next === 47 || next === 92, userinfo };
    // `http://good.com:80 &@127.0.0.1:22/`: parsers that stop at other characters see a later `@` host
    let a = s.indexOf('@', end);
    for (let k = 0; a >= 0 && k < 8 && a - end < 256; k++) {
      const hEnd = authorityEnd(s, a + 1);
      const more = hostsOf(s.slice(a + 1, hEnd));
      for (const h of more.hosts) t.hosts.push(h);
      t.userinfo = true;
      a = s.indexOf('@', a + 1);
    }
    out.push(t);
    i = s.indexOf('://', end);
  }
  // `http:127.0.0.1`, `http:\\127.0.0.1`, `gopher:/127.0.0.1` (special schemes tolerate missing slashes)
  if (out.length === 0) {
    const m =
      /^(https?|ftp|gopher|dict|file|ldap):[/\\]{0,1}(?=[^/\\])/.exec(s) ?? /^(https?|ftp):\\\\/.exec(s);
    if (m) {
      const from = m[0].length;
      const end = authorityEnd(s, from);
      const { hosts, hasPort, userinfo } = hostsOf(s.slice(from, end));
      out.push({ hosts, scheme: m[1], at: 0, end, hasPort, hasPath: s.charCodeAt(end) === 47, userinfo });
    }
  }
  return out;
}

/**
 * `s` read as `host[:port][/path]` has an empty authority, or one that is a plain name
 * `classifyHost` does not know (so no `:`, `@`, `[`, whitespace or address-only host).
 */
function plainAuthority(s: string): boolean {
  const end = authorityEnd(s, 0);
  return end === 0 || plainUnknownName(s, end);
}

/** The whole value as `host[:port][/path]`, or undefined when it is not shaped like one. */
function hostShaped(s: string): Target | undefined {
  if (s.length === 0 || s.length > 300) return undefined;
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) <= 32) return undefined;
  let end = 0;
  if (s.startsWith('[')) {
    end = s.indexOf(']') + 1;
    if (end <= 0) return undefined;
    while (end < s.length && s[end] !== '/' && s[end] !== '?' && s[end] !== '#') end++;
  } else {
    const ipv6ish = s.includes('::') && /^[0-9a-f:]+(%[a-z0-9]+)?$/.test(s);
    end = ipv6ish ? s.length : authorityEnd(s, 0);
  }
  const auth = s.slice(0, end);
  if (auth.includes('@')) return undefined;
  const colon = auth.indexOf(':');
  const ipv6bare = !auth.startsWith('[') && colon >= 0 && auth.indexOf(':', colon + 1) >= 0;
  const { hosts, hasPort } = ipv6bare ? { hosts: [auth], hasPort: false } : hostsOf(auth);
  return { hosts, scheme: undefined, at: 0, end, hasPort, hasPath: end < s.length, userinfo: false };
}

/** Verdicts of `urlishLocation` by location (a route sees few distinct ones); bounded. */
const URLISH_CACHE = new Map<string, boolean>();
const URLISH_CACHE_MAX = 4096;

function urlishLocationCached(location: string | undefined): boolean {
  if (!location) return false;
  let v = URLISH_CACHE.get(location);
  if (v === undefined) {
    v = urlishLocation(location);
    if (URLISH_CACHE.size >= URLISH_CACHE_MAX) URLISH_CACHE.clear();
    URLISH_CACHE.set(location, v);
  }
  return v;
}

/**
 * The field is a URL (profile) or named like one. Read only once a host has been classified:
 * a value in which no host is judged then never reads its location, so the engine can remember
 * that it found nothing in it (see engine.ts).
 */
function urlishInput(input: InspectedValue): boolean {
  return input.profile === 'url' || urlishLocationCached(input.location);
}

function urlishLocation(location: string | undefined): boolean {
  if (!location) return false;
  const cut = Math.max(location.lastIndexOf('.'), location.lastIndexOf('['), location.lastIndexOf('/'));
  const key = location.slice(cut + 1);
  // words of the last key: `image_url`, `callbackUrl`, `webhook-host` → image url, callback url, …
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some(
    (w) => URLISH_WORDS.has(w) || URLISH_SUFFIXES.some((x) => w.length > x.length && w.endsWith(x)),
  );
}

function isIgnoredHeader(input: InspectedValue): boolean {
  if (input.source !== 'header' || !input.location) return false;
  const l = input.location.toLowerCase();
  return IGNORED_HEADERS.has(l.slice(l.lastIndexOf('.') + 1));
}

interface Hit {
  score: number;
  metadata: boolean;
  at: number;
  end: number;
  why: string;
}

/** Reads cached DNS verdicts; see createDnsResolverCheck. */
export interface DnsResolverCheck {
  /** true: resolves to an internal address; false: public; undefined: unknown (a lookup is scheduled). */
  check(host: string): boolean | undefined;
  /** Looks the name up now (bounded by the timeout) and caches the verdict. */
  resolve(host: string): Promise<boolean | undefined>;
  readonly size: number;
}

export interface DnsResolverOptions {
  timeoutMs?: number;
  cacheSize?: number;
  ttlMs?: number;
  /** Injected resolver for tests; defaults to the system resolver (getaddrinfo). */
  lookupAll?: (host: string) => Promise<string[]>;
  /** Upper bound on lookups in flight. */
  maxPending?: number;
}

/**
 * A bounded LRU of "does this name resolve to an internal address" with a lookup timeout. The
 * detector never waits on it: `check` answers from the cache and schedules a lookup on a miss.
 */
export function createDnsResolverCheck(options: DnsResolverOptions = {}): DnsResolverCheck {
  const timeoutMs = options.timeoutMs ?? 200;
  const cacheSize = Math.max(1, options.cacheSize ?? 1000);
  const ttlMs = options.ttlMs ?? 60_000;
  const maxPending = options.maxPending ?? 32;
  const lookupAll =
    options.lookupAll ??
    (async (host: string) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address));
  const cache = new Map<string, { internal: boolean; expires: number }>();
  const pending = new Map<string, Promise<boolean | undefined>>();

  const remember = (host: string, internal: boolean): void => {
    cache.delete(host);
    cache.set(host, { internal, expires: Date.now() + ttlMs });
    while (cache.size > cacheSize) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
  };

  const resolve = (rawHost: string): Promise<boolean | undefined> => {
    const host = rawHost.toLowerCase();
    const running = pending.get(host);
    if (running) return running;
    if (pending.size >= maxPending) return Promise.resolve(undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((res) => {
      timer = setTimeout(() => res(undefined), timeoutMs);
      timer.unref?.();
    });
    const work = lookupAll(host).then(
      (addresses) => {
        const internal = addresses.some((a) => {
          const p = parseHostAddress(a);
          return p !== undefined && isInternalClass(p.class);
        });
        remember(host, internal);
        return internal;
      },
      () => undefined,
    );
    const p = Promise.race([work, timeout]).finally(() => {
      clearTimeout(timer);
      pending.delete(host);
    });
    pending.set(host, p);
    return p;
  };

  return {
    check(rawHost) {
      const host = rawHost.toLowerCase();
      const entry = cache.get(host);
      if (entry !== undefined && entry.expires > Date.now()) {
        cache.delete(host);
        cache.set(host, entry);
        return entry.internal;
      }
      if (entry !== undefined) cache.delete(host);
      void resolve(host);
      return undefined;
    },
    resolve,
    get size() {
      return cache.size;
    },
  };
}

export interface SsrfDetectorOptions extends DetectorOptions {
  /** Optional DNS check for host names (off by default). */
  dns?: DnsResolverCheck;
}

const CLASS_WORDS: Record<string, string> = {
  loopback: 'loopback',
  private: 'private network',
  'link-local': 'link-local',
  unspecified: 'unspecified address',
  shared: 'shared (CGNAT) address space',
  reserved: 'reserved address',
  metadata: 'cloud metadata service',
};

/** A bare number or a dotted short form (`2130706433`, `127.1`): fewer than four labels of [0-9a-fx]. */
function numericOnlyHost(host: string): boolean {
  if (!NUMERIC_HOST.test(host)) return false;
  let labels = 0;
  let inLabel = false;
  for (let i = 0; i < host.length; i++) {
    if (host.charCodeAt(i) === 46) inLabel = false;
    else if (!inLabel) {
      inLabel = true;
      labels++;
    }
  }
  return labels < 4;
}
const NUMERIC_HOST = /^[0-9a-fx.]+$/i;

function judgeTarget(
  t: Target,
  shape: 'url' | 'host' | 'bare',
  input: InspectedValue,
  paranoia: Paranoia,
  dns: DnsResolverCheck | undefined,
): Hit | undefined {
  let best: Hit | undefined;
  const scheme = t.scheme;
  for (const host of t.hosts) {
    // a bare number outside a URL field: an address (skipped below) or, with these characters,
    // no name `classifyHost` knows; only the DNS check could still say something
    if (shape !== 'url' && dns === undefined && numericOnlyHost(host) && !urlishInput(input)) continue;
    const v = classifyHost(host);
    let cls: string | undefined;
    let obfuscated = false;
    let why = '';
    if (v?.kind === 'address') {
      // a bare number or a dotted short form is only a host where the field is one
      const numericOnly = numericOnlyHost(host);
      if (shape !== 'url' && numericOnly && !urlishInput(input)) continue;
      if (!isInternalClass(v.class)) {
        // `http://123456789/`, `http://0x5db.1/`: nobody writes a public host as one number or
        // in octal/hex except to get past a filter that compares host strings
        if (shape === 'url' && v.obfuscated && v.class === 'public' && v.canonical !== host) {
          best = stronger(best, {
            score: 0.5,
            metadata: false,
            at: t.at,
            end: t.end,
            why: `address ${v.canonical} written as ${host} (filter evasion)`,
          });
        }
        continue;
      }
      cls = v.class;
      obfuscated = v.obfuscated;
      why = `${CLASS_WORDS[v.class] ?? v.class} ${v.canonical}${obfuscated ? ` (written ${host})` : ''}`;
    } else if (v?.kind === 'name') {
      if (shape === 'bare' && !host.includes('.') && !urlishInput(input)) continue;
      cls = v.class;
      obfuscated = v.why.startsWith('wildcard');
      why = v.why;
    } else if (dns !== undefined && /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(host)) {
      if (dns.check(host) === true) {
        cls = 'resolved';
        why = `${host} resolves to an internal address`;
      }
    }
    if (cls === undefined) continue;
    const urlish = urlishInput(input);
    let score: number;
    if (cls === 'metadata') score = shape === 'bare' && !urlish ? 0.7 : 0.95;
    else if (cls === 'internal-name' || cls === 'rebinding')
      score = shape === 'url' ? 0.65 : urlish ? 0.6 : 0.4;
    else if (shape === 'url') score = 0.85;
    else if (cls === 'reserved' || cls === 'shared')
      // class E (240/4) and CGNAT (100.64/10) written alone: inventories and audit logs hold
      // them in `ip` fields, and neither is where a forged request finds a service by default
      score = 0.3;
    else if (shape === 'host') score = urlish ? 0.8 : 0.7;
    else score = urlish ? 0.75 : paranoia >= 2 ? 0.55 : 0.45;
    if (cls === 'resolved') score = Math.min(score, 0.8);
    if (obfuscated && score >= 0.45) score += 0.1;
    if (t.userinfo && t.hosts.length > 0) {
      score += 0.05;
      why += ' behind userinfo (@)';
    }
    if (scheme !== undefined && ALT_SCHEMES.has(scheme.toLowerCase())) {
      score += 0.05;
      why = `${scheme}:// to ${why}`;
    }
    const hit: Hit = {
      score: Math.min(0.99, score),
      metadata: cls === 'metadata',
      at: t.at,
      end: t.end,
      why,
    };
    if (best === undefined || hit.score > best.score) best = hit;
  }
  if (best === undefined && scheme !== undefined && SMUGGLING_SCHEMES.has(scheme.toLowerCase())) {
    best = {
      score: 0.6,
      metadata: false,
      at: t.at,
      end: t.end,
      why: `${scheme}:// protocol smuggling scheme`,
    };
  }
  return best;
}

/** Second opinion from the WHATWG parser (canonicalises decimal/hex hosts for special schemes). */
function whatwgHost(s: string, t: Target): string | undefined {
  if (t.scheme === undefined || !/^(https?|ftp|wss?)$/i.test(t.scheme)) return undefined;
  try {
    return new URL(s.slice(t.at, Math.min(s.length, t.end + 1))).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Whether `whatwgHost(s, t)` can only add a host `t` already has (so the URL parser is skipped):
 * `scheme://host[:port]` (plus the one character `whatwgHost` passes after the authority) with a
 * special scheme and a host of ASCII letters, digits, `-` and `.` that does not end in a number
 * and has no `xn--` label: the WHATWG parser then either fails or answers the host in lower
 * case, which `classifyHost` (case-insensitive) judges like the host itself. Which means
 * `/^(?:https?|ftp|wss?):\/\/([a-z0-9.-]+)(?::[0-9]*)?[/?#\\ \t\r\n]?$/i` on
 * `s.slice(t.at, t.end + 1)`, the host not matching `/(?:^|\.)(?:[0-9]+|0x[0-9a-f]*)\.?$/i`
 * nor holding `xn--`, and equal to one of `t.hosts` in lower case. Written as a scan that slices
 * nothing (this runs for every URL); the tests keep the regex version as its definition.
 */
export function whatwgRedundant(s: string, t: Pick<Target, 'at' | 'end' | 'hosts'>): boolean {
  const limit = Math.min(s.length, t.end + 1);
  // the scheme: http, https, ftp, ws or wss, any case, then `://`
  let k = t.at;
  const c0 = s.charCodeAt(k) | 0x20;
  if (c0 === 104) {
    if (!startsWithLower(s, k, 'http')) return false;
    k += 4;
    if ((s.charCodeAt(k) | 0x20) === 115) k++;
  } else if (c0 === 102) {
    if (!startsWithLower(s, k, 'ftp')) return false;
    k += 3;
  } else if (c0 === 119) {
    if ((s.charCodeAt(k + 1) | 0x20) !== 115) return false;
    k += 2;
    if ((s.charCodeAt(k) | 0x20) === 115) k++;
  } else return false;
  if (k + 3 > limit || !s.startsWith('://', k)) return false;
  // the host: [a-z0-9.-]+
  const from = k + 3;
  let i = from;
  let lastDot = -1;
  while (i < limit) {
    const c = s.charCodeAt(i);
    const l = c | 0x20;
    if (c === 46) lastDot = i;
    else if (!((l >= 97 && l <= 122) || (c >= 48 && c <= 57) || c === 45)) break;
    i++;
  }
  const hostEnd = i;
  if (hostEnd === from) return false;
  // then `:` and digits, then at most one of `/?#\`, space, tab, CR, LF, then the end
  if (i < limit && s.charCodeAt(i) === 58) {
    i++;
    while (i < limit && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  }
  if (i < limit) {
    const c = s.charCodeAt(i);
    if (!(c === 47 || c === 63 || c === 35 || c === 92 || c === 32 || c === 9 || c === 13 || c === 10))
      return false;
    i++;
  }
  if (i !== limit) return false;
  // NUMERIC_LABEL: the last label (before an optional final dot) is digits or `0x` and hex digits
  let labelEnd = hostEnd;
  let labelStart = lastDot + 1;
  if (lastDot === hostEnd - 1) {
    labelEnd = lastDot;
    labelStart = s.lastIndexOf('.', lastDot - 1) + 1;
    if (labelStart <= from) labelStart = from;
  } else if (lastDot < from) labelStart = from;
  if (numericLabel(s, labelStart, labelEnd)) return false;
  if (indexOfLower(s, 'xn--', from, hostEnd)) return false;
  for (const x of t.hosts) if (sameHost(x, s, from, hostEnd)) return true;
  return false;
}

/** `s` holds `word` (lower-case letters) at `at`, any case. */
function startsWithLower(s: string, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++)
    if ((s.charCodeAt(at + k) | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

/** `s[from, to)` is `[0-9]+` or `0x[0-9a-f]*` (any case); an empty label is neither. */
function numericLabel(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  if (to - from >= 2 && s.charCodeAt(from) === 48 && (s.charCodeAt(from + 1) | 0x20) === 120) {
    for (let k = from + 2; k < to; k++) {
      const c = s.charCodeAt(k);
      const l = c | 0x20;
      if (!((c >= 48 && c <= 57) || (l >= 97 && l <= 102))) return false;
    }
    return true;
  }
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `xn--` (any case) inside `s[from, to)`. */
function indexOfLower(s: string, word: string, from: number, to: number): boolean {
  for (let k = from; k + word.length <= to; k++) {
    let m = 0;
    while (m < word.length && (s.charCodeAt(k + m) | 0x20) === (word.charCodeAt(m) | 0x20)) m++;
    if (m === word.length) return true;
  }
  return false;
}

/** `x.toLowerCase()` is `s[from, to)` in lower case (`s[from, to)` holds only ASCII host characters). */
function sameHost(x: string, s: string, from: number, to: number): boolean {
  for (let k = 0; k < x.length; k++) {
    // a non-ASCII character may lower-case to ASCII (U+212A to `k`): compare as written
    if (x.charCodeAt(k) >= 128) return x.toLowerCase() === s.slice(from, to).toLowerCase();
  }
  if (x.length !== to - from) return false;
  for (let k = 0; k < x.length; k++) {
    const a = x.charCodeAt(k);
    const b = s.charCodeAt(from + k);
    if (a === b) continue;
    const l = a | 0x20;
    if (l !== (b | 0x20) || l < 97 || l > 122) return false;
  }
  return true;
}

const QUOTED_METADATA = ['169.254.169.254', 'metadata.google.internal', '100.100.100.200', 'fd00:ec2::254'];

const isHostChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46;

/** `s[from, to)` is a host name with a dot and a letter in its last label (`evil.com`). */
function dottedName(s: string, from: number, to: number): boolean {
  if (to - from < 3 || to - from > 253) return false;
  let dot = -1;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (!isHostChar(c)) return false;
    if (c === 46) dot = k;
  }
  if (dot <= from || dot >= to - 1) return false;
  const c = s.charCodeAt(to - 1) | 0x20;
  return c >= 97 && c <= 122;
}

/**
 * A URL built so that URL parsers disagree on its host, whatever that host is: the trick behind
 * allow-list bypasses (a validator sees one host, the fetching library another).
 * - `http://good.com/:x@evil.com/` (a `%2f` decoded in the userinfo), `http://good.com\@evil.com`:
 *   a second `user:pass@host` in the first path segment; parsers that allow `/` or `\` in the
 *   userinfo (or a regex like `//([^@]*@)?([^/]+)`) fetch evil.com;
 * - `http://good.com%2f@evil.com` left encoded: a userinfo that ends like a host and a path;
 * - `http://a\b\c.com/`: a host written with escapes some libraries drop;
 * - `http://trusted.com@evil.com/`: a userinfo that is itself a host name (paranoia 2: a few
 *   clone URLs carry a dotted user name).
 */
function authorityConfusion(s: string, t: Target): Hit | undefined {
  const from = s.indexOf('://', t.at) + 3;
  if (from < 3 || from > t.end) return undefined;
  const hit = (score: number, why: string): Hit => ({ score, metadata: false, at: t.at, end: t.end, why });
  // escapes inside the host: `\g\o\o\g\l\e.com`
  if (s.charCodeAt(from) === 92 || s.charCodeAt(t.end) === 92) {
    let escapes = 0;
    for (let k = from; k < s.length && k - from < 256; k++) {
      const c = s.charCodeAt(k);
      if (c === 47 || c === 63 || c === 35 || c <= 32) break;
      if (c === 92 && isHostChar(s.charCodeAt(k + 1))) escapes++;
    }
    if (escapes >= 2) return hit(0.55, 'host written with backslash escapes');
  }
  if (t.userinfo) {
    const at = s.lastIndexOf('@', t.end - 1);
    if (at >= from) {
      const user = s.slice(from, at).toLowerCase();
      if (user.includes('%2f') || user.includes('%5c') || user.includes('%3f') || user.includes('%23'))
        return hit(0.55, 'encoded path separator in the userinfo (parsers disagree on the host)');
      if (user.indexOf(':') < 0 && dottedName(user, 0, user.length))
        return hit(0.4, 'userinfo shaped like a host name');
    }
  }
  // a second authority in the first path segment: `/:x@evil.com`, `\@evil.com`
  const sep = s.charCodeAt(t.end);
  if (sep !== 47 && sep !== 92) return undefined;
  let end = t.end + 1;
  let colon = -1;
  let lastAt = -1;
  while (end < s.length && end - t.end < 256) {
    const c = s.charCodeAt(end);
    if (c === 47 || c === 63 || c === 35 || c <= 32) break;
    if (c === 58 && lastAt < 0 && colon < 0) colon = end;
    if (c === 64) lastAt = end;
    end++;
  }
  if (lastAt < 0 || !dottedName(s, lastAt + 1, end)) return undefined;
  if (colon >= 0 || (sep === 92 && lastAt === t.end + 1))
    return hit(0.55, 'second user:pass@host in the path (parsers disagree on the host)');
  return undefined;
}

/** The stronger of two hits (the first on a tie). */
function stronger(best: Hit | undefined, h: Hit | undefined): Hit | undefined {
  return h !== undefined && (best === undefined || h.score > best.score) ? h : best;
}

function analyze(
  input: InspectedValue,
  paranoia: Paranoia,
  dns: DnsResolverCheck | undefined,
): Hit | undefined {
  // (with a DNS check, before any host is looked up; without one, only once something is found,
  // so that values in which nothing is found never read their location)
  if (dns !== undefined && isIgnoredHeader(input)) return undefined;
  const raw = input.value.length > MAX_SCAN ? input.value.slice(0, MAX_SCAN) : input.value;
  const s = raw.trim();
  // (no closures here: this runs for every value)
  let best: Hit | undefined;
  const targets = s.includes(':') ? findTargets(s) : [];
  // `http://\\l\\o\\c\\a\\l\\h\\o\\s\\t/`: escapes some URL libraries drop
  if (s.includes('\\') && s.includes('://')) {
    for (const t of findTargets(s.replace(/\\/g, '')))
      targets.push({ ...t, at: 0, end: Math.min(s.length, t.end) });
  }
  // every confusion shape needs an `@` or a `\`
  const confusable = targets.length > 0 && (s.includes('@') || s.includes('\\'));
  for (const t of targets) {
    const whatwg = dns === undefined && whatwgRedundant(s, t) ? undefined : whatwgHost(s, t);
    if (whatwg !== undefined && !t.hosts.includes(whatwg)) t.hosts.push(whatwg);
    best = stronger(best, judgeTarget(t, 'url', input, paranoia, dns));
    if (confusable && t.scheme !== undefined) best = stronger(best, authorityConfusion(s, t));
  }
  // a value whose authority is empty or a name no list knows: `hostShaped` and `judgeTarget`
  // find nothing there (without a DNS check), so they are skipped
  if (targets.length === 0 && (dns !== undefined || !plainAuthority(s))) {
    const t = hostShaped(s);
    if (t !== undefined)
      best = stronger(best, judgeTarget(t, t.hasPort || t.hasPath ? 'host' : 'bare', input, paranoia, dns));
  }
  if (best === undefined) {
    // a metadata address quoted inside prose or a command
    for (const m of QUOTED_METADATA) {
      const at = s.indexOf(m);
      if (at >= 0)
        best = stronger(best, {
          score: 0.7,
          metadata: true,
          at,
          end: at + m.length,
          why: `cloud metadata address ${m}`,
        });
    }
  }
  // prose, chat and code talk about local services (`npm start`, then open http://localhost:3000);
  // only the metadata service is worth a finding there at paranoia 1
  if (
    best !== undefined &&
    !best.metadata &&
    (input.profile === 'free-text' || input.profile === 'llm-message' || input.profile === 'code')
  )
    best = { ...best, score: best.score - 0.5 };
  if (best !== undefined && dns === undefined && isIgnoredHeader(input)) return undefined;
  return best;
}

export const ssrfDetector: ValueDetector = {
  kind: 'value',
  id: 'ssrf',
  category: 'ssrf',
  compile(options: SsrfDetectorOptions): (input: InspectedValue) => Finding[] {
    const paranoia = options.paranoia;
    const dns = options.dns;
    return (input) => {
      if (input.value.length === 0) return [];
      const best = analyze(input, paranoia, dns);
      if (best === undefined || best.score < REPORT) return [];
      return [
        {
          category: 'ssrf',
          subtype: best.metadata ? 'ssrf-cloud-metadata' : 'ssrf-internal',
          detector: 'ssrf',
          severity:
            best.score < 0.5 ? 'low' : best.metadata ? 'critical' : best.score >= 0.8 ? 'high' : 'medium',
          score: toEngineScore(best.score),
          location: input.location,
          fragment: input.value.trim().slice(best.at, Math.min(best.end, best.at + 120)),
          message: `SSRF: ${best.why}`,
        },
      ];
    };
  },
};
