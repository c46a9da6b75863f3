import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { compilePattern, matchPattern, splitPath } from '../../../src/policy/access/pattern.js';
import { baseConfig, harness, makeCtx, runRequest } from './helpers.js';

const SECRET = 'access-test-secret-3f9d1c7e5b2a4f6e8d0c1b3a5f7e9d2c';
const sign = (claims: Record<string, unknown>) =>
  new SignJWT({ iss: 'https://corp', exp: Math.floor(Date.now() / 1000) + 600, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(SECRET));
const bearer = async (claims: Record<string, unknown>) => ({ authorization: `Bearer ${await sign(claims)}` });

const h = harness(
  baseConfig(
    {
      auth: {
        providers: {
          main: {
            type: 'jwt',
            secret: SECRET,
            issuer: ['https://corp', 'https://social'],
            roleIssuers: ['https://corp'],
          },
        },
      },
    },
    {
      auth: { providers: ['main'], public: ['GET /health'] },
      access: {
        rules: [
          { path: '/reports/**', roles: ['analyst', 'admin'] },
          { method: 'POST', path: '/reports/**', scopes: ['reports:write'] },
          { path: '/internal/**', emailDomains: ['corp.example'] },
        ],
      },
      bola: {
        rules: [
          { path: '/users/{userId}/**', param: 'path.userId', claim: 'sub', unlessRole: 'admin' },
          { param: 'query.tenantId', claim: 'tenant' },
          { method: 'POST', path: '/transfers', param: 'body.fromAccount', claim: 'account' },
        ],
      },
      stepUp: { mode: 'off' },
    },
  ),
);
afterEach(() => undefined);

describe('patterns', () => {
  it('matches *, ** and named segments', () => {
    const p = compilePattern('GET,DELETE /a/{id}/**');
    expect(matchPattern(p, 'GET', splitPath('/a/7'))).toEqual({ id: '7' });
    expect(matchPattern(p, 'DELETE', splitPath('/a/7/b/c'))).toEqual({ id: '7' });
    expect(matchPattern(p, 'POST', splitPath('/a/7'))).toBeUndefined();
    expect(matchPattern(compilePattern('/x/*/y'), 'GET', splitPath('/x/1/y'))).toEqual({});
    expect(matchPattern(compilePattern('/x/*/y'), 'GET', splitPath('/x/1/2/y'))).toBeUndefined();
    expect(matchPattern(compilePattern('/**/admin/**'), 'GET', splitPath('/v1/admin/users'))).toEqual({});
    expect(() => compilePattern('/**/a/**/b/**')).toThrow(/more than two/);
  });
});

describe('authentication defaults', () => {
  it('refuses protected operations without credentials and lets public ones through', async () => {
    const set = await h.phases();
    const anon = await runRequest(set, makeCtx({ url: '/reports/q1' }));
    expect(anon).toMatchObject({
      status: 401,
      code: 'PAL_ERR_UNAUTHENTICATED',
      finding: { subtype: 'missing-auth' },
    });
    expect(anon?.headers?.['www-authenticate']).toContain('Bearer');
    expect(await runRequest(set, makeCtx({ url: '/health' }))).toBeUndefined();
  });

  it('treats an OpenAPI operation with security [] as public', async () => {
    const set = await h.phases();
    expect(await runRequest(set, makeCtx({ url: '/status', op: { security: [] } }))).toBeUndefined();
    expect(
      await runRequest(set, makeCtx({ url: '/status', op: { security: [{ bearer: [] }] } })),
    ).toMatchObject({ status: 401 });
  });

  it('forwards the identity and strips client-sent identity headers', async () => {
    const set = await h.phases();
    const ctx = makeCtx({
      url: '/profile',
      headers: {
        ...(await bearer({ sub: 'alice', roles: ['user'] })),
        'x-palisade-subject': 'admin',
        'x-palisade-roles': 'admin',
      },
    });
    expect(await runRequest(set, ctx)).toBeUndefined();
    expect(ctx.stripHeaders.has('x-palisade-subject')).toBe(true);
    expect(ctx.stripHeaders.has('x-palisade-roles')).toBe(true);
    expect(ctx.upstreamHeaders.get('x-palisade-subject')).toBe('alice');
    expect(ctx.upstreamHeaders.get('x-palisade-roles')).toBe('user');
  });

  it('does not forward a client copy even without credentials on a public route', async () => {
    const set = await h.phases();
    const ctx = makeCtx({ url: '/health', headers: { 'x-palisade-subject': 'admin' } });
    await runRequest(set, ctx);
    expect(ctx.stripHeaders.has('x-palisade-subject')).toBe(true);
    expect(ctx.upstreamHeaders.has('x-palisade-subject')).toBe(false);
  });
});

describe('BFLA', () => {
  it('needs one of the configured roles', async () => {
    const set = await h.phases();
    const user = await runRequest(
      set,
      makeCtx({ url: '/reports/q1', headers: await bearer({ sub: 'u', roles: ['user'] }) }),
    );
    expect(user).toMatchObject({
      status: 403,
      code: 'PAL_ERR_FORBIDDEN',
      finding: { category: 'broken-access-control', subtype: 'bfla' },
    });
    expect(
      await runRequest(
        set,
        makeCtx({ url: '/reports/q1', headers: await bearer({ sub: 'a', roles: ['analyst'] }) }),
      ),
    ).toBeUndefined();
  });

  it('needs every scope of a scope rule', async () => {
    const set = await h.phases();
    const noScope = await bearer({ sub: 'a', roles: ['analyst'], scope: 'reports:read' });
    expect(
      await runRequest(set, makeCtx({ method: 'POST', url: '/reports/q1', headers: noScope })),
    ).toMatchObject({
      status: 403,
      details: { requiredScopes: ['reports:write'] },
    });
    const withScope = await bearer({ sub: 'a', roles: ['analyst'], scope: 'reports:read reports:write' });
    expect(
      await runRequest(set, makeCtx({ method: 'POST', url: '/reports/q1', headers: withScope })),
    ).toBeUndefined();
  });

  it('guards admin paths by default', async () => {
    const set = await h.phases();
    expect(
      await runRequest(set, makeCtx({ url: '/admin/users', headers: await bearer({ sub: 'u' }) })),
    ).toMatchObject({ status: 403 });
    expect(
      await runRequest(
        set,
        makeCtx({ url: '/admin/users', headers: await bearer({ sub: 'root', roles: ['admin'] }) }),
      ),
    ).toBeUndefined();
  });

  it('enforces OpenAPI security scopes and x-palisade-roles', async () => {
    const set = await h.phases();
    const op = {
      security: [{ oauth: ['models:load'] }, { apiKey: ['ops'] }] as Record<string, string[]>[],
      extensions: { 'x-palisade-roles': ['ml'] },
    };
    const none = await bearer({ sub: 'u', roles: ['ml'] });
    expect(await runRequest(set, makeCtx({ url: '/models', op, headers: none }))).toMatchObject({
      status: 403,
      finding: { subtype: 'bfla' },
    });
    const scoped = await bearer({ sub: 'u', roles: ['ml'], scope: 'models:load' });
    expect(await runRequest(set, makeCtx({ url: '/models', op, headers: scoped }))).toBeUndefined();
    const role = await bearer({ sub: 'u', roles: ['ml', 'ops'] });
    expect(await runRequest(set, makeCtx({ url: '/models', op, headers: role }))).toBeUndefined();
    const noRole = await bearer({ sub: 'u', scope: 'models:load' });
    expect(await runRequest(set, makeCtx({ url: '/models', op, headers: noRole }))).toMatchObject({
      status: 403,
    });
  });
});

describe('IdP hygiene', () => {
  it('ignores roles from an issuer not trusted for roles', async () => {
    const set = await h.phases();
    const social = await bearer({ iss: 'https://social', sub: 'x', roles: ['admin'] });
    expect(await runRequest(set, makeCtx({ url: '/admin/users', headers: social }))).toMatchObject({
      status: 403,
      finding: { category: 'authorization', subtype: 'role-from-untrusted-claim' },
    });
    const corp = await bearer({ iss: 'https://corp', sub: 'x', roles: ['admin'] });
    expect(await runRequest(set, makeCtx({ url: '/admin/users', headers: corp }))).toBeUndefined();
  });

  it('honours e-mail domains only when verified and exact', async () => {
    const set = await h.phases();
    const go = async (claims: Record<string, unknown>) =>
      runRequest(set, makeCtx({ url: '/internal/wiki', headers: await bearer({ sub: 's', ...claims }) }));
    expect(await go({ email: 'eve@corp.example', email_verified: true })).toBeUndefined();
    expect(await go({ email: 'eve@corp.example', email_verified: false })).toMatchObject({
      finding: { subtype: 'domain-matching-bypass' },
    });
    expect(await go({ email: 'eve@corp.example' })).toMatchObject({
      finding: { subtype: 'domain-matching-bypass' },
    });
    expect(await go({ email: 'eve@corp.example.attacker.io', email_verified: true })).toMatchObject({
      finding: { subtype: 'domain-matching-bypass' },
    });
    expect(await go({ email: 'eve@evilcorp.example', email_verified: true })).toMatchObject({ status: 403 });
    expect(await go({ email: 'eve@gmail.com', email_verified: true })).toMatchObject({
      finding: { subtype: 'bfla' },
    });
  });
});

describe('BOLA', () => {
  it('binds a path parameter to the subject, admins exempt', async () => {
    const set = await h.phases();
    const alice = await bearer({ sub: 'alice' });
    expect(await runRequest(set, makeCtx({ url: '/users/alice/orders', headers: alice }))).toBeUndefined();
    expect(await runRequest(set, makeCtx({ url: '/users/bob/orders', headers: alice }))).toMatchObject({
      status: 403,
      finding: { category: 'broken-access-control', subtype: 'bola', location: 'path.userId' },
    });
    const admin = await bearer({ sub: 'root', roles: ['admin'] });
    expect(await runRequest(set, makeCtx({ url: '/users/bob', headers: admin }))).toBeUndefined();
  });

  it('resolves dot segments, matrix parameters and case before matching', async () => {
    const set = await h.phases();
    const alice = await bearer({ sub: 'alice' });
    expect(await runRequest(set, makeCtx({ url: '/users/alice/../bob', headers: alice }))).toMatchObject({
      finding: { subtype: 'bola' },
    });
    expect(await runRequest(set, makeCtx({ url: '/users/bob/../alice', headers: alice }))).toBeUndefined();
    for (const url of [
      '/Admin/users',
      '/admin;jsessionid=1/users',
      '/public/../admin/users',
      '/./admin//users',
    ]) {
      expect(await runRequest(set, makeCtx({ url, headers: alice })), url).toMatchObject({
        status: 403,
        finding: { subtype: 'bfla' },
      });
    }
    expect(await runRequest(set, makeCtx({ url: '/REPORTS/q1', headers: alice }))).toMatchObject({
      status: 403,
    });
    expect(await runRequest(set, makeCtx({ url: '/HEALTH' }))).toBeUndefined();
  });

  it('uses OpenAPI path parameters when the request matched an operation', async () => {
    const set = await h.phases();
    const alice = await bearer({ sub: 'alice' });
    const op = { template: '/users/{userId}', pathParams: { userId: 'bob' } };
    // The config path pattern captures userId itself; the OpenAPI params agree with it here.
    expect(await runRequest(set, makeCtx({ url: '/users/bob', op, headers: alice }))).toMatchObject({
      status: 403,
    });
  });

  it('checks every value of a repeated query parameter against the tenant', async () => {
    const set = await h.phases();
    const t1 = await bearer({ sub: 'a', tenant: 't1' });
    expect(await runRequest(set, makeCtx({ url: '/invoices?tenantId=t1', headers: t1 }))).toBeUndefined();
    expect(
      await runRequest(set, makeCtx({ url: '/invoices?tenantId=t1&tenantId=t2', headers: t1 })),
    ).toMatchObject({ status: 403 });
    // A tenant claim from an untrusted issuer is not honoured.
    const social = await bearer({ iss: 'https://social', sub: 'a', tenant: 't1' });
    expect(await runRequest(set, makeCtx({ url: '/invoices?tenantId=t1', headers: social }))).toMatchObject({
      status: 403,
    });
  });

  it('binds a JSON body field to a custom claim', async () => {
    const set = await h.phases();
    const headers = await bearer({ sub: 'a', account: 'ACC-1' });
    expect(
      await runRequest(
        set,
        makeCtx({ method: 'POST', url: '/transfers', headers, body: { fromAccount: 'ACC-1', amount: 5 } }),
      ),
    ).toBeUndefined();
    expect(
      await runRequest(
        set,
        makeCtx({ method: 'POST', url: '/transfers', headers, body: { fromAccount: 'ACC-2', amount: 5 } }),
      ),
    ).toMatchObject({
      finding: { subtype: 'bola', location: 'body.fromAccount' },
    });
  });

  it('in monitor mode records but lets the request through', async () => {
    const m = harness(
      baseConfig(
        { auth: { providers: { main: { type: 'jwt', secret: SECRET } } } },
        {
          auth: { providers: ['main'] },
          bola: { mode: 'monitor', rules: [{ path: '/users/{id}', param: 'path.id', claim: 'sub' }] },
        },
      ),
    );
    const set = await m.phases();
    const ctx = makeCtx({ url: '/users/bob', headers: await bearer({ sub: 'alice' }) });
    expect(await runRequest(set, ctx)).toBeUndefined();
    expect(ctx.findings).toMatchObject([{ subtype: 'bola', mode: 'monitor' }]);
  });
});

describe('config errors', () => {
  it('names the key path of a BOLA rule without its path parameter and of an unknown provider', async () => {
    const bad = harness(
      baseConfig(
        { auth: { providers: { main: { type: 'jwt', secret: SECRET } } } },
        {
          auth: { providers: ['main', 'nope'] },
          bola: { rules: [{ path: '/users/{id}', param: 'path.userId', claim: 'sub' }] },
        },
      ),
    );
    await expect(bad.phases()).rejects.toMatchObject({
      issues: expect.arrayContaining([
        { path: 'routes.0.policy.auth.providers.1', message: 'unknown provider "nope"' },
        expect.objectContaining({ path: 'routes.0.policy.bola.rules.0.param' }),
      ]),
    });
  });

  it('names the provider key of a bad algorithm', async () => {
    const bad = harness(
      baseConfig(
        { auth: { providers: { main: { type: 'jwt', secret: SECRET, algorithms: ['RS256'] } } } },
        {},
      ),
    );
    await expect(bad.phases()).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'policy.auth.providers.main.algorithms' })],
    });
  });

  it('warns at startup when a route has no auth providers', async () => {
    const open = harness(baseConfig({}, {}));
    const set = await open.phases();
    expect(open.warnings.join('\n')).toMatch(/authentication is off on this route/);
    expect(await runRequest(set, makeCtx({ url: '/anything' }))).toBeUndefined();
  });
});
