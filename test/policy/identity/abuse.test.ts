import { SignJWT } from 'jose';
import { generate } from 'otplib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLimiter } from '../../../src/policy/abuse/rate-limit.js';
import { sha256Hex } from '../../../src/policy/auth/hash.js';
import { baseConfig, harness, makeCtx, runRequest } from './helpers.js';

const SECRET = 'abuse-test-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const sign = (sub: string, extra: Record<string, unknown> = {}) =>
  new SignJWT({ sub, exp: Math.floor(Date.now() / 1000) + 600, ...extra })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(SECRET));
const auth = async (sub: string, extra: Record<string, unknown> = {}) => ({
  authorization: `Bearer ${await sign(sub, extra)}`,
});
const providers = { auth: { providers: { main: { type: 'jwt', secret: SECRET } } } };

afterEach(() => vi.useRealTimers());

describe('credential-change protection', () => {
  const make = () =>
    harness(
      baseConfig(providers, {
        auth: {
          providers: ['main'],
          public: ['POST /users/activate', 'POST /reset-password', 'POST /signup'],
        },
        credentialChange: {
          operations: ['PUT /users/{userId}/password'],
          allowUnauthenticated: ['POST /signup'],
        },
      }),
    );

  it('refuses an unauthenticated password set (account takeover) and allows a reset with a token', async () => {
    const set = await make().phases();
    const takeover = await runRequest(
      set,
      makeCtx({ method: 'POST', url: '/users/activate', body: { username: 'alice', password: 'pwned' } }),
    );
    expect(takeover).toMatchObject({
      status: 403,
      finding: { category: 'session-password', subtype: 'account-takeover' },
    });
    const reset = await runRequest(
      set,
      makeCtx({ method: 'POST', url: '/reset-password', body: { username: 'alice', newPassword: 'x' } }),
    );
    expect(reset).toMatchObject({ finding: { subtype: 'account-takeover' } });
    expect(
      await runRequest(
        set,
        makeCtx({ method: 'POST', url: '/reset-password', body: { resetToken: 'r-123', newPassword: 'x' } }),
      ),
    ).toBeUndefined();
    expect(
      await runRequest(
        set,
        makeCtx({ method: 'POST', url: '/signup', body: { username: 'new', password: 'x' } }),
      ),
    ).toBeUndefined();
    // Asking for a reset e-mail sets nothing.
    expect(
      await runRequest(set, makeCtx({ method: 'POST', url: '/reset-password', body: { username: 'alice' } })),
    ).toBeUndefined();
  });

  it("refuses changing another user's password unless admin", async () => {
    const set = await make().phases();
    const body = { currentPassword: 'old', password: 'new' };
    const other = await runRequest(
      set,
      makeCtx({ method: 'PUT', url: '/users/bob/password', headers: await auth('alice'), body }),
    );
    expect(other).toMatchObject({ status: 403, finding: { subtype: 'account-takeover' } });
    expect(
      await runRequest(
        set,
        makeCtx({ method: 'PUT', url: '/users/alice/password', headers: await auth('alice'), body }),
      ),
    ).toBeUndefined();
    const admin = await auth('root', { roles: ['admin'] });
    expect(
      await runRequest(set, makeCtx({ method: 'PUT', url: '/users/bob/password', headers: admin, body })),
    ).toBeUndefined();
  });

  it('needs the current password or a second factor', async () => {
    const h = make();
    const set = await h.phases();
    const headers = await auth('alice');
    const bare = await runRequest(
      set,
      makeCtx({ method: 'PUT', url: '/users/alice/password', headers, body: { password: 'new' } }),
    );
    expect(bare).toMatchObject({ finding: { subtype: 'password-change-without-verification' } });
    // With a factor enrolled the answer is a step-up challenge, and a valid code passes.
    const enrol = await h.admin('POST', '/api/step-up/enroll', { subject: 'alice' });
    const secret = new URL((enrol.body as { uri: string }).uri).searchParams.get('secret') ?? '';
    const challenged = await runRequest(
      set,
      makeCtx({ method: 'PUT', url: '/users/alice/password', headers, body: { password: 'new' } }),
    );
    expect(challenged).toMatchObject({ status: 401, code: 'PAL_ERR_STEP_UP_REQUIRED' });
    const code = await generate({ secret });
    const withCode = { ...headers, 'x-palisade-otp': code };
    expect(
      await runRequest(
        set,
        makeCtx({
          method: 'PUT',
          url: '/users/alice/password',
          headers: withCode,
          body: { password: 'new' },
        }),
      ),
    ).toBeUndefined();
  });

  it('finds credential writes by body field without configuration, and leaves other writes alone', async () => {
    const h = harness(baseConfig(providers, { auth: { providers: ['main'] } }));
    const set = await h.phases();
    const headers = await auth('alice');
    const viaBody = await runRequest(
      set,
      makeCtx({ method: 'PATCH', url: '/accounts/me', headers, body: { user: { password: 'x' } } }),
    );
    expect(viaBody).toMatchObject({ finding: { subtype: 'password-change-without-verification' } });
    expect(
      await runRequest(
        set,
        makeCtx({ method: 'PATCH', url: '/accounts/me', headers, body: { displayName: 'A' } }),
      ),
    ).toBeUndefined();
    expect(
      await runRequest(
        set,
        makeCtx({
          method: 'PATCH',
          url: '/accounts/me',
          headers,
          body: { old_password: 'a', new_password: 'b' },
        }),
      ),
    ).toBeUndefined();
  });
});

describe('credential-change protection on a route without auth providers', () => {
  it('refuses a write that names an account and proves nothing, lets upstream-authenticated changes through', async () => {
    const set = await harness(baseConfig({}, {})).phases();
    const activate = await runRequest(
      set,
      makeCtx({ method: 'POST', url: '/users/activate', body: { username: 'alice', password: 'x' } }),
    );
    expect(activate).toMatchObject({ status: 403, finding: { subtype: 'account-takeover' } });
    expect(
      await runRequest(set, makeCtx({ method: 'POST', url: '/me/password', body: { newPassword: 'x' } })),
    ).toBeUndefined();
    expect(
      await runRequest(
        set,
        makeCtx({
          method: 'POST',
          url: '/users/activate',
          body: { username: 'alice', currentPassword: 'a', password: 'x' },
        }),
      ),
    ).toBeUndefined();
    expect(
      await runRequest(
        set,
        makeCtx({
          method: 'POST',
          url: '/users/activate',
          body: { username: 'alice', token: 't', password: 'x' },
        }),
      ),
    ).toBeUndefined();
  });
});

describe('rate limits', () => {
  it('limits per client with Retry-After, separately per client', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 0, 1));
    const h = harness(baseConfig({ rateLimits: [{ name: 'per-ip', limit: 3, window: '1m' }] }, {}));
    const set = await h.phases();
    for (let i = 0; i < 3; i++)
      expect(await runRequest(set, makeCtx({ url: '/x', clientIp: '192.0.2.1' }))).toBeUndefined();
    const v = await runRequest(set, makeCtx({ url: '/x', clientIp: '192.0.2.1' }));
    expect(v).toMatchObject({
      status: 429,
      code: 'PAL_ERR_RATE_LIMITED',
      finding: { category: 'resource-consumption', subtype: 'no-rate-limit' },
    });
    expect(Number(v?.headers?.['retry-after'])).toBeGreaterThanOrEqual(59);
    expect(await runRequest(set, makeCtx({ url: '/x', clientIp: '192.0.2.2' }))).toBeUndefined();
  });

  it('limits per identity after authentication and per operation', async () => {
    const h = harness(
      baseConfig(providers, {
        auth: { providers: ['main'] },
        rateLimits: {
          rules: [
            { name: 'per-user', by: ['identity'], limit: 2, window: '1m' },
            { name: 'export', by: ['operation'], match: ['GET /export'], limit: 3, window: '1m' },
          ],
        },
      }),
    );
    const set = await h.phases();
    const alice = await auth('alice');
    expect(
      await runRequest(set, makeCtx({ url: '/a', headers: alice, clientIp: '192.0.2.1' })),
    ).toBeUndefined();
    expect(
      await runRequest(set, makeCtx({ url: '/a', headers: alice, clientIp: '192.0.2.2' })),
    ).toBeUndefined();
    expect(
      await runRequest(set, makeCtx({ url: '/a', headers: alice, clientIp: '192.0.2.3' })),
    ).toMatchObject({ status: 429, details: { limit: 'per-user' } });
    const bob = await auth('bob');
    const carol = await auth('carol');
    expect(await runRequest(set, makeCtx({ url: '/export', headers: bob }))).toBeUndefined();
    expect(await runRequest(set, makeCtx({ url: '/export', headers: carol }))).toBeUndefined();
    expect(await runRequest(set, makeCtx({ url: '/export', headers: await auth('dan') }))).toBeUndefined();
    expect(await runRequest(set, makeCtx({ url: '/export', headers: await auth('erin') }))).toMatchObject({
      details: { limit: 'export' },
    });
  });

  it('counts API keys before authentication', async () => {
    const key = 'k_0123456789abcdef0123456789abcdef';
    const h = harness(
      baseConfig(
        {
          auth: {
            providers: { keys: { type: 'apiKey', keys: [{ id: 'ci', hash: `sha256:${sha256Hex(key)}` }] } },
          },
        },
        {
          auth: { providers: ['keys'] },
          rateLimits: { rules: [{ by: ['apiKey'], limit: 1, window: '1m' }] },
        },
      ),
    );
    const set = await h.phases();
    expect(await runRequest(set, makeCtx({ url: '/a', headers: { 'x-api-key': key } }))).toBeUndefined();
    expect(
      await runRequest(set, makeCtx({ url: '/a', headers: { 'x-api-key': key }, clientIp: '10.9.9.9' })),
    ).toMatchObject({ status: 429 });
    expect(await runRequest(set, makeCtx({ url: '/a', headers: { 'x-api-key': 'wrong' } }))).toMatchObject({
      status: 401,
    });
  });

  it('memory limiter refills after its window', async () => {
    vi.useFakeTimers();
    const l = createLimiter({ limit: 1, windowMs: 1000, prefix: 't' });
    expect((await l.consume('k')).allowed).toBe(true);
    expect((await l.consume('k')).allowed).toBe(false);
    vi.advanceTimersByTime(1100);
    expect((await l.consume('k')).allowed).toBe(true);
  });
});

describe('deny-list in the pipeline', () => {
  it('blocks deny-listed addresses, tokens and subjects at once, and lets others through', async () => {
    const h = harness(
      baseConfig(
        { ...providers, denyList: { entries: [{ type: 'cidr', value: '198.51.100.0/24' }] } },
        { auth: { providers: ['main'] } },
      ),
    );
    const set = await h.phases();
    const headers = await auth('alice');
    expect(await runRequest(set, makeCtx({ url: '/a', headers, clientIp: '198.51.100.9' }))).toMatchObject({
      status: 403,
      finding: { detector: 'deny-list' },
    });
    expect(await runRequest(set, makeCtx({ url: '/a', headers, clientIp: '192.0.2.1' }))).toBeUndefined();
    const token = headers.authorization.slice(7);
    expect((await h.admin('POST', '/api/deny-list', { type: 'token', value: token })).status).toBe(201);
    expect(await runRequest(set, makeCtx({ url: '/a', headers }))).toMatchObject({
      status: 401,
      finding: { subtype: 'session-not-revoked' },
    });
    await h.admin('POST', '/api/deny-list', { type: 'subject', value: 'bob' });
    expect(await runRequest(set, makeCtx({ url: '/a', headers: await auth('bob') }))).toMatchObject({
      status: 401,
    });
    expect(await runRequest(set, makeCtx({ url: '/a', headers: await auth('carol') }))).toBeUndefined();
  });
});

describe('mayHoldField (skips parsing bodies that cannot name a password field)', () => {
  it('finds names, and always counts bodies with escapes', async () => {
    const { mayHoldField } = await import('../../../src/policy/abuse/body.js');
    const names = ['password', 'passwd'];
    expect(mayHoldField(Buffer.from('{"user":"a","password":"x"}'), names)).toBe(true);
    expect(mayHoldField(Buffer.from('{"user":"a","title":"x"}'), names)).toBe(false);
    expect(mayHoldField(Buffer.from('{"pass\\u0077ord":"x"}'), names)).toBe(true);
    expect(mayHoldField(Buffer.from('pass%77ord=x'), names)).toBe(true);
    expect(mayHoldField(undefined, names)).toBe(false);
  });
});
