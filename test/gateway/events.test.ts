import { connect } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../src/core/event.js';
import type { EventStore } from '../../src/store/events/store.js';
import { echoHandler, oneRoute, startGateway, startUpstream } from '../helpers/gateway.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** Sends a request whose head Node accepts but the protocol detector flags (two Content-Types). */
async function rawRequest(port: number, head: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(head);
  let text = '';
  socket.on('data', (d) => {
    text += d;
    if (text.includes('\r\n\r\n') && /content-length: (\d+)/i.test(text)) {
      const len = Number(/content-length: (\d+)/i.exec(text)![1]);
      if (text.length >= text.indexOf('\r\n\r\n') + 4 + len) socket.end();
    }
  });
  await once(socket, 'close');
  return text;
}
const SMUGGLE =
  'POST /x HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}';

class BrokenStore implements EventStore {
  attempts = 0;
  async insertBatch(): Promise<void> {
    this.attempts++;
    throw new Error('disk full');
  }
  async query(): Promise<GatewayEvent[]> {
    return [];
  }
  async get() {
    return undefined;
  }
  async prune() {
    return 0;
  }
  async close() {}
}

describe('events and modes', () => {
  it('blocks a protocol anomaly in block mode and records the event', async () => {
    const u = await startUpstream(echoHandler);
    cleanup.push(u.close);
    const g = await startGateway(oneRoute(u.url));
    cleanup.push(g.close);
    const text = await rawRequest(Number(new URL(g.url).port), SMUGGLE);
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(text).toContain('"category":"injection"');
    const [event] = await g.events();
    expect(event).toMatchObject({
      action: 'blocked',
      route: 'main',
      method: 'POST',
      path: '/x',
      status: 400,
      detector: 'protocol',
    });
    expect(event.findings[0]).toMatchObject({ mode: 'block', message: 'duplicate Content-Type headers' });
    expect(event.clientIp).toBe('127.0.0.1');
  });

  it('in monitor mode lets the request through and records what block would have done', async () => {
    const u = await startUpstream(echoHandler);
    cleanup.push(u.close);
    const g = await startGateway(oneRoute(u.url, { mode: 'monitor' }));
    cleanup.push(g.close);
    const text = await rawRequest(Number(new URL(g.url).port), SMUGGLE);
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    const [event] = await g.events();
    expect(event).toMatchObject({
      action: 'monitored',
      status: 200,
      category: 'injection',
      subtype: 'header-injection',
    });
    expect(event.findings[0].mode).toBe('monitor');
  });

  it('a per-control mode overrides the route mode', async () => {
    const u = await startUpstream(echoHandler);
    cleanup.push(u.close);
    const g = await startGateway(oneRoute(u.url, { mode: 'block', protocol: { mode: 'off' } }));
    cleanup.push(g.close);
    expect(await rawRequest(Number(new URL(g.url).port), SMUGGLE)).toMatch(/^HTTP\/1\.1 200/);
    expect(await g.events()).toHaveLength(0);
  });

  it('samples allowed requests at the configured rate', async () => {
    const u = await startUpstream(echoHandler);
    cleanup.push(u.close);
    const g = await startGateway(oneRoute(u.url, {}, { events: { sampleAllowed: 1 } }));
    cleanup.push(g.close);
    await (await fetch(`${g.url}/ok`)).text();
    const [event] = await g.events();
    expect(event).toMatchObject({ action: 'allowed', path: '/ok', status: 200 });
    expect(event.category).toBeUndefined();
  });

  it('keeps traffic flowing when the event store fails, and counts dropped events', async () => {
    const u = await startUpstream(echoHandler);
    cleanup.push(u.close);
    const store = new BrokenStore();
    const g = await startGateway(oneRoute(u.url, {}, { events: { queueSize: 3, sampleAllowed: 1 } }), {
      eventStore: store,
    });
    cleanup.push(async () => {
      // The broken store never drains: stop without waiting for a flush that cannot succeed.
      await Promise.race([g.close(), new Promise((r) => setTimeout(r, 100))]);
    });
    for (let i = 0; i < 10; i++) expect((await fetch(`${g.url}/n${i}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(store.attempts).toBeGreaterThan(0);
    expect(g.gateway.droppedEvents).toBe(7);
    const metrics = await (
      await fetch(`${g.adminUrl}/metrics`, { headers: { authorization: `Bearer ${g.adminToken}` } })
    ).text();
    expect(metrics).toMatch(/palisade_events_dropped_total 7/);
    expect(metrics).toMatch(/palisade_event_store_errors_total [1-9]/);
    expect(metrics).toMatch(/palisade_event_queue_depth 3/);
  });
});
