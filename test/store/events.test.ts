import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../src/core/event.js';
import { MemoryEventStore } from '../../src/store/events/memory.js';
import { PostgresEventStore } from '../../src/store/events/postgres.js';
import { EventRecorder } from '../../src/store/events/recorder.js';
import { SqliteEventStore } from '../../src/store/events/sqlite.js';
import type { EventStore } from '../../src/store/events/store.js';

function event(i: number, over: Partial<GatewayEvent> = {}): GatewayEvent {
  return {
    id: `e${i}`,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    requestId: `r${i}`,
    route: i % 2 ? 'api' : 'chat',
    method: 'GET',
    path: `/p/${i}`,
    clientIp: '10.0.0.1',
    status: 403,
    durationMs: 1.5,
    action: 'blocked',
    category: 'injection',
    subtype: 'sqli',
    severity: 'high',
    detector: 'sqli',
    findings: [
      {
        category: 'injection',
        subtype: 'sqli',
        detector: 'sqli',
        severity: 'high',
        score: 1,
        mode: 'block',
        location: 'query.q',
      },
    ],
    ...over,
  };
}

const PG_URL = process.env.PALISADE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

const stores: [string, () => EventStore][] = [
  ['memory', () => new MemoryEventStore()],
  ['sqlite', () => new SqliteEventStore(join(mkdtempSync(join(tmpdir(), 'pal-ev-')), 'events.db'))],
  ['postgres', () => new PostgresEventStore(PG_URL, `palisade_events_test_${process.pid}_${Date.now()}`)],
];

describe.each(stores)('%s event store', (_name, make) => {
  it('stores, filters, gets and prunes events', async () => {
    const store = make();
    try {
      await store.insertBatch([1, 2, 3, 4].map((i) => event(i)));
      await store.insertBatch([
        event(5, { category: 'ssrf', subtype: 'ssrf-internal', action: 'monitored' }),
      ]);
      await store.insertBatch([event(5)]); // duplicate id is ignored
      const all = await store.query({});
      expect(all.map((e) => e.id)).toEqual(['e5', 'e4', 'e3', 'e2', 'e1']);
      expect(all[4]).toEqual(event(1));
      expect((await store.query({ category: 'ssrf' })).map((e) => e.id)).toEqual(['e5']);
      expect((await store.query({ route: 'api', limit: 1 })).map((e) => e.id)).toEqual(['e5']);
      expect((await store.query({ route: 'api', offset: 1 })).map((e) => e.id)).toEqual(['e3', 'e1']);
      expect((await store.query({ from: event(3).time, to: event(5).time })).map((e) => e.id)).toEqual([
        'e4',
        'e3',
      ]);
      expect((await store.query({ action: 'monitored', clientIp: '10.0.0.1' })).length).toBe(1);
      expect(await store.get('e2')).toEqual(event(2));
      expect(await store.get('missing')).toBeUndefined();
      expect(await store.prune(1000 * 86_400_000, 3)).toBe(2);
      expect((await store.query({})).map((e) => e.id)).toEqual(['e5', 'e4', 'e3']);
      expect(await store.prune(1, 100)).toBe(3); // everything is older than 1 ms
    } finally {
      await store.close();
    }
  });
});

describe('event recorder', () => {
  it('writes in batches and loses nothing it can hold while the store is failing', async () => {
    let failing = true;
    const inner = new MemoryEventStore();
    const flaky: EventStore = {
      insertBatch: (e) => (failing ? Promise.reject(new Error('down')) : inner.insertBatch(e)),
      query: (f) => inner.query(f),
      get: (id) => inner.get(id),
      prune: (a, b) => inner.prune(a, b),
      close: () => inner.close(),
    };
    let errors = 0;
    const recorder = new EventRecorder(
      flaky,
      {
        queueSize: 5,
        batchSize: 2,
        flushIntervalMs: 5,
        retention: { maxAgeMs: 1e12, maxRows: 100 },
        onStoreError: () => errors++,
      },
      pino({ level: 'silent' }),
    );
    for (let i = 1; i <= 7; i++) recorder.record(event(i));
    await new Promise((r) => setTimeout(r, 50));
    expect(errors).toBeGreaterThan(0);
    expect(recorder.dropped).toBe(2);
    expect(recorder.depth).toBe(5);
    failing = false;
    await recorder.flush();
    expect((await inner.query({})).map((e) => e.id)).toEqual(['e7', 'e6', 'e5', 'e4', 'e3']);
    await recorder.close();
  });
});
