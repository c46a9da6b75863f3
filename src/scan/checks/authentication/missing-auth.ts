import { type Check, mediaFamily } from '../../context.js';
import { isSuccess, looksDenied, similarity } from '../../judges/similarity.js';
import { okBaseline, workingOps, poolFor } from '../util.js';

export const missingAuthCheck: Check = {
  id: 'missing-auth',
  category: 'authentication',
  title: 'Operations that answer without the credentials the description requires',
  priority: 92,
  async run(ctx) {
    if (!ctx.identities.A) return;
    const states = workingOps(ctx, (s) => s.op.requiresAuth && okBaseline(s) && s.op.method !== 'DELETE');
    await poolFor(ctx, states, async (state) => {
      const ex = await ctx.send(state, state.parts, 'anon');
      if (!isSuccess(ex.response.status) || looksDenied(ex.response.body)) return;
      // a catch-all page (SPA index, login form) is not the operation's answer
      if (
        mediaFamily(ex.response.headers['content-type']) !==
        mediaFamily(state.baseline!.response.headers['content-type'])
      )
        return;
      const sim = similarity(ex.response.body, state.baseline!.response.body);
      if (sim < (state.op.method === 'GET' ? 0.5 : 0.2)) return;
      const nf = await ctx.catchAll();
      if (isSuccess(nf.response.status) && similarity(nf.response.body, ex.response.body) > 0.9) return;
      // confirm with a differently shaped credential: an obviously invalid bearer token
      const ex2 = await ctx.send(state, state.parts, 'anon', {
        headers: { authorization: 'Bearer palisade.invalid.token' },
      });
      if (!isSuccess(ex2.response.status) || looksDenied(ex2.response.body)) return;
      ctx.report({
        threat: { category: 'authentication', subtype: 'missing-auth' },
        check: 'missing-auth',
        severity: state.op.method === 'GET' ? 'high' : 'critical',
        confidence: sim > 0.8 ? 0.9 : 0.75,
        operation: state.op.key,
        title: 'Operation answers without authentication',
        description: `The API description requires credentials for ${state.op.key}, but a request without any credentials succeeded (HTTP ${ex.response.status}, ${Math.round(sim * 100)}% similar to the authenticated answer), and so did one with an invalid token.`,
        exchange: ex,
        remediation:
          'Enforce authentication on every operation the description marks as secured, by default (deny unless authenticated), not per handler.',
        cwe: 306,
      });
    });
  },
};
