import type { GatewayEvent } from '../../core/event.js';
import { clampLimit, type EventFilter, type EventStore } from './store.js';

export function matchesFilter(e: GatewayEvent, f: EventFilter): boolean {
  return (
    (!f.from || e.time >= f.from) &&
    (!f.to || e.time < f.to) &&
    (!f.category || e.category === f.category) &&
    (!f.action || e.action === f.action) &&
    (!f.route || e.route === f.route) &&
    (!f.clientIp || e.clientIp === f.clientIp)
  );
}

export class MemoryEventStore implements EventStore {
  private events: GatewayEvent[] = [];
  private readonly ids = new Set<string>();
  constructor(private readonly maxRows = 100_000) {}

  async insertBatch(events: GatewayEvent[]): Promise<void> {
    for (const e of events) {
      if (this.ids.has(e.id)) continue;
      this.ids.add(e.id);
      this.events.push(e);
    }
    if (this.events.length > this.maxRows)
      this.forget(this.events.splice(0, this.events.length - this.maxRows));
  }
  private forget(removed: GatewayEvent[]): void {
    for (const e of removed) this.ids.delete(e.id);
  }
  async query(filter: EventFilter): Promise<GatewayEvent[]> {
    const offset = filter.offset ?? 0;
    const out: GatewayEvent[] = [];
    let skipped = 0;
    for (let i = this.events.length - 1; i >= 0 && out.length < clampLimit(filter.limit); i--) {
      if (!matchesFilter(this.events[i], filter)) continue;
      if (skipped++ < offset) continue;
      out.push(this.events[i]);
    }
    return out;
  }
  async get(id: string): Promise<GatewayEvent | undefined> {
    return this.events.find((e) => e.id === id);
  }
  async prune(maxAgeMs: number, maxRows: number): Promise<number> {
    const cutoff = new Date(Date.now() - maxAgeMs).toISOString();
    const before = this.events.length;
    const kept = this.events.filter((e) => e.time >= cutoff).slice(-maxRows);
    const keptIds = new Set(kept.map((e) => e.id));
    this.forget(this.events.filter((e) => !keptIds.has(e.id)));
    this.events = kept;
    return before - kept.length;
  }
  async close(): Promise<void> {}
}
