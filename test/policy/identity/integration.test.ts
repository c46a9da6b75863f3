// Identity controls through the real gateway, in front of a deliberately weak upstream.
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhaseFactory } from '../../../src/gateway/phase-env.js';
import { createIdentityPhases } from '../../../src/policy/identity-phases.js';
import { createIdentityApi, type IdentityApi } from '../../fixtures/identity-api/server.js';
import {
  type StartedGateway,
  type StartedUpstream,
  startGateway,
  startUpstream,
} from '../../helpers/gateway.js';

const SECRET = 'integration-secret-7e6d5c4b3a29180716253443526170809';
const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/identity-api/', import.meta.url));
const token = (sub: string, extra: Record<string, unknown> = {}) =>
  new SignJWT({ sub, iss: 'https://idp.test', exp: Math.floor(Date.now() / 1000) + 600, ...extra })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(SECRET));

interface Call {
  status: number;
  body: Record<string, any>;
  headers: Headers;
}

function client(base: string) {
  return async (
    method: string,
    path: string,
    opts: { sub?: string; roles?: string[]; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Call> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.sub)
      headers.authorization = `Bearer ${await token(opts.sub, opts.roles ? { roles: opts.roles } : {})}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
  };
}

const routePolicy = {
  auth: { providers: ['idp'], public: ['GET /health'] },
  bola: { rules: [{ path: '/users/{userId}/**', param: 'path.userId', claim: 'sub', unlessRole: 'admin' }] },
  stepUp: { operations: ['POST /jobs'] },
  credentialChange: { operations: ['PUT /users/{userId}/password'] },
  login: { perUser: { delayAfter: 100, lockAfter: 3 } },
};
const globalPolicy = {
  auth: { providers: { idp: { type: 'jwt', secret: SECRET, issuer: 'https://idp.test' } } },
};

async function adminCall(gw: StartedGateway, method: string, path: string, body?: unknown) {
  const res = await fetch(gw.adminUrl + path, {
    method,
    headers: { authorization: `Bearer ${gw.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

describe('identity controls through the gateway (config patterns, no OpenAPI)', () => {
  let api: IdentityApi;
  let upstream: StartedUpstream;
  let gw: StartedGateway;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    api = createIdentityApi();
    upstream = await startUpstream(api.handler);
    gw = await startGateway(
      {
        upstreams: { api: { targets: [upstream.url] } },
        policy: globalPolicy,
        routes: [
          {
            name: 'api',
            upstream: 'api',
            policy: {
              ...routePolicy,
              auth: { ...routePolicy.auth, public: ['GET /health', 'POST /reset-password', 'POST /login'] },
            },
          },
        ],
      },
      { factories: [createIdentityPhases] },
    );
    call = client(gw.url);
  });
  afterAll(async () => {
    await gw?.close();
    await upstream?.close();
  });

  it('refuses anonymous calls to protected operations before they reach the upstream', async () => {
    const before = api.seen.length;
    const r = await call('GET', '/users/alice');
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({ code: 'PAL_ERR_UNAUTHENTICATED', subtype: 'missing-auth' });
    expect(r.headers.get('www-authenticate')).toContain('Bearer');
    expect(api.seen.length).toBe(before);
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('stops BOLA on /users/{id} and lets owners and admins through', async () => {
    expect((await call('GET', '/users/bob', { sub: 'alice' })).body.error).toMatchObject({
      code: 'PAL_ERR_FORBIDDEN',
      subtype: 'bola',
    });
    expect((await call('GET', '/users/alice', { sub: 'alice' })).status).toBe(200);
    expect((await call('GET', '/users/bob', { sub: 'root', roles: ['admin'] })).status).toBe(200);
  });

  it('guards the unchecked admin endpoint', async () => {
    const r = await call('DELETE', '/admin/users', { sub: 'alice' });
    expect(r.status).toBe(403);
    expect(r.body.error.subtype).toBe('bfla');
    expect(api.passwords.size).toBe(3);
    expect((await call('GET', '/admin/users', { sub: 'root', roles: ['admin'] })).status).toBe(200);
  });

  it('requires a second factor for job submission; enrolment and a code unlock it', async () => {
    const before = api.jobs.length;
    const r = await call('POST', '/jobs', { sub: 'alice', body: { command: 'rm -rf /data' } });
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({
      code: 'PAL_ERR_STEP_UP_REQUIRED',
      stepUp: { header: 'x-palisade-otp' },
    });
    expect(r.headers.get('www-authenticate')).toMatch(/^Palisade-OTP/);
    expect(api.jobs.length).toBe(before);

    const enrol = await adminCall(gw, 'POST', '/api/step-up/enroll', { subject: 'alice' });
    expect(enrol.status).toBe(201);
    expect(enrol.body.qrSvg).toMatch(/^<svg/);
    const secret = new URL(enrol.body.uri).searchParams.get('secret') ?? '';
    const code = await generate({ secret });
    const ok = await call('POST', '/jobs', {
      sub: 'alice',
      body: { command: 'report' },
      headers: { 'x-palisade-otp': code },
    });
    expect(ok.status).toBe(202);
    expect(api.jobs.at(-1)).toBe('report');
  });

  it('refuses a password reset by username alone and keeps the password', async () => {
    const r = await call('POST', '/reset-password', { body: { username: 'bob', password: 'owned' } });
    expect(r.status).toBe(403);
    expect(r.body.error.subtype).toBe('account-takeover');
    expect(api.passwords.get('bob')).toBe('bob-pw');
  });

  it("refuses changing someone else's password and an unverified own change", async () => {
    const other = await call('PUT', '/users/bob/password', {
      sub: 'alice',
      body: { password: 'x', currentPassword: 'alice-pw' },
    });
    // The BOLA rule on /users/{userId}/** answers first; without it credential-change would (unit-tested).
    expect(other.status).toBe(403);
    expect(other.body.error.subtype).toBe('bola');
    expect(api.passwords.get('bob')).toBe('bob-pw');
    const unverified = await call('PUT', '/users/carol/password', { sub: 'carol', body: { password: 'x' } });
    expect(unverified.body.error.subtype).toBe('password-change-without-verification');
    const own = await call('PUT', '/users/bob/password', {
      sub: 'bob',
      body: { password: 'bob-pw2', currentPassword: 'bob-pw' },
    });
    expect(own.status).toBe(200);
    expect(api.passwords.get('bob')).toBe('bob-pw2');
  });

  it('answers failed logins uniformly, then locks the username', async () => {
    const unknown = await call('POST', '/login', { body: { username: 'nobody', password: 'x' } });
    const wrong = await call('POST', '/login', { body: { username: 'root', password: 'x' } });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(JSON.stringify(unknown.body)).not.toContain('does not exist');
    expect(
      (await call('POST', '/login', { body: { username: 'alice', password: 'alice-pw' } })).body.token,
    ).toBe('session-for-alice');
    await call('POST', '/login', { body: { username: 'root', password: 'y' } });
    await call('POST', '/login', { body: { username: 'root', password: 'z' } });
    const locked = await call('POST', '/login', { body: { username: 'root', password: 'root-pw' } });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toMatchObject({ code: 'PAL_ERR_RATE_LIMITED', subtype: 'brute-force' });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('replaces spoofed identity headers with the verified identity', async () => {
    await call('GET', '/whoami', {
      sub: 'alice',
      headers: { 'x-palisade-subject': 'root', 'x-palisade-roles': 'admin' },
    });
    expect(api.seen.at(-1)?.headers).toEqual({ subject: 'alice', roles: undefined, tenant: undefined });
  });

  it('applies deny-list entries from the admin API at once', async () => {
    expect((await call('GET', '/whoami', { sub: 'mallory' })).status).toBe(200);
    const added = await adminCall(gw, 'POST', '/api/deny-list', {
      type: 'subject',
      value: 'mallory',
      reason: 'test',
    });
    expect(added.status).toBe(201);
    expect((await call('GET', '/whoami', { sub: 'mallory' })).body.error.subtype).toBe('session-not-revoked');
    expect((await adminCall(gw, 'DELETE', `/api/deny-list/${added.body.entry.id}`)).status).toBe(204);
    expect((await call('GET', '/whoami', { sub: 'mallory' })).status).toBe(200);
  });

  it('records the findings as events', async () => {
    const events = await gw.events();
    const subtypes = new Set(events.flatMap((e) => e.findings.map((f) => f.subtype)));
    for (const s of ['missing-auth', 'bola', 'bfla', 'account-takeover', 'brute-force', 'user-enumeration'])
      expect(subtypes).toContain(s);
  });
});

describe('identity controls with the OpenAPI model (x-palisade extensions)', () => {
  let api: IdentityApi;
  let upstream: StartedUpstream;
  let gw: StartedGateway;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    const { createOpenApiPhases } = (await import('../../../src/policy/openapi-phases.js')) as {
      createOpenApiPhases: PhaseFactory;
    };
    api = createIdentityApi();
    upstream = await startUpstream(api.handler);
    gw = await startGateway(
      {
        upstreams: { api: { targets: [upstream.url] } },
        policy: globalPolicy,
        routes: [
          {
            name: 'api',
            upstream: 'api',
            policy: {
              openapi: { spec: 'openapi.yaml' },
              auth: { providers: ['idp'] },
              bola: { rules: [{ param: 'path.userId', claim: 'sub', unlessRole: 'admin' }] },
            },
          },
        ],
      },
      { factories: [createOpenApiPhases, createIdentityPhases], baseDir: FIXTURE_DIR },
    );
    call = client(gw.url);
  });
  afterAll(async () => {
    await gw?.close();
    await upstream?.close();
  });

  it('takes public operations from security: [] and roles from x-palisade-roles', async () => {
    expect((await call('GET', '/health')).status).toBe(200);
    expect((await call('GET', '/whoami')).status).toBe(401);
    expect((await call('GET', '/admin/users', { sub: 'alice' })).body.error?.subtype).toBe('bfla');
    expect((await call('GET', '/admin/users', { sub: 'root', roles: ['admin'] })).status).toBe(200);
  });

  it('binds path.userId from the matched operation', async () => {
    expect((await call('GET', '/users/bob', { sub: 'alice' })).body.error?.subtype).toBe('bola');
    expect((await call('GET', '/users/alice', { sub: 'alice' })).status).toBe(200);
  });

  it('treats x-palisade-risk: high as step-up and x-palisade: login as a login', async () => {
    expect((await call('POST', '/jobs', { sub: 'alice', body: { command: 'x' } })).body.error?.code).toBe(
      'PAL_ERR_STEP_UP_REQUIRED',
    );
    const a = await call('POST', '/login', { body: { username: 'nobody', password: 'x' } });
    const b = await call('POST', '/login', { body: { username: 'alice', password: 'x' } });
    expect([a.status, b.status]).toEqual([401, 401]);
    expect(a.body).toEqual(b.body);
    expect(
      (await call('POST', '/reset-password', { body: { username: 'bob', password: 'x' } })).body.error
        ?.subtype,
    ).toBe('account-takeover');
  });

  it('refuses a BOLA rule naming a parameter the document lacks', async () => {
    await expect(
      startGateway(
        {
          upstreams: { api: { targets: [upstream.url] } },
          policy: globalPolicy,
          routes: [
            {
              name: 'api',
              upstream: 'api',
              policy: {
                openapi: { spec: 'openapi.yaml' },
                auth: { providers: ['idp'] },
                bola: { rules: [{ param: 'path.accountId', claim: 'sub' }] },
              },
            },
          ],
        },
        { factories: [createIdentityPhases], baseDir: FIXTURE_DIR },
      ),
    ).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'routes.0.policy.bola.rules.0.param' })],
    });
  });
});
