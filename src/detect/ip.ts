/**
 * IP address parsing and classification for SSRF checks, written by hand so that every spelling a
 * resolver accepts is understood: inet_aton forms (decimal `2130706433`, octal `0177.0.0.1`, hex
 * `0x7f.1` / `0x7f000001`, short `127.1`), IPv6 with `::`, zone ids and embedded IPv4
 * (`::ffff:127.0.0.1`, `::ffff:7f00:1`, `::127.0.0.1`, NAT64, 6to4). Pure and bounded.
 */

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unspecified'
  | 'shared'
  | 'metadata'
  | 'reserved'
  | 'multicast'
  | 'unroutable';

export interface ParsedAddress {
  version: 4 | 6;
  /** Canonical text (dotted quad, or the IPv4 inside an IPv6 that embeds one). */
  canonical: string;
  class: AddressClass;
  /** True when the spelling was not the canonical dotted quad / compressed IPv6 (an evasion sign). */
  obfuscated: boolean;
}

const MAX_HOST = 255;

function parsePart(p: string): number | undefined {
  if (p.length === 0 || p.length > 34) return undefined;
  let radix = 10;
  let digits = p;
  if (p.length > 1 && (p[1] === 'x' || p[1] === 'X') && p[0] === '0') {
    radix = 16;
    digits = p.slice(2);
    if (digits.length === 0) return 0;
  } else if (p.length > 1 && p[0] === '0') {
    radix = 8;
    digits = p.slice(1);
  }
  let n = 0;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i) | 0x20;
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else return undefined;
    if (d >= radix) return undefined;
    n = n * radix + d;
    if (n > 0xffffffff) return undefined;
  }
  return n;
}

/**
 * A single number wider than 32 bits (`7147006462`, `0x41414141a9fea9fe`): some resolvers keep only
 * the low 32 bits, which turns it into an address.
 */
function overflowed(p: string): number | undefined {
  // nine characters (`999999999`, `0x1234567`) never exceed 32 bits: skip the BigInt
  if (p.length > 40 || p.length <= 9) return undefined;
  try {
    // same radix rules as parsePart: `0x` hex, a leading `0` octal (`017700000001` is 127.0.0.1)
    const big = /^0x[0-9a-f]+$/i.test(p)
      ? BigInt(p)
      : /^0[0-7]+$/.test(p)
        ? BigInt(`0o${p.slice(1)}`)
        : /^[1-9][0-9]*$/.test(p)
          ? BigInt(p)
          : undefined;
    if (big === undefined || big <= 0xffffffffn) return undefined;
    return Number(big & 0xffffffffn);
  } catch {
    return undefined;
  }
}

/** Every part written as plain decimal (`127`, not `0177` or `0x7f`). */
function allCanonicalDecimal(parts: readonly string[]): boolean {
  for (const p of parts) if (p !== String(Number.parseInt(p, 10))) return false;
  return true;
}

/** inet_aton: 1 to 4 parts, each decimal/octal/hex, the last one filling the remaining bytes. */
export function parseIPv4Loose(host: string): { value: number; canonicalSpelling: boolean } | undefined {
  if (host.length === 0 || host.length > 64) return undefined;
  const h = host.endsWith('.') ? host.slice(0, -1) : host;
  const parts = h.split('.');
  if (parts.length === 1) {
    const wide = overflowed(parts[0]);
    if (wide !== undefined) return { value: wide >>> 0, canonicalSpelling: false };
  }
  if (parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    const n = parsePart(p);
    if (n === undefined) return undefined;
    nums.push(n);
  }
  let value = 0;
  for (let i = 0; i < nums.length - 1; i++) {
    if (nums[i] > 255) return undefined;
    value = value * 256 + nums[i];
  }
  const last = nums[nums.length - 1];
  const remaining = 5 - nums.length;
  if (last >= 256 ** remaining) return undefined;
  value = value * 256 ** remaining + last;
  const canonicalSpelling = parts.length === 4 && allCanonicalDecimal(parts);
  return { value: value >>> 0, canonicalSpelling };
}

export function ipv4ToString(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

const METADATA_V4 = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '100.100.100.200',
  '192.0.0.192',
  '168.63.129.16',
]);

export function classifyIPv4(v: number): AddressClass {
  const s = ipv4ToString(v);
  if (METADATA_V4.has(s)) return 'metadata';
  const a = v >>> 24;
  const b = (v >>> 16) & 255;
  if (v === 0) return 'unspecified';
  // 0.x.y.z: "this network" as a source only; a socket to it fails (or, where 0/8 is unicast,
  // reaches nothing local), so it is not a way in. 0.0.0.0 itself means this host.
  if (a === 0) return 'unroutable';
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 100 && b >= 64 && b <= 127) return 'shared';
  if (a === 192 && b === 0 && ((v >>> 8) & 255) === 0) return 'reserved';
  if (a === 198 && (b === 18 || b === 19)) return 'reserved';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved';
  return 'public';
}

/** Characters an IPv6 literal (before its `%zone`) can hold for `parseIPv6`. */
const IPV6_CHARS = /^[0-9a-fx:.\x10-\x19]*$/i;

/** One side of `::` (or the whole address): hex groups, optionally ending in an IPv4 tail. */
function parseSide(side: string, allowV4: boolean): number[] | undefined {
  if (side.length === 0) return [];
  const out: number[] = [];
  const parts = side.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (allowV4 && i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIPv4Loose(p);
      if (v4 === undefined || p.split('.').length !== 4) return undefined;
      out.push((v4.value >>> 16) & 0xffff, v4.value & 0xffff);
      continue;
    }
    if (p.length === 0 || p.length > 4) return undefined;
    const n = Number.parseInt(p, 16);
    if (Number.isNaN(n) || !/^[0-9a-fA-F]+$/.test(p)) return undefined;
    out.push(n);
  }
  return out;
}

/** Parses an IPv6 literal (no brackets; a `%zone` suffix is dropped) into 8 groups. */
export function parseIPv6(input: string): number[] | undefined {
  if (input.length === 0 || input.length > 64) return undefined;
  const pct = input.indexOf('%');
  const host = pct >= 0 ? input.slice(0, pct) : input;
  if (!host.includes(':')) return undefined;
  // groups are hex; an embedded IPv4 tail may use inet_aton forms (see parsePart): nothing else
  if (!IPV6_CHARS.test(host)) return undefined;
  const dbl = host.indexOf('::');
  if (dbl >= 0 && host.indexOf('::', dbl + 1) >= 0) return undefined;
  let groups: number[] | undefined;
  if (dbl >= 0) {
    const left = parseSide(host.slice(0, dbl), false);
    const right = parseSide(host.slice(dbl + 2), true);
    if (left === undefined || right === undefined || left.length + right.length > 7) return undefined;
    groups = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  } else {
    groups = parseSide(host, true);
    if (groups === undefined || groups.length !== 8) return undefined;
  }
  return groups;
}

function v4FromGroups(hi: number, lo: number): number {
  return ((hi << 16) | lo) >>> 0;
}

export function classifyIPv6(g: number[]): { class: AddressClass; embedded?: number } {
  const zeroTo = (n: number): boolean => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return { class: 'unspecified' };
  if (zeroTo(7) && g[7] === 1) return { class: 'loopback' };
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64), ::ffff:0:a.b.c.d
  if (
    (zeroTo(5) && g[5] === 0xffff) ||
    zeroTo(6) ||
    (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0))
  ) {
    const v = v4FromGroups(g[6], g[7]);
    return { class: classifyIPv4(v), embedded: v };
  }
  if (zeroTo(4) && g[4] === 0xffff && g[5] === 0) {
    const v = v4FromGroups(g[6], g[7]);
    return { class: classifyIPv4(v), embedded: v };
  }
  // 6to4: 2002:AABB:CCDD::
  if (g[0] === 0x2002) {
    const v = v4FromGroups(g[1], g[2]);
    const c = classifyIPv4(v);
    if (c !== 'public') return { class: c, embedded: v };
  }
  if (g[0] === 0xfd00 && g[1] === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254) {
    return { class: 'metadata' };
  }
  if ((g[0] & 0xfe00) === 0xfc00) return { class: 'private' };
  if ((g[0] & 0xffc0) === 0xfe80) return { class: 'link-local' };
  if ((g[0] & 0xffc0) === 0xfec0) return { class: 'private' }; // deprecated site-local
  if ((g[0] & 0xff00) === 0xff00) return { class: 'multicast' };
  // outside 2000::/3 nothing is allocated for the internet (`[a::b]`, `[dead:beef::1]`): such an
  // address can only reach something on a network that routes it itself
  if ((g[0] & 0xe000) !== 0x2000) return { class: 'reserved' };
  return { class: 'public' };
}

/**
 * Parses a host as written in a URL authority (`[::1]`, `0x7f.1`, `127.0.0.1.`) into an address,
 * or undefined when it is a name.
 */
export function parseHostAddress(rawHost: string): ParsedAddress | undefined {
  if (rawHost.length === 0 || rawHost.length > MAX_HOST) return undefined;
  let host = rawHost;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    host = host.slice(1, end < 0 ? undefined : end);
    const g = parseIPv6(host);
    if (g === undefined) return undefined;
    return fromV6(g, host);
  }
  if (host.includes(':')) {
    const g = parseIPv6(host);
    return g === undefined ? undefined : fromV6(g, host);
  }
  const v4 = parseIPv4Loose(host);
  if (v4 === undefined) return undefined;
  return {
    version: 4,
    canonical: ipv4ToString(v4.value),
    class: classifyIPv4(v4.value),
    obfuscated: !v4.canonicalSpelling,
  };
}

function fromV6(g: number[], text: string): ParsedAddress {
  const c = classifyIPv6(g);
  return {
    version: 6,
    canonical: c.embedded !== undefined ? ipv4ToString(c.embedded) : text.toLowerCase(),
    class: c.class,
    obfuscated: c.embedded !== undefined,
  };
}

/** Whether an address class is reachable only from inside (or is the cloud metadata service). */
export function isInternalClass(c: AddressClass): boolean {
  return c !== 'public' && c !== 'multicast' && c !== 'unroutable';
}
