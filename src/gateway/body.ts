import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'idle' | 'aborted' };

/** Reads a request body into memory, refusing more than `limit` bytes or `idleMs` of silence. */
export function readBody(req: IncomingMessage, limit: number, idleMs: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    return Promise.resolve({ ok: false, reason: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    let timer = setTimeout(onIdle, idleMs);
    function finish(result: BodyResult) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      resolve(result);
    }
    function onIdle() {
      finish({ ok: false, reason: 'idle' });
    }
    function onData(chunk: Buffer) {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
      clearTimeout(timer);
      timer = setTimeout(onIdle, idleMs);
    }
    function onEnd() {
      finish({ ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) });
    }
    function onAbort() {
      finish({ ok: false, reason: 'aborted' });
    }
    function onClose() {
      if (!req.complete) finish({ ok: false, reason: 'aborted' });
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}

/** True when the request carries (or may carry) a body. */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}
