/**
 * State that many gateways share in distributed mode (Redis later): counters with expiry and
 * small values with expiry (deny-lists, step-up grants, used TOTP codes). Memory today.
 */
export interface SharedState {
  get(key: string): Promise<string | undefined>;
  /** Sets a value; `ttlMs` 0 means no expiry. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when absent; true when this call set it (for replay protection). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Adds `by` to a counter that expires `ttlMs` after it was created; returns the new value. */
  increment(key: string, by: number, ttlMs: number): Promise<number>;
  /** Keys with a prefix (admin listings; bounded by `limit`). */
  keys(prefix: string, limit: number): Promise<string[]>;
  close(): Promise<void>;
}

interface Entry {
  value: string;
  expiresAt: number; // 0 = never
}

export class MemorySharedState implements SharedState {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly maxEntries = 1_000_000) {
    this.sweeper = setInterval(() => this.sweep(), 30_000);
    this.sweeper.unref();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt !== 0 && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private put(key: string, value: string, ttlMs: number): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.sweep();
    if (this.entries.size >= this.maxEntries) {
      // Bounded memory: drop the oldest entry rather than grow without limit.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: ttlMs > 0 ? Date.now() + ttlMs : 0 });
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.put(key, value, ttlMs);
  }
  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.put(key, value, ttlMs);
    return true;
  }
  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }
  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    const entry = this.live(key);
    if (!entry) {
      this.put(key, String(by), ttlMs);
      return by;
    }
    const next = Number(entry.value) + by;
    entry.value = String(next);
    return next;
  }
  async keys(prefix: string, limit: number): Promise<string[]> {
    const out: string[] = [];
    for (const key of this.entries.keys()) {
      if (out.length >= limit) break;
      if (key.startsWith(prefix) && this.live(key)) out.push(key);
    }
    return out;
  }
  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries)
      if (entry.expiresAt !== 0 && entry.expiresAt <= now) this.entries.delete(key);
  }
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
  }
}
