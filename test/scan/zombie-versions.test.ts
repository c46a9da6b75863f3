// Retired API versions: `/svc/v3/…` documented, `/svc/v2/…` (or v1) still deployed. The control
// (a random path under the old prefix) keeps catch-all servers from producing findings.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScan } from '../../src/scan/runner.js';

const THINGS = [
  { thingId: 't-1', label: 'first thing', weight: 3 },
  { thingId: 't-2', label: 'second thing', weight: 5 },
];

async function serve(route: (path: string) => unknown): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const out = route(new URL(req.url ?? '/', 'http://x').pathname);
    res.writeHead(out === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out ?? { error: 'not found' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function things(path: string, versions: RegExp): unknown {
  const m = /^\/svc\/(v\d)\/things(?:\/([^/]+))?$/.exec(path);
  if (!m || !versions.test(m[1])) return undefined;
  return m[2] ? THINGS.find((t) => t.thingId === m[2]) : { items: THINGS };
}

async function zombies(route: (path: string) => unknown): Promise<string[]> {
  const { url, server } = await serve(route);
  try {
    const report = await runScan({
      spec: join(import.meta.dirname, 'data', 'versions.yaml'),
      target: url,
      checks: ['deprecated-operations'],
      budgetMs: 20_000,
    });
    return report.findings.map((f) => `${f.subtype} ${f.operation} ${f.location ?? ''}`.trim());
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

describe('retired API versions', () => {
  it('reports an older version that still serves the documented operations', async () => {
    const got = await zombies((p) => things(p, /^v[23]$/));
    expect(got).toContain('zombie-endpoint GET /things path./svc/v2');
    expect(got).toContain('zombie-endpoint GET /things/{thingId} path./svc/v2');
  }, 30_000);

  it('stays quiet when only the current version answers, and on catch-all servers', async () => {
    expect(await zombies((p) => things(p, /^v3$/))).toEqual([]);
    expect(await zombies((p) => things(p, /^v3$/) ?? { items: THINGS })).toEqual([]);
  }, 30_000);
});
