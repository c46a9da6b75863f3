import { Pool } from 'undici';
import type { UpstreamConfig } from '../config/schema.js';

interface Target {
  url: URL;
  origin: string;
  /** Path prefix of the target URL without a trailing slash ('' for none), computed once. */
  basePath: string;
  pool: Pool;
  failures: number;
  ejectedUntil: number;
}

export interface UpstreamTimeouts {
  connect: number;
  response: number;
  bodyIdle: number;
}

/**
 * A named upstream: targets picked round-robin, a target ejected after consecutive failures
 * (passive health) or failed active checks, and put back after a rest.
 */
export class Upstream {
  private readonly targets: Target[];
  private next = 0;
  private healthTimer?: NodeJS.Timeout;

  constructor(
    readonly name: string,
    private readonly config: UpstreamConfig,
    timeouts: UpstreamTimeouts,
  ) {
    this.targets = config.targets.map((raw) => {
      const url = new URL(raw);
      return {
        url,
        origin: url.origin,
        basePath: url.pathname === '/' ? '' : url.pathname.replace(/\/$/, ''),
        failures: 0,
        ejectedUntil: 0,
        pool: new Pool(url.origin, {
          connections: config.connections,
          pipelining: 1,
          keepAliveTimeout: 30_000,
          connect: { timeout: timeouts.connect },
          headersTimeout: timeouts.response,
          bodyTimeout: timeouts.bodyIdle,
        }),
      };
    });
    const { path, interval } = config.health;
    if (path) {
      this.healthTimer = setInterval(() => void this.checkHealth(path), interval);
      this.healthTimer.unref();
    }
  }

  /** The next healthy target; when all are ejected, the one whose rest ends first. */
  pick(): Target {
    const now = Date.now();
    const n = this.targets.length;
    for (let i = 0; i < n; i++) {
      const target = this.targets[(this.next + i) % n];
      if (target.ejectedUntil <= now) {
        this.next = (this.next + i + 1) % n;
        return target;
      }
    }
    return this.targets.reduce((a, b) => (a.ejectedUntil <= b.ejectedUntil ? a : b));
  }

  succeeded(target: Target): void {
    target.failures = 0;
  }

  failed(target: Target): void {
    target.failures++;
    if (target.failures >= this.config.health.failures) {
      target.ejectedUntil = Date.now() + this.config.health.ejectFor;
      target.failures = 0;
    }
  }

  /** Path prefix of the target URL (a target may be `http://host/api`). */
  basePath(target: Target): string {
    return target.basePath;
  }

  private async checkHealth(path: string): Promise<void> {
    await Promise.all(
      this.targets.map(async (target) => {
        try {
          const res = await target.pool.request({
            path,
            method: 'GET',
            headersTimeout: 2000,
            bodyTimeout: 2000,
          });
          await res.body.dump();
          if (res.statusCode < 500) target.ejectedUntil = 0;
          else this.failed(target);
        } catch {
          this.failed(target);
        }
      }),
    );
  }

  healthy(): boolean {
    const now = Date.now();
    return this.targets.some((t) => t.ejectedUntil <= now);
  }

  async close(): Promise<void> {
    if (this.healthTimer) clearInterval(this.healthTimer);
    await Promise.all(this.targets.map((t) => t.pool.close().catch(() => undefined)));
  }
}

export type UpstreamTarget = Target;
