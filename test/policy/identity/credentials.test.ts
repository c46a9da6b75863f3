import { describe, expect, it } from 'vitest';
import {
  authProviderSchema,
  type ApiKeyProviderConfig,
  type BasicProviderConfig,
} from '../../../src/config/sections/policy-identity.js';
import { createApiKeyVerifier } from '../../../src/policy/auth/api-keys.js';
import { createBasicVerifier, parseBasicHeader } from '../../../src/policy/auth/basic.js';
import { hashSecret, parseHash, sha256Hex, verifySecret } from '../../../src/policy/auth/hash.js';
import { identityFromClaims, readClaim } from '../../../src/policy/auth/identity.js';
import {
  COMMON_JWT_SECRETS,
  crackHsToken,
  WeakSecretMonitor,
  weakSecretIndex,
} from '../../../src/policy/auth/weak-secret.js';
import { SignJWT } from 'jose';

describe('hash formats', () => {
  it('parses sha256 and scrypt, refuses junk', async () => {
    expect(parseHash(`sha256:${'ab'.repeat(32)}`).kind).toBe('sha256');
    const h = await hashSecret('hunter2', 1024);
    expect(h).toMatch(/^scrypt:1024:8:1:[0-9a-f]{32}:[0-9a-f]{64}$/);
    expect(await verifySecret('hunter2', parseHash(h))).toBe(true);
    expect(await verifySecret('hunter3', parseHash(h))).toBe(false);
    expect(() => parseHash('md5:abc')).toThrow(/expected/);
    expect(() => parseHash('sha256:abc')).toThrow(/64 hex/);
    expect(() => parseHash('scrypt:1000:8:1:00112233445566778899:00112233445566778899aabbccddeeff')).toThrow(
      /power of two/,
    );
  });
});

describe('API keys', () => {
  const key = 'pk_live_0123456789abcdef0123456789abcdef';
  it('accepts a key stored as sha256 and refuses others', async () => {
    const cfg = authProviderSchema.parse({
      type: 'apiKey',
      keys: [{ id: 'ci', hash: `sha256:${sha256Hex(key)}`, roles: ['deployer'] }],
    }) as ApiKeyProviderConfig;
    const v = createApiKeyVerifier(cfg);
    expect(await v.verify(key)).toMatchObject({
      subject: 'ci',
      method: 'api-key',
      roles: ['deployer'],
      credentialId: 'ci',
    });
    expect(await v.verify(`${key}x`)).toBeUndefined();
    expect(await v.verify('')).toBeUndefined();
  });

  it('accepts a key stored as scrypt (cached after the first check)', async () => {
    const cfg = authProviderSchema.parse({
      type: 'apiKey',
      query: 'api_key',
      keys: [{ id: 'svc', subject: 'service-a', hash: await hashSecret(key, 1024) }],
    }) as ApiKeyProviderConfig;
    const v = createApiKeyVerifier(cfg);
    expect((await v.verify(key))?.subject).toBe('service-a');
    expect((await v.verify(key))?.subject).toBe('service-a');
    expect(await v.verify('nope')).toBeUndefined();
    expect(v.extract({}, new URLSearchParams(`api_key=${key}`))).toBe(key);
    expect(v.extract({ 'x-api-key': ' k ' }, new URLSearchParams())).toBe('k');
  });

  it('names the bad key hash in the error', () => {
    const cfg = authProviderSchema.parse({
      type: 'apiKey',
      keys: [{ id: 'a', hash: 'plain' }],
    }) as ApiKeyProviderConfig;
    expect(() => createApiKeyVerifier(cfg)).toThrow(/^keys\.0\.hash:/);
  });
});

describe('Basic users', () => {
  it('verifies scrypt passwords, refuses wrong ones and unknown users', async () => {
    const cfg = authProviderSchema.parse({
      type: 'basic',
      users: [{ username: 'ops', hash: await hashSecret('correct horse', 1024), roles: ['admin'] }],
    }) as BasicProviderConfig;
    const v = createBasicVerifier(cfg);
    expect(await v.verify({ username: 'ops', password: 'correct horse' })).toMatchObject({
      subject: 'ops',
      roles: ['admin'],
    });
    expect(await v.verify({ username: 'ops', password: 'wrong' })).toBeUndefined();
    expect(await v.verify({ username: 'ghost', password: 'correct horse' })).toBeUndefined();
    expect(parseBasicHeader(`Basic ${Buffer.from('a:b:c').toString('base64')}`)).toEqual({
      username: 'a',
      password: 'b:c',
    });
    expect(parseBasicHeader('Bearer x')).toBeUndefined();
  });

  it('refuses sha256 password hashes', () => {
    const cfg = authProviderSchema.parse({
      type: 'basic',
      users: [{ username: 'u', hash: `sha256:${sha256Hex('pw')}` }],
    }) as BasicProviderConfig;
    expect(() => createBasicVerifier(cfg)).toThrow(/users\.0\.hash: passwords need a scrypt hash/);
  });
});

describe('identity from claims', () => {
  const mapping = {
    subject: 'sub',
    roles: ['roles', 'realm_access.roles'],
    scopes: ['scope', 'scp'],
    tenant: ['tenant'],
    email: 'email',
    emailVerified: 'email_verified',
  };
  it('maps roles from arrays, nested claims and scope strings', () => {
    const built = identityFromClaims(
      {
        sub: 'u1',
        iss: 'i',
        jti: 'j1',
        roles: 'a,b',
        realm_access: { roles: ['c'] },
        scope: 'read write',
        tenant: 't1',
        email: 'u@x.io',
        email_verified: true,
      },
      { method: 'jwt', mapping, trustRoles: true },
    );
    expect(built?.identity).toMatchObject({
      subject: 'u1',
      roles: ['a', 'b', 'c'],
      scopes: ['read', 'write'],
      tenant: 't1',
      emailVerified: true,
      credentialId: 'j1',
    });
    expect(readClaim({ 'https://x/roles': ['r'] }, 'https://x/roles')).toEqual(['r']);
  });

  it('drops roles and tenant from an untrusted issuer, and treats "yes" as unverified', () => {
    const built = identityFromClaims(
      { sub: 'u1', roles: ['admin'], tenant: 't1', email_verified: 'yes' },
      { method: 'jwt', mapping, trustRoles: false },
    );
    expect(built?.identity.roles).toEqual([]);
    expect(built?.identity.tenant).toBeUndefined();
    expect(built?.identity.emailVerified).toBe(false);
    expect(built?.droppedRoles).toEqual(['admin']);
    expect(
      identityFromClaims({ roles: ['x'] }, { method: 'jwt', mapping, trustRoles: true }),
    ).toBeUndefined();
  });
});

describe('weak JWT secrets', () => {
  it('has about a hundred entries, including the classics', () => {
    expect(COMMON_JWT_SECRETS.length).toBeGreaterThanOrEqual(100);
    for (const s of ['secret', 'your-256-bit-secret', 'changeme', 'jwt_secret'])
      expect(COMMON_JWT_SECRETS).toContain(s);
    expect(weakSecretIndex(new TextEncoder().encode('secret'))).toBeGreaterThanOrEqual(0);
    expect(weakSecretIndex(new TextEncoder().encode('7f3a9c0e-long-random'))).toBe(-1);
  });

  it('cracks an HS256 token signed with a listed secret, not one signed with a strong secret', async () => {
    const weak = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('changeme'));
    const strong = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('b5c1e0d2f9a84e7b9c3d2a1f0e9d8c7b'));
    expect(COMMON_JWT_SECRETS[crackHsToken(weak)]).toBe('changeme');
    expect(crackHsToken(strong)).toBe(-1);
  });

  it('checks in the background, once per issuer, and reports without the secret', async () => {
    const tasks: Promise<void>[] = [];
    const logs: string[] = [];
    const seen: unknown[] = [];
    const m = new WeakSecretMonitor(
      (_n, t) => tasks.push(t()),
      { warn: (o, msg) => logs.push(JSON.stringify(o) + msg) },
      (r) => seen.push(r),
    );
    const weak = await new SignJWT({ sub: 'a', iss: 'legacy' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('secret'));
    m.checkToken('r', weak, { alg: 'HS256' }, 'legacy');
    m.checkToken('r', weak, { alg: 'HS256' }, 'legacy');
    m.checkConfiguredSecret('p', new TextEncoder().encode('password'));
    await Promise.all(tasks);
    expect(tasks).toHaveLength(2);
    expect(m.records.map((r) => r.source).sort()).toEqual(['config', 'token']);
    expect(seen).toHaveLength(2);
    expect(logs.join()).not.toMatch(/"secret"|password"/);
    expect(logs.join()).toContain('weak-jwt-secret');
  });
});
