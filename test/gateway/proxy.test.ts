import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PhaseFactory } from '../../src/gateway/phase-env.js';
import {
  echoHandler,
  oneRoute,
  startGateway,
  startUpstream,
  type StartedGateway,
  type StartedUpstream,
} from '../helpers/gateway.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});
async function gw(
  raw: Record<string, any>,
  opts?: Parameters<typeof startGateway>[1],
): Promise<StartedGateway> {
  const g = await startGateway(raw, opts);
  cleanup.push(g.close);
  return g;
}
async function up(handler: Parameters<typeof startUpstream>[0]): Promise<StartedUpstream> {
  const u = await startUpstream(handler);
  cleanup.push(u.close);
  return u;
}

/** A phase that needs the body, so the gateway buffers and limits it. */
const bodyReader: PhaseFactory = () => ({
  request: [{ name: 'detect', needsBody: true, run: () => undefined }],
});

describe('proxy', () => {
  it('forwards a request with proxy hygiene and returns a request id', async () => {
    const u = await up(echoHandler);
    const g = await gw(oneRoute(u.url));
    const res = await fetch(`${g.url}/a/b?x=1`, {
      headers: {
        'x-custom': 'yes',
        'x-request-id': 'client-id-1',
        'x-forwarded-for': '6.6.6.6',
        'proxy-authorization': 'x',
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('client-id-1');
    const seen = (await res.json()) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/a/b?x=1');
    expect(seen.headers['x-custom']).toBe('yes');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1'); // untrusted peer: its claim is replaced
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toMatch(/^127\.0\.0\.1:/);
    expect(seen.headers['x-request-id']).toBe('client-id-1');
    expect(seen.headers['proxy-authorization']).toBeUndefined();
  });

  it('appends to X-Forwarded-For from a trusted proxy and takes the client from it', async () => {
    const u = await up(echoHandler);
    const g = await gw(oneRoute(u.url, {}, { server: { trustedProxies: ['127.0.0.0/8'] } }));
    const res = await fetch(`${g.url}/`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    const seen = (await res.json()) as { headers: Record<string, string> };
    expect(seen.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
  });

  it('generates a request id when the client sends an unusable one', async () => {
    const u = await up(echoHandler);
    const g = await gw(oneRoute(u.url));
    const res = await fetch(`${g.url}/`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('routes by host and longest path prefix, round-robin over targets', async () => {
    const a = await up((_req, res) => res.end('a'));
    const b = await up((_req, res) => res.end('b'));
    const c = await up((_req, res) => res.end('c'));
    const g = await gw({
      upstreams: { ab: { targets: [a.url, b.url] }, c: { targets: [c.url] } },
      routes: [
        { name: 'root', upstream: 'ab' },
        { name: 'api', upstream: 'c', match: { pathPrefix: '/api' } },
        { name: 'host', upstream: 'c', match: { host: 'special.test' } },
      ],
    });
    const bodies = await Promise.all([1, 2, 3, 4].map(() => fetch(`${g.url}/x`).then((r) => r.text())));
    expect(new Set(bodies)).toEqual(new Set(['a', 'b']));
    expect(await (await fetch(`${g.url}/api/thing`)).text()).toBe('c');
    expect(await (await fetch(`${g.url}/apix`)).text()).not.toBe('c');
  });

  it('ejects a failing target and keeps serving from the healthy one', async () => {
    const good = await up((_req, res) => res.end('good'));
    const g = await gw({
      upstreams: {
        u: { targets: ['http://127.0.0.1:9', good.url], health: { failures: 1, ejectFor: 60_000 } },
      },
      routes: [{ name: 'r', upstream: 'u' }],
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${g.url}/`)).status);
    expect(statuses.filter((s) => s === 502).length).toBeLessThanOrEqual(1);
    expect(statuses.slice(2).every((s) => s === 200)).toBe(true);
  });

  it('answers 502 with a code and no internals when the upstream is down', async () => {
    const g = await gw(oneRoute('http://127.0.0.1:9'));
    const res = await fetch(`${g.url}/`);
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: Record<string, string> };
    expect(body.error.code).toBe('PAL_ERR_UPSTREAM_UNAVAILABLE');
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1:9|stack/);
  });

  it('answers 504 when the upstream is too slow', async () => {
    const u = await up((_req, res) => setTimeout(() => res.end('late'), 1500));
    const g = await gw(oneRoute(u.url, {}, { server: { timeouts: { upstreamResponse: 200 } } }));
    const res = await fetch(`${g.url}/`);
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAL_ERR_UPSTREAM_TIMEOUT');
  });

  it('answers 413 for a body above the route limit when a phase needs the body', async () => {
    const u = await up(echoHandler);
    const g = await gw(oneRoute(u.url, { bodyLimit: '1kb' }), { factories: [bodyReader] });
    const big = await fetch(`${g.url}/`, { method: 'POST', body: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('PAL_ERR_BODY_TOO_LARGE');
    const small = await fetch(`${g.url}/`, { method: 'POST', body: 'hello' });
    expect(((await small.json()) as { body: string }).body).toBe('hello');
    const [event] = await g.events();
    expect(event).toMatchObject({
      action: 'blocked',
      category: 'resource-consumption',
      subtype: 'oversized-payload',
      status: 413,
    });
  });

  it('answers 413 for a chunked body that grows past the limit', async () => {
    const u = await up(echoHandler);
    const g = await gw(oneRoute(u.url, { bodyLimit: '1kb' }), { factories: [bodyReader] });
    const port = Number(new URL(g.url).port);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('y'.repeat(500));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('answers 431 with a JSON body for oversized headers', async () => {
    const u = await up(echoHandler);
    const g = await gw(oneRoute(u.url, {}, { server: { maxHeaderSize: 2048 } }));
    const res = await fetch(`${g.url}/`, { headers: { 'x-big': 'z'.repeat(4000) } });
    expect(res.status).toBe(431);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAL_ERR_HEADERS_TOO_LARGE');
  });

  it('answers 408 when the client stalls while sending its body', async () => {
    const u = await up(echoHandler);
    const g = await gw(oneRoute(u.url, {}, { server: { timeouts: { idle: 300 } } }), {
      factories: [bodyReader],
    });
    const socket = connect(Number(new URL(g.url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc');
    let text = '';
    socket.on('data', (d) => (text += d));
    await once(socket, 'close');
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(text).toContain('PAL_ERR_TIMEOUT_CLIENT');
  });

  it('answers 404 with a code when no route matches', async () => {
    const u = await up(echoHandler);
    const g = await gw(oneRoute(u.url, { match: { pathPrefix: '/only' } }));
    const res = await fetch(`${g.url}/elsewhere`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAL_ERR_NOT_FOUND');
  });
});
