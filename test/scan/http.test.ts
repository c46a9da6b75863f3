import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlOf, requestText } from '../../src/scan/evidence.js';
import { BudgetExhausted, isDestructive, ScanClient, UnsafeRequest } from '../../src/scan/http.js';

describe('scan HTTP client', () => {
  const server = createServer((req, res) => {
    if (req.url === '/big') {
      res.end('x'.repeat(3 * 1024 * 1024));
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url }));
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const client = (over: Partial<ConstructorParameters<typeof ScanClient>[0]> = {}) =>
    new ScanClient({
      target: url,
      concurrency: 2,
      rps: 0,
      deadline: Date.now() + 30_000,
      timeoutMs: 5000,
      allowDestructive: false,
      ...over,
    });

  it('sends requests and parses JSON', async () => {
    const c = client();
    const res = await c.send({ method: 'GET', url: `${url}/a?b=1`, headers: {} });
    expect(res.json).toEqual({ method: 'GET', url: '/a?b=1' });
    expect(c.requests).toBe(1);
    await c.close();
  });

  it('refuses other origins and destructive calls', async () => {
    const c = client();
    await expect(c.send({ method: 'GET', url: 'http://127.0.0.2:1/x', headers: {} })).rejects.toBeInstanceOf(
      UnsafeRequest,
    );
    await expect(c.send({ method: 'DELETE', url: `${url}/x`, headers: {} })).rejects.toBeInstanceOf(
      UnsafeRequest,
    );
    expect(isDestructive('POST', '/api/db/purge')).toBe(true);
    expect(isDestructive('POST', '/api/notes')).toBe(false);
    await c.close();
    const d = client({ allowDestructive: true });
    expect((await d.send({ method: 'DELETE', url: `${url}/x`, headers: {} })).status).toBe(200);
    await d.close();
  });

  it('stops at the time budget and caps response bodies', async () => {
    const c = client({ deadline: Date.now() - 1 });
    await expect(c.send({ method: 'GET', url: `${url}/`, headers: {} })).rejects.toBeInstanceOf(
      BudgetExhausted,
    );
    await c.close();
    const d = client({ maxBody: 1024 });
    const res = await d.send({ method: 'GET', url: `${url}/big`, headers: {} });
    expect(res.body.length).toBe(1024);
    await d.close();
  });

  it('reports unreachable targets as status 0', async () => {
    const c = new ScanClient({
      target: 'http://127.0.0.1:1',
      concurrency: 1,
      rps: 0,
      deadline: Date.now() + 5000,
      timeoutMs: 1000,
      allowDestructive: false,
    });
    const res = await c.send({ method: 'GET', url: 'http://127.0.0.1:1/', headers: {} });
    expect(res.status).toBe(0);
    expect(res.error).toBeTruthy();
    await c.close();
  });

  it('writes curl lines with identity secrets as environment variables', () => {
    const req = {
      method: 'POST',
      url: `${url}/x?q='`,
      headers: { authorization: 'Bearer SECRET', 'content-type': 'application/json' },
      body: `{"a":"it's"}`,
    };
    const secrets = new Map([['Bearer SECRET', 'PALISADE_A_AUTHORIZATION']]);
    const curl = curlOf(req, secrets);
    expect(curl).toContain('"authorization: $PALISADE_A_AUTHORIZATION"');
    expect(curl).not.toContain('SECRET');
    expect(curl).toContain(`--data-raw '{"a":"it'\\''s"}'`);
    expect(requestText(req, secrets)).not.toContain('Bearer SECRET');
  });
});
