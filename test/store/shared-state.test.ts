import { describe, expect, it } from 'vitest';
import { RedisSharedState } from '../../src/store/redis-state.js';
import { MemorySharedState, type SharedState } from '../../src/store/shared-state.js';

const REDIS_URL = process.env.PALISADE_TEST_REDIS ?? 'redis://127.0.0.1:6379/0';

describe.each([
  ['memory', () => new MemorySharedState()],
  ['redis', () => new RedisSharedState(REDIS_URL, `palisade-test:${process.pid}:${Date.now()}:`)],
] as [string, () => SharedState][])('%s shared state', (_name, make) => {
  it('gets, sets, expires, counts and lists', async () => {
    const s = make();
    try {
      expect(await s.get('a')).toBeUndefined();
      await s.set('a', '1', 0);
      expect(await s.get('a')).toBe('1');
      await s.set('short', 'x', 40);
      expect(await s.setIfAbsent('short', 'y', 1000)).toBe(false);
      expect(await s.setIfAbsent('fresh', 'y', 1000)).toBe(true);
      expect(await s.increment('n', 2, 1000)).toBe(2);
      expect(await s.increment('n', 3, 1000)).toBe(5);
      expect((await s.keys('', 10)).sort()).toEqual(['a', 'fresh', 'n', 'short']);
      await new Promise((r) => setTimeout(r, 80));
      expect(await s.get('short')).toBeUndefined();
      await s.delete('a');
      expect(await s.get('a')).toBeUndefined();
      expect(await s.keys('fr', 10)).toEqual(['fresh']);
    } finally {
      await s.close();
    }
  });
});
