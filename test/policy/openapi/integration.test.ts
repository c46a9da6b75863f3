import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenApiPhases } from '../../../src/policy/openapi-phases.js';
import { FIXTURE_DIR, type FixtureApi, startFixtureApi } from '../../fixtures/policy-api/server.js';
import { type StartedGateway, startGateway } from '../../helpers/gateway.js';

// Through the real gateway, in front of the deliberately weak fixture API.

let api: FixtureApi;
let gw: StartedGateway;

beforeAll(async () => {
  api = await startFixtureApi();
  gw = await startGateway(
    {
      mode: 'block',
      upstreams: { up: { targets: [api.url] } },
      routes: [
        {
          name: 'watched',
          upstream: 'up',
          match: { pathPrefix: '/watch' },
          stripPrefix: true,
          mode: 'monitor',
          policy: { openapi: { spec: 'openapi.yaml', basePath: '' } },
        },
        // Listed after a route that overrides the base path of the same (shared, cached) document.
        {
          name: 'guarded',
          upstream: 'up',
          match: { pathPrefix: '/api' },
          policy: { openapi: { spec: 'openapi.yaml' } },
        },
      ],
    },
    { baseDir: FIXTURE_DIR, factories: [createOpenApiPhases] },
  );
});

afterAll(async () => {
  await gw?.close();
  await api?.close();
});

const json = { 'content-type': 'application/json', 'x-tenant': 'acme' };
const reached = (path: string) => api.received.some((r) => r.url.startsWith(path));

async function call(path: string, init: RequestInit = {}) {
  const res = await fetch(gw.url + path, init);
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body, text, headers: res.headers };
}

describe('OpenAPI model through the gateway (block)', () => {
  it('a legitimate read passes, with undeclared response fields removed and a correct length', async () => {
    const r = await call('/api/users/7');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      id: 7,
      name: 'user7',
      email: 'user7@example.test',
      role: 'member',
      profile: { bio: 'hi', verified: false },
    });
    expect(r.text).not.toContain('password_hash');
    expect(Number(r.headers.get('content-length'))).toBe(Buffer.byteLength(r.text));
  });

  it('a shadow endpoint is answered 404 by the gateway and never reaches the upstream', async () => {
    const r = await call('/api/internal/debug');
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'PAL_ERR_NOT_FOUND', subtype: 'shadow-endpoint' });
    expect(reached('/api/internal/debug')).toBe(false);
  });

  it('an invalid parameter gets a 400 naming the location; a valid list call passes', async () => {
    const bad = await call('/api/users?limit=100000', { headers: { 'x-tenant': 'acme' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'PAL_ERR_VALIDATION',
      location: 'query.limit',
      problem: 'must be <= 100',
    });
    expect(reached('/api/users?limit=100000')).toBe(false);
    const ok = await call('/api/users?limit=3', { headers: { 'x-tenant': 'acme' } });
    expect(ok.status).toBe(200);
    expect(ok.body.items).toHaveLength(3);
    expect(ok.text).not.toContain('password_hash');
    expect(ok.text).not.toContain('debug_sql');
  });

  it('mass assignment is refused before the upstream binds it; a clean create passes', async () => {
    const attack = await call('/api/users', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'Eve', email: 'eve@example.test', role: 'admin' }),
    });
    expect(attack.status).toBe(400);
    expect(attack.body.error).toMatchObject({ location: 'body.role', subtype: 'mass-assignment' });
    expect(api.received.some((r) => r.body.includes('"role":"admin"'))).toBe(false);
    const ok = await call('/api/users', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'Ann', email: 'ann@example.test' }),
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ name: 'Ann', role: 'member' });
    expect(ok.body.password_hash).toBeUndefined();
  });

  it('an undeclared content type is answered 415', async () => {
    const r = await call('/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<user/>',
    });
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('PAL_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('verbose upstream errors are replaced by a generic JSON error', async () => {
    const stack = await call('/api/users/500');
    expect(stack.status).toBe(500);
    expect(stack.body.error).toMatchObject({ code: 'PAL_ERR_UPSTREAM_RESPONSE', subtype: 'verbose-error' });
    expect(stack.text).not.toContain('/usr/src/app');
    const sql = await call(`/api/search?q=x&sort=${encodeURIComponent("'")}`);
    expect(sql.status).toBe(500);
    expect(sql.text).not.toContain('SQL syntax');
    const plain = await call('/api/users/404');
    expect(plain.status).toBe(404);
    expect(plain.body).toEqual({ message: 'not found' });
  });

  it('records events with the operation and the finding', async () => {
    const events = await gw.events();
    const shadow = events.find((e) => e.subtype === 'shadow-endpoint');
    expect(shadow).toMatchObject({ action: 'blocked', route: 'guarded', category: 'inventory' });
    const mass = events.find((e) => e.subtype === 'mass-assignment');
    expect(mass).toMatchObject({ action: 'blocked', operation: 'POST /users', pathTemplate: '/users' });
  });
});

describe('OpenAPI model through the gateway (monitor route)', () => {
  it('lets attacks through to the upstream but records what block would have stopped', async () => {
    const r = await call('/watch/users', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'Mal', email: 'mal@example.test', role: 'admin' }),
    });
    expect(r.status).toBe(201);
    expect(r.body.role).toBe('admin'); // the weak upstream bound it: monitor does not protect
    const shadow = await call('/watch/internal/debug');
    expect(shadow.status).toBe(200);
    expect(shadow.text).toContain('DB_PASSWORD'); // monitor lets the shadow endpoint leak
    const events = await gw.events();
    const monitored = events.filter((e) => e.route === 'watched');
    expect(monitored.map((e) => e.action)).toEqual(expect.arrayContaining(['monitored']));
    expect(monitored.flatMap((e) => e.findings.map((f) => `${f.subtype}:${f.mode}`))).toEqual(
      expect.arrayContaining(['mass-assignment:monitor', 'shadow-endpoint:monitor']),
    );
  });
});
