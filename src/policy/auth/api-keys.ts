// API keys: stored hashed in config (sha256 for high-entropy keys, scrypt otherwise), compared in
// constant time. sha256 keys are looked up by digest; scrypt keys are tried one by one, so results
// are cached (keyed by the presented key's sha256) to keep scrypt off the hot path after the first use.
import type { ApiKeyProviderConfig } from '../../config/sections/policy-identity.js';
import type { Identity } from '../../core/identity.js';
import { BoundedCache, type ParsedHash, parseHash, sha256, sha256Hex, verifySecret } from './hash.js';
import { timingSafeEqual } from 'node:crypto';

interface KeyEntry {
  id: string;
  hash: ParsedHash;
  identity: Omit<Identity, 'claims'>;
}

export interface ApiKeyVerifier {
  /** The presented key, from the header or query; undefined when absent. */
  extract(headers: Record<string, string | string[] | undefined>, query: URLSearchParams): string | undefined;
  verify(key: string): Promise<Identity | undefined>;
}

/** Throws Error("keys.N.hash: …") for unparsable hashes. */
export function createApiKeyVerifier(
  cfg: ApiKeyProviderConfig,
  now: () => number = Date.now,
): ApiKeyVerifier {
  const entries: KeyEntry[] = cfg.keys.map((k, i) => {
    let hash: ParsedHash;
    try {
      hash = parseHash(k.hash);
    } catch (err) {
      throw new Error(`keys.${i}.hash: ${(err as Error).message}`);
    }
    return {
      id: k.id,
      hash,
      identity: {
        subject: k.subject ?? k.id,
        method: 'api-key',
        roles: k.roles,
        scopes: k.scopes,
        tenant: k.tenant,
        credentialId: k.id,
      },
    };
  });
  const bySha = new Map<string, KeyEntry>();
  const scryptEntries: KeyEntry[] = [];
  for (const e of entries) {
    if (e.hash.kind === 'sha256') bySha.set(e.hash.digest.toString('hex'), e);
    else scryptEntries.push(e);
  }
  const cache = new BoundedCache<KeyEntry | null>(10_000, 60_000, now);
  const header = cfg.header.toLowerCase();

  const toIdentity = (e: KeyEntry): Identity => ({
    ...e.identity,
    roles: [...e.identity.roles],
    scopes: [...e.identity.scopes],
    claims: {},
  });

  return {
    extract(headers, query) {
      const h = headers[header];
      const value = Array.isArray(h) ? h[0] : h;
      if (value) return value.trim();
      if (cfg.query) return query.get(cfg.query) ?? undefined;
      return undefined;
    },
    async verify(key) {
      if (key.length === 0 || key.length > 4096) return undefined;
      const digest = sha256(key);
      const hex = digest.toString('hex');
      const direct = bySha.get(hex);
      // The map lookup is on a digest of the secret; confirm in constant time all the same.
      if (direct && direct.hash.kind === 'sha256' && timingSafeEqual(digest, direct.hash.digest))
        return toIdentity(direct);
      if (scryptEntries.length === 0) return undefined;
      const cached = cache.get(hex);
      if (cached !== undefined) return cached ? toIdentity(cached) : undefined;
      let found: KeyEntry | null = null;
      for (const e of scryptEntries) {
        if (await verifySecret(key, e.hash)) {
          found = e;
          break;
        }
      }
      cache.set(hex, found);
      return found ? toIdentity(found) : undefined;
    },
  };
}

export { sha256Hex };
