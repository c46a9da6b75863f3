import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { PhaseFactory } from '../../src/gateway/phase-env.js';
import { oneRoute, startGateway, startUpstream } from '../helpers/gateway.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('streaming', () => {
  it('relays SSE chunk by chunk: the second event is only sent after the client saw the first', async () => {
    const clientSawFirst = deferred();
    const events = ['data: {"n":1}\n\n', 'data: {"n":2}\n\n', 'data: [DONE]\n\n'];
    const u = await startUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(events[0]);
      await clientSawFirst.promise; // a buffering proxy would deadlock here
      res.write(events[1]);
      res.end(events[2]);
    });
    cleanup.push(u.close);
    const g = await startGateway(oneRoute(u.url));
    cleanup.push(g.close);
    const res = await fetch(`${g.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(events[0]);
    clientSawFirst.resolve();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(events[0] + rest).toBe(events.join(''));
  });

  it('streams a large download without buffering it whole', async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const total = 32 * 1024 * 1024;
    let sentWhenFirstByteArrived = -1;
    let sent = 0;
    const firstByte = deferred();
    const u = await startUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
      while (sent < total) {
        if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
        sent += chunk.length;
      }
      res.end();
    });
    cleanup.push(u.close);
    const g = await startGateway(oneRoute(u.url));
    cleanup.push(g.close);
    const res = await fetch(`${g.url}/model.bin`);
    const reader = res.body!.getReader();
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (received === 0) {
        sentWhenFirstByteArrived = sent;
        firstByte.resolve();
      }
      received += value.length;
    }
    await firstByte.promise;
    expect(received).toBe(total);
    // The client started receiving long before the upstream finished sending.
    expect(sentWhenFirstByteArrived).toBeLessThan(total / 2);
  });

  it('cancels the upstream request when the client aborts', async () => {
    const upstreamClosed = deferred<boolean>();
    const upstreamGotRequest = deferred();
    const u = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      upstreamGotRequest.resolve();
      res.on('close', () => upstreamClosed.resolve(res.writableFinished));
    });
    cleanup.push(u.close);
    const g = await startGateway(oneRoute(u.url));
    cleanup.push(g.close);
    const port = Number(new URL(g.url).port);
    const req = httpRequest({ port, host: '127.0.0.1', path: '/stream' }, (res) =>
      res.once('data', () => req.destroy()),
    );
    req.on('error', () => undefined);
    req.end();
    await upstreamGotRequest.promise;
    expect(await upstreamClosed.promise).toBe(false); // closed before it finished: cancelled
  });

  it('ends the client response when the upstream aborts mid-body', async () => {
    const u = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1000 });
      res.write(Buffer.alloc(100));
      setTimeout(() => res.destroy(), 50);
    });
    cleanup.push(u.close);
    const g = await startGateway(oneRoute(u.url));
    cleanup.push(g.close);
    const res = await fetch(`${g.url}/`);
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
  });

  it('lets a response phase rewrite a streamed body chunk by chunk', async () => {
    const upper: PhaseFactory = () => ({
      response: [
        {
          name: 'inspect-response',
          body: 'stream',
          createInspector: () => ({
            push: (c) => Buffer.from(c.toString('utf8').toUpperCase()),
            end: () => Buffer.from('!'),
          }),
        },
      ],
    });
    const u = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 5 });
      res.end('hello');
    });
    cleanup.push(u.close);
    const g = await startGateway(oneRoute(u.url), { factories: [upper] });
    cleanup.push(g.close);
    expect(await (await fetch(`${g.url}/`)).text()).toBe('HELLO!');
  });

  it('lets a full-body response phase block, and writes a stream tail when blocking mid-stream', async () => {
    const blocker: PhaseFactory = () => ({
      response: [
        {
          name: 'inspect-response',
          body: 'stream',
          createInspector: (ctx) => ({
            push: (c) =>
              c.includes('SECRET')
                ? {
                    action: 'block',
                    status: 502,
                    code: 'PAL_ERR_UPSTREAM_RESPONSE',
                    streamTail: Buffer.from('data: {"error":"blocked"}\n\n'),
                    finding: {
                      category: 'llm-sensitive-disclosure',
                      subtype: 'secret-in-output',
                      detector: 'test',
                      severity: 'high',
                      score: 1,
                    },
                  }
                : (ctx.state.set('seen', true), c),
            end: () => Buffer.alloc(0),
          }),
        },
      ],
    });
    const u = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: ok\n\n');
      setTimeout(() => res.end('data: SECRET\n\n'), 20);
    });
    cleanup.push(u.close);
    const g = await startGateway(oneRoute(u.url), { factories: [blocker] });
    cleanup.push(g.close);
    const text = await (await fetch(`${g.url}/`)).text();
    expect(text).toBe('data: ok\n\ndata: {"error":"blocked"}\n\n');
    const [event] = await g.events();
    expect(event).toMatchObject({ action: 'blocked', category: 'llm-sensitive-disclosure' });
  });
});
