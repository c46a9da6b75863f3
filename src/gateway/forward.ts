import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ErrorCode } from '../core/errors.js';
import type { GatewayRequestContext } from './context.js';
import type { HandlerDeps } from './handler.js';
import { hopByHop } from './headers.js';
import type { BlockVerdict, ChunkInspector, ResponseHead, ResponsePhase } from './phase.js';
import { errorBody, sendError, verdictBody } from './respond.js';
import type { CompiledRoute, Runtime } from './runtime.js';

const UPSTREAM_ERRORS: Record<string, { status: number; code: ErrorCode; kind: string }> = {
  UND_ERR_HEADERS_TIMEOUT: { status: 504, code: 'PAL_ERR_UPSTREAM_TIMEOUT', kind: 'timeout' },
  UND_ERR_CONNECT_TIMEOUT: { status: 502, code: 'PAL_ERR_UPSTREAM_UNAVAILABLE', kind: 'connect' },
};

function upstreamHeaders(
  ctx: GatewayRequestContext,
  req: IncomingMessage,
  rt: Runtime,
  route: CompiledRoute,
  host: string,
) {
  const reqHeaders = req.headers;
  const drop = hopByHop(reqHeaders.connection);
  const strip = ctx.stripHeaders;
  const checkStrip = strip.size > 0;
  const out: Record<string, string | string[]> = {};
  for (const name in reqHeaders) {
    const value = reqHeaders[name];
    if (value === undefined || drop.has(name) || name === 'host' || (checkStrip && strip.has(name))) continue;
    out[name] = value;
  }
  const proto = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const trustedPeer =
    rt.anyTrustedProxy && ctx.clientIp !== (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const priorXff = reqHeaders['x-forwarded-for'];
  out['x-forwarded-for'] =
    trustedPeer && priorXff ? `${priorXff}, ${req.socket.remoteAddress}` : ctx.clientIp;
  if (!trustedPeer || !reqHeaders['x-forwarded-proto']) out['x-forwarded-proto'] = proto;
  if (!trustedPeer || !reqHeaders['x-forwarded-host']) out['x-forwarded-host'] = reqHeaders.host ?? '';
  if (rt.config.server.via) out.via = reqHeaders.via ? `${reqHeaders.via}, 1.1 palisade` : '1.1 palisade';
  out[rt.requestIdHeader] = ctx.id;
  if (ctx.upstreamHeaders.size > 0) for (const [name, value] of ctx.upstreamHeaders) out[name] = value;
  if (route.pipeline.readsResponseBody) out['accept-encoding'] = 'identity';
  const body = ctx.upstreamBody ?? ctx.body;
  if (body) {
    delete out['transfer-encoding'];
    out['content-length'] = String(body.length);
  }
  out.host = host;
  return out;
}

/** The relayed response head: upstream headers minus hop-by-hop ones, plus the request id. */
function responseHeaders(
  head: Record<string, string | string[] | undefined>,
  rt: Runtime,
  requestId: string,
) {
  const drop = hopByHop(head.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in head) {
    const value = head[name];
    if (value !== undefined && !drop.has(name)) out[name] = value;
  }
  if (rt.config.server.via) out.via = out.via ? `${out.via}, 1.1 palisade` : '1.1 palisade';
  // An upstream that echoes (or sets) its own request id keeps it, as before.
  if (out[rt.requestIdHeader] === undefined) out[rt.requestIdHeader] = requestId;
  return out;
}

async function collect(
  body: Readable,
  limit: number,
): Promise<{ chunks: Buffer[]; size: number; complete: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > limit) return { chunks, size, complete: false };
  }
  return { chunks, size, complete: true };
}

class CancelSignal extends EventEmitter {
  aborted = false;
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

/**
 * Pipes the upstream body to the client. No promise and no listeners on the response: the
 * gateway's own 'close' listener cancels the upstream when the client leaves, and an upstream
 * that breaks off mid-body is handled here.
 */
function pipeBody(ctx: GatewayRequestContext, body: Readable, res: ServerResponse, deps: HandlerDeps): void {
  body.on('error', (err: Error) => {
    if (res.destroyed || res.writableFinished) return;
    deps.logger.warn({ requestId: ctx.id, err: err.message }, 'upstream response aborted');
    res.destroy();
  });
  body.pipe(res);
}

/** Forwards the request upstream and relays the response through the route's response phases. */
export function forward(
  ctx: GatewayRequestContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: CompiledRoute,
  rt: Runtime,
  deps: HandlerDeps,
  onBlock: (v: BlockVerdict) => void,
): void {
  const upstream = route.upstream;
  const target = upstream.pick();
  // undici accepts an EventEmitter as signal; it is much cheaper per request than an AbortController.
  const abort = new CancelSignal();
  ctx.upstreamCancel = abort;

  let path = ctx.url;
  if (route.config.stripPrefix && route.config.match.pathPrefix !== '/') {
    const stripped = path.slice(route.config.match.pathPrefix.replace(/\/$/, '').length);
    path = stripped.startsWith('/') ? stripped : `/${stripped}`;
  }
  if (target.basePath) path = target.basePath + path;

  const bodyBuffer = ctx.upstreamBody ?? ctx.body;
  const streamBody =
    !bodyBuffer && (req.headers['content-length'] ?? req.headers['transfer-encoding']) !== undefined;
  const started = performance.now();
  let idleTimer: NodeJS.Timeout | undefined;
  if (streamBody && !req.complete) {
    // Idle client while we stream its body upstream: 408 if nothing was answered yet. Progress is
    // read from the socket's byte count, so no listener competes with undici for the body.
    let lastRead = req.socket.bytesRead;
    idleTimer = setInterval(() => {
      if (req.complete || req.destroyed) return clearInterval(idleTimer);
      if (req.socket.bytesRead !== lastRead) {
        lastRead = req.socket.bytesRead;
        return;
      }
      clearInterval(idleTimer);
      sendError(res, 408, errorBody('PAL_ERR_TIMEOUT_CLIENT', ctx.id), undefined, true, rt.requestIdHeader);
      abort.abort();
      req.destroy();
    }, rt.config.server.timeouts.idle);
    idleTimer.unref();
  }

  target.pool
    .request({
      path,
      method: ctx.method as Dispatcher.HttpMethod,
      headers: upstreamHeaders(ctx, req, rt, route, target.url.host),
      body: bodyBuffer ?? (streamBody ? req : undefined),
      signal: abort,
    })
    .then(
      (upstreamRes) => {
        clearInterval(idleTimer);
        upstream.succeeded(target);
        deps.metrics.upstreamLatency.observe(upstream.name, (performance.now() - started) / 1000);
        return relay(ctx, res, route, rt, deps, upstreamRes, onBlock);
      },
      (err: { code?: string; name?: string }) => {
        clearInterval(idleTimer);
        if (abort.aborted) return; // the client went away or timed out: nothing to answer
        const mapped = UPSTREAM_ERRORS[err.code ?? ''] ?? {
          status: 502,
          code: 'PAL_ERR_UPSTREAM_UNAVAILABLE' as const,
          kind: 'connection',
        };
        if (mapped.kind !== 'timeout') upstream.failed(target);
        deps.metrics.upstreamErrors.inc({ upstream: upstream.name, kind: mapped.kind });
        deps.logger.warn(
          { requestId: ctx.id, upstream: upstream.name, code: err.code ?? err.name },
          'upstream request failed',
        );
        sendError(res, mapped.status, errorBody(mapped.code, ctx.id), undefined, true, rt.requestIdHeader);
      },
    );
}

function relay(
  ctx: GatewayRequestContext,
  res: ServerResponse,
  route: CompiledRoute,
  rt: Runtime,
  deps: HandlerDeps,
  upstreamRes: Dispatcher.ResponseData,
  onBlock: (v: BlockVerdict) => void,
): void | Promise<void> {
  const body = upstreamRes.body as unknown as Readable;
  if (route.pipeline.response.length === 0) {
    // Nothing inspects responses on this route: relay the head and pipe, no async machinery.
    try {
      res.writeHead(upstreamRes.statusCode, responseHeaders(upstreamRes.headers, rt, ctx.id));
      if (isEventStream(upstreamRes.headers['content-type'])) res.flushHeaders();
      pipeBody(ctx, body, res, deps);
    } catch (err) {
      // e.g. a header value node refuses to write
      body.destroy();
      relayFailed(ctx, res, rt, deps, err);
    }
    return;
  }
  return inspectAndRelay(ctx, res, route, rt, deps, upstreamRes, onBlock);
}

function isEventStream(type: string | string[] | undefined): boolean {
  return typeof type === 'string'
    ? type.startsWith('text/event-stream')
    : String(type ?? '').startsWith('text/event-stream');
}

async function inspectAndRelay(
  ctx: GatewayRequestContext,
  res: ServerResponse,
  route: CompiledRoute,
  rt: Runtime,
  deps: HandlerDeps,
  upstreamRes: Dispatcher.ResponseData,
  onBlock: (v: BlockVerdict) => void,
): Promise<void> {
  const head: ResponseHead = { status: upstreamRes.statusCode, headers: upstreamRes.headers };
  const body = upstreamRes.body as unknown as Readable;
  const phases = route.pipeline.response;
  const blockNow = (v: BlockVerdict) => {
    onBlock(v);
    body.destroy();
    if (res.headersSent) {
      if (v.streamTail) res.end(v.streamTail);
      else res.destroy();
      return;
    }
    sendError(
      res,
      v.status,
      verdictBody(v, ctx.id, rt.config.blockResponse.message),
      v.headers,
      false,
      rt.requestIdHeader,
    );
  };

  try {
    for (const phase of phases) {
      const v = phase.onHeaders?.(ctx, head);
      if (v) return blockNow(v);
    }
    const isSse = isEventStream(head.headers['content-type']);
    const wants = (p: ResponsePhase) => p.wantsBody?.(ctx, head) ?? true;
    const full = isSse ? [] : phases.filter((p) => p.body === 'full' && p.onBody && wants(p));
    const inspectors: ChunkInspector[] = [];
    for (const p of phases) {
      if (p.body !== 'stream' || !p.createInspector || !wants(p)) continue;
      const inspector = p.createInspector(ctx, head);
      if (inspector) inspectors.push(inspector);
    }
    let headers = responseHeaders(head.headers, rt, ctx.id);

    if (full.length === 0 && inspectors.length === 0) {
      res.writeHead(head.status, headers);
      if (isSse) res.flushHeaders();
      pipeBody(ctx, body, res, deps);
      return;
    }

    let prefix: Buffer | undefined;
    if (full.length > 0) {
      const got = await collect(body, route.responseBodyLimit);
      let buffer: Buffer = Buffer.concat(got.chunks, got.size);
      if (got.complete) {
        for (const phase of full) {
          const out = phase.onBody!(ctx, head, buffer);
          if (!Buffer.isBuffer(out)) return blockNow(out);
          buffer = out;
        }
        headers = responseHeaders(head.headers, rt, ctx.id); // full-body phases may have rewritten headers
        if (inspectors.length === 0) {
          headers['content-length'] = String(buffer.length);
          delete headers['transfer-encoding'];
          res.writeHead(head.status, headers);
          res.end(buffer);
          return;
        }
      } else {
        ctx.state.set('response-uninspected', true);
        deps.logger.warn(
          { requestId: ctx.id, limit: route.responseBodyLimit },
          'response larger than the inspection limit: streamed',
        );
      }
      prefix = buffer;
    }

    // Inspectors may change lengths: the response goes out chunked.
    delete headers['content-length'];
    res.writeHead(head.status, headers);
    if (isSse) res.flushHeaders();
    const pass = (chunk: Buffer, last: boolean): boolean => {
      let out: Buffer | BlockVerdict = chunk;
      for (const inspector of inspectors) {
        const next: Buffer | BlockVerdict = Buffer.isBuffer(out) ? inspector.push(out) : out;
        out = next;
        if (!Buffer.isBuffer(out)) break;
      }
      if (last && Buffer.isBuffer(out)) {
        const tails: Buffer[] = [out];
        for (const inspector of inspectors) {
          const tail = inspector.end();
          if (!Buffer.isBuffer(tail)) {
            blockNow(tail);
            return false;
          }
          tails.push(tail);
        }
        res.end(Buffer.concat(tails));
        return false;
      }
      if (!Buffer.isBuffer(out)) {
        blockNow(out);
        return false;
      }
      if (out.length > 0) res.write(out);
      return true;
    };
    if (prefix && !pass(prefix, false)) return;
    for await (const chunk of body) {
      if (!pass(chunk as Buffer, false)) return;
      if (res.writableNeedDrain) await new Promise((r) => res.once('drain', r));
    }
    pass(Buffer.alloc(0), true);
  } catch (err) {
    body.destroy();
    relayFailed(ctx, res, rt, deps, err);
  }
}

function relayFailed(
  ctx: GatewayRequestContext,
  res: ServerResponse,
  rt: Runtime,
  deps: HandlerDeps,
  err: unknown,
) {
  if (res.destroyed) return;
  deps.logger.warn({ requestId: ctx.id, err: (err as Error).message }, 'upstream response aborted');
  if (!res.headersSent) {
    sendError(res, 502, errorBody('PAL_ERR_UPSTREAM_RESPONSE', ctx.id), undefined, true, rt.requestIdHeader);
  } else res.destroy();
}
