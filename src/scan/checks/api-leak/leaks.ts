import type { Check } from '../../context.js';
import { findLeaks, type LeakMatch } from '../../judges/secrets.js';
import { sqlErrorIn } from '../../judges/sql-errors.js';
import type { Exchange } from '../../types.js';

// operations whose job is to hand out credentials: sign-in, token, key and MFA endpoints
const TOKEN_ISSUERS =
  /(api-?keys?|tokens?|credentials?|mfa|2fa|totp|otp|secrets?|sessions?|login|log-?in|sign-?in|authenticate)(\/|$|\{)/i;
const DEBUG_PATH =
  /(^|\/)(debug|config|configuration|env|environment|actuator|phpinfo|trace|diagnostics?|_profiler)(\/|$)/i;

type Subtype =
  | 'secret-in-response'
  | 'pii-in-response'
  | 'excessive-data-exposure'
  | 'verbose-error'
  | 'debug-endpoint';

function classify(m: LeakMatch): { subtype: Subtype; severity: 'high' | 'medium' | 'low' } {
  if (m.kind === 'secret') return { subtype: 'secret-in-response', severity: 'high' };
  if (m.kind === 'pii') return { subtype: 'pii-in-response', severity: 'high' };
  if (m.kind === 'sensitive-field') {
    const high = /pass|secret|private|ssn|card|cvv|cvc|social/i.test(m.fragment);
    return { subtype: 'excessive-data-exposure', severity: high ? 'high' : 'medium' };
  }
  return { subtype: 'verbose-error', severity: 'medium' };
}

function leaksOf(ex: Exchange, opPath: string): LeakMatch[] {
  const out = findLeaks(ex.response.body, ex.response.json, {
    ignoreFields: TOKEN_ISSUERS.test(opPath) ? new Set(['secret', 'apikey', 'clientsecret']) : new Set(),
  });
  const sql = sqlErrorIn(ex.response.body);
  if (sql) out.push({ kind: 'sql-error', label: `${sql.engine} error text`, fragment: sql.text });
  return out;
}

export const leaksCheck: Check = {
  id: 'leaks',
  category: 'api-leak',
  title: 'Secrets, personal data, sensitive fields and stack traces in responses',
  priority: 10,
  async run(ctx) {
    const reported = new Set<string>();
    const byOp = new Map(ctx.api.operations.map((o) => [o.key, o]));
    const seen = [...ctx.exchanges];
    for (const { op, ex } of seen) {
      const operation = byOp.get(op);
      if (!operation || ex.response.status === 0) continue;
      for (const m of leaksOf(ex, operation.path)) {
        let { subtype, severity } = classify(m);
        const debug =
          DEBUG_PATH.test(operation.path) && (m.kind === 'secret' || m.kind === 'sensitive-field');
        if (debug) subtype = 'debug-endpoint';
        const key = `${op}|${subtype}`;
        if (reported.has(key)) continue;
        // a redacted-looking echo of our own request is not a leak
        if (
          m.kind === 'sensitive-field' &&
          ex.request.body?.includes(`"${m.fragment}"`) &&
          ex.response.status >= 400
        )
          continue;
        // confirm: the same request again, with a marker header, shows the same class of leak
        const again = await ctx.sendRaw(op, {
          ...ex.request,
          headers: { ...ex.request.headers, 'x-palisade-confirm': '1' },
        });
        if (!leaksOf(again.response.status ? again : ex, operation.path).some((x) => x.label === m.label))
          continue;
        reported.add(key);
        ctx.report({
          threat: { category: 'api-leak', subtype },
          check: 'leaks',
          severity: debug ? 'high' : severity,
          confidence: m.kind === 'stack-trace' ? 0.8 : 0.9,
          operation: op,
          title:
            subtype === 'verbose-error'
              ? `Verbose error: ${m.label} in the response`
              : subtype === 'debug-endpoint'
                ? `Debug/config endpoint exposes ${m.label}`
                : `Response exposes ${m.label}`,
          description: `A response of ${op} contains ${m.label} ("${m.fragment.slice(0, 4)}…"); a repeated request showed it again.`,
          exchange: ex,
          focus: m.fragment,
          remediation:
            subtype === 'verbose-error'
              ? 'Return generic error messages; log details server-side with a correlation id.'
              : 'Return only the fields the client needs (explicit response DTOs / serializers), never secrets, password hashes or full card numbers; remove debug endpoints from production.',
          cwe:
            subtype === 'verbose-error'
              ? 209
              : subtype === 'debug-endpoint'
                ? 215
                : subtype === 'excessive-data-exposure'
                  ? 213
                  : 200,
        });
      }
    }
  },
};
