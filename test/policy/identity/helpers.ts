// In-process harness for identity phases: real config parsing, real GatewayRequestContext, a
// MemorySharedState, captured admin routes, background tasks that can be awaited.
import type { IncomingMessage } from 'node:http';
import pino from 'pino';
import { parseConfig } from '../../../src/config/load.js';
import type { PalisadeConfig } from '../../../src/config/schema.js';
import { GatewayRequestContext } from '../../../src/gateway/context.js';
import type { AdminHandler, AdminResponse, PhaseEnv } from '../../../src/gateway/phase-env.js';
import type { PhaseSet, ResponseHead, Verdict } from '../../../src/gateway/phase.js';
import { createIdentityPhases, type IdentityEnvHooks } from '../../../src/policy/identity-phases.js';
import {
  type MatchedOperation,
  OPERATION_STATE_KEY,
  type OperationInfo,
} from '../../../src/policy/operation.js';
import { MemorySharedState } from '../../../src/store/shared-state.js';

export interface Harness {
  env: PhaseEnv & IdentityEnvHooks;
  config: PalisadeConfig;
  state: MemorySharedState;
  warnings: string[];
  /** Resolves once every background task started so far has finished. */
  settle(): Promise<void>;
  admin(method: string, path: string, body?: unknown, query?: string): Promise<AdminResponse>;
  phases(routeIndex?: number): Promise<PhaseSet>;
  close(): Promise<void>;
}

export function baseConfig(
  policy: Record<string, unknown>,
  routePolicy: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return {
    upstreams: { api: { targets: ['http://127.0.0.1:1'] } },
    routes: [{ name: 'api', upstream: 'api', policy: routePolicy, ...extra }],
    policy,
  };
}

export function harness(
  raw: Record<string, unknown>,
  hooks: IdentityEnvHooks = {},
  baseDir = process.cwd(),
): Harness {
  const config = parseConfig(raw);
  const state = new MemorySharedState();
  const warnings: string[] = [];
  const tasks: Promise<void>[] = [];
  const routes = new Map<string, AdminHandler>();
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line).msg) });
  const env: PhaseEnv & IdentityEnvHooks = {
    config,
    baseDir,
    logger,
    state,
    registerAdminRoute: (method, pattern, handler) => routes.set(`${method} ${pattern}`, handler),
    background: (_name, task) => {
      tasks.push(task());
    },
    ...hooks,
  };
  return {
    env,
    config,
    state,
    warnings,
    async settle() {
      await Promise.all(tasks);
    },
    async admin(method, path, body, query = '') {
      for (const [key, handler] of routes) {
        const [m, pattern] = key.split(' ');
        if (m !== method) continue;
        const ps = pattern.split('/');
        const xs = path.split('/');
        if (ps.length !== xs.length) continue;
        const params: Record<string, string> = {};
        if (
          ps.every((p, i) =>
            p.startsWith(':') ? ((params[p.slice(1)] = decodeURIComponent(xs[i])), true) : p === xs[i],
          )
        ) {
          return handler({ method, path, params, query: new URLSearchParams(query), body });
        }
      }
      throw new Error(`no admin route ${method} ${path}`);
    },
    phases: (routeIndex = 0) =>
      Promise.resolve(createIdentityPhases(config.routes[routeIndex], routeIndex, env)),
    close: () => state.close(),
  };
}

export interface CtxInit {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  body?: string | object;
  clientIp?: string;
  op?: Partial<OperationInfo> & { pathParams?: Record<string, string> };
}

export function makeCtx(init: CtxInit = {}): GatewayRequestContext {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
  let body: Buffer | undefined;
  if (init.body !== undefined) {
    if (typeof init.body === 'string') body = Buffer.from(init.body);
    else {
      body = Buffer.from(JSON.stringify(init.body));
      headers['content-type'] ??= 'application/json';
    }
  }
  const req = {
    method: init.method ?? 'GET',
    url: init.url ?? '/',
    headers,
    rawHeaders: Object.entries(headers).flat(),
    httpVersion: '1.1',
  } as unknown as IncomingMessage;
  const ctx = new GatewayRequestContext({
    id: 'test',
    routeName: 'api',
    clientIp: init.clientIp ?? '203.0.113.7',
    req,
    blockStatus: 403,
  });
  ctx.body = body;
  if (init.op) {
    const { pathParams, ...info } = init.op;
    const op: OperationInfo = {
      method: (init.method ?? 'GET').toUpperCase(),
      template: ctx.path,
      deprecated: false,
      tags: [],
      security: [{ bearer: [] }],
      extensions: {},
      ...info,
    };
    const matched: MatchedOperation = { op, pathParams: pathParams ?? {} };
    ctx.state.set(OPERATION_STATE_KEY, matched);
  }
  return ctx;
}

/** Runs the request phases in order until one blocks. */
export async function runRequest(set: PhaseSet, ctx: GatewayRequestContext): Promise<Verdict> {
  for (const phase of set.request ?? []) {
    const v = await phase.run(ctx);
    if (v) return v;
  }
  return undefined;
}

/** Runs response phases the way the gateway does: onHeaders, then onBody for phases that want it. */
export function runResponse(
  set: PhaseSet,
  ctx: GatewayRequestContext,
  status: number,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): { status: number; headers: ResponseHead['headers']; body: string } {
  const head: ResponseHead = { status, headers: { ...headers } };
  for (const p of set.response ?? []) p.onHeaders?.(ctx, head);
  let buf: Buffer = Buffer.from(body);
  for (const p of set.response ?? []) {
    if (p.body === 'full' && p.onBody && (p.wantsBody?.(ctx, head) ?? true)) {
      const out = p.onBody(ctx, head, buf);
      if (!Buffer.isBuffer(out)) throw new Error('unexpected block');
      buf = out;
    }
  }
  return { status: head.status, headers: head.headers, body: buf.toString('utf8') };
}
