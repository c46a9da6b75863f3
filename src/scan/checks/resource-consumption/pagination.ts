import { cloneParts } from '../../builder/request.js';
import type { Check, OpState } from '../../context.js';
import type { ParamSpec } from '../../types.js';
import { isSuccess, itemCount } from '../../judges/similarity.js';
import { normKey, okBaseline, poolFor } from '../util.js';

// page-size parameters as APIs spell them, compared normalised: `$top` (OData), `page[size]`
// (JSON:API), `maxResults`, `per_page`, `itemsPerPage`, `batchSize`…
const LIMIT_RE =
  /^(limit|size|pagesize|perpage|count|max|maxresults|maxitems|maxrecords|top|take|first|n|rows|numresults|pagelimit|itemsperpage|resultsperpage|batchsize)$/;
const isLimit = (name: string) => LIMIT_RE.test(normKey(name));

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
        s.op.params.some((p) => p.in === 'query' && isLimit(p.name)),
    );
    await poolFor(ctx, states, async (state) => {
      // every page-size-like parameter (an API may cap `top` but not `pageSize`), first hit wins
      const params = state.op.params.filter((p) => p.in === 'query' && isLimit(p.name)).slice(0, 3);
      for (const param of params) if (await probe(state, param)) return;
    });
    async function probe(state: OpState, param: ParamSpec): Promise<boolean> {
      const declaredMax = typeof param.schema?.maximum === 'number' ? param.schema.maximum : undefined;
      const threshold = declaredMax ?? 1000;
      const big = Math.max(threshold * 10, 10_000);
      const parts = cloneParts(state.parts);
      parts.query[param.name] = big;
      const ex = await ctx.send(state, parts, state.as);
      const n = itemCount(ex.response.json);
      if (!isSuccess(ex.response.status) || n === undefined || n <= threshold) return false;
      // confirm with a differently shaped value just above the limit
      const parts2 = cloneParts(state.parts);
      parts2.query[param.name] = threshold + 1;
      const ex2 = await ctx.send(state, parts2, state.as);
      const n2 = itemCount(ex2.response.json);
      if (!isSuccess(ex2.response.status) || n2 === undefined || n2 <= threshold) return false;
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
      return true;
    }
  },
};
