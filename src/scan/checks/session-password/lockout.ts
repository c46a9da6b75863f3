import { cloneParts } from '../../builder/request.js';
import type { Check } from '../../context.js';
import { randomToken, similarity } from '../../judges/similarity.js';
import type { Exchange } from '../../types.js';
import { hasToken, loginOps, usersFor } from '../util.js';

const ATTEMPTS = 10;

export const lockoutCheck: Check = {
  id: 'lockout',
  category: 'session-password',
  title: 'No lock-out after repeated failed logins',
  priority: 15,
  async run(ctx) {
    for (const { state, userField, passwordField } of loginOps(ctx)) {
      const user = usersFor(ctx, userField)[0];
      if (!user) return;
      const attempt = (p: string) => {
        const parts = cloneParts(state.parts);
        const body = (parts.body ?? {}) as Record<string, unknown>;
        body[userField] = user;
        body[passwordField] = p;
        parts.body = body;
        return ctx.send(state, parts, 'anon', { headers: { 'x-palisade-attempt': randomToken(4) } });
      };
      const failures: Exchange[] = [];
      for (let i = 0; i < ATTEMPTS; i++) {
        const ex = await attempt(`Wrong-${randomToken(10)}`);
        const st = ex.response.status;
        if (
          st === 429 ||
          st === 423 ||
          st === 0 ||
          /lock|too many|try again later|temporarily/i.test(ex.response.body.slice(0, 500))
        )
          return;
        if (st >= 200 && st < 300 && hasToken(ex.response.json)) return;
        failures.push(ex);
      }
      // confirm: the 11th attempt looks exactly like the first (no delay, no different answer),
      // and with known credentials the correct password still works
      const last = failures[failures.length - 1];
      if (similarity(last.response.body, failures[0].response.body) < 0.9) return;
      let stillWorks = '';
      if (ctx.credentials && ctx.credentials.username === user) {
        const ok = await attempt(ctx.credentials.password);
        if (!(ok.response.status >= 200 && ok.response.status < 300)) return;
        stillWorks = ' The correct password was still accepted afterwards.';
      }
      ctx.report({
        threat: { category: 'session-password', subtype: 'brute-force' },
        check: 'lockout',
        severity: 'medium',
        confidence: stillWorks ? 0.9 : 0.75,
        operation: state.op.key,
        location: `body.${passwordField}`,
        title: 'No lock-out or throttling after repeated failed logins',
        description: `${ATTEMPTS} wrong passwords in a row for an existing account were all answered the same way (HTTP ${last.response.status}), without lock-out, delay or 429.${stillWorks}`,
        exchange: last,
        remediation:
          'Throttle and temporarily lock accounts after a few failures (with notification), add rate limits per IP and per account, and consider MFA.',
        cwe: 307,
      });
      return;
    }
  },
};
