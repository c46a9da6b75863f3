import type { Check } from '../../context.js';
import { randomToken } from '../../judges/similarity.js';
import type { Exchange } from '../../types.js';
import { runMarkerCheck } from '../injection/common.js';

export function servedAsHtml(ex: Exchange): boolean {
  const ct = (ex.response.headers['content-type'] ?? '').toLowerCase();
  return ct.includes('text/html') || ct.includes('application/xhtml');
}

export const xssCheck: Check = {
  id: 'xss',
  category: 'cross-site',
  title: 'Reflected XSS in HTML responses',
  priority: 60,
  async run(ctx) {
    await runMarkerCheck(ctx, {
      points: (p) => typeof p.original === 'string' || p.source === 'query',
      probes: () => {
        const m = `pal${randomToken(8)}`;
        const tag = `<${m} x=1>`;
        return [
          {
            value: (o: string) => `${o}${tag}`,
            judge: (ex) => (servedAsHtml(ex) && ex.response.body.includes(tag) ? tag : undefined),
          },
          {
            value: (o: string) => `${o}"'><${m}>`,
            judge: (ex) => (servedAsHtml(ex) && ex.response.body.includes(`<${m}>`) ? `<${m}>` : undefined),
          },
        ];
      },
      confirm: () => {
        const m = `pal${randomToken(8)}`;
        const tag = `<svg data-${m}=1 onload=${m}>`;
        return {
          value: (o: string) => `${o}${tag}`,
          judge: (ex) => (servedAsHtml(ex) && ex.response.body.includes(tag) ? tag : undefined),
        };
      },
      onFinding: (state, point, ex, tag) => {
        ctx.report({
          threat: { category: 'cross-site', subtype: 'xss-reflected' },
          check: 'xss',
          severity: 'high',
          confidence: 0.9,
          operation: state.op.key,
          location: point.label,
          title: `Reflected cross-site scripting in ${point.label}`,
          description: `An HTML tag with a random name sent in ${point.label} came back unescaped in a text/html response ("${tag}"); an event-handler tag was reflected as well.`,
          exchange: ex,
          focus: tag,
          remediation:
            'HTML-encode every reflected value for its context (or use a templating engine that escapes by default), serve API data as application/json, and add a strict Content-Security-Policy.',
          cwe: 79,
        });
      },
    });
  },
};
