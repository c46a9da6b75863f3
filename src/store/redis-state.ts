import { Redis } from 'ioredis';
import type { SharedState } from './shared-state.js';

// INCRBY that sets the expiry only when the counter is created, atomically.
const INCREMENT = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if v == tonumber(ARGV[1]) and tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

/** Shared state in Redis, so many gateways share limits, deny-lists and grants. */
export class RedisSharedState implements SharedState {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix = 'palisade:',
  ) {
    this.redis = new Redis(url, {
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 1000,
      enableOfflineQueue: true,
    });
    this.redis.on('error', () => undefined); // surfaced per command; never crash the gateway
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (ttlMs > 0) await this.redis.set(this.prefix + key, value, 'PX', ttlMs);
    else await this.redis.set(this.prefix + key, value);
  }
  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const res =
      ttlMs > 0
        ? await this.redis.set(this.prefix + key, value, 'PX', ttlMs, 'NX')
        : await this.redis.set(this.prefix + key, value, 'NX');
    return res === 'OK';
  }
  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    return Number(await this.redis.eval(INCREMENT, 1, this.prefix + key, by, ttlMs));
  }
  async keys(prefix: string, limit: number): Promise<string[]> {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}${prefix}*`, 'COUNT', 200);
      cursor = next;
      for (const k of batch) if (out.length < limit) out.push(k.slice(this.prefix.length));
    } while (cursor !== '0' && out.length < limit);
    return out;
  }
  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
