import { cloneParts } from '../../builder/request.js';
import type { Check } from '../../context.js';
import { isSuccess, looksDenied, randomToken } from '../../judges/similarity.js';
import { bodyFieldNames, schemaFields } from '../util.js';

const CURRENT_RE =
  /^(current|old|existing)_?pass(word)?$|^(currentpassword|oldpassword|password_?current|password_?old)$/i;
const NEW_RE = /^(new_?pass(word)?|newpassword|password|pass|pwd)$/i;

export const passwordChangeCheck: Check = {
  id: 'password-change',
  category: 'session-password',
  title: 'Password change without the current password',
  priority: 12,
  async run(ctx) {
    if (!ctx.identities.A) return;
    const states = ctx.ops.filter((s) => {
      const p = s.op.path.toLowerCase();
      return (
        ['PUT', 'PATCH', 'POST'].includes(s.op.method) &&
        /password|passwd|credentials/.test(`${p} ${s.op.operationId ?? ''}`.toLowerCase()) &&
        !/reset|forgot|recover|activate|activation|login|register|signup/.test(p)
      );
    });
    for (const state of states) {
      const fields = [...new Set([...schemaFields(state.op), ...bodyFieldNames(state.parts.body)])];
      const newField = fields.find((f) => NEW_RE.test(f) && !CURRENT_RE.test(f));
      if (!newField) continue;
      const build = (extra: Record<string, unknown>) => {
        const parts = cloneParts(state.parts);
        const body: Record<string, unknown> = {};
        for (const [k, v] of Object.entries((parts.body ?? {}) as Record<string, unknown>))
          if (!CURRENT_RE.test(k)) body[k] = v;
        const pw = `Pal-${randomToken(10)}-9aZ!`;
        body[newField] = pw;
        for (const f of fields) if (/confirm|repeat|again/i.test(f)) body[f] = pw;
        Object.assign(body, extra);
        parts.body = body;
        return parts;
      };
      const ex = await ctx.send(state, build({}), 'A');
      if (!isSuccess(ex.response.status) || looksDenied(ex.response.body)) continue;
      // confirm with a differently shaped request: an explicitly wrong current password
      const currentField = fields.find((f) => CURRENT_RE.test(f)) ?? 'current_password';
      const ex2 = await ctx.send(state, build({ [currentField]: `Wrong-${randomToken(8)}` }), 'A');
      if (!isSuccess(ex2.response.status) || looksDenied(ex2.response.body)) continue;
      ctx.report({
        threat: { category: 'session-password', subtype: 'password-change-without-verification' },
        check: 'password-change',
        severity: 'high',
        confidence: 0.85,
        operation: state.op.key,
        location: `body.${newField}`,
        title: 'Password can be changed without the current password',
        description: `${state.op.key} changed the password of identity A without the current password, and again with a wrong current password: a stolen session (XSS, shared device) becomes a permanent account takeover.`,
        exchange: ex,
        remediation:
          'Require and verify the current password (or a fresh re-authentication / MFA) before changing a password, and revoke other sessions afterwards.',
        cwe: 620,
      });
    }
  },
};
