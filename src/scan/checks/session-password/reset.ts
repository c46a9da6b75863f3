import { cloneParts } from '../../builder/request.js';
import type { Check, CheckContext, OpState } from '../../context.js';
import { isSuccess, looksDenied, randomToken } from '../../judges/similarity.js';
import {
  bodyFieldNames,
  hasToken,
  isUserField,
  loginOps,
  schemaFields,
  USER_FIELD_RE,
  usersFor,
} from '../util.js';

const FLOW_RE = /reset|forgot|recover|activate|activation|set-?password|setpassword/;
const PASSWORD_RE = /pass(word)?|pwd/i;
const PROOF_RE = /token|code|otp|nonce|key|signature|hash/i;

export const resetCheck: Check = {
  id: 'password-reset',
  category: 'session-password',
  title: 'Reset/activation flows that set a password with only the username',
  priority: 11,
  async run(ctx) {
    const states = ctx.ops.filter(
      (s) =>
        (s.op.method === 'POST' || s.op.method === 'PUT' || s.op.method === 'PATCH') &&
        FLOW_RE.test(`${s.op.path} ${s.op.operationId ?? ''}`.toLowerCase()),
    );
    for (const state of states) {
      const fields = [...new Set([...schemaFields(state.op), ...bodyFieldNames(state.parts.body)])];
      const userField = fields.find((f) => USER_FIELD_RE.test(f)) ?? fields.find(isUserField);
      const pwField = fields.find((f) => PASSWORD_RE.test(f) && !/confirm|repeat/i.test(f));
      if (userField && !pwField) {
        await tokenInAnswer(ctx, state, userField);
        continue;
      }
      if (!userField || !pwField) continue;
      const victim = usersFor(ctx, userField)[0] ?? 'admin';
      const build = (user: string, pw: string) => {
        const parts = cloneParts(state.parts);
        const body: Record<string, unknown> = {};
        for (const [k, v] of Object.entries((parts.body ?? {}) as Record<string, unknown>))
          if (!PROOF_RE.test(k)) body[k] = v;
        body[userField] = user;
        body[pwField] = pw;
        for (const f of fields) if (/confirm|repeat/i.test(f)) body[f] = pw;
        parts.body = body;
        return parts;
      };
      const newPw = `Pal-${randomToken(10)}-7aZ!`;
      const ex = await ctx.send(state, build(victim, newPw), 'anon');
      if (!isSuccess(ex.response.status) || looksDenied(ex.response.body)) continue;
      // confirm: log in with the new password, or show that an unknown user is answered differently
      let proof = '';
      const login = loginOps(ctx)[0];
      if (login) {
        const parts = cloneParts(login.state.parts);
        parts.body = {
          ...((parts.body ?? {}) as object),
          [login.userField]: victim,
          [login.passwordField]: newPw,
        };
        const exLogin = await ctx.send(login.state, parts, 'anon');
        if (isSuccess(exLogin.response.status) && hasToken(exLogin.response.json))
          proof = `, and logging in as "${victim}" with the new password succeeded`;
      }
      if (!proof) {
        const ghost = /mail/i.test(userField)
          ? `ghost.${randomToken(8)}@example.org`
          : `ghost_${randomToken(8)}`;
        const exGhost = await ctx.send(state, build(ghost, newPw), 'anon');
        if (isSuccess(exGhost.response.status) && !looksDenied(exGhost.response.body)) continue;
        proof = ', while the same request for an unknown user was refused';
      }
      ctx.report({
        threat: { category: 'session-password', subtype: 'account-takeover' },
        check: 'password-reset',
        severity: 'critical',
        confidence: proof.includes('logging in') ? 0.98 : 0.8,
        operation: state.op.key,
        location: `body.${userField}`,
        title: 'Password reset/activation takes over any account by username',
        description: `${state.op.key} set a new password for "${victim}" given only the ${userField} and no reset token or code${proof}.`,
        exchange: ex,
        remediation:
          'Require a single-use, short-lived, unguessable token sent to the verified email/phone before setting a password; never set passwords from the username alone.',
        cwe: 640,
      });
    }
  },
};

function proofIn(json: unknown): string | undefined {
  let budget = 100;
  const walk = (v: unknown, depth: number): string | undefined => {
    if (budget-- <= 0 || depth > 3 || !v || typeof v !== 'object') return undefined;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (
        /token|code|otp|nonce|link/i.test(k) &&
        !/type|expires|ttl|status/i.test(k) &&
        (typeof x === 'string' || typeof x === 'number')
      ) {
        const t = String(x);
        // random-looking: digits (OTP) or a long mixed string, never a status word
        if (t.length <= 512 && !/\s/.test(t) && /\d/.test(t) && (t.length >= 6 || /^\d{4,}$/.test(t)))
          return k;
      }
      const r = walk(x, depth + 1);
      if (r) return r;
    }
    return undefined;
  };
  return walk(json, 0);
}

/** The "forgot password" step must not hand the reset token or code to the caller. */
async function tokenInAnswer(ctx: CheckContext, state: OpState, userField: string): Promise<void> {
  const victim = usersFor(ctx, userField)[0] ?? 'admin';
  const parts = cloneParts(state.parts);
  parts.body = { ...((parts.body ?? {}) as object), [userField]: victim };
  const ex = await ctx.send(state, parts, 'anon');
  const key = isSuccess(ex.response.status) ? proofIn(ex.response.json) : undefined;
  if (!key) return;
  // confirm: asked again (with an extra header), a token is handed out again
  const ex2 = await ctx.send(state, parts, 'anon', { headers: { 'x-palisade-confirm': '1' } });
  if (!isSuccess(ex2.response.status) || !proofIn(ex2.response.json)) return;
  ctx.report({
    threat: { category: 'session-password', subtype: 'account-takeover' },
    check: 'password-reset',
    severity: 'critical',
    confidence: 0.85,
    operation: state.op.key,
    location: `response.${key}`,
    title: 'Password reset token returned to the requester',
    description: `${state.op.key} answers a reset request for "${victim}" with the reset proof ("${key}") in the response: anyone can reset any account.`,
    exchange: ex,
    focus: key,
    remediation:
      'Send reset tokens only out of band (verified e-mail/SMS), never in the API response; make them single-use and short-lived.',
    cwe: 640,
  });
}
