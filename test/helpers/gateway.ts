import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { parseConfig } from '../../src/config/load.js';
import type { GatewayEvent } from '../../src/core/event.js';
import { Gateway, type GatewayOptions } from '../../src/gateway/gateway.js';
import { MemoryEventStore } from '../../src/store/events/memory.js';
import type { EventStore } from '../../src/store/events/store.js';

export interface StartedGateway {
  url: string;
  adminUrl: string;
  adminToken: string;
  gateway: Gateway;
  /** Flushes the event queue, then returns every stored event (newest first). */
  events(): Promise<GatewayEvent[]>;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  baseDir?: string;
  eventStore?: EventStore;
  factories?: GatewayOptions['factories'];
  logLevel?: string;
}

const TEST_TOKEN = 'test-admin-token-0123456789';

/**
 * Starts the real gateway on loopback with free ports. `raw` is a config object as YAML would
 * give it; ports, admin token and an in-memory event store are filled in when absent.
 */
export async function startGateway(
  raw: Record<string, any>,
  opts: StartGatewayOptions = {},
): Promise<StartedGateway> {
  const config = parseConfig({
    ...raw,
    server: { host: '127.0.0.1', port: 0, ...raw.server },
    admin: { port: 0, token: TEST_TOKEN, ...raw.admin },
    events: { store: 'memory', flushInterval: 10, sampleAllowed: 0, ...raw.events },
  });
  const eventStore = opts.eventStore ?? new MemoryEventStore();
  const gateway = await Gateway.start({
    loaded: { config, baseDir: opts.baseDir ?? process.cwd() },
    logger: pino({ level: opts.logLevel ?? 'silent' }),
    eventStore,
    factories: opts.factories,
  });
  return {
    url: `http://127.0.0.1:${gateway.dataAddress.port}`,
    adminUrl: `http://127.0.0.1:${gateway.adminAddress.port}`,
    adminToken: gateway.adminToken,
    gateway,
    async events() {
      await gateway.flushEvents();
      return eventStore.query({ limit: 1000 });
    },
    close: () => gateway.stop(),
  };
}

export interface StartedUpstream {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startUpstream(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<StartedUpstream> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** A one-route config in front of `upstreamUrl`; `route` is merged into the route. */
export function oneRoute(
  upstreamUrl: string,
  route: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) {
  return {
    upstreams: { up: { targets: [upstreamUrl] } },
    routes: [{ name: 'main', upstream: 'up', ...route }],
    ...extra,
  };
}

/** An upstream that answers JSON describing what it received. */
export function echoHandler(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.stringify({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}
