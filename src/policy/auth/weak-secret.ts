// Weak HMAC secrets: a built-in list of secrets seen in tutorials, defaults and leaked configs.
// Checked once, off the request path (env.background): when a provider configures an HMAC secret,
// and when an HS* token is first seen for an issuer/kid (the list is tried against its signature).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Finding } from '../../core/findings.js';

export { COMMON_JWT_SECRETS } from '../../core/common-secrets.js';
import { COMMON_JWT_SECRETS } from '../../core/common-secrets.js';

export interface WeakSecretRecord {
  source: 'config' | 'token';
  /** Provider name (config source) or the route where the token was seen. */
  provider?: string;
  route?: string;
  alg?: string;
  issuer?: string;
  kid?: string;
  /** Never the secret itself: its length and position in the built-in list. */
  secretLength: number;
  listIndex: number;
  time: string;
}

const HS_HASH: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

/** Index of the secret in the built-in list (exact bytes), or -1. */
export function weakSecretIndex(secret: Uint8Array): number {
  const text = Buffer.from(secret).toString('utf8');
  return COMMON_JWT_SECRETS.indexOf(text);
}

/**
 * Tries every listed secret against an HS* token's signature. Returns the list index that signs it,
 * or -1. About 150 HMACs: cheap, but still run through env.background, never inline.
 */
export function crackHsToken(token: string): number {
  const parts = token.split('.');
  if (parts.length !== 3) return -1;
  let alg: string;
  try {
    alg = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')).alg;
  } catch {
    return -1;
  }
  const hash = HS_HASH[alg];
  if (!hash) return -1;
  const signature = Buffer.from(parts[2], 'base64url');
  const input = `${parts[0]}.${parts[1]}`;
  for (let i = 0; i < COMMON_JWT_SECRETS.length; i++) {
    const mac = createHmac(hash, COMMON_JWT_SECRETS[i]).update(input).digest();
    if (mac.length === signature.length && timingSafeEqual(mac, signature)) return i;
  }
  return -1;
}

export function weakSecretFinding(record: WeakSecretRecord): Finding {
  return {
    category: 'weak-secrets-crypto',
    subtype: 'weak-jwt-secret',
    detector: 'weak-jwt-secret',
    severity: 'critical',
    score: 1,
    message:
      record.source === 'config'
        ? `JWT provider "${record.provider}" uses a well-known HMAC secret (list entry ${record.listIndex})`
        : `HS token from issuer ${record.issuer ?? '?'} is signed with a well-known secret (list entry ${record.listIndex})`,
  };
}

export interface WeakSecretSink {
  warn(obj: object, msg: string): void;
}

/** Runs the checks once each and keeps the records for the admin API. Bounded. */
export class WeakSecretMonitor {
  readonly records: WeakSecretRecord[] = [];
  private readonly seen = new Set<string>();
  constructor(
    private readonly background: (name: string, task: () => Promise<void>) => void,
    private readonly logger: WeakSecretSink,
    private readonly onWeakSecret?: (record: WeakSecretRecord, finding: Finding) => void,
    private readonly maxSeen = 10_000,
  ) {}

  private emit(record: WeakSecretRecord): void {
    if (this.records.length < 1000) this.records.push(record);
    const finding = weakSecretFinding(record);
    this.logger.warn(
      { weakSecret: record, category: finding.category, subtype: finding.subtype },
      finding.message ?? '',
    );
    this.onWeakSecret?.(record, finding);
  }

  checkConfiguredSecret(provider: string, secret: Uint8Array): void {
    const key = `config:${provider}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.background('weak-secret-config', async () => {
      const index = weakSecretIndex(secret);
      if (index >= 0) {
        this.emit({
          source: 'config',
          provider,
          secretLength: secret.length,
          listIndex: index,
          time: new Date().toISOString(),
        });
      }
    });
  }

  /** Call for every HS* token seen; only the first per (route, issuer, kid, alg) is tested. */
  checkToken(route: string, token: string, header: { alg?: string; kid?: string }, issuer?: string): void {
    const key = `token:${route}:${issuer ?? ''}:${header.kid ?? ''}:${header.alg ?? ''}`;
    if (this.seen.has(key) || this.seen.size >= this.maxSeen) return;
    this.seen.add(key);
    this.background('weak-secret-token', async () => {
      const index = crackHsToken(token);
      if (index >= 0) {
        this.emit({
          source: 'token',
          route,
          alg: header.alg,
          issuer,
          kid: header.kid,
          secretLength: COMMON_JWT_SECRETS[index].length,
          listIndex: index,
          time: new Date().toISOString(),
        });
      }
    });
  }
}
