import { createHash } from 'node:crypto';
import type { SharedState } from '../../store/shared-state.js';

// Token and request budgets in fixed windows (minute, UTC day), kept in SharedState so several
// gateways can share them once Redis backs it. A request is checked against its estimate (prompt
// tokens counted locally) and charged that estimate at once; the response's reported usage is
// charged later (`reconcile`). Counters are read then incremented (not atomic as a pair): a burst of
// concurrent requests can overshoot a limit by at most the requests in flight.

export interface BudgetLimits {
  tokensPerMinute?: number;
  tokensPerDay?: number;
  requestsPerMinute?: number;
}

export interface BudgetScope {
  /** `identity` or `api-key`. */
  scope: string;
  /** Who is charged; hashed before it becomes a state key. */
  key: string;
  limits: BudgetLimits;
}

export interface Exhausted {
  budget: 'tokensPerMinute' | 'tokensPerDay' | 'requestsPerMinute';
  scope: string;
  limit: number;
  retryAfter: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 24);

export class Budgets {
  constructor(
    private readonly state: SharedState,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  private key(s: BudgetScope, kind: string, window: number, t: number): string {
    return `${this.prefix}:${s.scope}:${hashKey(s.key)}:${kind}:${Math.floor(t / window)}`;
  }

  private retryAfter(window: number, t: number): number {
    return Math.max(1, Math.ceil((window - (t % window)) / 1000));
  }

  /**
   * Counts the request, checks the token budgets against `estimate`, and charges the estimate when
   * every budget holds. Returns the first exhausted budget otherwise.
   */
  async admit(scopes: readonly BudgetScope[], estimate: number): Promise<Exhausted | undefined> {
    const t = this.now();
    for (const s of scopes) {
      const { requestsPerMinute, tokensPerMinute, tokensPerDay } = s.limits;
      if (requestsPerMinute !== undefined) {
        const n = await this.state.increment(this.key(s, 'rpm', MINUTE, t), 1, MINUTE * 2);
        if (n > requestsPerMinute)
          return {
            budget: 'requestsPerMinute',
            scope: s.scope,
            limit: requestsPerMinute,
            retryAfter: this.retryAfter(MINUTE, t),
          };
      }
      for (const [budget, limit, window] of [
        ['tokensPerMinute', tokensPerMinute, MINUTE],
        ['tokensPerDay', tokensPerDay, DAY],
      ] as const) {
        if (limit === undefined) continue;
        const used = Number((await this.state.get(this.key(s, budget, window, t))) ?? 0);
        if (used + estimate > limit)
          return { budget, scope: s.scope, limit, retryAfter: this.retryAfter(window, t) };
      }
    }
    await this.charge(scopes, estimate);
    return undefined;
  }

  /** Adds tokens (may be negative: a correction of the estimate) to every token budget. */
  async charge(scopes: readonly BudgetScope[], tokens: number): Promise<void> {
    if (tokens === 0) return;
    const t = this.now();
    for (const s of scopes) {
      if (s.limits.tokensPerMinute !== undefined)
        await this.state.increment(this.key(s, 'tokensPerMinute', MINUTE, t), tokens, MINUTE * 2);
      if (s.limits.tokensPerDay !== undefined)
        await this.state.increment(this.key(s, 'tokensPerDay', DAY, t), tokens, DAY * 2);
    }
  }
}
