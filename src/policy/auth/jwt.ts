// JWT verification with jose: one key source per provider (JWKS URL, PEM file, inline JWK or HMAC
// secret), an explicit algorithm allow-list restricted to the key's family (an HMAC secret only
// verifies HS*, an RSA key only RS and PS, an EC key only its curve's ES, an OKP key only EdDSA),
// `none` never, exp/nbf/iss/aud with clock skew, tokens without exp refused unless allowed.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import type { JwtAlgorithm, JwtProviderConfig } from '../../config/sections/policy-identity.js';
import { BoundedCache, sha256Hex } from './hash.js';

export type JwtFailure =
  | 'malformed'
  | 'alg-none'
  | 'alg-not-allowed'
  | 'key-confusion'
  | 'bad-signature'
  | 'unknown-key'
  | 'key-unavailable'
  | 'expired'
  | 'not-yet-valid'
  | 'too-old'
  | 'bad-issuer'
  | 'bad-audience'
  | 'missing-exp';

export type JwtResult =
  | { ok: true; payload: JWTPayload; header: ProtectedHeaderParameters }
  | { ok: false; reason: JwtFailure; message: string; header?: ProtectedHeaderParameters };

type KeyFamily = 'hmac' | 'rsa' | 'rsa-pss' | 'ec-p256' | 'ec-p384' | 'ec-p521' | 'okp' | 'jwks';

const FAMILY_ALGS: Record<KeyFamily, readonly JwtAlgorithm[]> = {
  hmac: ['HS256', 'HS384', 'HS512'],
  rsa: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  'rsa-pss': ['PS256', 'PS384', 'PS512'],
  'ec-p256': ['ES256'],
  'ec-p384': ['ES384'],
  'ec-p521': ['ES512'],
  okp: ['EdDSA', 'Ed25519'],
  jwks: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'],
};
const DEFAULT_ALGS: Record<KeyFamily, readonly JwtAlgorithm[]> = {
  ...FAMILY_ALGS,
  hmac: ['HS256'],
  rsa: ['RS256', 'PS256'],
};

/** Maximum accepted token length: larger values are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

export interface JwtVerifier {
  readonly family: KeyFamily;
  readonly algorithms: readonly JwtAlgorithm[];
  /** The HMAC secret, when this provider uses one (for the weak-secret check). */
  readonly hmacSecret?: Uint8Array;
  verify(token: string): Promise<JwtResult>;
  /** Fetches the JWKS ahead of the first request (JWKS providers only). */
  prefetch?(): Promise<void>;
}

export interface JwtVerifierOptions {
  baseDir: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

/** Replaces `${NAME}` with the environment value; throws when a variable is missing. */
export function expandEnv(text: string, env: NodeJS.ProcessEnv): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    if (start === -1) {
      out += text.slice(i);
      break;
    }
    const end = text.indexOf('}', start + 2);
    if (end === -1) throw new Error('unterminated ${ in secret');
    const name = text.slice(start + 2, end);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`bad environment variable name "${name}"`);
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
    out += text.slice(i, start) + value;
    i = end + 1;
  }
  return out;
}

function familyOf(key: KeyObject): KeyFamily {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'rsa';
    case 'rsa-pss':
      return 'rsa-pss';
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1' || curve === 'P-256') return 'ec-p256';
      if (curve === 'secp384r1' || curve === 'P-384') return 'ec-p384';
      if (curve === 'secp521r1' || curve === 'P-521') return 'ec-p521';
      throw new Error(`unsupported EC curve ${curve}`);
    }
    case 'ed25519':
    case 'ed448':
      return 'okp';
    default:
      throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
  }
}

type Key = Uint8Array | KeyObject | ReturnType<typeof createRemoteJWKSet>;

/**
 * Compiles a provider. Throws Error(message) for bad settings; the caller adds the key path.
 * Messages name the setting (`algorithms`, `secret`, …) first.
 */
export function createJwtVerifier(cfg: JwtProviderConfig, opts: JwtVerifierOptions): JwtVerifier {
  const sources = [cfg.jwksUrl, cfg.publicKeyFile, cfg.jwk, cfg.secret].filter((s) => s !== undefined);
  if (sources.length !== 1) throw new Error('set exactly one of jwksUrl, publicKeyFile, jwk, secret');
  const now = opts.now ?? Date.now;

  let family: KeyFamily;
  let key: Key;
  let hmacSecret: Uint8Array | undefined;
  let prefetch: (() => Promise<void>) | undefined;
  if (cfg.secret !== undefined) {
    const text = expandEnv(cfg.secret, opts.env ?? process.env);
    hmacSecret = new TextEncoder().encode(text);
    if (hmacSecret.length === 0) throw new Error('secret: empty');
    family = 'hmac';
    key = hmacSecret;
  } else if (cfg.jwksUrl !== undefined) {
    const url = new URL(cfg.jwksUrl);
    const jwks = createRemoteJWKSet(url, {
      timeoutDuration: cfg.jwks.timeout,
      cooldownDuration: cfg.jwks.cooldown,
      cacheMaxAge: cfg.jwks.cacheMaxAge,
    });
    family = 'jwks';
    key = jwks;
    prefetch = () => jwks.reload();
  } else {
    let keyObject: KeyObject;
    if (cfg.publicKeyFile !== undefined) {
      const file = isAbsolute(cfg.publicKeyFile)
        ? cfg.publicKeyFile
        : resolve(opts.baseDir, cfg.publicKeyFile);
      let pem: string;
      try {
        pem = readFileSync(file, 'utf8');
      } catch (err) {
        throw new Error(`publicKeyFile: cannot read ${file}: ${(err as Error).message}`);
      }
      try {
        keyObject = createPublicKey(pem);
      } catch (err) {
        throw new Error(`publicKeyFile: not a PEM public key or certificate: ${(err as Error).message}`);
      }
    } else {
      const jwk = cfg.jwk as Record<string, unknown>;
      if (jwk.kty === 'oct') throw new Error('jwk: symmetric (oct) keys belong in `secret`, not `jwk`');
      if ('d' in jwk) throw new Error('jwk: a private key was given; configure the public key only');
      try {
        keyObject = createPublicKey({ key: jwk as never, format: 'jwk' });
      } catch (err) {
        throw new Error(`jwk: not a usable public key: ${(err as Error).message}`);
      }
    }
    family = familyOf(keyObject);
    key = keyObject;
  }

  const allowedForFamily = FAMILY_ALGS[family];
  const algorithms = cfg.algorithms ?? DEFAULT_ALGS[family];
  for (const alg of algorithms) {
    if (!allowedForFamily.includes(alg)) {
      throw new Error(
        `algorithms: ${alg} cannot be verified with a ${family} key (allowed: ${allowedForFamily.join(', ')}); ` +
          'mixing HMAC and public-key algorithms enables key confusion',
      );
    }
  }
  const algSet = new Set<string>(algorithms);
  const clockTolerance = Math.ceil(cfg.clockSkew / 1000);
  const maxTokenAge = cfg.maxTokenAge !== undefined ? Math.ceil(cfg.maxTokenAge / 1000) : undefined;

  // Verified tokens are remembered (by sha256) until they expire or for at most a minute, so a
  // client re-sending its token costs a hash and a lookup instead of a signature check. Removing a
  // key from a JWKS therefore takes up to a minute to affect tokens already seen.
  const verified = new BoundedCache<{
    payload: JWTPayload;
    header: ProtectedHeaderParameters;
    until: number;
  }>(10_000, 60_000, now);

  async function verify(token: string): Promise<JwtResult> {
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed', message: 'token too long' };
    const cacheKey = sha256Hex(token);
    const hit = verified.get(cacheKey);
    if (hit && hit.until > now()) return { ok: true, payload: hit.payload, header: hit.header };
    const result = await verifyUncached(token);
    if (result.ok) {
      let until = now() + 60_000;
      if (typeof result.payload.exp === 'number')
        until = Math.min(until, result.payload.exp * 1000 + cfg.clockSkew);
      if (cfg.maxTokenAge !== undefined && typeof result.payload.iat === 'number')
        until = Math.min(until, result.payload.iat * 1000 + cfg.maxTokenAge);
      verified.set(cacheKey, { payload: result.payload, header: result.header, until });
    }
    return result;
  }

  async function verifyUncached(token: string): Promise<JwtResult> {
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return { ok: false, reason: 'malformed', message: 'not a JWS compact token' };
    }
    const alg = typeof header.alg === 'string' ? header.alg : '';
    if (alg.toLowerCase() === 'none' || alg === '') {
      return { ok: false, reason: 'alg-none', message: 'unsigned token (alg none)', header };
    }
    if (!algSet.has(alg)) {
      const tokenIsHmac = alg.startsWith('HS');
      const confusion = (tokenIsHmac && family !== 'hmac') || (!tokenIsHmac && family === 'hmac');
      return confusion
        ? { ok: false, reason: 'key-confusion', message: `${alg} token presented to a ${family} key`, header }
        : { ok: false, reason: 'alg-not-allowed', message: `algorithm ${alg} is not allowed`, header };
    }
    try {
      const { payload } = await jwtVerify(token, key as Uint8Array, {
        algorithms: [...algorithms],
        issuer: cfg.issuer,
        audience: cfg.audience,
        clockTolerance,
        maxTokenAge,
        currentDate: new Date(now()),
      });
      if (cfg.requireExp && typeof payload.exp !== 'number') {
        return { ok: false, reason: 'missing-exp', message: 'token has no exp claim', header };
      }
      return { ok: true, payload, header };
    } catch (err) {
      return { ok: false, ...classify(err), header };
    }
  }

  return { family, algorithms, hmacSecret, verify, prefetch };
}

function classify(err: unknown): { reason: JwtFailure; message: string } {
  const e = err as { code?: string; claim?: string; message?: string };
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      return { reason: 'expired', message: 'token expired' };
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (e.claim === 'nbf') return { reason: 'not-yet-valid', message: 'token not yet valid (nbf)' };
      if (e.claim === 'iss') return { reason: 'bad-issuer', message: 'unexpected issuer' };
      if (e.claim === 'aud') return { reason: 'bad-audience', message: 'unexpected audience' };
      if (e.claim === 'iat') return { reason: 'too-old', message: 'token too old or iat invalid' };
      return { reason: 'malformed', message: `claim ${e.claim ?? '?'} invalid` };
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return { reason: 'bad-signature', message: 'signature verification failed' };
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return { reason: 'unknown-key', message: 'no matching key in the JWKS' };
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return { reason: 'alg-not-allowed', message: 'algorithm not allowed' };
    case 'ERR_JWT_INVALID':
    case 'ERR_JWS_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return { reason: 'malformed', message: 'invalid token' };
    case 'ERR_JWKS_TIMEOUT':
      return { reason: 'key-unavailable', message: 'JWKS fetch timed out' };
    default:
      // Fetch failures, invalid JWKS documents, key type mismatches: fail closed.
      return { reason: 'key-unavailable', message: 'verification key unavailable' };
  }
}
