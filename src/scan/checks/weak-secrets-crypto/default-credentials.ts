import { cloneParts } from '../../builder/request.js';
import type { Check } from '../../context.js';
import { isSuccess, looksDenied, randomToken } from '../../judges/similarity.js';
import { hasToken, loginOps } from '../util.js';

export const DEFAULT_CREDENTIALS: [string, string][] = [
  ['admin', 'admin'],
  ['admin', 'password'],
  ['admin', 'admin123'],
  ['admin', '123456'],
  ['admin', 'changeme'],
  ['root', 'root'],
  ['root', 'toor'],
  ['administrator', 'administrator'],
  ['test', 'test'],
  ['user', 'user'],
  ['user', 'password'],
  ['guest', 'guest'],
  ['demo', 'demo'],
  ['admin@example.com', 'admin'],
];

export const defaultCredentialsCheck: Check = {
  id: 'default-credentials',
  category: 'weak-secrets-crypto',
  title: 'Default and common credentials on login operations',
  priority: 50,
  async run(ctx) {
    for (const { state, userField, passwordField } of loginOps(ctx)) {
      const attempt = (u: string, p: string) => {
        const parts = cloneParts(state.parts);
        const body = (parts.body ?? {}) as Record<string, unknown>;
        body[userField] = /mail/i.test(userField) && !u.includes('@') ? `${u}@example.com` : u;
        body[passwordField] = p;
        parts.body = body;
        return ctx.send(state, parts, 'anon');
      };
      for (const [u, p] of DEFAULT_CREDENTIALS) {
        const ex = await attempt(u, p);
        if (ex.response.status === 429 || ex.response.status === 423) return;
        if (!isSuccess(ex.response.status) || looksDenied(ex.response.body) || !hasToken(ex.response.json))
          continue;
        // confirm: the same user with a random password is refused (the endpoint does not accept anything)
        const wrong = await attempt(u, `Pal-${randomToken(12)}`);
        if (isSuccess(wrong.response.status) && hasToken(wrong.response.json)) return;
        ctx.report({
          threat: { category: 'weak-secrets-crypto', subtype: 'default-credentials' },
          check: 'default-credentials',
          severity: 'critical',
          confidence: 0.95,
          operation: state.op.key,
          location: `body.${userField}`,
          title: `Default credentials accepted (${u})`,
          description: `Logging in as "${u}" with a well-known default password returned a session token, while a random password for the same user was refused.`,
          exchange: ex,
          remediation:
            'Remove default accounts, force a password change on first login and reject passwords from common-password lists.',
          cwe: 798,
        });
        return;
      }
    }
  },
};
