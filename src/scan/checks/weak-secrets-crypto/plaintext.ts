import type { Check } from '../../context.js';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)$/i;

export const plaintextCheck: Check = {
  id: 'plaintext',
  category: 'weak-secrets-crypto',
  title: 'Plaintext HTTP for authenticated operations',
  priority: 5,
  async run(ctx) {
    const url = new URL(ctx.builder.origin);
    if (url.protocol !== 'http:' || LOOPBACK.test(url.hostname)) return;
    const state = ctx.ops.find((s) => s.op.requiresAuth && s.baseline && s.baseline.response.status > 0);
    if (!state) return;
    // confirm that the plain-HTTP port does not just redirect to HTTPS
    const ex = await ctx.send(state, state.parts, state.as);
    if (
      ex.response.status >= 300 &&
      ex.response.status < 400 &&
      /^https:/i.test(ex.response.headers.location ?? '')
    )
      return;
    ctx.report({
      threat: { category: 'weak-secrets-crypto', subtype: 'plaintext-transport' },
      check: 'plaintext',
      severity: 'high',
      confidence: 0.9,
      operation: '*',
      title: 'Credentials travel over plaintext HTTP',
      description: `The API answers authenticated operations over http://${url.host} without redirecting to HTTPS; tokens and passwords can be sniffed.`,
      exchange: ex,
      remediation: 'Serve the API over HTTPS only (redirect or refuse HTTP) and send HSTS.',
      cwe: 319,
    });
  },
};
