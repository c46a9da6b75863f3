// Sound or merely odd servers must not produce serious findings: a catch-all HTML server,
// and a JSON API that echoes every input back (reflection is not execution).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { severityRank } from '../../src/core/taxonomy.js';
import { runScan } from '../../src/scan/runner.js';

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      if (body.length < 100_000) body += c;
    });
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const SPEC = join(import.meta.dirname, 'data', 'quiet.yaml');

async function serious(url: string) {
  const report = await runScan({
    spec: SPEC,
    target: url,
    auth: ['X-API-Key: k-alice'],
    authB: ['X-API-Key: k-bob'],
    budgetMs: 60_000,
  });
  return report.findings
    .filter((f) => severityRank(f.severity) >= severityRank('high'))
    .map((f) => `${f.category}/${f.subtype} ${f.operation}`);
}

describe('no false alarms on sound or odd servers', () => {
  it('a catch-all server answering 200 HTML to everything', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/html',
        'content-security-policy': "default-src 'self'",
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
      });
      res.end('<!doctype html><html><body><div id="app">Loading…</div></body></html>');
    });
    try {
      expect(await serious(s.url)).toEqual([]);
    } finally {
      await s.close();
    }
  }, 120_000);

  it('a JSON API that echoes inputs but enforces keys and ownership', async () => {
    const s = await serve((req, res, body) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const key = req.headers['x-api-key'];
      const send = (status: number, data: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(data));
      };
      if (url.pathname === '/login') {
        let b: any = {};
        try {
          b = JSON.parse(body || '{}');
        } catch {}
        return send(401, {
          error: 'invalid username or password',
          you_sent: String(b.username ?? '').slice(0, 50),
        });
      }
      if (key !== 'k-alice' && key !== 'k-bob') return send(401, { error: 'unauthorized' });
      if (url.pathname === '/admin/stats') return send(403, { error: 'forbidden' });
      if (url.pathname === '/items' && req.method === 'GET') {
        const limit = Math.min(100, Number(url.searchParams.get('limit')) || 10);
        return send(200, {
          query: url.searchParams.get('q'),
          url: url.searchParams.get('url'),
          items: Array.from({ length: Math.min(limit, 3) }, (_, i) => ({ id: `${key}-${i}` })),
        });
      }
      if (url.pathname === '/items' && req.method === 'POST') {
        if (body.length > 10_000) return send(413, { error: 'too large' });
        return send(201, { id: `${key}-new`, echo: body.slice(0, 200) });
      }
      if (url.pathname.startsWith('/items/')) {
        const id = decodeURIComponent(url.pathname.slice(7));
        if (!id.startsWith(`${key}-`)) return send(404, { error: 'not found', id });
        return send(200, { id, owner: key });
      }
      if (url.pathname === '/v1/chat/completions') {
        let b: any = {};
        try {
          b = JSON.parse(body || '{}');
        } catch {}
        if ((b.max_tokens ?? 0) > 4096) return send(400, { error: 'max_tokens too large' });
        const last = Array.isArray(b.messages) ? String(b.messages.at(-1)?.content ?? '') : '';
        return send(200, { choices: [{ message: { role: 'assistant', content: `You said: ${last}` } }] });
      }
      return send(404, { error: 'not found' });
    });
    try {
      expect(await serious(s.url)).toEqual([]);
    } finally {
      await s.close();
    }
  }, 120_000);
});
