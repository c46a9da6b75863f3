import type { IncomingMessage } from 'node:http';
import pino from 'pino';
import { parseConfig } from '../../../src/config/load.js';
import type { PalisadeConfig } from '../../../src/config/schema.js';
import { GatewayRequestContext } from '../../../src/gateway/context.js';
import type { PhaseEnv } from '../../../src/gateway/phase-env.js';
import type { BlockVerdict, PhaseSet, ResponseHead, Verdict } from '../../../src/gateway/phase.js';
import { createOpenApiPhases } from '../../../src/policy/openapi-phases.js';
import { MemorySharedState } from '../../../src/store/shared-state.js';
import { FIXTURE_DIR } from '../../fixtures/policy-api/server.js';

export interface FakeRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** Extra raw header pairs (e.g. a duplicate Content-Type). */
  rawHeaders?: string[];
  body?: string | Buffer;
}

/** A real GatewayRequestContext over a fake IncomingMessage: no socket involved. */
export function fakeCtx(r: FakeRequest): GatewayRequestContext {
  const headers: Record<string, string> = { host: 'api.test', ...lowerKeys(r.headers ?? {}) };
  const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
  if (body && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
  const rawHeaders = Object.entries(headers)
    .flat()
    .concat(r.rawHeaders ?? []);
  const req = { method: r.method ?? 'GET', url: r.url, headers, rawHeaders, httpVersion: '1.1' };
  const ctx = new GatewayRequestContext({
    id: 'req-1',
    routeName: 'main',
    clientIp: '127.0.0.1',
    req: req as unknown as IncomingMessage,
    blockStatus: 403,
  });
  if (body) ctx.body = body;
  return ctx;
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

export function testConfig(
  openapi: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  route: Record<string, unknown> = {},
): PalisadeConfig {
  return parseConfig({
    upstreams: { up: { targets: ['http://127.0.0.1:9'] } },
    routes: [{ name: 'main', upstream: 'up', ...route, policy: { openapi } }],
    events: { store: 'memory' },
    admin: { token: 'test-admin-token-0123456789' },
    ...extra,
  });
}

export function testEnv(config: PalisadeConfig): PhaseEnv {
  return {
    config,
    baseDir: FIXTURE_DIR,
    logger: pino({ level: 'silent' }),
    state: new MemorySharedState(),
    registerAdminRoute() {},
    background() {},
  };
}

export interface Harness {
  set: PhaseSet;
  /** Runs every request phase in order; stops at the first block verdict. */
  run(ctx: GatewayRequestContext): Promise<Verdict>;
  /** Runs the response phases that want this response; returns the final body or a block verdict. */
  respond(
    ctx: GatewayRequestContext,
    status: number,
    body: string | Buffer,
    headers?: Record<string, string>,
  ): Buffer | BlockVerdict | 'not-inspected';
}

export async function harness(
  openapi: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  route: Record<string, unknown> = {},
): Promise<Harness> {
  const config = testConfig(openapi, extra, route);
  const set = await createOpenApiPhases(config.routes[0], 0, testEnv(config));
  return {
    set,
    async run(ctx) {
      for (const phase of set.request ?? []) {
        const v = await phase.run(ctx);
        if (v) return v;
      }
      return undefined;
    },
    respond(ctx, status, body, headers = { 'content-type': 'application/json' }) {
      const head: ResponseHead = { status, headers: { ...headers } };
      let out: Buffer | BlockVerdict = typeof body === 'string' ? Buffer.from(body) : body;
      let inspected = false;
      for (const phase of set.response ?? []) {
        if (phase.body !== 'full' || !phase.onBody || !(phase.wantsBody?.(ctx, head) ?? true)) continue;
        inspected = true;
        out = phase.onBody(ctx, head, out as Buffer);
        if (!Buffer.isBuffer(out)) return out;
      }
      return inspected ? out : 'not-inspected';
    },
  };
}

/** JSON request helper. */
export function jsonReq(
  method: string,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): FakeRequest {
  return {
    method,
    url,
    headers: { 'content-type': 'application/json', 'x-tenant': 'acme', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}
