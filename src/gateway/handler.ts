import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ErrorCode } from '../core/errors.js';
import type { Finding } from '../core/findings.js';
import { GatewayRequestContext } from './context.js';
import { forward } from './forward.js';
import { acceptableRequestId, clientAddress } from './headers.js';
import type { Metrics } from './metrics.js';
import type { BlockVerdict, RequestPhase, Verdict } from './phase.js';
import { recordRequest } from './record.js';
import { errorBody, sendError, verdictBody } from './respond.js';
import type { Runtime } from './runtime.js';
import type { EventRecorder } from '../store/events/recorder.js';
import { hasBody, readBody } from './body.js';

export interface HandlerDeps {
  runtime(): Runtime;
  metrics: Metrics;
  recorder: EventRecorder;
  logger: Logger;
  shuttingDown(): boolean;
}

function isPromise(v: unknown): v is Promise<Verdict> {
  return typeof (v as Promise<Verdict> | undefined)?.then === 'function';
}

async function runPhases(phases: RequestPhase[], ctx: GatewayRequestContext, from: number): Promise<Verdict> {
  for (let i = from; i < phases.length; i++) {
    const out = phases[i].run(ctx);
    const verdict = isPromise(out) ? await out : out;
    if (verdict) return verdict;
  }
  return undefined;
}

/** Runs synchronous phases without allocating a promise; switches to async at the first that is not. */
function startPhases(phases: RequestPhase[], ctx: GatewayRequestContext): Verdict | Promise<Verdict> {
  for (let i = 0; i < phases.length; i++) {
    const out = phases[i].run(ctx);
    if (isPromise(out)) return out.then((v) => v ?? runPhases(phases, ctx, i + 1));
    if (out) return out;
  }
  return undefined;
}

const SIZE_FINDING: Finding = {
  category: 'resource-consumption',
  subtype: 'oversized-payload',
  detector: 'body-limit',
  severity: 'medium',
  score: 1,
  location: 'body',
  message: 'request body larger than the route limit',
};

export function createHandler(deps: HandlerDeps) {
  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const rt = deps.runtime();
    const server = rt.config.server;
    const requestId = acceptableRequestId(req.headers[server.requestIdHeader]) ?? randomUUID();
    res.setHeader(server.requestIdHeader, requestId);
    if (deps.shuttingDown()) res.setHeader('connection', 'close');

    const peer = req.socket.remoteAddress ?? '';
    const clientIp = clientAddress(peer, req.headers, rt.trustedProxies, rt.anyTrustedProxy);
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const route = rt.router.match(req.headers.host, q === -1 ? rawUrl : rawUrl.slice(0, q));
    if (!route) {
      deps.metrics.requests.inc({ route: '-', status: '4xx', action: 'allowed' });
      sendError(res, 404, errorBody('PAL_ERR_NOT_FOUND', requestId), undefined, hasBody(req));
      return;
    }
    const ctx = new GatewayRequestContext({
      id: requestId,
      routeName: route.config.name,
      clientIp,
      req,
      blockStatus: rt.config.blockResponse.status,
    });
    let verdict: BlockVerdict | undefined;
    let recorded = false;
    const finish = () => {
      if (recorded) return;
      recorded = true;
      recordRequest(ctx, res, verdict, rt, deps);
    };
    res.once('close', finish);

    const block = (v: BlockVerdict) => {
      verdict = v;
      sendError(
        res,
        v.status,
        verdictBody(v, requestId, rt.config.blockResponse.message),
        v.headers,
        hasBody(req) && !req.complete,
      );
    };
    const fail = (code: ErrorCode, status: number, err?: unknown) => {
      if (err) deps.logger.error({ err, requestId }, 'request failed inside the gateway');
      sendError(res, status, errorBody(code, requestId), undefined, true);
    };

    const proceed = () => {
      let out: Verdict | Promise<Verdict>;
      try {
        out = startPhases(route.pipeline.request, ctx);
      } catch (err) {
        fail('PAL_ERR_INTERNAL', 500, err);
        return;
      }
      const after = (v: Verdict) => {
        if (v) block(v);
        else forward(ctx, req, res, route, rt, deps, (v2) => (verdict = v2));
      };
      if (isPromise(out)) out.then(after, (err) => fail('PAL_ERR_INTERNAL', 500, err));
      else after(out);
    };

    if (route.pipeline.needsBody && hasBody(req)) {
      readBody(req, route.bodyLimit, server.timeouts.idle).then((result) => {
        if (result.ok) {
          ctx.body = result.body;
          proceed();
        } else if (result.reason === 'too-large') {
          const v = ctx.report(SIZE_FINDING, 'block', { status: 413, code: 'PAL_ERR_BODY_TOO_LARGE' });
          if (v) block(v);
        } else if (result.reason === 'idle') {
          sendError(res, 408, errorBody('PAL_ERR_TIMEOUT_CLIENT', requestId), undefined, true);
        } else {
          res.destroy();
        }
      });
    } else {
      proceed();
    }
  };
}
