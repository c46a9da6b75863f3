import { cloneParts } from '../../builder/request.js';
import type { Check } from '../../context.js';
import { isSuccess, itemCount } from '../../judges/similarity.js';
import { okBaseline, poolFor } from '../util.js';

const LIMIT_RE =
  /^(limit|size|page_?size|pagesize|per_?page|perpage|count|max|max_?results|top|take|first|n)$/i;

export const paginationCheck: Check = {
  id: 'pagination',
  category: 'resource-consumption',
  title: 'Unbounded page sizes',
  priority: 40,
  async run(ctx) {
    const states = ctx.ops.filter(
      (s) =>
        s.op.method === 'GET' &&
        okBaseline(s) &&
        s.op.params.some((p) => p.in === 'query' && LIMIT_RE.test(p.name)),
    );
    await poolFor(ctx, states, async (state) => {
      const param = state.op.params.find((p) => p.in === 'query' && LIMIT_RE.test(p.name))!;
      const declaredMax = typeof param.schema?.maximum === 'number' ? param.schema.maximum : undefined;
      const threshold = declaredMax ?? 1000;
      const big = Math.max(threshold * 10, 10_000);
      const parts = cloneParts(state.parts);
      parts.query[param.name] = big;
      const ex = await ctx.send(state, parts, state.as);
      const n = itemCount(ex.response.json);
      if (!isSuccess(ex.response.status) || n === undefined || n <= threshold) return;
      // confirm with a differently shaped value just above the limit
      const parts2 = cloneParts(state.parts);
      parts2.query[param.name] = threshold + 1;
      const ex2 = await ctx.send(state, parts2, state.as);
      const n2 = itemCount(ex2.response.json);
      if (!isSuccess(ex2.response.status) || n2 === undefined || n2 <= threshold) return;
      ctx.report({
        threat: { category: 'resource-consumption', subtype: 'unbounded-pagination' },
        check: 'pagination',
        severity: 'medium',
        confidence: 0.9,
        operation: state.op.key,
        location: `query.${param.name}`,
        title: `Page size ${param.name} is not capped`,
        description: `${param.name}=${big} returned ${n} items${declaredMax !== undefined ? ` although the description caps it at ${declaredMax}` : ' (more than 1000)'}; ${param.name}=${threshold + 1} returned ${n2}.`,
        exchange: ex,
        remediation:
          'Clamp page-size parameters server-side to a documented maximum (or reject larger values with 400).',
        cwe: 770,
      });
    });
  },
};
