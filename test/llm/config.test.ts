import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema } from '../../src/config/schema.js';
import { llmRouteSchema } from '../../src/config/sections/llm.js';
import { ConfigError } from '../../src/core/errors.js';
import type { PhaseEnv } from '../../src/gateway/phase-env.js';
import { createLlmPhases } from '../../src/llm/phases.js';
import { MemorySharedState } from '../../src/store/shared-state.js';

const raw = (llm?: object, extra: object = {}) => ({
  upstreams: { up: { targets: ['http://127.0.0.1:9'] } },
  routes: [{ name: 'r', upstream: 'up', ...(llm ? { llm } : {}) }],
  ...extra,
});

function env(config: ReturnType<typeof configSchema.parse>): PhaseEnv {
  return {
    config,
    baseDir: '.',
    logger: pino({ level: 'silent' }),
    state: new MemorySharedState(),
    registerAdminRoute: () => {},
    background: () => {},
  };
}

describe('llm config section', () => {
  it('fills defaults and leaves modes to inherit', () => {
    const r = llmRouteSchema.parse({});
    expect(r.format).toBe('auto');
    expect(r.pii.action).toBe('mask');
    expect(r.promptInjection.mode).toBeUndefined();
    expect(r.output.secrets).toBe('mask');
    expect(r.tools.validateArguments).toBe(true);
    expect(() => z.toJSONSchema(configSchema, { io: 'input' })).not.toThrow();
  });

  it('rejects bad values with their key path', () => {
    const res = configSchema.safeParse(raw({ pii: { action: 'shred' } }));
    expect(res.success).toBe(false);
    expect(res.error!.issues[0].path.join('.')).toBe('routes.0.llm.pii.action');
  });

  it('contributes nothing to routes without an llm section', async () => {
    const cfg = configSchema.parse(raw());
    expect(await createLlmPhases(cfg.routes[0], 0, env(cfg))).toEqual({});
  });

  it('builds rate-limit, detect and response phases', async () => {
    const cfg = configSchema.parse(raw({ budgets: { identity: { requestsPerMinute: 5 } } }));
    const set = await createLlmPhases(cfg.routes[0], 0, env(cfg));
    expect(set.request!.map((p) => p.name)).toEqual(['rate-limit', 'detect']);
    expect(set.response!.map((p) => p.body)).toEqual(['stream', 'full']);
  });

  it('throws ConfigError naming the key of a bad tool schema', async () => {
    const cfg = configSchema.parse(raw({ tools: { schemas: { f: { type: 12 } } } }));
    await expect(async () => createLlmPhases(cfg.routes[0], 0, env(cfg))).rejects.toThrow(ConfigError);
    try {
      await createLlmPhases(cfg.routes[0], 0, env(cfg));
    } catch (err) {
      expect((err as ConfigError).issues[0].path).toBe('routes.0.llm.tools.schemas.f');
    }
  });
});
