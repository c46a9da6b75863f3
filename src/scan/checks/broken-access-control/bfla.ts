import { jwtOf } from '../../auth.js';
import type { Check } from '../../context.js';
import { isSuccess, looksDenied } from '../../judges/similarity.js';
import { okBaseline, words } from '../util.js';

export const ADMIN_RE =
  /(^|[^a-z])(admin|admins|administration|internal|manage|management|superuser|staff|sudo|backoffice|ops)([^a-z]|$)/;

export const bflaCheck: Check = {
  id: 'bfla',
  category: 'broken-access-control',
  title: 'BFLA: a normal user calls admin-looking operations',
  priority: 91,
  async run(ctx) {
    const A = ctx.identities.A;
    if (!A) return;
    const claims = jwtOf(A)?.jwt.payload ?? {};
    const claimText = JSON.stringify({
      role: claims.role,
      roles: claims.roles,
      scope: claims.scope,
      admin: claims.admin,
      groups: claims.groups,
    }).toLowerCase();
    if (/admin|superuser|"admin":true/.test(claimText)) return; // identity A is an administrator
    const states = ctx.ops.filter(
      (s) =>
        s.as === 'A' &&
        okBaseline(s) &&
        (ADMIN_RE.test(words(s.op)) || s.op.scopes.some((x) => /admin/i.test(x))),
    );
    for (const state of states) {
      const ex = state.baseline!;
      if (looksDenied(ex.response.body)) continue;
      const anon = await ctx.send(state, state.parts, 'anon');
      if (isSuccess(anon.response.status) && !looksDenied(anon.response.body)) continue; // reported as unauthenticated
      // confirm with a second, differently shaped call: the other normal identity, or A again with another Accept
      const ex2 = ctx.identities.B
        ? await ctx.send(state, state.parts, 'B')
        : await ctx.send(state, state.parts, 'A', { headers: { accept: '*/*' } });
      if (!isSuccess(ex2.response.status) || looksDenied(ex2.response.body)) continue;
      ctx.report({
        threat: { category: 'broken-access-control', subtype: 'bfla' },
        check: 'bfla',
        severity: state.op.method === 'GET' ? 'high' : 'critical',
        confidence: 0.8,
        operation: state.op.key,
        title: 'Administrative function reachable by a normal user',
        description: `${state.op.key} looks administrative (path, operationId, tags or scopes) and answered HTTP ${ex.response.status} to identity A${ctx.identities.B ? ' and identity B' : ''}, while anonymous callers are refused: authentication is checked, the role is not.`,
        exchange: ex,
        remediation:
          'Enforce role/permission checks on every administrative operation (deny by default, central policy), not only authentication.',
        cwe: 285,
      });
    }
  },
};
