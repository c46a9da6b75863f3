import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

const COMMON_CONNECTION = new Set(['keep-alive', 'close', 'Keep-Alive', 'Close', 'upgrade']);

/** Header names to drop when relaying: the fixed hop-by-hop set plus those the Connection header lists. */
export function hopByHop(connection: string | string[] | undefined): Set<string> {
  // The usual values name nothing beyond the fixed set: no allocation on the hot path.
  if (!connection || (typeof connection === 'string' && COMMON_CONNECTION.has(connection))) return HOP_BY_HOP;
  const extra = (Array.isArray(connection) ? connection.join(',') : connection)
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t && !HOP_BY_HOP.has(t));
  return extra.length ? new Set([...HOP_BY_HOP, ...extra]) : HOP_BY_HOP;
}

export function buildTrustedProxies(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, bits] = entry.split('/');
    const type = isIPv6(addr) ? 'ipv6' : 'ipv4';
    if (!isIPv4(addr) && !isIPv6(addr)) throw new Error(`not an IP address or CIDR: ${entry}`);
    if (bits !== undefined) list.addSubnet(addr, Number(bits), type);
    else list.addAddress(addr, type);
  }
  return list;
}

function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}

export function isTrusted(list: BlockList, ip: string): boolean {
  const addr = normaliseIp(ip);
  if (isIPv4(addr)) return list.check(addr, 'ipv4');
  if (isIPv6(addr)) return list.check(addr, 'ipv6');
  return false;
}

/**
 * The client address: the socket peer, unless the peer is a trusted proxy, in which case the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy.
 */
export function clientAddress(
  peer: string,
  headers: IncomingHttpHeaders,
  trusted: BlockList,
  anyTrusted: boolean,
): string {
  const socketIp = normaliseIp(peer);
  if (!anyTrusted || !isTrusted(trusted, socketIp)) return socketIp;
  const xff = headers['x-forwarded-for'];
  if (!xff) return socketIp;
  const hops = (Array.isArray(xff) ? xff.join(',') : xff).split(',').map((h) => h.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normaliseIp(hops[i]);
    if (!isIPv4(hop) && !isIPv6(hop)) return socketIp;
    if (!isTrusted(trusted, hop)) return hop;
  }
  return socketIp;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export function acceptableRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && REQUEST_ID.test(value) ? value : undefined;
}
