import { Agent, request } from 'undici';
import type { ScanRequest, ScanResponse } from './types.js';

export class BudgetExhausted extends Error {
  constructor() {
    super('scan time budget exhausted');
    this.name = 'BudgetExhausted';
  }
}

export class UnsafeRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeRequest';
  }
}

export interface ClientOptions {
  target: string;
  concurrency: number;
  /** Requests per second, 0 = unlimited. */
  rps: number;
  /** Epoch milliseconds after which no request is sent. */
  deadline: number;
  timeoutMs: number;
  allowDestructive: boolean;
  /** Largest response body kept, in bytes. */
  maxBody?: number;
  /** Extra origins the scanner may contact besides the target (never used by checks). */
}

const DESTRUCTIVE_WORDS = /(^|[^a-z])(purge|wipe|truncate|drop|destroy|shutdown|terminate|erase)([^a-z]|$)/i;

/** True for calls the scanner never makes without --allow-destructive. */
export function isDestructive(method: string, pathOrId: string): boolean {
  if (method.toUpperCase() === 'DELETE') return true;
  return DESTRUCTIVE_WORDS.test(pathOrId);
}

/**
 * The scanner's HTTP client: stays on the target origin, bounded concurrency, request rate and
 * total time, timeouts on every request and a cap on response bodies.
 */
export class ScanClient {
  readonly origin: string;
  requests = 0;
  private active = 0;
  private waiting: (() => void)[] = [];
  private nextSlot = 0;
  private readonly agent: Agent;
  private readonly maxBody: number;

  constructor(readonly opts: ClientOptions) {
    this.origin = new URL(opts.target).origin;
    this.maxBody = opts.maxBody ?? 1024 * 1024;
    this.agent = new Agent({
      connections: Math.max(1, opts.concurrency) * 2,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connectTimeout: Math.min(opts.timeoutMs, 5000),
      keepAliveTimeout: 2000,
    });
  }

  get remainingMs(): number {
    return this.opts.deadline - Date.now();
  }

  private async acquire(): Promise<void> {
    if (this.active < Math.max(1, this.opts.concurrency)) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  private release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) next();
  }

  private async pace(): Promise<void> {
    if (!this.opts.rps || this.opts.rps <= 0) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.opts.rps;
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  }

  /** Sends one request; network failures come back as status 0 with `error` set. */
  async send(
    req: ScanRequest,
    opts: { timeoutMs?: number; operationId?: string } = {},
  ): Promise<ScanResponse> {
    const url = new URL(req.url);
    if (url.origin !== this.origin)
      throw new UnsafeRequest(`refusing to leave the target origin: ${url.origin}`);
    if (!this.opts.allowDestructive && isDestructive(req.method, opts.operationId ?? url.pathname)) {
      throw new UnsafeRequest(`destructive call ${req.method} ${url.pathname} needs --allow-destructive`);
    }
    if (Date.now() >= this.opts.deadline) throw new BudgetExhausted();
    await this.acquire();
    try {
      await this.pace();
      if (Date.now() >= this.opts.deadline) throw new BudgetExhausted();
      this.requests++;
      const timeout = Math.max(
        500,
        Math.min(opts.timeoutMs ?? this.opts.timeoutMs, this.opts.deadline - Date.now() + 2000),
      );
      const started = performance.now();
      try {
        const res = await request(req.url, {
          method: req.method as any,
          headers: req.headers,
          body: req.body,
          dispatcher: this.agent,
          headersTimeout: timeout,
          bodyTimeout: timeout,
          signal: AbortSignal.timeout(timeout + 500),
        });
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          const buf = chunk as Buffer;
          if (size + buf.length > this.maxBody) {
            chunks.push(buf.subarray(0, this.maxBody - size));
            size = this.maxBody;
            res.body.destroy();
            break;
          }
          chunks.push(buf);
          size += buf.length;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
        }
        const out: ScanResponse = {
          status: res.statusCode,
          headers,
          body,
          elapsedMs: performance.now() - started,
        };
        if (/json/i.test(headers['content-type'] ?? '') || /^\s*[[{]/.test(body.slice(0, 2))) {
          try {
            out.json = JSON.parse(body);
          } catch {
            /* not JSON after all */
          }
        }
        return out;
      } catch (err) {
        return {
          status: 0,
          headers: {},
          body: '',
          elapsedMs: performance.now() - started,
          error: (err as Error).message || String(err),
        };
      }
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
