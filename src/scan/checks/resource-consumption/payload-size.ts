import { cloneParts } from '../../builder/request.js';
import type { Check } from '../../context.js';
import { isSuccess } from '../../judges/similarity.js';
import { okBaseline } from '../util.js';

const SIZE = 6 * 1024 * 1024;

export const payloadSizeCheck: Check = {
  id: 'payload-size',
  category: 'resource-consumption',
  title: 'Oversized payloads accepted',
  priority: 25,
  async run(ctx) {
    // a body with a string field far beyond its declared maxLength, then a multi-megabyte body
    const states = ctx.ops.filter(
      (s) =>
        okBaseline(s) &&
        (s.op.method === 'POST' || s.op.method === 'PUT') &&
        /json/i.test(s.op.body?.mediaType ?? '') &&
        s.parts.body &&
        typeof s.parts.body === 'object' &&
        !Array.isArray(s.parts.body),
    );
    for (const state of states.slice(0, 6)) {
      const props = state.op.body?.schema?.properties ?? {};
      const field = Object.keys(state.parts.body as object).find(
        (k) => typeof (state.parts.body as any)[k] === 'string' && typeof props[k]?.maxLength === 'number',
      );
      if (!field) continue;
      const max = props[field].maxLength as number;
      const parts = cloneParts(state.parts);
      (parts.body as any)[field] = 'A'.repeat(Math.min(SIZE, Math.max(max * 100, 1024 * 1024)));
      const ex = await ctx.send(state, parts, state.as, { timeoutMs: 20_000 });
      if (!isSuccess(ex.response.status)) continue;
      const parts2 = cloneParts(state.parts);
      (parts2.body as any)[field] = 'palisade '.repeat(Math.ceil(SIZE / 9));
      const ex2 = await ctx.send(state, parts2, state.as, { timeoutMs: 20_000 });
      if (!isSuccess(ex2.response.status)) continue;
      ctx.report({
        threat: { category: 'resource-consumption', subtype: 'oversized-payload' },
        check: 'payload-size',
        severity: 'medium',
        confidence: 0.85,
        operation: state.op.key,
        location: `body.${field}`,
        title: `Oversized payload accepted (${field} beyond maxLength ${max})`,
        description: `${state.op.key} accepted ${field} with ${((ex.request.body?.length ?? 0) / 1024).toFixed(0)} KiB although the description limits it to ${max} characters, and a ${(SIZE / 1048576).toFixed(0)} MiB body as well.`,
        exchange: ex,
        remediation: 'Enforce body size limits at the edge and validate maxLength/maxItems on input.',
        cwe: 770,
      });
      return;
    }
  },
};
