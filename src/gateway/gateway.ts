import { randomBytes, randomUUID } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { type LoadedConfig, loadConfigFile } from '../config/load.js';
import type { PalisadeConfig } from '../config/schema.js';
import type { Finding } from '../core/findings.js';
import type { IdentityEnvHooks } from '../policy/identity-phases.js';
import { createLogger } from '../core/logger.js';
import { EventRecorder } from '../store/events/recorder.js';
import type { EventStore } from '../store/events/store.js';
import { MemoryEventStore } from '../store/events/memory.js';
import { PostgresEventStore } from '../store/events/postgres.js';
import { SqliteEventStore } from '../store/events/sqlite.js';
import { RedisSharedState } from '../store/redis-state.js';
import { MemorySharedState, type SharedState } from '../store/shared-state.js';
import { AdminApi } from './admin.js';
import { createHandler } from './handler.js';
import { Metrics } from './metrics.js';
import type { PhaseEnv, PhaseFactory } from './phase-env.js';
import { rawError } from './respond.js';
import { buildRuntime, closeRuntime, type Runtime } from './runtime.js';

export interface GatewayOptions {
  loaded: LoadedConfig;
  logger?: Logger;
  /** Replace the configured event store (tests). */
  eventStore?: EventStore;
  /** Replace the phase factories (tests). */
  factories?: readonly PhaseFactory[];
  /** Reload when the config file changes. */
  watchConfig?: boolean;
  /** Called once when an admin token was generated. */
  onGeneratedToken?(token: string, file: string): void;
}

export function createEventStore(config: PalisadeConfig, baseDir: string): EventStore {
  const e = config.events;
  if (e.store === 'memory') return new MemoryEventStore(e.retention.maxRows);
  if (e.store === 'postgres') return new PostgresEventStore(e.url ?? 'postgres://127.0.0.1:5432/palisade');
  return new SqliteEventStore(resolve(baseDir, e.path));
}

async function resolveAdminToken(
  config: PalisadeConfig,
  baseDir: string,
  onGenerated?: GatewayOptions['onGeneratedToken'],
) {
  if (config.admin.token) return config.admin.token;
  const file = resolve(baseDir, config.admin.tokenFile);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 16) return existing;
  } catch {
    // No token yet: generate one below.
  }
  const token = randomBytes(24).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  onGenerated?.(token, file);
  return token;
}

export class Gateway {
  private runtime!: Runtime;
  private baseDir: string;
  private configPath?: string;
  private server!: Server;
  private admin!: AdminApi;
  private recorder!: EventRecorder;
  private events!: EventStore;
  private readonly state: SharedState;
  readonly metrics = new Metrics();
  readonly logger: Logger;
  adminToken = '';
  private inFlight = 0;
  private draining = false;
  private watcher?: FSWatcher;
  private reloadTimer?: NodeJS.Timeout;
  private readonly sockets = new Set<Socket>();
  /** Bound once: a per-request closure (or `once` wrapper) is measurable on the hot path. */
  private readonly requestClosed = () => {
    this.inFlight--;
  };

  private constructor(private readonly options: GatewayOptions) {
    this.logger = options.logger ?? createLogger(options.loaded.config.logging.level);
    this.baseDir = options.loaded.baseDir;
    this.configPath = options.loaded.path;
    const shared = options.loaded.config.sharedState;
    this.state =
      shared.store === 'redis' ? new RedisSharedState(shared.url, shared.prefix) : new MemorySharedState();
  }

  static async start(options: GatewayOptions): Promise<Gateway> {
    const gw = new Gateway(options);
    await gw.init();
    return gw;
  }

  /** A finding made off the request path (a weak JWT secret found in the background) becomes an event too. */
  private recordBackground(finding: Finding, route = '-'): void {
    this.recorder.record({
      id: randomUUID(),
      time: new Date().toISOString(),
      requestId: 'background',
      route,
      method: '-',
      path: '-',
      clientIp: '-',
      status: 0,
      durationMs: 0,
      action: 'monitored',
      category: finding.category,
      subtype: finding.subtype,
      severity: finding.severity,
      detector: finding.detector,
      findings: [{ ...finding, mode: 'monitor' }],
    });
  }

  private phaseEnv(): Omit<PhaseEnv, 'config'> & IdentityEnvHooks {
    return {
      onWeakSecret: (record, finding) => this.recordBackground(finding, record.route ?? record.provider),
      baseDir: this.baseDir,
      logger: this.logger,
      state: this.state,
      registerAdminRoute: (method, pattern, handler) => this.admin.register(method, pattern, handler),
      background: (name, task) => {
        setImmediate(() => {
          task().catch((err) =>
            this.logger.warn({ task: name, err: (err as Error).message }, 'background task failed'),
          );
        });
      },
    };
  }

  private async init(): Promise<void> {
    const { config } = this.options.loaded;
    this.events = this.options.eventStore ?? createEventStore(config, this.baseDir);
    this.recorder = new EventRecorder(
      this.events,
      {
        queueSize: config.events.queueSize,
        batchSize: config.events.batchSize,
        flushIntervalMs: config.events.flushInterval,
        retention: { maxAgeMs: config.events.retention.maxAge, maxRows: config.events.retention.maxRows },
        onDrop: (n) => this.metrics.eventsDropped.inc(n),
        onStoreError: () => this.metrics.eventStoreErrors.inc(),
      },
      this.logger,
    );
    const recorder = this.recorder;
    this.metrics.queueDepthFrom(() => recorder.depth);
    this.adminToken = await resolveAdminToken(config, this.baseDir, this.options.onGeneratedToken);
    this.admin = new AdminApi({
      token: this.adminToken,
      metrics: this.metrics,
      events: this.events,
      logger: this.logger,
      config: () => this.runtime.config,
      ready: () => !this.draining && [...this.runtime.upstreams.values()].some((u) => u.healthy()),
    });
    this.runtime = await buildRuntime(config, this.phaseEnv(), this.options.factories);

    const handler = createHandler({
      runtime: () => this.runtime,
      metrics: this.metrics,
      recorder: this.recorder,
      logger: this.logger,
      shuttingDown: () => this.draining,
    });
    this.server = createServer(
      { maxHeaderSize: config.server.maxHeaderSize, requestTimeout: 0, keepAliveTimeout: 65_000 },
      (req, res) => {
        this.inFlight++;
        res.on('close', this.requestClosed);
        handler(req, res);
      },
    );
    this.server.headersTimeout = config.server.timeouts.headers;
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable) return socket.destroy();
      const id = randomBytes(8).toString('hex');
      if (err.code === 'HPE_HEADER_OVERFLOW') socket.end(rawError(431, 'PAL_ERR_HEADERS_TOO_LARGE', id));
      else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
        socket.end(rawError(408, 'PAL_ERR_TIMEOUT_CLIENT', id));
      else socket.end(rawError(400, 'PAL_ERR_BAD_REQUEST', id));
    });
    await new Promise<void>((res, rej) => {
      this.server.once('error', rej);
      this.server.listen(config.server.port, config.server.host, () => res());
    });
    await this.admin.listen(config.admin.host, config.admin.port);
    if (this.options.watchConfig && this.configPath) this.watch(this.configPath);
  }

  get dataAddress(): AddressInfo {
    return this.server.address() as AddressInfo;
  }
  get adminAddress(): AddressInfo {
    return this.admin.server!.address() as AddressInfo;
  }
  get config(): PalisadeConfig {
    return this.runtime.config;
  }
  get droppedEvents(): number {
    return this.recorder.dropped;
  }
  flushEvents(): Promise<void> {
    return this.recorder.flush();
  }

  /** Validates and compiles a new config, then swaps it in; on any error the old one keeps serving. */
  async reload(loaded?: LoadedConfig): Promise<boolean> {
    try {
      const next = loaded ?? (this.configPath ? await loadConfigFile(this.configPath) : undefined);
      if (!next) return false;
      const old = this.runtime;
      if (
        next.config.server.port !== old.config.server.port ||
        next.config.admin.port !== old.config.admin.port
      ) {
        this.logger.warn('listener changes (ports, hosts) take effect on restart');
      }
      this.baseDir = next.baseDir;
      this.runtime = await buildRuntime(next.config, this.phaseEnv(), this.options.factories);
      this.logger.info({ routes: next.config.routes.length }, 'configuration reloaded');
      // Let requests already on the old upstream pools finish before closing them.
      setTimeout(() => void closeRuntime(old), old.config.server.timeouts.upstreamResponse).unref();
      return true;
    } catch (err) {
      this.logger.error(
        { err: (err as Error).message },
        'configuration rejected; the previous one keeps serving',
      );
      return false;
    }
  }

  private watch(path: string): void {
    try {
      this.watcher = watch(path, () => {
        clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => void this.reload(), 200);
      });
      this.watcher.unref();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'cannot watch the config file; reload with SIGHUP');
    }
  }

  /** Stops accepting, drains in-flight requests up to the grace time, flushes events. */
  async stop(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.watcher?.close();
    clearTimeout(this.reloadTimer);
    const grace = this.runtime.config.server.timeouts.shutdownGrace;
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeIdleConnections();
    const deadline = Date.now() + grace;
    while (this.inFlight > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      this.server.closeIdleConnections();
    }
    for (const socket of this.sockets) socket.destroy();
    await closed;
    await this.admin.close();
    await closeRuntime(this.runtime);
    await this.recorder.close();
    await this.state.close();
  }
}
