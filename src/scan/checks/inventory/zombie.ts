import type { Check } from '../../context.js';
import { isSuccess, looksDenied } from '../../judges/similarity.js';

export const zombieCheck: Check = {
  id: 'deprecated-operations',
  category: 'inventory',
  title: 'Deprecated operations still answering',
  priority: 32,
  async run(ctx) {
    for (const state of ctx.ops) {
      if (!state.op.deprecated || !state.baseline || !isSuccess(state.baseline.response.status)) continue;
      const ex = await ctx.send(state, state.parts, state.as, { headers: { accept: '*/*' } });
      if (!isSuccess(ex.response.status) || looksDenied(ex.response.body)) continue;
      ctx.report({
        threat: { category: 'inventory', subtype: 'zombie-endpoint' },
        check: 'deprecated-operations',
        severity: 'low',
        confidence: 0.9,
        operation: state.op.key,
        title: 'Deprecated operation still answers',
        description: `${state.op.key} is marked deprecated in the description but still answers HTTP ${ex.response.status}; retired versions often miss newer security fixes.`,
        exchange: state.baseline,
        remediation:
          'Retire deprecated operations on a schedule (410 Gone), and make sure they get the same controls as current ones until then.',
        cwe: 1059,
      });
    }
  },
};
