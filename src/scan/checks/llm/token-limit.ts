import type { Check } from '../../context.js';
import { isSuccess } from '../../judges/similarity.js';
import { schemaFields } from '../util.js';
import { llmOps, withPrompt } from './shape.js';

const FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens', 'maxTokens', 'max_new_tokens'];

export const tokenLimitCheck: Check = {
  id: 'llm-token-limit',
  category: 'resource-consumption',
  title: 'LLM endpoints without token limits',
  priority: 83,
  async run(ctx) {
    for (const state of await llmOps(ctx)) {
      const declared = new Set([
        ...schemaFields(state.op),
        ...Object.keys((state.parts.body ?? {}) as object),
      ]);
      const field = FIELDS.find((f) => declared.has(f)) ?? 'max_tokens';
      const ex = await ctx.send(state, withPrompt(state, 'Say hello.', { [field]: 1_000_000 }), state.as, {
        timeoutMs: 60_000,
      });
      if (!isSuccess(ex.response.status)) continue;
      const ex2 = await ctx.send(
        state,
        withPrompt(state, 'Count from 1 to 5.', { [field]: 250_000, temperature: 0 }),
        state.as,
        { timeoutMs: 60_000 },
      );
      if (!isSuccess(ex2.response.status)) continue;
      ctx.report({
        threat: { category: 'resource-consumption', subtype: 'llm-token-budget' },
        check: 'llm-token-limit',
        severity: 'medium',
        confidence: 0.85,
        operation: state.op.key,
        location: `body.${field}`,
        title: `No cap on ${field}`,
        description: `Requests asking for ${field}=1000000 and 250000 were accepted (HTTP ${ex.response.status}): a caller can run up unbounded model cost.`,
        exchange: ex,
        remediation:
          'Clamp or reject max_tokens above a per-route budget, and enforce token budgets per user.',
        cwe: 770,
      });
    }
  },
};
