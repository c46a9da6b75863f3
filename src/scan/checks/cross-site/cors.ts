import type { Check } from '../../context.js';
import { randomToken } from '../../judges/similarity.js';
import { okBaseline } from '../util.js';

export const corsCheck: Check = {
  id: 'cors',
  category: 'cross-site',
  title: 'CORS reflecting arbitrary origins with credentials',
  priority: 55,
  async run(ctx) {
    // successful reads first; any answered operation when the API has none
    const reads = ctx.ops.filter((s) => s.op.method === 'GET' && okBaseline(s));
    const others = ctx.ops.filter((s) => !reads.includes(s) && s.baseline && s.baseline.response.status > 0);
    const states = [...reads.slice(0, 5), ...others.slice(0, Math.max(0, 3 - reads.length))];
    for (const state of states) {
      const origin = `https://pal${randomToken(6)}.attacker.example`;
      const ex = await ctx.send(state, state.parts, state.as, { headers: { origin } });
      const acao = ex.response.headers['access-control-allow-origin'];
      const acac = (ex.response.headers['access-control-allow-credentials'] ?? '').toLowerCase() === 'true';
      if (acao !== origin || !acac) continue;
      // confirm with a differently shaped origin: the literal "null" origin of sandboxed documents
      const ex2 = await ctx.send(state, state.parts, state.as, { headers: { origin: 'null' } });
      const nullOk = ex2.response.headers['access-control-allow-origin'] === 'null';
      const other = `http://${randomToken(5)}.example.net`;
      const ex3 = nullOk ? ex2 : await ctx.send(state, state.parts, state.as, { headers: { origin: other } });
      if (!nullOk && ex3.response.headers['access-control-allow-origin'] !== other) continue;
      ctx.report({
        threat: { category: 'cross-site', subtype: 'cors-misconfig' },
        check: 'cors',
        severity: 'high',
        confidence: 0.95,
        operation: '*',
        title: 'CORS reflects any origin and allows credentials',
        description: `The API answers Access-Control-Allow-Origin with whatever Origin it receives (${origin}${nullOk ? ', and "null"' : ''}) together with Access-Control-Allow-Credentials: true, so any website can read authenticated responses of a logged-in user.`,
        exchange: ex,
        remediation:
          'Allow-list trusted origins explicitly; never reflect the Origin header, and never allow credentials for "null" or wildcard origins.',
        cwe: 942,
      });
      return;
    }
  },
};
