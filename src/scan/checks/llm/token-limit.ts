import type { Check } from '../../context.js';
import { isSuccess } from '../../judges/similarity.js';
import { llmOps, llmShape, tokenLimitField, withPrompt } from './shape.js';

export const tokenLimitCheck: Check = {
  id: 'llm-token-limit',
  category: 'resource-consumption',
  title: 'LLM endpoints without token limits',
  priority: 83,
  async run(ctx) {
    for (const state of await llmOps(ctx)) {
      const declared = tokenLimitField(state.op, state.parts);
      // a custom-shaped endpoint that takes no token limit gives nothing to test: an undeclared
      // max_tokens would be ignored, and "accepted" would prove nothing
      if (!declared && llmShape(state.op, state.parts)?.loose) continue;
      const field = declared?.join('.') ?? 'max_tokens';
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
