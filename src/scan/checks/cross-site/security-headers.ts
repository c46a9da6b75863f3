import type { Check } from '../../context.js';
import { servedAsHtml } from './xss.js';

export const securityHeadersCheck: Check = {
  id: 'security-headers',
  category: 'cross-site',
  title: 'Missing security headers on HTML responses',
  priority: 30,
  async run(ctx) {
    for (const state of ctx.ops) {
      const ex = state.baseline;
      if (!ex || ex.response.status < 200 || ex.response.status >= 300 || !servedAsHtml(ex)) continue;
      const h = ex.response.headers;
      const missing: string[] = [];
      const csp = h['content-security-policy'] ?? '';
      if (!csp) missing.push('Content-Security-Policy');
      if ((h['x-content-type-options'] ?? '').toLowerCase() !== 'nosniff')
        missing.push('X-Content-Type-Options: nosniff');
      if (!h['x-frame-options'] && !csp.includes('frame-ancestors'))
        missing.push('X-Frame-Options or CSP frame-ancestors');
      if (missing.length === 0) continue;
      // confirm on a second request with a different Accept header
      const ex2 = await ctx.send(state, state.parts, state.as, { headers: { accept: 'text/html' } });
      if (!servedAsHtml(ex2) || ex2.response.headers['content-security-policy']) continue;
      ctx.report({
        threat: { category: 'inventory', subtype: 'missing-security-headers' },
        check: 'security-headers',
        severity: 'low',
        confidence: 0.9,
        operation: state.op.key,
        title: 'HTML response without security headers',
        description: `${state.op.key} serves HTML without ${missing.join(', ')}.`,
        exchange: ex,
        remediation:
          'Send Content-Security-Policy (with frame-ancestors), X-Content-Type-Options: nosniff and X-Frame-Options on every HTML response.',
        cwe: 693,
      });
    }
  },
};
