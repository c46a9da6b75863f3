import { cloneParts } from '../../builder/request.js';
import type { Check } from '../../context.js';
import { randomToken, similarity } from '../../judges/similarity.js';
import type { Exchange } from '../../types.js';
import { loginOps, usersFor } from '../util.js';

function shape(ex: Exchange, strip: string[]): string {
  let body = ex.response.body;
  for (const s of strip) body = body.split(s).join('');
  return `${ex.response.status}|${body}`;
}

export const userEnumerationCheck: Check = {
  id: 'user-enumeration',
  category: 'session-password',
  title: 'User enumeration through login answers',
  priority: 45,
  async run(ctx) {
    for (const { state, userField, passwordField } of loginOps(ctx)) {
      // without a known user, try the account almost every system has
      const user = usersFor(ctx, userField)[0] ?? 'admin';
      const attempt = (u: string, p: string) => {
        const parts = cloneParts(state.parts);
        const body = (parts.body ?? {}) as Record<string, unknown>;
        body[userField] = u;
        body[passwordField] = p;
        parts.body = body;
        return ctx.send(state, parts, 'anon');
      };
      const known = user;
      const p1 = `Pal-${randomToken(10)}`;
      const u1 = /mail/i.test(userField) ? `pal${randomToken(8)}@example.com` : `pal${randomToken(8)}`;
      const exKnown = await attempt(known, p1);
      const exUnknown = await attempt(u1, p1);
      if (exKnown.response.status === 429 || exUnknown.response.status === 429) return;
      if (exKnown.response.status >= 200 && exKnown.response.status < 300) return; // random password worked?!
      const a = shape(exKnown, [known, p1]);
      const b = shape(exUnknown, [u1, p1]);
      if (exKnown.response.status === exUnknown.response.status && similarity(a, b) > 0.9) continue;
      // confirm with a second unknown user (differently shaped name) answering like the first one
      const u2 = /mail/i.test(userField)
        ? `nobody.${randomToken(6)}@example.org`
        : `nobody_${randomToken(6)}`;
      const p2 = `Pal-${randomToken(10)}`;
      const exUnknown2 = await attempt(u2, p2);
      const c = shape(exUnknown2, [u2, p2]);
      if (exUnknown2.response.status !== exUnknown.response.status || similarity(b, c) < 0.9) continue;
      const exKnown2 = await attempt(known, p2);
      if (
        similarity(shape(exKnown2, [known, p2]), c) > 0.9 &&
        exKnown2.response.status === exUnknown2.response.status
      )
        continue;
      ctx.report({
        threat: { category: 'session-password', subtype: 'user-enumeration' },
        check: 'user-enumeration',
        severity: 'medium',
        confidence: 0.85,
        operation: state.op.key,
        location: `body.${userField}`,
        title: 'Login reveals whether a user exists',
        description: `A wrong password for an existing user is answered HTTP ${exKnown.response.status} differently from an unknown user (HTTP ${exUnknown.response.status}), consistently across two unknown users.`,
        exchange: exKnown,
        remediation:
          'Answer failed logins identically (status, body and timing) whether or not the account exists.',
        cwe: 204,
      });
      return;
    }
  },
};
