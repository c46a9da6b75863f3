import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PhaseSet } from '../../../src/gateway/phase.js';
import { baseConfig, type Harness, harness, makeCtx, runRequest, runResponse } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
const flush = () => new Promise((r) => setImmediate(r));

function setup(login: Record<string, unknown> = {}) {
  const delays: number[] = [];
  const h = harness(
    baseConfig(
      {},
      {
        login: {
          perUser: { delayAfter: 2, lockAfter: 4 },
          perClient: { delayAfter: 100, lockAfter: 200 },
          stuffing: { usernamesPerClient: 5, usernamesPerPassword: 3 },
          window: '15m',
          lockFor: '10m',
          ...login,
        },
      },
    ),
    { sleep: async (ms) => void delays.push(ms) },
  );
  return { h, delays };
}

async function attempt(
  set: PhaseSet,
  username: string,
  password: string,
  upstream: { status: number; body: string },
  clientIp = '198.51.100.1',
) {
  const ctx = makeCtx({ method: 'POST', url: '/api/login', body: { username, password }, clientIp });
  const blocked = await runRequest(set, ctx);
  if (blocked) return { blocked, ctx };
  const res = runResponse(set, ctx, upstream.status, upstream.body);
  await flush();
  return { res, ctx };
}

const WRONG = { status: 401, body: '{"error":"wrong password"}' };
const NO_USER = { status: 404, body: '{"error":"no such user"}' };
const OK = { status: 200, body: '{"token":"t"}' };

let h: Harness;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(async () => {
  vi.useRealTimers();
  await h?.close();
});

describe('login protection', () => {
  it('delays progressively, then locks the username, then lets it go after lockFor', async () => {
    const s = setup();
    h = s.h;
    const set = await h.phases();
    for (let i = 0; i < 4; i++)
      expect((await attempt(set, 'alice', `guess${i}`, WRONG)).blocked).toBeUndefined();
    expect(s.delays).toEqual([250, 500]);
    const locked = await attempt(set, 'alice', 'guess4', WRONG);
    expect(locked.blocked).toMatchObject({
      status: 429,
      code: 'PAL_ERR_RATE_LIMITED',
      finding: { subtype: 'brute-force' },
    });
    expect(Number(locked.blocked?.headers?.['retry-after'])).toBeGreaterThan(0);
    // Even the right password is refused while locked; another user from the same client is not.
    expect((await attempt(set, 'Alice', 'right', OK)).blocked).toMatchObject({ status: 429 });
    expect((await attempt(set, 'bob', 'right', OK)).blocked).toBeUndefined();
    vi.setSystemTime(T0 + 16 * 60_000);
    expect((await attempt(set, 'alice', 'right', OK)).blocked).toBeUndefined();
  });

  it('clears the username counter after a success', async () => {
    const s = setup();
    h = s.h;
    const set = await h.phases();
    await attempt(set, 'carol', 'x', WRONG);
    await attempt(set, 'carol', 'y', WRONG);
    await attempt(set, 'carol', 'right', OK);
    s.delays.length = 0;
    await attempt(set, 'carol', 'z', WRONG);
    expect(s.delays).toEqual([]);
  });

  it('answers every failed login the same way and records user enumeration', async () => {
    const s = setup();
    h = s.h;
    const set = await h.phases();
    const a = await attempt(set, 'ghost', 'x', NO_USER);
    const b = await attempt(set, 'dave', 'x', WRONG);
    expect(a.res).toMatchObject({ status: 401 });
    expect(a.res?.body).toBe(b.res?.body);
    expect(a.res?.body).toContain('invalid_credentials');
    expect(a.res?.headers['content-type']).toBe('application/json');
    expect(b.ctx.findings).toMatchObject([{ category: 'session-password', subtype: 'user-enumeration' }]);
    const ok = await attempt(set, 'dave', 'right', OK);
    expect(ok.res).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"token":"t"}',
    });
  });

  it('detects many usernames failing from one client (credential stuffing)', async () => {
    const s = setup();
    h = s.h;
    const set = await h.phases();
    for (let i = 0; i < 5; i++) await attempt(set, `user${i}`, `pw${i}`, WRONG, '192.0.2.66');
    const v = await attempt(set, 'user9', 'pw9', WRONG, '192.0.2.66');
    expect(v.blocked).toMatchObject({
      status: 429,
      finding: { category: 'authentication', subtype: 'credential-stuffing' },
    });
    expect((await attempt(set, 'user9', 'pw9', WRONG, '192.0.2.67')).blocked).toBeUndefined();
  });

  it('detects one password failing across many usernames (spraying)', async () => {
    const s = setup();
    h = s.h;
    const set = await h.phases();
    for (let i = 0; i < 3; i++) await attempt(set, `victim${i}`, 'Winter2026!', WRONG, `203.0.113.${i + 1}`);
    const v = await attempt(set, 'victim9', 'Winter2026!', WRONG, '203.0.113.99');
    expect(v.blocked).toMatchObject({ finding: { subtype: 'credential-stuffing' } });
    expect((await attempt(set, 'victim9', 'another', WRONG, '203.0.113.99')).blocked).toBeUndefined();
  });

  it('in monitor mode neither delays nor rewrites', async () => {
    const s = setup({ mode: 'monitor' });
    h = s.h;
    const set = await h.phases();
    for (let i = 0; i < 6; i++) await attempt(set, 'erin', `g${i}`, i % 2 ? WRONG : NO_USER);
    expect(s.delays).toEqual([]);
    const last = await attempt(set, 'erin', 'g', NO_USER);
    expect(last.blocked).toBeUndefined();
    expect(last.res).toMatchObject({ status: 404, body: NO_USER.body });
    expect(last.ctx.findings.map((f) => [f.subtype, f.mode])).toContainEqual(['brute-force', 'monitor']);
  });

  it('marks login operations by config pattern and x-palisade extension only', async () => {
    const s = setup({ builtIn: false, operations: ['POST /auth/enter'] });
    h = s.h;
    const set = await h.phases();
    const viaPattern = makeCtx({
      method: 'POST',
      url: '/auth/enter',
      body: { username: 'u', password: 'p' },
    });
    await runRequest(set, viaPattern);
    expect(runResponse(set, viaPattern, 404, 'no user').status).toBe(401);
    const viaExt = makeCtx({
      method: 'POST',
      url: '/v2/x',
      body: { username: 'u', password: 'p' },
      op: { extensions: { 'x-palisade': 'login' }, security: [] },
    });
    await runRequest(set, viaExt);
    expect(runResponse(set, viaExt, 404, 'no user').status).toBe(401);
    const plain = makeCtx({ method: 'POST', url: '/api/login', body: { username: 'u', password: 'p' } });
    await runRequest(set, plain);
    expect(runResponse(set, plain, 404, 'no user').status).toBe(404);
  });
});
