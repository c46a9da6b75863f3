import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authProviderSchema, type JwtProviderConfig } from '../../../src/config/sections/policy-identity.js';
import { createJwtVerifier, expandEnv } from '../../../src/policy/auth/jwt.js';

const NOW = Date.UTC(2026, 0, 1) / 1000;
const now = () => NOW * 1000;
const jwtCfg = (o: Record<string, unknown>) =>
  authProviderSchema.parse({ type: 'jwt', ...o }) as JwtProviderConfig;
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
let rsaPem: string;
let dir: string;
const SECRET = 'a-long-random-secret-that-is-not-on-any-list-0123456789';

async function rsToken(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT({ sub: 'alice', ...claims })
    .setProtectedHeader({ alg: 'RS256', ...header })
    .sign(rsa.privateKey);
}
async function hsToken(claims: Record<string, unknown>, secret = SECRET) {
  return new SignJWT({ sub: 'alice', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret));
}

beforeAll(async () => {
  rsa = await generateKeyPair('RS256', { extractable: true });
  rsaPem = await exportSPKI(rsa.publicKey);
  dir = mkdtempSync(join(tmpdir(), 'pal-jwt-'));
  writeFileSync(join(dir, 'pub.pem'), rsaPem);
});

describe('JWT with a PEM public key', () => {
  const verifier = () =>
    createJwtVerifier(jwtCfg({ publicKeyFile: 'pub.pem', issuer: 'https://idp', audience: 'api' }), {
      baseDir: dir,
      now,
    });

  it('accepts a valid token and refuses an expired one', async () => {
    const good = await rsToken({ iss: 'https://idp', aud: 'api', exp: NOW + 60 });
    expect(await verifier().verify(good)).toMatchObject({ ok: true, payload: { sub: 'alice' } });
    const expired = await rsToken({ iss: 'https://idp', aud: 'api', exp: NOW - 120 });
    expect(await verifier().verify(expired)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('honours clock skew on exp and nbf', async () => {
    const justExpired = await rsToken({ iss: 'https://idp', aud: 'api', exp: NOW - 10 });
    expect((await verifier().verify(justExpired)).ok).toBe(true); // default skew 30 s
    const future = await rsToken({ iss: 'https://idp', aud: 'api', exp: NOW + 600, nbf: NOW + 300 });
    expect(await verifier().verify(future)).toMatchObject({ ok: false, reason: 'not-yet-valid' });
    const nearFuture = await rsToken({ iss: 'https://idp', aud: 'api', exp: NOW + 600, nbf: NOW + 10 });
    expect((await verifier().verify(nearFuture)).ok).toBe(true);
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    const iss = await rsToken({ iss: 'https://evil', aud: 'api', exp: NOW + 60 });
    expect(await verifier().verify(iss)).toMatchObject({ ok: false, reason: 'bad-issuer' });
    const aud = await rsToken({ iss: 'https://idp', aud: 'other', exp: NOW + 60 });
    expect(await verifier().verify(aud)).toMatchObject({ ok: false, reason: 'bad-audience' });
  });

  it('refuses tokens without exp unless allowed', async () => {
    const noExp = await rsToken({ iss: 'https://idp', aud: 'api' });
    expect(await verifier().verify(noExp)).toMatchObject({ ok: false, reason: 'missing-exp' });
    const lenient = createJwtVerifier(jwtCfg({ publicKeyFile: 'pub.pem', requireExp: false }), {
      baseDir: dir,
      now,
    });
    expect((await lenient.verify(noExp)).ok).toBe(true);
  });

  it('refuses alg none, in any spelling', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const token = `${b64({ alg, typ: 'JWT' })}.${b64({ sub: 'admin', exp: NOW + 60 })}.`;
      expect(await verifier().verify(token)).toMatchObject({ ok: false, reason: 'alg-none' });
    }
  });

  it('refuses an HS256 token signed with the RSA public key (key confusion)', async () => {
    const forged = await hsToken({ iss: 'https://idp', aud: 'api', exp: NOW + 60 }, rsaPem);
    expect(await verifier().verify(forged)).toMatchObject({ ok: false, reason: 'key-confusion' });
  });

  it('refuses a tampered payload', async () => {
    const good = await rsToken({ iss: 'https://idp', aud: 'api', exp: NOW + 60 });
    const [h, , sig] = good.split('.');
    const forged = `${h}.${b64({ sub: 'admin', iss: 'https://idp', aud: 'api', exp: NOW + 60 })}.${sig}`;
    expect(await verifier().verify(forged)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });
});

describe('verified-token cache', () => {
  it('serves a repeated token from the cache but never past its exp', async () => {
    let clock = NOW * 1000;
    const v = createJwtVerifier(jwtCfg({ secret: SECRET }), { baseDir: '.', now: () => clock });
    const token = await hsToken({ exp: NOW + 60 });
    expect((await v.verify(token)).ok).toBe(true);
    clock += 50_000;
    expect((await v.verify(token)).ok).toBe(true);
    clock = (NOW + 60) * 1000 + 31_000; // past exp + 30 s skew
    expect(await v.verify(token)).toMatchObject({ ok: false, reason: 'expired' });
  });
});

describe('JWT with an HMAC secret', () => {
  it('verifies HS256 and refuses RS256 tokens (only HS* for a secret)', async () => {
    const v = createJwtVerifier(jwtCfg({ secret: SECRET }), { baseDir: '.', now });
    expect((await v.verify(await hsToken({ exp: NOW + 60 }))).ok).toBe(true);
    expect(await v.verify(await rsToken({ exp: NOW + 60 }))).toMatchObject({
      ok: false,
      reason: 'key-confusion',
    });
    expect(await v.verify(await hsToken({ exp: NOW + 60 }, 'wrong-secret'))).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('refuses configuring RS256 with a secret, and HS256 with a public key', () => {
    expect(() =>
      createJwtVerifier(jwtCfg({ secret: SECRET, algorithms: ['RS256'] }), { baseDir: '.' }),
    ).toThrow(/algorithms: RS256/);
    expect(() =>
      createJwtVerifier(jwtCfg({ publicKeyFile: 'pub.pem', algorithms: ['RS256', 'HS256'] }), {
        baseDir: dir,
      }),
    ).toThrow(/key confusion/);
  });

  it('refuses alg none in the schema and needs exactly one key source', () => {
    expect(() => jwtCfg({ secret: SECRET, algorithms: ['none'] })).toThrow();
    expect(() =>
      createJwtVerifier(jwtCfg({ secret: SECRET, publicKeyFile: 'pub.pem' }), { baseDir: dir }),
    ).toThrow(/exactly one/);
  });

  it('expands ${ENV} in secrets and reports a missing variable', () => {
    expect(expandEnv('x-${PAL_TEST_S}-y', { PAL_TEST_S: 'abc' })).toBe('x-abc-y');
    expect(() => expandEnv('${PAL_MISSING}', {})).toThrow(/PAL_MISSING/);
  });
});

describe('JWT with an inline JWK', () => {
  it('verifies with a public JWK and refuses a private one', async () => {
    const jwk = await exportJWK(rsa.publicKey);
    const v = createJwtVerifier(jwtCfg({ jwk }), { baseDir: '.', now });
    expect((await v.verify(await rsToken({ exp: NOW + 60 }))).ok).toBe(true);
    const priv = await exportJWK(rsa.privateKey);
    expect(() => createJwtVerifier(jwtCfg({ jwk: priv }), { baseDir: '.' })).toThrow(/private key/);
  });
});

describe('JWT with a JWKS URL on 127.0.0.1', () => {
  let server: Server;
  let url: string;
  let fetches = 0;
  beforeAll(async () => {
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches keys once, verifies by kid and refuses an unknown kid', async () => {
    const v = createJwtVerifier(jwtCfg({ jwksUrl: url, issuer: 'https://idp' }), { baseDir: '.', now });
    const before = fetches;
    expect((await v.verify(await rsToken({ iss: 'https://idp', exp: NOW + 60 }, { kid: 'k1' }))).ok).toBe(
      true,
    );
    expect((await v.verify(await rsToken({ iss: 'https://idp', exp: NOW + 60 }, { kid: 'k1' }))).ok).toBe(
      true,
    );
    expect(fetches - before).toBe(1);
    const other = await generateKeyPair('RS256');
    const stranger = await new SignJWT({ sub: 'x', iss: 'https://idp', exp: NOW + 60 })
      .setProtectedHeader({ alg: 'RS256', kid: 'k2' })
      .sign(other.privateKey);
    expect(await v.verify(stranger)).toMatchObject({ ok: false, reason: 'unknown-key' });
  });

  it('refuses HS256 tokens outright with a JWKS (no secret can verify them)', async () => {
    const v = createJwtVerifier(jwtCfg({ jwksUrl: url }), { baseDir: '.', now });
    expect(await v.verify(await hsToken({ exp: NOW + 60 }))).toMatchObject({
      ok: false,
      reason: 'key-confusion',
    });
  });

  it('fails closed when the JWKS endpoint is unreachable', async () => {
    const dead = createJwtVerifier(jwtCfg({ jwksUrl: 'http://127.0.0.1:1/jwks', jwks: { timeout: 500 } }), {
      baseDir: '.',
      now,
    });
    expect(await dead.verify(await rsToken({ exp: NOW + 60 }, { kid: 'k1' }))).toMatchObject({
      ok: false,
      reason: 'key-unavailable',
    });
  });
});
