// Compiles the named providers of config.policy.auth.providers into authenticators that extract a
// credential from a request and verify it. Failure reasons map onto taxonomy findings.
import type { AuthProviderConfig } from '../../config/sections/policy-identity.js';
import type { Finding } from '../../core/findings.js';
import type { Identity } from '../../core/identity.js';
import type { RequestContext } from '../../gateway/phase.js';
import { createApiKeyVerifier } from './api-keys.js';
import { createBasicVerifier, parseBasicHeader } from './basic.js';
import { identityFromClaims } from './identity.js';
import { createJwtVerifier, type JwtFailure, type JwtVerifier } from './jwt.js';

export type AuthResult =
  | { ok: true; identity: Identity; droppedRoles: string[] }
  | {
      ok: false;
      finding: Finding;
      challengeError?: string /** An attack, not a stale credential. */;
      forged?: boolean;
    };

export interface Authenticator {
  readonly name: string;
  readonly type: AuthProviderConfig['type'];
  /** `WWW-Authenticate` challenge for this provider. */
  readonly challenge: string;
  readonly jwt?: JwtVerifier;
  /** The raw credential, or undefined when this provider's credential is absent. */
  extract(ctx: RequestContext): string | undefined;
  authenticate(raw: string): Promise<AuthResult>;
}

function header(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function cookie(ctx: RequestContext, name: string): string | undefined {
  const raw = header(ctx, 'cookie');
  if (!raw || raw.length > 16384) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const JWT_FINDINGS: Record<JwtFailure, Pick<Finding, 'category' | 'subtype' | 'severity'>> = {
  malformed: { category: 'authentication', subtype: 'missing-auth', severity: 'medium' },
  'alg-none': { category: 'authentication', subtype: 'jwt-alg-none', severity: 'high' },
  'alg-not-allowed': {
    category: 'authentication',
    subtype: 'jwt-signature-not-verified',
    severity: 'medium',
  },
  'key-confusion': { category: 'authentication', subtype: 'jwt-key-confusion', severity: 'high' },
  'bad-signature': { category: 'authentication', subtype: 'jwt-signature-not-verified', severity: 'high' },
  'unknown-key': { category: 'authentication', subtype: 'jwt-signature-not-verified', severity: 'medium' },
  'key-unavailable': { category: 'authentication', subtype: 'missing-auth', severity: 'low' },
  expired: { category: 'authentication', subtype: 'jwt-expired-accepted', severity: 'low' },
  'not-yet-valid': { category: 'authentication', subtype: 'jwt-expired-accepted', severity: 'low' },
  'too-old': { category: 'authentication', subtype: 'jwt-expired-accepted', severity: 'low' },
  'bad-issuer': { category: 'authentication', subtype: 'jwt-signature-not-verified', severity: 'medium' },
  'bad-audience': { category: 'authentication', subtype: 'jwt-signature-not-verified', severity: 'medium' },
  'missing-exp': { category: 'session-password', subtype: 'session-no-expiry', severity: 'medium' },
};

const FORGED = new Set<JwtFailure>(['alg-none', 'key-confusion', 'bad-signature']);

export function missingAuthFinding(detector: string, message: string): Finding {
  return {
    category: 'authentication',
    subtype: 'missing-auth',
    detector,
    severity: 'medium',
    score: 1,
    message,
  };
}

export interface CompileProviderOptions {
  baseDir: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

/** Throws Error with a message naming the bad key (relative to the provider). */
export function compileProvider(
  name: string,
  cfg: AuthProviderConfig,
  opts: CompileProviderOptions,
): Authenticator {
  switch (cfg.type) {
    case 'jwt': {
      const jwt = createJwtVerifier(cfg, { baseDir: opts.baseDir, env: opts.env, now: opts.now });
      const acceptedIssuers =
        cfg.issuer === undefined ? undefined : Array.isArray(cfg.issuer) ? cfg.issuer : [cfg.issuer];
      const roleIssuers = cfg.roleIssuers;
      const scheme = cfg.scheme.toLowerCase();
      return {
        name,
        type: 'jwt',
        jwt,
        challenge: `Bearer realm="palisade"`,
        extract(ctx) {
          const value = header(ctx, cfg.header);
          if (value) {
            if (!scheme) return value.trim();
            const space = value.indexOf(' ');
            if (space !== -1 && value.slice(0, space).toLowerCase() === scheme)
              return value.slice(space + 1).trim();
          }
          return cfg.cookie ? cookie(ctx, cfg.cookie) : undefined;
        },
        async authenticate(raw) {
          const result = await jwt.verify(raw);
          if (!result.ok) {
            return {
              ok: false,
              challengeError: 'invalid_token',
              forged: FORGED.has(result.reason),
              finding: {
                ...JWT_FINDINGS[result.reason],
                detector: 'jwt',
                score: 1,
                message: result.message,
              } as Finding,
            };
          }
          const iss = typeof result.payload.iss === 'string' ? result.payload.iss : undefined;
          // Roles are honoured only from issuers trusted for them (default: the accepted issuers).
          const trusted = roleIssuers ?? acceptedIssuers;
          const trustRoles = trusted === undefined || (iss !== undefined && trusted.includes(iss));
          const built = identityFromClaims(result.payload as Record<string, unknown>, {
            method: 'jwt',
            mapping: cfg.claims,
            trustRoles,
          });
          if (!built) {
            return {
              ok: false,
              challengeError: 'invalid_token',
              finding: missingAuthFinding('jwt', 'token carries no subject claim'),
            };
          }
          return { ok: true, identity: built.identity, droppedRoles: built.droppedRoles };
        },
      };
    }
    case 'apiKey': {
      const keys = createApiKeyVerifier(cfg, opts.now);
      return {
        name,
        type: 'apiKey',
        challenge: `ApiKey realm="palisade", header="${cfg.header}"`,
        extract: (ctx) => keys.extract(ctx.headers, ctx.query),
        async authenticate(raw) {
          const identity = await keys.verify(raw);
          return identity
            ? { ok: true, identity, droppedRoles: [] }
            : { ok: false, finding: missingAuthFinding('api-key', 'unknown API key') };
        },
      };
    }
    case 'basic': {
      const basic = createBasicVerifier(cfg, opts.now);
      return {
        name,
        type: 'basic',
        challenge: `Basic realm="${cfg.realm}", charset="UTF-8"`,
        extract(ctx) {
          const value = header(ctx, 'authorization');
          return value && value.slice(0, 6).toLowerCase() === 'basic ' ? value : undefined;
        },
        async authenticate(raw) {
          const creds = parseBasicHeader(raw);
          const identity = creds ? await basic.verify(creds) : undefined;
          return identity
            ? { ok: true, identity, droppedRoles: [] }
            : { ok: false, finding: missingAuthFinding('basic', 'wrong username or password') };
        },
      };
    }
  }
}
