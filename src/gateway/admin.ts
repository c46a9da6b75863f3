import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { maskSecrets } from '../core/redact.js';
import type { EventStore } from '../store/events/store.js';
import type { Metrics } from './metrics.js';
import type { AdminHandler, AdminResponse } from './phase-env.js';
import { readBody } from './body.js';

interface RegisteredRoute {
  method: string;
  segments: string[];
  handler: AdminHandler;
}

export interface AdminDeps {
  token: string;
  metrics: Metrics;
  events: EventStore;
  logger: Logger;
  config(): unknown;
  ready(): boolean;
}

function matchPattern(segments: string[], path: string): Record<string, string> | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    if (segments[i].startsWith(':')) {
      try {
        params[segments[i].slice(1)] = decodeURIComponent(parts[i]);
      } catch {
        return undefined;
      }
    } else if (segments[i] !== parts[i]) return undefined;
  }
  return params;
}

/**
 * The admin API: loopback by default, every route behind a bearer token except the liveness and
 * readiness probes (they reveal nothing).
 */
export class AdminApi {
  private routes: RegisteredRoute[] = [];
  private readonly token: Buffer;
  server?: Server;

  constructor(private readonly deps: AdminDeps) {
    this.token = Buffer.from(deps.token);
    this.registerBuiltins();
  }

  register(method: string, pattern: string, handler: AdminHandler): void {
    const key = `${method.toUpperCase()} ${pattern}`;
    // Re-registration on reload replaces the previous handler for the same method and pattern.
    this.routes = this.routes.filter((r) => `${r.method} /${r.segments.join('/')}` !== key);
    this.routes.push({ method: method.toUpperCase(), segments: pattern.split('/').filter(Boolean), handler });
  }

  private registerBuiltins(): void {
    this.register('GET', '/api/events', async (req) => {
      const q = req.query;
      const num = (k: string) => (q.has(k) ? Number(q.get(k)) : undefined);
      const events = await this.deps.events.query({
        from: q.get('from') ?? undefined,
        to: q.get('to') ?? undefined,
        category: q.get('category') ?? undefined,
        action: q.get('action') ?? undefined,
        route: q.get('route') ?? undefined,
        clientIp: q.get('client') ?? q.get('clientIp') ?? undefined,
        limit: num('limit'),
        offset: num('offset'),
      });
      return { status: 200, body: { events } };
    });
    this.register('GET', '/api/events/:id', async (req) => {
      const event = await this.deps.events.get(req.params.id);
      return event ? { status: 200, body: event } : { status: 404, body: { error: { code: 'not_found' } } };
    });
    this.register('GET', '/api/config', async () => ({ status: 200, body: maskSecrets(this.deps.config()) }));
  }

  private authorised(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return false;
    const given = Buffer.from(header.slice(7).trim());
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }

  private send(res: ServerResponse, out: AdminResponse): void {
    if (out.headers) for (const [k, v] of Object.entries(out.headers)) res.setHeader(k, v);
    res.statusCode = out.status;
    res.setHeader('cache-control', 'no-store');
    if (out.raw) {
      res.end(out.raw);
      return;
    }
    const payload = out.body === undefined ? '' : JSON.stringify(out.body);
    if (payload) res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(payload);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    if (req.method === 'GET' && url.pathname === '/healthz')
      return this.send(res, { status: 200, body: { status: 'ok' } });
    if (req.method === 'GET' && url.pathname === '/readyz') {
      const ready = this.deps.ready();
      return this.send(res, { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not ready' } });
    }
    if (!this.authorised(req)) {
      return this.send(res, {
        status: 401,
        headers: { 'www-authenticate': 'Bearer realm="palisade-admin"' },
        body: { error: { code: 'PAL_ERR_UNAUTHORIZED_ADMIN', message: 'Admin token required' } },
      });
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const text = await this.deps.metrics.registry.metrics();
      res.setHeader('content-type', this.deps.metrics.registry.contentType);
      res.end(text);
      return;
    }
    for (const route of this.routes) {
      if (route.method !== req.method) continue;
      const params = matchPattern(route.segments, url.pathname);
      if (!params) continue;
      let body: unknown;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        const read = await readBody(req, 1024 * 1024, 10_000);
        if (!read.ok) return this.send(res, { status: 413, body: { error: { code: 'body_too_large' } } });
        if (read.body.length > 0) {
          try {
            body = JSON.parse(read.body.toString('utf8'));
          } catch {
            return this.send(res, { status: 400, body: { error: { code: 'invalid_json' } } });
          }
        }
      }
      return this.send(
        res,
        await route.handler({
          method: req.method,
          path: url.pathname,
          params,
          query: url.searchParams,
          body,
        }),
      );
    }
    this.send(res, { status: 404, body: { error: { code: 'not_found' } } });
  }

  listen(host: string, port: number): Promise<Server> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        this.deps.logger.error({ err }, 'admin request failed');
        if (!res.headersSent) this.send(res, { status: 500, body: { error: { code: 'internal' } } });
      });
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
