import type { Check } from '../../context.js';
import { runMarkerCheck } from './common.js';

const SYNTAXES: [string, string][] = [
  ['{{', '}}'],
  ['${', '}'],
  ['<%=', '%>'],
  ['#{', '}'],
  ['{{=', '}}'],
  ['*{', '}'],
  ['{', '}'],
];

function factors(): [number, number] {
  const a = 101 + Math.floor(Math.random() * 800);
  const b = 101 + Math.floor(Math.random() * 800);
  return [a, b];
}

export const sstiCheck: Check = {
  id: 'ssti',
  category: 'injection',
  title: 'Server-side template injection',
  priority: 75,
  async run(ctx) {
    await runMarkerCheck(ctx, {
      points: (p) => typeof p.original === 'string',
      probes: () =>
        SYNTAXES.map(([open, close]) => {
          const [a, b] = factors();
          const product = String(a * b);
          return {
            open,
            close,
            value: (o: string) => `${o}${open}${a}*${b}${close}`,
            judge: (ex, baseline) =>
              ex.response.body.includes(product) && !baseline.response.body.includes(product)
                ? product
                : undefined,
          };
        }),
      confirm: (_p, m) => {
        const { open, close } = m as any;
        const [a, b] = factors();
        const sum = String(a * b + 7);
        return {
          value: (o: string) => `${o}${open}${a}*${b}+7${close}`,
          judge: (ex, baseline) =>
            ex.response.body.includes(sum) && !baseline.response.body.includes(sum) ? sum : undefined,
        };
      },
      onFinding: (state, point, ex, product) => {
        ctx.report({
          threat: { category: 'injection', subtype: 'ssti' },
          check: 'ssti',
          severity: 'critical',
          confidence: 0.9,
          operation: state.op.key,
          location: point.label,
          title: `Server-side template injection in ${point.label}`,
          description: `A template expression multiplying two random numbers in ${point.label} came back evaluated (${product}); a second expression of different shape was evaluated too. Template injection usually leads to code execution.`,
          exchange: ex,
          focus: product,
          remediation:
            'Never compile templates from user input; pass user values as template data (context variables) and use a sandboxed, logic-less template engine.',
          cwe: 1336,
        });
      },
    });
  },
};
