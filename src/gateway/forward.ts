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
  const drop = hopByHop(req.headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || drop.has(name) || name === 'host' || ctx.stripHeaders.has(name)) continue;
    out[name] = value;
  }
  const proto = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const trustedPeer =
    rt.anyTrustedProxy && ctx.clientIp !== (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const priorXff = req.headers['x-forwarded-for'];
  out['x-forwarded-for'] =
    trustedPeer && priorXff ? `${priorXff}, ${req.socket.remoteAddress}` : ctx.clientIp;
  if (!trustedPeer || !req.headers['x-forwarded-proto']) out['x-forwarded-proto'] = proto;
  if (!trustedPeer || !req.headers['x-forwarded-host']) out['x-forwarded-host'] = req.headers.host ?? '';
  if (rt.config.server.via) out.via = req.headers.via ? `${req.headers.via}, 1.1 palisade` : '1.1 palisade';
  out[rt.config.server.requestIdHeader] = ctx.id;
  for (const [name, value] of ctx.upstreamHeaders) out[name] = value;
  if (route.pipeline.readsResponseBody) out['accept-encoding'] = 'identity';
  const body = ctx.upstreamBody ?? ctx.body;
  if (body) {
    delete out['transfer-encoding'];
    out['content-length'] = String(body.length);
  }
  out.host = host;
  return out;
}

function responseHeaders(head: Record<string, string | string[] | undefined>, rt: Runtime) {
  const drop = hopByHop(head.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(head)) {
    if (value !== undefined && !drop.has(name)) out[name] = value;
  }
  if (rt.config.server.via) out.via = out.via ? `${out.via}, 1.1 palisade` : '1.1 palisade';
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
 * Pipes the upstream body to the client. Settles when the client has the whole body or left
 * (the cancel signal then stops the upstream); rejects when the upstream breaks off. Lighter than
 * stream.pipeline, which allocates and aborts an AbortController per call.
 */
function pipeBody(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      body.off('error', done);
      res.off('finish', finished);
      res.off('close', finished);
      if (err) reject(err);
      else resolve();
    };
    const finished = () => done();
    body.once('error', done);
    res.once('finish', finished);
    res.once('close', finished);
    body.pipe(res);
  });
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
  const onClientGone = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClientGone);

  let path = ctx.url;
  if (route.config.stripPrefix && route.config.match.pathPrefix !== '/') {
    const stripped = path.slice(route.config.match.pathPrefix.replace(/\/$/, '').length);
    path = stripped.startsWith('/') ? stripped : `/${stripped}`;
  }
  path = upstream.basePath(target) + path;

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
      sendError(res, 408, errorBody('PAL_ERR_TIMEOUT_CLIENT', ctx.id), undefined, true);
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
        deps.metrics.upstreamLatency.observe(
          { upstream: upstream.name },
          (performance.now() - started) / 1000,
        );
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
        sendError(res, mapped.status, errorBody(mapped.code, ctx.id), undefined, true);
      },
    );
}

async function relay(
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
    sendError(res, v.status, verdictBody(v, ctx.id, rt.config.blockResponse.message), v.headers);
  };
  const failUpstream = () => {
    body.destroy();
    sendError(res, 502, errorBody('PAL_ERR_UPSTREAM_RESPONSE', ctx.id), undefined, true);
  };

  try {
    for (const phase of phases) {
      const v = phase.onHeaders?.(ctx, head);
      if (v) return blockNow(v);
    }
    const isSse = String(head.headers['content-type'] ?? '').startsWith('text/event-stream');
    const wants = (p: ResponsePhase) => p.wantsBody?.(ctx, head) ?? true;
    const full = isSse ? [] : phases.filter((p) => p.body === 'full' && p.onBody && wants(p));
    const inspectors: ChunkInspector[] = [];
    for (const p of phases) {
      if (p.body !== 'stream' || !p.createInspector || !wants(p)) continue;
      const inspector = p.createInspector(ctx, head);
      if (inspector) inspectors.push(inspector);
    }
    let headers = responseHeaders(head.headers, rt);

    if (full.length === 0 && inspectors.length === 0) {
      res.writeHead(head.status, headers);
      if (isSse) res.flushHeaders();
      await pipeBody(body, res);
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
        headers = responseHeaders(head.headers, rt); // full-body phases may have rewritten headers
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
    if (res.destroyed) return;
    deps.logger.warn({ requestId: ctx.id, err: (err as Error).message }, 'upstream response aborted');
    if (!res.headersSent) failUpstream();
    else res.destroy();
  }
}
