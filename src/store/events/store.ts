import type { GatewayEvent } from '../../core/event.js';

export interface EventFilter {
  from?: string; // ISO time, inclusive
  to?: string; // ISO time, exclusive
  category?: string;
  action?: string;
  route?: string;
  clientIp?: string;
  limit?: number; // default 100, max 1000
  offset?: number;
}

/** Where events live: SQLite by default, memory for tests, PostgreSQL in distributed mode. */
export interface EventStore {
  insertBatch(events: GatewayEvent[]): Promise<void>;
  query(filter: EventFilter): Promise<GatewayEvent[]>;
  get(id: string): Promise<GatewayEvent | undefined>;
  /** Deletes events older than `maxAgeMs` and beyond the newest `maxRows`; returns how many. */
  prune(maxAgeMs: number, maxRows: number): Promise<number>;
  close(): Promise<void>;
}

export function clampLimit(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? 100, 1), 1000);
}
