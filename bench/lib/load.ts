import autocannon from 'autocannon';
import { Pool } from 'undici';

export interface Workload {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Read the body fully (SSE streams): latency is time to the last byte. */
}

export interface PeakResult {
  /** Mean requests per second. */
  rps: number;
  /** Responses received in the run. */
  total: number;
}

/** Peak throughput: closed loop with `connections` concurrent clients (autocannon). */
export function peak(base: string, w: Workload, connections: number, seconds: number): Promise<PeakResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: base + w.path,
        method: w.method,
        headers: w.headers,
        body: w.body,
        connections,
        duration: seconds,
      },
      (
        err: Error | null,
        result: { requests: { average: number; total: number }; non2xx: number; errors: number },
      ) => {
        if (err) return reject(err);
        if (result.non2xx > 0 || result.errors > 0) {
          process.stderr.write(`  warning: ${result.non2xx} non-2xx, ${result.errors} errors on ${w.name}\n`);
        }
        resolve({ rps: result.requests.average, total: result.requests.total });
      },
    );
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Latency at a fixed offered rate (open loop, sub-millisecond timing). Requests start on a
 * schedule whether or not earlier ones finished, so queueing shows up in the tail.
 */
export async function latencyAtRate(base: string, w: Workload, rps: number, seconds: number) {
  const pool = new Pool(base, { connections: 64, pipelining: 1 });
  const samples: number[] = [];
  let errors = 0;
  const total = Math.max(1, Math.floor(rps * seconds));
  const interval = 1000 / rps;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    inflight.push(
      pool
        .request({ path: w.path, method: w.method, headers: w.headers, body: w.body })
        .then(async (res) => {
          await res.body.dump({ limit: Number.MAX_SAFE_INTEGER });
          if (res.statusCode >= 400) errors++;
          samples.push(performance.now() - t0);
        })
        .catch(() => {
          errors++;
        }),
    );
    if (inflight.length > 4096) await Promise.all(inflight.splice(0, 2048));
  }
  await Promise.all(inflight);
  await pool.close();
  samples.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    p50_ms: round(percentile(samples, 50)),
    p99_ms: round(percentile(samples, 99)),
    p999_ms: round(percentile(samples, 99.9)),
    achieved_rps: Math.round(samples.length / seconds),
    errors,
  };
}
