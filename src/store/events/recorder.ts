import type { Logger } from 'pino';
import type { GatewayEvent } from '../../core/event.js';
import type { EventStore } from './store.js';

export interface RecorderOptions {
  queueSize: number;
  batchSize: number;
  flushIntervalMs: number;
  retention: { maxAgeMs: number; maxRows: number };
  onDepth?(depth: number): void;
  onDrop?(count: number): void;
  onStoreError?(): void;
}

/**
 * Buffers events in a bounded queue and writes them in batches, off the request path. When the
 * store fails, events stay queued (oldest dropped first once the queue is full, each drop counted)
 * and writing is retried with backoff, so requests never wait on storage.
 */
export class EventRecorder {
  private queue: GatewayEvent[] = [];
  private timer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private writing = false;
  private backoffMs = 0;
  private closed = false;
  dropped = 0;

  constructor(
    private readonly store: EventStore,
    private readonly options: RecorderOptions,
    private readonly logger: Logger,
  ) {
    this.pruneTimer = setInterval(() => void this.prune(), 60_000);
    this.pruneTimer.unref();
  }

  get depth(): number {
    return this.queue.length;
  }

  record(event: GatewayEvent): void {
    if (this.closed) return;
    if (this.queue.length >= this.options.queueSize) {
      this.queue.shift();
      this.dropped++;
      this.options.onDrop?.(1);
    }
    this.queue.push(event);
    this.options.onDepth?.(this.queue.length);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.writing) return;
    const delay =
      this.backoffMs || (this.queue.length >= this.options.batchSize ? 0 : this.options.flushIntervalMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flushOnce();
    }, delay);
    this.timer.unref();
  }

  private async flushOnce(): Promise<boolean> {
    if (this.writing || this.queue.length === 0) return true;
    this.writing = true;
    const batch = this.queue.slice(0, this.options.batchSize);
    try {
      await this.store.insertBatch(batch);
      // Only now remove them: a failed write loses nothing that the queue can hold.
      this.queue.splice(0, batch.length);
      this.backoffMs = 0;
      return true;
    } catch (err) {
      this.options.onStoreError?.();
      this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 100), 5_000);
      this.logger.warn(
        { err: (err as Error).message, queued: this.queue.length },
        'event store write failed',
      );
      return false;
    } finally {
      this.writing = false;
      this.options.onDepth?.(this.queue.length);
      if (this.queue.length > 0 && !this.closed) this.schedule();
    }
  }

  /** Writes everything queued (used on shutdown); gives up after `timeoutMs`. */
  async flush(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      if (this.writing) {
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      const ok = await this.flushOnce();
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async prune(): Promise<void> {
    try {
      const { maxAgeMs, maxRows } = this.options.retention;
      await this.store.prune(maxAgeMs, maxRows);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'event retention prune failed');
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.store.close();
  }
}
