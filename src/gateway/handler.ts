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
    const idHeader = rt.requestIdHeader;
    const requestId = acceptableRequestId(req.headers[idHeader]) ?? randomUUID();
    // The request id goes into the response head with the relayed headers (or with an error):
    // a setHeader here would send every relayed response through node's slower merging writeHead.
    if (deps.shuttingDown()) res.setHeader('connection', 'close');

    const peer = req.socket.remoteAddress ?? '';
    const clientIp = clientAddress(peer, req.headers, rt.trustedProxies, rt.anyTrustedProxy);
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const route = rt.router.match(req.headers.host, q === -1 ? rawUrl : rawUrl.slice(0, q));
    if (!route) {
      deps.metrics.countRequest('-', '4xx', 'allowed');
      sendError(res, 404, errorBody('PAL_ERR_NOT_FOUND', requestId), undefined, hasBody(req), idHeader);
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
    // One listener for the whole exchange: record, then stop the upstream if the client left early.
    res.on('close', () => {
      recordRequest(ctx, res, verdict, rt, deps);
      const cancel = ctx.upstreamCancel;
      if (cancel && !res.writableFinished) cancel.abort();
    });

    const block = (v: BlockVerdict) => {
      verdict = v;
      sendError(
        res,
        v.status,
        verdictBody(v, requestId, rt.config.blockResponse.message),
        v.headers,
        hasBody(req) && !req.complete,
        idHeader,
      );
    };
    const fail = (code: ErrorCode, status: number, err?: unknown) => {
      if (err) deps.logger.error({ err, requestId }, 'request failed inside the gateway');
      sendError(res, status, errorBody(code, requestId), undefined, true, idHeader);
    };
    const onBlock = (v: BlockVerdict) => {
      verdict = v;
    };
    const after = (v: Verdict) => {
      if (v) block(v);
      else forward(ctx, req, res, route, rt, deps, onBlock);
    };
    const failed = (err: unknown) => fail('PAL_ERR_INTERNAL', 500, err);

    const proceed = () => {
      const phases = route.pipeline.request;
      if (phases.length === 0) return after(undefined);
      let out: Verdict | Promise<Verdict>;
      try {
        out = startPhases(phases, ctx);
      } catch (err) {
        failed(err);
        return;
      }
      if (isPromise(out)) out.then(after, failed);
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
          sendError(res, 408, errorBody('PAL_ERR_TIMEOUT_CLIENT', requestId), undefined, true, idHeader);
        } else {
          res.destroy();
        }
      });
    } else {
      proceed();
    }
  };
}
