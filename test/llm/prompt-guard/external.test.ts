import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExternalClassifier } from '../../../src/llm/prompt-guard/index.js';

let base = '';
const seen: Array<{ body: string; auth?: string }> = [];
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    seen.push({ body, auth: req.headers.authorization });
    if (req.url === '/score') {
      const { text } = JSON.parse(body) as { text: string };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ score: text.includes('ignore') ? 0.93 : 0.02 }));
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('{"score":0.5}'), 500);
    } else if (req.url === '/garbage') {
      res.end('not json');
    } else if (req.url === '/huge') {
      res.end(JSON.stringify({ score: 0.1, pad: 'x'.repeat(200_000) }));
    } else {
      res.statusCode = 500;
      res.end();
    }
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('external classifier', () => {
  it('posts {text} with headers and returns the score', async () => {
    const classify = createExternalClassifier({
      url: `${base}/score`,
      timeoutMs: 2000,
      failOpen: true,
      headers: { authorization: 'Bearer t0k' },
    });
    expect(await classify('please ignore that')).toBeCloseTo(0.93);
    expect(await classify('hello')).toBeCloseTo(0.02);
    expect(seen.at(-1)).toEqual({ body: JSON.stringify({ text: 'hello' }), auth: 'Bearer t0k' });
  });
  it.each([
    ['/slow', 'timeout'],
    ['/garbage', 'bad JSON'],
    ['/error', 'HTTP 500'],
    ['/huge', 'oversized response'],
  ])('%s (%s): fail-open → undefined, fail-closed → 1', async (p) => {
    const open = createExternalClassifier({ url: `${base}${p}`, timeoutMs: 100, failOpen: true });
    const closed = createExternalClassifier({ url: `${base}${p}`, timeoutMs: 100, failOpen: false });
    expect(await open('x')).toBeUndefined();
    expect(await closed('x')).toBe(1);
  });
  it('fails per policy when nothing listens', async () => {
    const closed = createExternalClassifier({ url: 'http://127.0.0.1:9/', timeoutMs: 200, failOpen: false });
    expect(await closed('x')).toBe(1);
  });
});
