import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { WeakSecretRecord } from '../../../src/policy/auth/weak-secret.js';
import { hashSecret } from '../../../src/policy/auth/hash.js';
import { PHASE_ORDER } from '../../../src/gateway/phase.js';
import { baseConfig, harness, makeCtx, runRequest } from './helpers.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const exp = () => Math.floor(Date.now() / 1000) + 600;

describe('identity phases', () => {
  it('returns deny-list, rate-limit, authenticate, authorize in pipeline order', async () => {
    const h = harness(baseConfig({ rateLimits: [{ limit: 100, window: '1m' }] }, {}));
    const set = await h.phases();
    const names = (set.request ?? []).map((p) => p.name);
    expect(names).toEqual(['deny-list', 'rate-limit', 'authenticate', 'authorize']);
    const ranks = names.map((n) => PHASE_ORDER.indexOf(n));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(set.response?.map((p) => p.name)).toEqual(['inspect-response']);
  });

  it('drops every control when the route mode is off', async () => {
    const h = harness(baseConfig({}, {}, { mode: 'off' }));
    const set = await h.phases();
    expect((set.request ?? []).map((p) => p.name)).toEqual(['authenticate', 'authorize']);
    expect(set.response).toEqual([]);
  });

  it('reports JWT attacks with their own subtypes', async () => {
    const secret = 'phase-test-secret-55aa66bb77cc88dd99ee00ff11aa22bb';
    const h = harness(
      baseConfig(
        { auth: { providers: { main: { type: 'jwt', secret } } } },
        { auth: { providers: ['main'] } },
      ),
    );
    const set = await h.phases();
    const none = `${b64({ alg: 'none' })}.${b64({ sub: 'admin', exp: exp() })}.`;
    expect(
      await runRequest(set, makeCtx({ url: '/a', headers: { authorization: `Bearer ${none}` } })),
    ).toMatchObject({
      status: 401,
      finding: { category: 'authentication', subtype: 'jwt-alg-none' },
    });
    const expired = await new SignJWT({ sub: 'a', exp: Math.floor(Date.now() / 1000) - 3600 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
    const v = await runRequest(set, makeCtx({ url: '/a', headers: { authorization: `Bearer ${expired}` } }));
    expect(v).toMatchObject({ finding: { subtype: 'jwt-expired-accepted' } });
    expect(v?.headers?.['www-authenticate']).toContain('error="invalid_token"');
    const noExp = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
    expect(
      await runRequest(set, makeCtx({ url: '/a', headers: { authorization: `Bearer ${noExp}` } })),
    ).toMatchObject({
      finding: { category: 'session-password', subtype: 'session-no-expiry' },
    });
  });

  it('authenticates Basic users and API keys, with the first provider whose credential is present', async () => {
    const h = harness(
      baseConfig(
        {
          auth: {
            providers: {
              users: {
                type: 'basic',
                users: [{ username: 'ops', hash: await hashSecret('pw-ops', 1024), roles: ['admin'] }],
              },
              keys: { type: 'apiKey', keys: [{ id: 'ci', hash: await hashSecret('key-ci-123456', 1024) }] },
            },
          },
        },
        { auth: { providers: ['keys', 'users'] } },
      ),
    );
    const set = await h.phases();
    const basic = (u: string, p: string) => ({
      authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`,
    });
    const ok = makeCtx({ url: '/admin/x', headers: basic('ops', 'pw-ops') });
    expect(await runRequest(set, ok)).toBeUndefined();
    expect(ok.identity).toMatchObject({ subject: 'ops', method: 'basic' });
    const bad = await runRequest(set, makeCtx({ url: '/a', headers: basic('ops', 'nope') }));
    expect(bad).toMatchObject({ status: 401 });
    expect(bad?.headers?.['www-authenticate']).toMatch(/^Basic realm/);
    const key = makeCtx({ url: '/a', headers: { 'x-api-key': 'key-ci-123456' } });
    expect(await runRequest(set, key)).toBeUndefined();
    expect(key.identity).toMatchObject({ subject: 'ci', method: 'api-key' });
    const none = await runRequest(set, makeCtx({ url: '/a' }));
    expect(none?.headers?.['www-authenticate']).toMatch(/ApiKey .*Basic/);
  });

  it('tests a configured HMAC secret and HS tokens seen on an open route against the weak list', async () => {
    const found: WeakSecretRecord[] = [];
    const h = harness(
      {
        upstreams: { api: { targets: ['http://127.0.0.1:1'] } },
        policy: { auth: { providers: { legacy: { type: 'jwt', secret: 'changeme' } } } },
        routes: [
          { name: 'legacy', upstream: 'api', policy: { auth: { providers: ['legacy'] } } },
          { name: 'open', upstream: 'api', match: { pathPrefix: '/open' } },
        ],
      },
      { onWeakSecret: (r) => found.push(r) },
    );
    await h.phases(0);
    const open = await h.phases(1);
    const weakToken = await new SignJWT({ sub: 'x', iss: 'old-idp' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('your-256-bit-secret'));
    const strongToken = await new SignJWT({ sub: 'x', iss: 'good-idp' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('8c1f0a7e3b9d4c2e6f5a8b7c0d1e2f3a'));
    await runRequest(open, makeCtx({ url: '/open/a', headers: { authorization: `Bearer ${weakToken}` } }));
    await runRequest(open, makeCtx({ url: '/open/a', headers: { authorization: `Bearer ${strongToken}` } }));
    await h.settle();
    expect(found.map((r) => [r.source, r.provider ?? r.issuer])).toEqual([
      ['config', 'legacy'],
      ['token', 'old-idp'],
    ]);
    const listed = await h.admin('GET', '/api/weak-secrets');
    expect((listed.body as { records: unknown[] }).records).toHaveLength(2);
    expect(JSON.stringify(listed.body)).not.toContain('changeme');
    expect(h.warnings.some((w) => w.includes('well-known'))).toBe(true);
  });

  it('ignores a stale token on a public operation but refuses a forged one', async () => {
    const secret = 'phase-test-secret-55aa66bb77cc88dd99ee00ff11aa22bb';
    const h = harness(
      baseConfig(
        { auth: { providers: { main: { type: 'jwt', secret } } } },
        { auth: { providers: ['main'], public: ['POST /login'] } },
      ),
    );
    const set = await h.phases();
    const expired = await new SignJWT({ sub: 'a', exp: Math.floor(Date.now() / 1000) - 3600 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
    const stale = makeCtx({ method: 'POST', url: '/login', headers: { authorization: `Bearer ${expired}` } });
    expect(await runRequest(set, stale)).toBeUndefined();
    expect(stale.identity).toBeUndefined();
    const none = `${b64({ alg: 'none' })}.${b64({ sub: 'admin', exp: exp() })}.`;
    expect(
      await runRequest(
        set,
        makeCtx({ method: 'POST', url: '/login', headers: { authorization: `Bearer ${none}` } }),
      ),
    ).toMatchObject({
      status: 401,
      finding: { subtype: 'jwt-alg-none' },
    });
  });

  it('makes explicitly marked logins public, but not logins found by name only', async () => {
    const secret = 'phase-test-secret-55aa66bb77cc88dd99ee00ff11aa22bb';
    const h = harness(
      baseConfig(
        { auth: { providers: { main: { type: 'jwt', secret } } } },
        { auth: { providers: ['main'] }, login: { operations: ['POST /auth/login'] } },
      ),
    );
    const set = await h.phases();
    const body = { username: 'u', password: 'p' };
    expect(await runRequest(set, makeCtx({ method: 'POST', url: '/auth/login', body }))).toBeUndefined();
    const byName = await runRequest(set, makeCtx({ method: 'POST', url: '/users/7/token', body }));
    expect(byName).toMatchObject({
      status: 401,
      details: { hint: expect.stringContaining('policy.auth.public') },
    });
  });
});
