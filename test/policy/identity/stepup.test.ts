import { SignJWT } from 'jose';
import { generate } from 'otplib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { builtInRisk, looksLikeId } from '../../../src/policy/stepup/risk.js';
import { StepUp } from '../../../src/policy/stepup/totp.js';
import { MemorySharedState } from '../../../src/store/shared-state.js';
import { baseConfig, harness, makeCtx, runRequest } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const SECRET = 'stepup-test-secret-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d';
afterEach(() => vi.useRealTimers());

function store(grantTtlMs = 300_000) {
  const state = new MemorySharedState();
  return new StepUp(state, {
    issuer: 'Palisade',
    header: 'x-palisade-otp',
    grantTtlMs,
    window: 1,
    maxFailures: 3,
    lockForMs: 900_000,
  });
}
const secretOf = (uri: string) => new URL(uri).searchParams.get('secret') ?? '';
const codeAt = (secret: string, ms: number) => generate({ secret, epoch: Math.floor(ms / 1000) });
/** A six-digit code that is valid in none of the steps around `ms`. */
async function wrongCode(secret: string, ms: number): Promise<string> {
  const near = new Set(
    await Promise.all([-60_000, -30_000, 0, 30_000, 60_000].map((d) => codeAt(secret, ms + d))),
  );
  for (let n = 0; ; n++) {
    const c = String(n).padStart(6, '0');
    if (!near.has(c)) return c;
  }
}

describe('TOTP step-up store', () => {
  it('enrols once, with an otpauth URI, an SVG and a PNG QR code', async () => {
    const s = store();
    const e = await s.enroll('alice');
    expect(e?.uri).toMatch(/^otpauth:\/\/totp\/Palisade:alice\?/);
    expect(e?.svg).toMatch(/^<svg/);
    expect(e?.png.subarray(1, 4).toString()).toBe('PNG');
    expect(await s.enroll('alice')).toBeUndefined();
    expect(await s.enroll('alice', true)).toBeDefined();
  });

  it('accepts a current code once and refuses its replay', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const s = store();
    const secret = secretOf((await s.enroll('alice'))!.uri);
    const code = await codeAt(secret, T0);
    expect(await s.verify('alice', code)).toBe('ok');
    expect(await s.hasGrant('alice')).toBe(true);
    expect(await s.verify('alice', code)).toBe('replayed');
    // A code from the next step is fresh.
    vi.setSystemTime(T0 + 30_000);
    expect(await s.verify('alice', await codeAt(secret, T0 + 30_000))).toBe('ok');
  });

  it('refuses wrong, stale and malformed codes and locks after maxFailures', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const s = store();
    const secret = secretOf((await s.enroll('bob'))!.uri);
    expect(await s.verify('bob', await codeAt(secret, T0 - 5 * 60_000))).toBe('invalid');
    expect(await s.verify('bob', '12345')).toBe('malformed');
    expect(await s.verify('carol', '123456')).toBe('not-enrolled');
    expect(await s.verify('bob', await wrongCode(secret, T0))).toBe('invalid');
    expect(await s.hasGrant('bob')).toBe(false);
    expect(await s.verify('bob', await wrongCode(secret, T0))).toBe('invalid'); // third failure: locked
    expect(await s.verify('bob', await codeAt(secret, T0))).toBe('locked');
    expect(await s.hasGrant('bob')).toBe(false);
  });

  it('lets the grant expire', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const s = store(60_000);
    const secret = secretOf((await s.enroll('dave'))!.uri);
    expect(await s.verify('dave', await codeAt(secret, T0))).toBe('ok');
    vi.setSystemTime(T0 + 59_000);
    expect(await s.hasGrant('dave')).toBe(true);
    vi.setSystemTime(T0 + 61_000);
    expect(await s.hasGrant('dave')).toBe(false);
  });
});

describe('risky operations', () => {
  it('classifies built-in risky operations and leaves ordinary ones', () => {
    const r = (m: string, p: string) => builtInRisk(m, p.split('/').filter(Boolean));
    expect(r('DELETE', '/users')).toMatch(/collection/);
    expect(r('DELETE', '/users/42')).toBeUndefined();
    expect(r('POST', '/users/42/password')).toMatch(/credential/);
    expect(r('PUT', '/users/42/roles')).toMatch(/role/);
    expect(r('POST', '/jobs')).toMatch(/job/);
    expect(r('POST', '/models/llama/load')).toMatch(/model/);
    expect(r('POST', '/admin/flush')).toMatch(/admin/);
    expect(r('GET', '/admin/stats')).toBeUndefined();
    expect(r('POST', '/orders')).toBeUndefined();
    expect(looksLikeId('3f2a1b4c-1d2e-4f5a-8b9c-0d1e2f3a4b5c')).toBe(true);
    expect(looksLikeId('orders')).toBe(false);
  });
});

describe('step-up in the pipeline', () => {
  const sign = (sub: string, roles: string[] = []) =>
    new SignJWT({ sub, roles, exp: Math.floor(Date.now() / 1000) + 600 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
  const make = (grantTtl = '2m') =>
    harness(
      baseConfig(
        { auth: { providers: { main: { type: 'jwt', secret: SECRET } } }, stepUp: { grantTtl } },
        { auth: { providers: ['main'] }, stepUp: { operations: ['POST /reports/*/publish'] } },
      ),
    );

  it('challenges a risky operation, then accepts a valid code and caches the grant', async () => {
    const h = make();
    const set = await h.phases();
    const enrol = await h.admin('POST', '/api/step-up/enroll', { subject: 'alice' });
    expect(enrol.status).toBe(201);
    const secret = secretOf((enrol.body as { uri: string }).uri);
    const auth = { authorization: `Bearer ${await sign('alice')}` };

    const challenge = await runRequest(set, makeCtx({ method: 'POST', url: '/jobs', headers: auth }));
    expect(challenge).toMatchObject({
      status: 401,
      code: 'PAL_ERR_STEP_UP_REQUIRED',
      details: { stepUp: { header: 'x-palisade-otp', method: 'totp' } },
    });
    expect(challenge?.headers?.['www-authenticate']).toMatch(/^Palisade-OTP /);

    const bad = await wrongCode(secret, Date.now());
    const wrong = await runRequest(
      set,
      makeCtx({ method: 'POST', url: '/jobs', headers: { ...auth, 'x-palisade-otp': bad } }),
    );
    expect(wrong).toMatchObject({ status: 401, details: { stepUp: { error: 'invalid_code' } } });
    const code = await codeAt(secret, Date.now());
    const passed = makeCtx({ method: 'POST', url: '/jobs', headers: { ...auth, 'x-palisade-otp': code } });
    expect(await runRequest(set, passed)).toBeUndefined();
    expect(passed.stripHeaders.has('x-palisade-otp')).toBe(true);
    // Grant cached: no code needed for the next risky call.
    expect(
      await runRequest(set, makeCtx({ method: 'POST', url: '/reports/q1/publish', headers: auth })),
    ).toBeUndefined();
    // Ordinary operations never needed one.
    const bob = { authorization: `Bearer ${await sign('bob')}` };
    expect(await runRequest(set, makeCtx({ method: 'GET', url: '/jobs', headers: bob }))).toBeUndefined();
  });

  it('refuses a subject without an enrolled factor and says so', async () => {
    const h = make();
    const set = await h.phases();
    const v = await runRequest(
      set,
      makeCtx({ method: 'DELETE', url: '/users', headers: { authorization: `Bearer ${await sign('eve')}` } }),
    );
    expect(v).toMatchObject({
      status: 401,
      code: 'PAL_ERR_STEP_UP_REQUIRED',
      details: { enrolled: false, stepUp: { error: 'not_enrolled' } },
    });
  });

  it('refuses a replayed code for a new grant', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const h = make('1s');
    const set = await h.phases();
    const secret = secretOf(
      ((await h.admin('POST', '/api/step-up/enroll', { subject: 'alice' })).body as { uri: string }).uri,
    );
    const auth = { authorization: `Bearer ${await sign('alice')}` };
    const code = await codeAt(secret, T0);
    const withCode = () =>
      makeCtx({ method: 'POST', url: '/jobs', headers: { ...auth, 'x-palisade-otp': code } });
    expect(await runRequest(set, withCode())).toBeUndefined();
    vi.setSystemTime(T0 + 500);
    expect(await runRequest(set, makeCtx({ method: 'POST', url: '/jobs', headers: auth }))).toBeUndefined();
    vi.setSystemTime(T0 + 2_000); // grant expired; the same code is still inside its time window
    const replay = await runRequest(set, withCode());
    expect(replay).toMatchObject({
      status: 401,
      code: 'PAL_ERR_STEP_UP_REQUIRED',
      details: { stepUp: { error: 'code_replayed' } },
    });
    expect(await runRequest(set, makeCtx({ method: 'POST', url: '/jobs', headers: auth }))).toMatchObject({
      status: 401,
    });
  });

  it('exposes enrolment state and PNG output through the admin API', async () => {
    const h = make();
    await h.phases();
    const png = await h.admin('POST', '/api/step-up/enroll', { subject: 'zed' }, 'format=png');
    expect(png.headers?.['content-type']).toBe('image/png');
    expect(png.raw?.subarray(1, 4).toString()).toBe('PNG');
    expect((await h.admin('GET', '/api/step-up/zed')).body).toEqual({ subject: 'zed', enrolled: true });
    expect((await h.admin('DELETE', '/api/step-up/zed')).status).toBe(204);
    expect((await h.admin('GET', '/api/step-up/zed')).body).toEqual({ subject: 'zed', enrolled: false });
    expect((await h.admin('POST', '/api/step-up/enroll', {})).status).toBe(400);
  });
});
