// HTTP Basic users with scrypt password hashes (format: scrypt:<N>:<r>:<p>:<salt hex>:<key hex>,
// produced by hashSecret() in hash.ts). Unknown usernames still cost one scrypt run against a dummy
// hash, so response time does not reveal which usernames exist. Successful checks are cached for a
// minute under sha256(username:password) so a busy client does not pay scrypt on every request.
import type { BasicProviderConfig } from '../../config/sections/policy-identity.js';
import type { Identity } from '../../core/identity.js';
import { BoundedCache, type ParsedHash, parseHash, sha256Hex, verifySecret } from './hash.js';

export interface BasicCredentials {
  username: string;
  password: string;
}

export interface BasicVerifier {
  readonly realm: string;
  verify(creds: BasicCredentials): Promise<Identity | undefined>;
}

/** Parses `Basic base64(user:pass)`; undefined for anything else. */
export function parseBasicHeader(value: string | undefined): BasicCredentials | undefined {
  if (!value || value.length > 4096) return undefined;
  const space = value.indexOf(' ');
  if (space === -1 || value.slice(0, space).toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value.slice(space + 1).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// A fixed scrypt hash of a random string: verifies nothing, costs the same as a real check.
const DUMMY = parseHash(
  'scrypt:16384:8:1:00112233445566778899aabbccddeeff:0000000000000000000000000000000000000000000000000000000000000000',
);

export function createBasicVerifier(cfg: BasicProviderConfig, now: () => number = Date.now): BasicVerifier {
  const users = new Map<string, { hash: ParsedHash; user: BasicProviderConfig['users'][number] }>();
  cfg.users.forEach((u, i) => {
    let hash: ParsedHash;
    try {
      hash = parseHash(u.hash);
    } catch (err) {
      throw new Error(`users.${i}.hash: ${(err as Error).message}`);
    }
    if (hash.kind !== 'scrypt')
      throw new Error(`users.${i}.hash: passwords need a scrypt hash (sha256 is too fast)`);
    if (users.has(u.username)) throw new Error(`users.${i}.username: duplicate user "${u.username}"`);
    users.set(u.username, { hash, user: u });
  });
  const cache = new BoundedCache<true>(10_000, 60_000, now);
  return {
    realm: cfg.realm,
    async verify({ username, password }) {
      if (password.length > 1024) return undefined;
      const entry = users.get(username);
      const cacheKey = sha256Hex(`${username}\u0000${password}`);
      let ok = entry !== undefined && cache.get(cacheKey) === true;
      if (!ok) {
        ok = await verifySecret(password, entry?.hash ?? DUMMY);
        if (!entry) ok = false;
        if (ok) cache.set(cacheKey, true);
      }
      if (!ok || !entry) return undefined;
      return {
        subject: username,
        method: 'basic',
        roles: [...entry.user.roles],
        scopes: [...entry.user.scopes],
        tenant: entry.user.tenant,
        credentialId: `basic:${username}`,
        claims: {},
      };
    },
  };
}
