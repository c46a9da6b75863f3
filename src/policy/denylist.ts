// Deny-list of tokens (by jti, subject or sha256 of the raw token) and client addresses (single
// IPs and CIDRs, IPv4 and IPv6), each with an optional expiry, stored through SharedState so that
// several gateways share it. Token entries are looked up by key on every request (effective at
// once everywhere); address entries are held in a net.BlockList rebuilt on every local change and
// re-read from shared state every `refreshInterval` (effective at once locally).
import { randomUUID } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { parseDuration } from '../config/common.js';
import type { Identity } from '../core/identity.js';
import type { AdminHandler } from '../gateway/phase-env.js';
import type { SharedState } from '../store/shared-state.js';
import { sha256Hex } from './auth/hash.js';

export type DenyType = 'jti' | 'subject' | 'token' | 'ip' | 'cidr';
export const DENY_INPUT_TYPES = ['jti', 'subject', 'token', 'tokenHash', 'ip', 'cidr'] as const;

export interface DenyEntry {
  id: string;
  type: DenyType;
  /** For tokens: the sha256 hex of the raw token (the raw token is never stored). */
  value: string;
  reason?: string;
  createdAt: string;
  expiresAt?: string;
}

export interface DenyInput {
  type: (typeof DENY_INPUT_TYPES)[number];
  value: string;
  reason?: string;
  /** Lifetime in ms; forever when absent. */
  ttlMs?: number;
  id?: string;
}

export class DenyListInputError extends Error {}

const ENTRY = 'deny:e:';
const KEY = 'deny:k:';
const HEX64 = /^[0-9a-f]{64}$/;

/** Strips the IPv4-mapped IPv6 prefix so ::ffff:10.0.0.1 is checked as 10.0.0.1. */
export function normalizeIp(ip: string): string {
  const lower = ip.toLowerCase();
  if (lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4) return lower.slice(7);
  return lower;
}

function parseCidr(value: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const slash = value.indexOf('/');
  const address = normalizeIp(slash === -1 ? value : value.slice(0, slash));
  const version = isIP(address);
  if (version === 0) throw new DenyListInputError(`"${value}" is not an IP address or CIDR`);
  const max = version === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max)
    throw new DenyListInputError(`bad prefix length in "${value}" (0-${max})`);
  return { address, prefix: Number(prefixText), family: version === 4 ? 'ipv4' : 'ipv6' };
}

function lookupKey(type: DenyType, value: string): string {
  return `${KEY}${type}:${value}`;
}

export interface DenyListOptions {
  refreshIntervalMs: number;
  maxEntries: number;
  now?: () => number;
}

export class DenyList {
  private addresses: DenyEntry[] = [];
  private blockList = new BlockList();
  private readonly timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(
    private readonly state: SharedState,
    private readonly opts: DenyListOptions,
  ) {
    this.now = opts.now ?? Date.now;
    if (opts.refreshIntervalMs > 0) {
      this.timer = setInterval(() => void this.refresh().catch(() => undefined), opts.refreshIntervalMs);
      this.timer.unref();
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Validates and stores an entry; effective immediately. */
  async add(input: DenyInput): Promise<DenyEntry> {
    if (!DENY_INPUT_TYPES.includes(input.type)) throw new DenyListInputError(`unknown type "${input.type}"`);
    if (typeof input.value !== 'string' || input.value.length === 0 || input.value.length > 8192)
      throw new DenyListInputError('value must be a non-empty string');
    if (input.ttlMs !== undefined && (!Number.isFinite(input.ttlMs) || input.ttlMs <= 0))
      throw new DenyListInputError('ttl must be positive');
    let type: DenyType;
    let value: string;
    switch (input.type) {
      case 'token':
        type = 'token';
        value = sha256Hex(input.value.trim());
        break;
      case 'tokenHash':
        type = 'token';
        value = input.value.toLowerCase();
        if (!HEX64.test(value)) throw new DenyListInputError('tokenHash must be 64 hex characters (sha256)');
        break;
      case 'ip':
      case 'cidr': {
        const parsed = parseCidr(input.value.trim());
        type = input.type === 'ip' && !input.value.includes('/') ? 'ip' : 'cidr';
        value = type === 'ip' ? parsed.address : `${parsed.address}/${parsed.prefix}`;
        break;
      }
      default:
        type = input.type;
        value = input.value;
    }
    const existing = await this.state.keys(ENTRY, this.opts.maxEntries);
    if (existing.length >= this.opts.maxEntries && !input.id)
      throw new DenyListInputError('deny-list is full');
    const createdAt = new Date(this.now());
    const entry: DenyEntry = {
      id: input.id ?? randomUUID(),
      type,
      value,
      ...(input.reason ? { reason: String(input.reason).slice(0, 500) } : {}),
      createdAt: createdAt.toISOString(),
      ...(input.ttlMs ? { expiresAt: new Date(createdAt.getTime() + input.ttlMs).toISOString() } : {}),
    };
    const ttl = input.ttlMs ?? 0;
    await this.state.set(ENTRY + entry.id, JSON.stringify(entry), ttl);
    if (type !== 'ip' && type !== 'cidr') await this.state.set(lookupKey(type, value), entry.id, ttl);
    else this.addAddress(entry);
    return entry;
  }

  async remove(id: string): Promise<boolean> {
    const raw = await this.state.get(ENTRY + id);
    if (!raw) return false;
    const entry = JSON.parse(raw) as DenyEntry;
    await this.state.delete(ENTRY + id);
    if (entry.type === 'ip' || entry.type === 'cidr') {
      this.addresses = this.addresses.filter((e) => e.id !== id);
      this.rebuild();
    } else await this.state.delete(lookupKey(entry.type, entry.value));
    return true;
  }

  async list(limit = 1000): Promise<DenyEntry[]> {
    const keys = await this.state.keys(ENTRY, limit);
    const out: DenyEntry[] = [];
    for (const key of keys) {
      const raw = await this.state.get(key);
      if (raw) out.push(JSON.parse(raw) as DenyEntry);
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Re-reads address entries from shared state (other gateways' additions, expiries). */
  async refresh(): Promise<void> {
    const entries = await this.list(this.opts.maxEntries);
    this.addresses = entries.filter((e) => e.type === 'ip' || e.type === 'cidr');
    this.rebuild();
  }

  private addAddress(entry: DenyEntry): void {
    this.addresses = this.addresses.filter((e) => e.id !== entry.id);
    this.addresses.push(entry);
    this.rebuild();
  }

  private rebuild(): void {
    const list = new BlockList();
    for (const e of this.addresses) {
      const { address, prefix, family } = parseCidr(e.value);
      list.addSubnet(address, prefix, family);
    }
    this.blockList = list;
  }

  private live(entry: DenyEntry): boolean {
    return !entry.expiresAt || Date.parse(entry.expiresAt) > this.now();
  }

  checkIp(ip: string): DenyEntry | undefined {
    if (this.addresses.length === 0) return undefined;
    const address = normalizeIp(ip);
    const version = isIP(address);
    if (version === 0) return undefined;
    const family = version === 4 ? 'ipv4' : 'ipv6';
    if (!this.blockList.check(address, family)) return undefined;
    // Rare path: find which entry matched (and honour expiry between refreshes).
    for (const e of this.addresses) {
      if (!this.live(e)) continue;
      const c = parseCidr(e.value);
      if (c.family !== family) continue;
      const one = new BlockList();
      one.addSubnet(c.address, c.prefix, c.family);
      if (one.check(address, family)) return e;
    }
    return undefined;
  }

  private async byKey(type: DenyType, value: string): Promise<DenyEntry | undefined> {
    const id = await this.state.get(lookupKey(type, value));
    if (!id) return undefined;
    const raw = await this.state.get(ENTRY + id);
    if (!raw) return undefined;
    const entry = JSON.parse(raw) as DenyEntry;
    return this.live(entry) ? entry : undefined;
  }

  checkToken(rawToken: string): Promise<DenyEntry | undefined> {
    return this.byKey('token', sha256Hex(rawToken));
  }

  async checkIdentity(identity: Identity): Promise<DenyEntry | undefined> {
    const bySubject = await this.byKey('subject', identity.subject);
    if (bySubject) return bySubject;
    if (identity.credentialId) return this.byKey('jti', identity.credentialId);
    return undefined;
  }

  /** Admin API handlers: GET/POST /api/deny-list, DELETE /api/deny-list/:id. */
  adminRoutes(): { method: string; pattern: string; handler: AdminHandler }[] {
    return [
      {
        method: 'GET',
        pattern: '/api/deny-list',
        handler: async (req) => {
          const limit = Math.min(Number(req.query.get('limit') ?? 1000) || 1000, 10_000);
          return { status: 200, body: { entries: await this.list(limit) } };
        },
      },
      {
        method: 'POST',
        pattern: '/api/deny-list',
        handler: async (req) => {
          const body = (req.body ?? {}) as Record<string, unknown>;
          try {
            let ttlMs: number | undefined;
            if (typeof body.ttl === 'number') ttlMs = body.ttl;
            else if (typeof body.ttl === 'string') ttlMs = parseDuration(body.ttl);
            else if (typeof body.expiresAt === 'string') ttlMs = Date.parse(body.expiresAt) - this.now();
            const entry = await this.add({
              type: body.type as DenyInput['type'],
              value: body.value as string,
              reason: typeof body.reason === 'string' ? body.reason : undefined,
              ttlMs,
            });
            return { status: 201, body: { entry } };
          } catch (err) {
            const message =
              err instanceof DenyListInputError || err instanceof Error ? err.message : 'bad input';
            return { status: 400, body: { error: 'PAL_ERR_BAD_REQUEST', message } };
          }
        },
      },
      {
        method: 'DELETE',
        pattern: '/api/deny-list/:id',
        handler: async (req) =>
          (await this.remove(req.params.id ?? ''))
            ? { status: 204 }
            : { status: 404, body: { error: 'PAL_ERR_NOT_FOUND', message: 'no such deny-list entry' } },
      },
    ];
  }
}
