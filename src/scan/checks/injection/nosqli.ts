import type { Check } from '../../context.js';
import { isSuccess, itemCount, randomToken, similarity } from '../../judges/similarity.js';
import { injectionPoints } from '../../points.js';
import type { Exchange } from '../../types.js';
import { hasToken, workingOps, poolFor } from '../util.js';

function widened(a: Exchange, b: Exchange): boolean {
  const ra = a.response;
  const rb = b.response;
  if (isSuccess(rb.status) && !isSuccess(ra.status) && ra.status !== 0 && ra.status < 500) return true;
  if (!isSuccess(rb.status)) return false;
  if (hasToken(rb.json) && !hasToken(ra.json)) return true;
  const ca = itemCount(ra.json);
  const cb = itemCount(rb.json);
  return ca !== undefined && cb !== undefined && cb > ca;
}

export const nosqliCheck: Check = {
  id: 'nosqli',
  category: 'injection',
  title: 'NoSQL operator injection',
  priority: 70,
  async run(ctx) {
    await poolFor(ctx, workingOps(ctx), async (state) => {
      for (const point of injectionPoints(state.op, state.parts, { path: false })) {
        if (point.source === 'header' || typeof point.original !== 'string') continue;
        const miss = `pal${randomToken(10)}`;
        const exMiss = await ctx.send(state, point.with(state.parts, miss), state.as);
        const exOp = await ctx.send(state, point.with(state.parts, { $ne: miss }), state.as);
        if (!widened(exMiss, exOp)) continue;
        // confirm: a different operator widens the same way, an exact-match operator does not
        const exGt = await ctx.send(state, point.with(state.parts, { $gt: '' }), state.as);
        const exEq = await ctx.send(state, point.with(state.parts, { $in: [miss] }), state.as);
        if (!widened(exMiss, exGt) || widened(exMiss, exEq)) continue;
        if (similarity(exOp.response.body, exGt.response.body) < 0.5 && !hasToken(exGt.response.json))
          continue;
        const bypass = hasToken(exOp.response.json) && !hasToken(exMiss.response.json);
        ctx.report({
          threat: { category: 'injection', subtype: 'nosqli' },
          check: 'nosqli',
          severity: bypass ? 'critical' : 'high',
          confidence: 0.85,
          operation: state.op.key,
          location: point.label,
          title: `NoSQL operator injection in ${point.label}${bypass ? ' (authentication bypass)' : ''}`,
          description: `Sending a query operator object ({"$ne": …}) instead of a string in ${point.label} widens the result (confirmed with {"$gt": ""}, while {"$in": [value]} does not): the value is passed to the database as a query object.`,
          exchange: exOp,
          remediation:
            'Accept only scalar values for query fields (validate types against the schema), and strip keys starting with "$" from user input before it reaches the database.',
          cwe: 943,
        });
        return;
      }
    });
  },
};
