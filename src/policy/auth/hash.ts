// Hashed secrets in config. Two formats:
//   sha256:<64 hex>                               for high-entropy API keys only
//   scrypt:<N>:<r>:<p>:<salt hex>:<derived key hex> for passwords (and keys, if you like)
// `hashSecret(secret)` produces the scrypt form (N=16384, r=8, p=1, 16-byte salt, 32-byte key).
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

export type ParsedHash =
  | { kind: 'sha256'; digest: Buffer }
  | { kind: 'scrypt'; N: number; r: number; p: number; salt: Buffer; key: Buffer };

const HEX = /^[0-9a-f]+$/i;

/** Parses a stored hash; throws an Error whose message says what is wrong. */
export function parseHash(text: string): ParsedHash {
  const parts = text.split(':');
  if (parts[0] === 'sha256' && parts.length === 2) {
    if (parts[1].length !== 64 || !HEX.test(parts[1]))
      throw new Error('sha256 hash must be 64 hex characters');
    return { kind: 'sha256', digest: Buffer.from(parts[1], 'hex') };
  }
  if (parts.length === 1 && text.length === 64 && HEX.test(text)) {
    return { kind: 'sha256', digest: Buffer.from(text, 'hex') };
  }
  if (parts[0] === 'scrypt' && parts.length === 6) {
    const [N, r, p] = parts.slice(1, 4).map(Number);
    if (!Number.isInteger(N) || N < 1024 || (N & (N - 1)) !== 0 || N > 2 ** 20)
      throw new Error('scrypt N must be a power of two between 1024 and 1048576');
    if (!Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16)
      throw new Error('scrypt r must be 1-32 and p 1-16');
    if (!HEX.test(parts[4]) || parts[4].length < 16) throw new Error('scrypt salt must be ≥ 8 bytes of hex');
    if (!HEX.test(parts[5]) || parts[5].length < 32) throw new Error('scrypt key must be ≥ 16 bytes of hex');
    return { kind: 'scrypt', N, r, p, salt: Buffer.from(parts[4], 'hex'), key: Buffer.from(parts[5], 'hex') };
  }
  throw new Error('expected sha256:<hex> or scrypt:<N>:<r>:<p>:<salt hex>:<key hex>');
}

export function sha256(data: string | Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function scrypt(
  secret: string,
  salt: Buffer,
  keylen: number,
  N: number,
  r: number,
  p: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(secret, salt, keylen, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Constant-time comparison of a presented secret against a parsed hash. */
export async function verifySecret(secret: string, hash: ParsedHash): Promise<boolean> {
  if (hash.kind === 'sha256') return timingSafeEqual(sha256(secret), hash.digest);
  const derived = await scrypt(secret, hash.salt, hash.key.length, hash.N, hash.r, hash.p);
  return timingSafeEqual(derived, hash.key);
}

/** Produces `scrypt:16384:8:1:<salt>:<key>` for a secret (for docs and a future CLI command). */
export async function hashSecret(secret: string, N = 16384): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, 32, N, 8, 1);
  return `scrypt:${N}:8:1:${salt.toString('hex')}:${key.toString('hex')}`;
}

/** A small bounded map that forgets the oldest entry first; for verified-credential caches. */
export class BoundedCache<V> {
  private readonly map = new Map<string, { value: V; expiresAt: number }>();
  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}
  get(key: string): V | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    return entry.value;
  }
  set(key: string, value: V): void {
    if (this.map.size >= this.max && !this.map.has(key)) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    this.map.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }
  get size(): number {
    return this.map.size;
  }
}
