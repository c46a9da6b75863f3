// Layer 4: an optional external classifier service (e.g. a hosted model) reached over HTTP.
// POST {"text": "..."} → {"score": 0..1}. Bounded by a timeout and a response-size cap; on any
// failure it answers `undefined` (fail-open) or 1 (fail-closed), never throws.
import { request } from 'undici';

export interface ExternalClassifierOptions {
  url: string;
  timeoutMs: number;
  failOpen: boolean;
  headers?: Record<string, string>;
}

const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_TEXT_CHARS = 100_000;

export function createExternalClassifier(
  o: ExternalClassifierOptions,
): (text: string) => Promise<number | undefined> {
  const url = new URL(o.url);
  const timeoutMs = Math.max(1, o.timeoutMs);
  const failure = o.failOpen ? undefined : 1;
  return async (text: string) => {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { ...o.headers, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ text: text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text }),
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      if (res.statusCode < 200 || res.statusCode >= 300) {
        await res.body.dump();
        return failure;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_RESPONSE_BYTES) {
          res.body.destroy();
          return failure;
        }
        chunks.push(chunk as Buffer);
      }
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const score =
        parsed !== null && typeof parsed === 'object' ? (parsed as { score?: unknown }).score : undefined;
      if (typeof score !== 'number' || !Number.isFinite(score)) return failure;
      return Math.min(1, Math.max(0, score));
    } catch {
      return failure;
    }
  };
}
