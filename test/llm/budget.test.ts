import { describe, expect, it } from 'vitest';
import { type BudgetScope, Budgets } from '../../src/llm/budget/budget.js';
import { countTokens } from '../../src/llm/budget/tokens.js';
import { MemorySharedState } from '../../src/store/shared-state.js';

function setup(limits: BudgetScope['limits']) {
  let now = Date.UTC(2026, 0, 1, 10, 0, 0);
  const state = new MemorySharedState();
  const budgets = new Budgets(state, 'llm:budget:test', () => now);
  const scope: BudgetScope = { scope: 'identity', key: 'sub:alice', limits };
  return { budgets, scope, state, advance: (ms: number) => (now += ms) };
}

describe('budgets (fake clock)', () => {
  it('refuses once the tokens per minute are spent, and recovers next minute', async () => {
    const { budgets, scope, advance } = setup({ tokensPerMinute: 100 });
    expect(await budgets.admit([scope], 60)).toBeUndefined();
    const ex = await budgets.admit([scope], 50);
    expect(ex).toEqual({ budget: 'tokensPerMinute', scope: 'identity', limit: 100, retryAfter: 60 });
    advance(45_000);
    expect((await budgets.admit([scope], 50))?.retryAfter).toBe(15);
    advance(15_000);
    expect(await budgets.admit([scope], 50)).toBeUndefined();
  });

  it('counts requests per minute', async () => {
    const { budgets, scope } = setup({ requestsPerMinute: 2 });
    expect(await budgets.admit([scope], 0)).toBeUndefined();
    expect(await budgets.admit([scope], 0)).toBeUndefined();
    expect((await budgets.admit([scope], 0))?.budget).toBe('requestsPerMinute');
  });

  it('keeps a daily budget across minutes and reconciles with reported usage', async () => {
    const { budgets, scope, advance } = setup({ tokensPerDay: 1000 });
    expect(await budgets.admit([scope], 100)).toBeUndefined();
    await budgets.charge([scope], 850); // the provider reported 950 tokens for that request
    advance(5 * 60_000);
    const ex = await budgets.admit([scope], 100);
    expect(ex?.budget).toBe('tokensPerDay');
    expect(ex?.retryAfter).toBe(14 * 3600 - 5 * 60);
    await budgets.charge([scope], -500); // a correction downwards frees budget
    expect(await budgets.admit([scope], 100)).toBeUndefined();
  });

  it('keeps keys apart and never stores the raw key', async () => {
    const { budgets, state } = setup({});
    const a: BudgetScope = { scope: 'api-key', key: 'bearer:sk-secret-a', limits: { tokensPerMinute: 10 } };
    const b: BudgetScope = { scope: 'api-key', key: 'bearer:sk-secret-b', limits: { tokensPerMinute: 10 } };
    expect(await budgets.admit([a], 10)).toBeUndefined();
    expect(await budgets.admit([a], 1)).toBeDefined();
    expect(await budgets.admit([b], 10)).toBeUndefined();
    const keys = await state.keys('llm:budget:', 100);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toContain('sk-secret');
  });
});

describe('token counting', () => {
  it('counts with tiktoken, treats special tokens as text and bounds long runs', async () => {
    expect(await countTokens('o200k_base', 'Hello world')).toBe(2);
    expect(await countTokens('cl100k_base', 'Hello <|endoftext|> world')).toBeGreaterThan(3);
    // A 100k-character run without spaces is estimated (one token per two characters), not encoded.
    expect(await countTokens('o200k_base', 'ab'.repeat(50_000))).toBe(50_000);
  });
});
