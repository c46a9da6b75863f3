import type { Check } from '../../context.js';
import { isSuccess, looksDenied, randomToken, similarity } from '../../judges/similarity.js';
import { findItem, okBaseline, poolFor, workingOps } from '../util.js';

export const bolaCheck: Check = {
  id: 'bola',
  category: 'broken-access-control',
  title: "BOLA: identity B reads or changes identity A's objects",
  priority: 93,
  async run(ctx) {
    if (!ctx.identities.A || !ctx.identities.B) return;
    const states = workingOps(
      ctx,
      (s) =>
        okBaseline(s) &&
        s.as === 'A' &&
        ['GET', 'PUT', 'PATCH'].includes(s.op.method) &&
        s.op.params.some((p) => p.in === 'path' && ctx.store.resolve(s.op, p.name) !== undefined),
    );
    await poolFor(ctx, states, async (state) => {
      const exB = await ctx.send(state, state.parts, 'B');
      if (!isSuccess(exB.response.status) || looksDenied(exB.response.body)) return;
      const aBody = state.baseline!.response.body;
      if (state.op.method === 'GET' && similarity(exB.response.body, aBody) < 0.8) return;
      // public objects are not BOLA
      const anon = await ctx.send(state, state.parts, 'anon');
      if (isSuccess(anon.response.status) && !looksDenied(anon.response.body)) return;
      const param = state.op.params.find(
        (p) => p.in === 'path' && ctx.store.resolve(state.op, p.name) !== undefined,
      )!;
      const idValue = state.parts.path[param.name];
      // objects B can list itself are shared, not A's: unless the list is global (same for A and
      // B) and the single-object answer carries fields the list does not show (e.g. a secret)
      let confidence = 0.9;
      const listPath = state.op.path.slice(0, state.op.path.indexOf(`/{${param.name}}`));
      const list = ctx.ops.find((s) => s.op.method === 'GET' && s.op.path === listPath);
      if (list) {
        const exList = await ctx.send(list, list.parts, 'B');
        const item = isSuccess(exList.response.status) ? findItem(exList.response.json, idValue) : undefined;
        if (item) {
          const exListA = await ctx.send(list, list.parts, 'A');
          const global = similarity(exListA.response.body, exList.response.body) > 0.9;
          const extra = extraKeys(exB.response.json, item);
          if (!global || !ctx.store.isCreated(idValue) || extra.length === 0) return;
          confidence = 0.7;
        }
      }
      // confirm with a differently shaped request: a random id must not answer the same way
      const other = /^\d+$/.test(idValue) ? String(Number(idValue) + 7_654_321) : `pal${randomToken(12)}`;
      const fake = { ...state.parts, path: { ...state.parts.path, [param.name]: other } };
      const exFake = await ctx.send(state, fake, 'B');
      if (isSuccess(exFake.response.status) && similarity(exFake.response.body, exB.response.body) > 0.9)
        return;
      const write = state.op.method !== 'GET';
      ctx.report({
        threat: { category: 'broken-access-control', subtype: 'bola' },
        check: 'bola',
        severity: write ? 'critical' : 'high',
        confidence: write ? Math.min(0.8, confidence) : confidence,
        operation: state.op.key,
        location: `path.${param.name}`,
        title: write
          ? "Identity B can change identity A's object"
          : "Identity B can read identity A's object",
        description: `The object ${param.name}=${idValue} was created or listed by identity A. Identity B ${write ? 'changed' : 'read'} it (HTTP ${exB.response.status}); anonymous access is refused and an unknown id is answered differently, so the API checks authentication but not ownership.`,
        exchange: exB,
        remediation:
          'Check on every object access that the caller owns (or may access) the object: filter queries by the authenticated user/tenant, not only by the id in the URL; prefer unguessable ids as defence in depth.',
        cwe: 639,
      });
    });
  },
};

function extraKeys(itemAnswer: unknown, listed: Record<string, unknown>): string[] {
  if (!itemAnswer || typeof itemAnswer !== 'object' || Array.isArray(itemAnswer)) return [];
  return Object.keys(itemAnswer as object).filter((k) => !(k in listed));
}
