import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { MemoryEventStore } from '../../src/store/events/memory.js';
import { startUpstream } from '../helpers/gateway.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const configText = (upstream: string, prefix = '/') =>
  `server: { host: 127.0.0.1, port: 0 }\nadmin: { port: 0, token: reload-test-token-1234567 }\nevents: { store: memory }\n` +
  `upstreams:\n  u:\n    targets: [${upstream}]\nroutes:\n  - name: r\n    upstream: u\n    match: { pathPrefix: ${prefix} }\n`;

async function startFromFile(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-reload-'));
  const file = join(dir, 'palisade.yaml');
  writeFileSync(file, text);
  const gw = await Gateway.start({
    loaded: await loadConfigFile(file),
    logger: pino({ level: 'silent' }),
    eventStore: new MemoryEventStore(),
    watchConfig: true,
  });
  cleanup.push(() => gw.stop());
  return { gw, file, url: `http://127.0.0.1:${gw.dataAddress.port}` };
}

async function until(check: () => Promise<boolean>, ms = 3000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('configuration reload', () => {
  it('swaps in a valid config when the file changes', async () => {
    const a = await startUpstream((_q, s) => s.end('A'));
    const b = await startUpstream((_q, s) => s.end('B'));
    cleanup.push(a.close, b.close);
    const { file, url } = await startFromFile(configText(a.url));
    expect(await (await fetch(url)).text()).toBe('A');
    writeFileSync(file, configText(b.url));
    expect(await until(async () => (await (await fetch(url)).text()) === 'B')).toBe(true);
  });

  it('rejects an invalid file and keeps serving the old config', async () => {
    const a = await startUpstream((_q, s) => s.end('A'));
    cleanup.push(a.close);
    const { gw, file, url } = await startFromFile(configText(a.url));
    writeFileSync(file, 'routes: not-a-list\n');
    expect(await gw.reload()).toBe(false);
    writeFileSync(file, 'upstreams: [\n');
    expect(await gw.reload()).toBe(false);
    expect(await (await fetch(url)).text()).toBe('A');
    expect(gw.config.routes[0].name).toBe('r');
  });
});

describe('admin API', () => {
  it('requires the token, lists and filters events, masks secrets in the config', async () => {
    const a = await startUpstream((_q, s) => s.end('A'));
    cleanup.push(a.close);
    const text = configText(a.url).replace(
      'events: { store: memory }',
      'events: { store: memory, sampleAllowed: 1, flushInterval: 10 }',
    );
    const { gw, url } = await startFromFile(text);
    const admin = `http://127.0.0.1:${gw.adminAddress.port}`;
    const auth = { authorization: 'Bearer reload-test-token-1234567' };
    expect((await fetch(`${admin}/healthz`)).status).toBe(200);
    expect((await fetch(`${admin}/readyz`)).status).toBe(200);
    expect((await fetch(`${admin}/api/events`)).status).toBe(401);
    expect(
      (await fetch(`${admin}/api/events`, { headers: { authorization: 'Bearer wrong-token-of-same-len' } }))
        .status,
    ).toBe(401);
    expect((await fetch(`${admin}/metrics`)).status).toBe(401);
    await fetch(`${url}/one`);
    await fetch(`${url}/two`);
    await gw.flushEvents();
    const all = (await (await fetch(`${admin}/api/events`, { headers: auth })).json()) as {
      events: { id: string; path: string }[];
    };
    expect(all.events.map((e) => e.path)).toEqual(['/two', '/one']);
    const one = await (await fetch(`${admin}/api/events/${all.events[1].id}`, { headers: auth })).json();
    expect(one).toMatchObject({ path: '/one', action: 'allowed' });
    const filtered = (await (
      await fetch(`${admin}/api/events?action=blocked`, { headers: auth })
    ).json()) as { events: unknown[] };
    expect(filtered.events).toHaveLength(0);
    expect((await fetch(`${admin}/api/events/nope`, { headers: auth })).status).toBe(404);
    const config = (await (await fetch(`${admin}/api/config`, { headers: auth })).json()) as {
      admin: { token: string };
    };
    expect(config.admin.token).toBe('****');
    const metrics = await (await fetch(`${admin}/metrics`, { headers: auth })).text();
    expect(metrics).toMatch(/palisade_requests_total\{route="r",status="2xx",action="allowed"\} 2/);
    expect(metrics).toContain('palisade_request_duration_seconds_bucket');
  });
});
