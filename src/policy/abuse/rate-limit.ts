// Rate limits per client address, identity, API key and operation, with rate-limiter-flexible.
// The limiter sits behind `Limiter` so a Redis-backed one (RateLimiterRedis, same options) can be
// swapped in by `createLimiter` without touching the phases.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateRuleConfig } from '../../config/sections/policy-identity.js';
import type { Identity } from '../../core/identity.js';
import type { RequestContext } from '../../gateway/phase.js';
import { sha256Hex } from '../auth/hash.js';
import { PatternList } from '../access/pattern.js';
import type { Denial, RequestView } from '../access/view.js';

export interface LimitResult {
  allowed: boolean;
  remaining: number;
  /** When the bucket has room again (ms). */
  retryAfterMs: number;
}

export interface Limiter {
  consume(key: string, points?: number): Promise<LimitResult>;
}

export interface LimiterSpec {
  limit: number;
  windowMs: number;
  blockMs?: number;
  prefix: string;
}

/** Memory today; a `redis` backend would build RateLimiterRedis with the same options. */
export function createLimiter(spec: LimiterSpec): Limiter {
  const limiter = new RateLimiterMemory({
    keyPrefix: spec.prefix,
    points: spec.limit,
    duration: Math.max(1, Math.ceil(spec.windowMs / 1000)),
    blockDuration: spec.blockMs ? Math.ceil(spec.blockMs / 1000) : 0,
  });
  return {
    async consume(key, points = 1) {
      try {
        const res = await limiter.consume(key, points);
        return { allowed: true, remaining: res.remainingPoints, retryAfterMs: res.msBeforeNext };
      } catch (err) {
        if (err instanceof RateLimiterRes)
          return { allowed: false, remaining: 0, retryAfterMs: err.msBeforeNext };
        throw err;
      }
    },
  };
}

type KeyPart = RateRuleConfig['by'][number];

interface CompiledRule {
  name: string;
  match?: PatternList;
  by: KeyPart[];
  limiter: Limiter;
  limit: number;
  windowMs: number;
}

export interface RateLimitInput {
  ctx: RequestContext;
  view: RequestView;
  identity?: Identity;
  /** sha256 of the presented API key (authenticated or not). */
  apiKeyHash?: string;
}

export interface RateLimits {
  /** Rules that need an identity run after authentication; the rest before. */
  readonly preAuth: boolean;
  readonly postAuth: boolean;
  check(input: RateLimitInput, stage: 'pre' | 'post'): Promise<Denial | undefined>;
}

export function needsIdentity(rule: { by: KeyPart[] }): boolean {
  return rule.by.includes('identity');
}

export function compileRateLimits(rules: RateRuleConfig[], scope: string): RateLimits {
  const compiled: CompiledRule[] = rules.map((r, i) => {
    const name = r.name ?? `${scope}-${i}`;
    return {
      name,
      match: r.match ? new PatternList(r.match) : undefined,
      by: r.by,
      limit: r.limit,
      windowMs: r.window,
      limiter: createLimiter({ limit: r.limit, windowMs: r.window, blockMs: r.block, prefix: `rl:${name}` }),
    };
  });

  function keyFor(rule: CompiledRule, input: RateLimitInput): string | undefined {
    const parts: string[] = [];
    for (const part of rule.by) {
      switch (part) {
        case 'client':
          parts.push(`c=${input.ctx.clientIp}`);
          break;
        case 'identity':
          if (!input.identity) return undefined; // anonymous requests are counted by other rules
          parts.push(`i=${input.identity.subject}`);
          break;
        case 'apiKey': {
          const id = input.identity?.method === 'api-key' ? input.identity.credentialId : undefined;
          if (!id && !input.apiKeyHash) return undefined;
          parts.push(`k=${id ?? input.apiKeyHash}`);
          break;
        }
        case 'operation': {
          const op = input.view.matched?.op;
          parts.push(`o=${op ? `${op.method} ${op.template}` : `${input.view.method} ${input.ctx.path}`}`);
          break;
        }
      }
    }
    // Keys are hashed so a long or odd identity cannot bloat the limiter's memory.
    return sha256Hex(parts.join('\u0000'));
  }

  return {
    preAuth: compiled.some((r) => !needsIdentity(r)),
    postAuth: compiled.some(needsIdentity),
    async check(input, stage) {
      for (const rule of compiled) {
        if ((stage === 'post') !== needsIdentity(rule)) continue;
        if (rule.match && !rule.match.matches(input.view.method, input.view.segments)) continue;
        const key = keyFor(rule, input);
        if (key === undefined) continue;
        const result = await rule.limiter.consume(key);
        if (!result.allowed) {
          const retryAfter = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
          return {
            finding: {
              category: 'resource-consumption',
              subtype: 'no-rate-limit',
              detector: 'rate-limit',
              severity: 'medium',
              score: 1,
              message: `rate limit ${rule.name} exceeded (${rule.limit} per ${rule.windowMs} ms by ${rule.by.join('+')})`,
            },
            verdict: {
              status: 429,
              code: 'PAL_ERR_RATE_LIMITED',
              headers: { 'retry-after': String(retryAfter) },
              details: { limit: rule.name, retryAfter },
            },
          };
        }
      }
      return undefined;
    },
  };
}
