// Behaviour the hot-path work must keep: metrics text as prom-client wrote it, the request id on
// every kind of response, and an upstream that breaks off mid-body.
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/gateway/metrics.js';
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
async function gw(raw: Record<string, any>, opts?: Parameters<typeof startGateway>[1]) {
  const g: StartedGateway = await startGateway(raw, opts);
  cleanup.push(g.close);
  return g;
}
async function up(handler: Parameters<typeof startUpstream>[0]) {
  const u: StartedUpstream = await startUpstream(handler);
  cleanup.push(u.close);
  return u;
}

describe('metrics', () => {
  it('formats the locally counted histogram like prom-client', async () => {
    const m = new Metrics(false);
    m.observeLatency('r', 0.0007);
    m.observeLatency('r', 0.003);
    m.observeLatency('r', 60);
    m.upstreamLatency.observe('demo', 0.0001);
    const text = await m.registry.metrics();
    expect(text).toContain('# TYPE palisade_request_duration_seconds histogram');
    expect(text).toContain('palisade_request_duration_seconds_bucket{le="0.0005",route="r"} 0');
    expect(text).toContain('palisade_request_duration_seconds_bucket{le="0.001",route="r"} 1');
    expect(text).toContain('palisade_request_duration_seconds_bucket{le="0.005",route="r"} 2');
    expect(text).toContain('palisade_request_duration_seconds_bucket{le="30",route="r"} 2');
    expect(text).toContain('palisade_request_duration_seconds_bucket{le="+Inf",route="r"} 3');
    expect(text).toContain('palisade_request_duration_seconds_count{route="r"} 3');
    expect(text).toMatch(/palisade_request_duration_seconds_sum\{route="r"\} 60\.0037/);
    expect(text).toContain('palisade_upstream_duration_seconds_bucket{le="0.0005",upstream="demo"} 1');
  });

  it('fills the counters from the local counts on every scrape', async () => {
    const m = new Metrics(false);
    m.countRequest('r', '2xx', 'allowed');
    m.countRequest('r', '2xx', 'allowed');
    m.countRequest('r', '4xx', 'blocked');
    m.findings.inc({ category: 'injection', mode: 'block' });
    expect(await m.registry.metrics()).toContain(
      'palisade_requests_total{route="r",status="2xx",action="allowed"} 2',
    );
    m.countRequest('r', '2xx', 'allowed');
    const text = await m.registry.metrics();
    expect(text).toContain('palisade_requests_total{route="r",status="2xx",action="allowed"} 3');
    expect(text).toContain('palisade_requests_total{route="r",status="4xx",action="blocked"} 1');
    expect(text).toContain('palisade_findings_total{category="injection",mode="block"} 1');
    const json = await m.registry.getMetricsAsJSON();
    const hist = json.find((x) => x.name === 'palisade_request_duration_seconds');
    expect(hist?.type).toBe('histogram');
  });
});

describe('request id', () => {
  it('is added to a relayed response once, under a mixed-case configured header name', async () => {
    const u = await up(echoHandler);
    const g = await gw(oneRoute(u.url, {}, { server: { requestIdHeader: 'X-Trace-Id' } }));
    const res = await fetch(`${g.url}/a`, { headers: { 'x-trace-id': 'abc-1' } });
    expect(res.headers.get('x-trace-id')).toBe('abc-1');
    const seen = (await res.json()) as { headers: Record<string, string> };
    expect(seen.headers['x-trace-id']).toBe('abc-1');
  });

  it('keeps the id an upstream answers with, and is on error answers too', async () => {
    const u = await up((_req, res) => {
      res.writeHead(200, { 'x-request-id': 'from-upstream', 'content-type': 'text/plain' });
      res.end('ok');
    });
    const g = await gw(oneRoute(u.url, { match: { pathPrefix: '/api' } }));
    const relayed = await fetch(`${g.url}/api/x`);
    expect(relayed.headers.get('x-request-id')).toBe('from-upstream');
    const missing = await fetch(`${g.url}/elsewhere`);
    expect(missing.status).toBe(404);
    const body = (await missing.json()) as { error: { requestId: string } };
    expect(missing.headers.get('x-request-id')).toBe(body.error.requestId);
  });

  it('is on a block answer and on an upstream failure', async () => {
    const blocker: PhaseFactory = () => ({
      request: [
        {
          name: 'detect',
          needsBody: false,
          run: (ctx) =>
            ctx.path === '/blocked' ? { action: 'block', status: 403, code: 'PAL_ERR_BLOCKED' } : undefined,
        },
      ],
    });
    const g = await gw(oneRoute('http://127.0.0.1:9'), { factories: [blocker] });
    const blocked = await fetch(`${g.url}/blocked`, { headers: { 'x-request-id': 'b-1' } });
    expect(blocked.status).toBe(403);
    expect(blocked.headers.get('x-request-id')).toBe('b-1');
    const failed = await fetch(`${g.url}/other`, { headers: { 'x-request-id': 'f-1' } });
    expect(failed.status).toBe(502);
    expect(failed.headers.get('x-request-id')).toBe('f-1');
  });
});

describe('relay', () => {
  it('cuts the client off when the upstream breaks off mid-body, and the gateway keeps serving', async () => {
    const u = await up((req, res) => {
      if (req.url === '/ok') {
        res.end('fine');
        return;
      }
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const g = await gw(oneRoute(u.url));
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(`${g.url}/broken`, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve('end'));
        res.on('error', () => resolve('error'));
        res.on('aborted', () => resolve('aborted'));
      });
      req.on('error', () => resolve('error'));
      req.end();
    });
    expect(outcome).not.toBe('end');
    const ok = await fetch(`${g.url}/ok`);
    expect(await ok.text()).toBe('fine');
  });
});
