import type { Check } from '../../context.js';
import type { Exchange } from '../../types.js';
import { runMarkerCheck } from './common.js';

const NAME_RE =
  /file|path|dir|folder|doc|template|page|include|load|download|attach|image|img|src|source|model|location|resource|name|key|uri|url|lang|view|report/i;

/** Signatures of well-known files, only counted when absent from the baseline. */
export function fileSignature(ex: Exchange, baseline: Exchange): string | undefined {
  const body = ex.response.body;
  for (const sig of [
    'root:x:0:0',
    'root:*:0:0',
    'daemon:x:1:1',
    '[fonts]',
    '; for 16-bit app support',
    '[extensions]',
  ]) {
    if (body.includes(sig) && !baseline.response.body.includes(sig)) return sig;
  }
  return undefined;
}

const UNIX = [
  '../../../../../../../../etc/passwd',
  '/etc/passwd',
  '....//....//....//....//....//....//etc/passwd',
  '..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
  '..\\..\\..\\..\\..\\..\\windows\\win.ini',
];

export const pathTraversalCheck: Check = {
  id: 'path-traversal',
  category: 'injection',
  title: 'Path traversal (known file signatures)',
  priority: 90,
  async run(ctx) {
    await runMarkerCheck(ctx, {
      points: (p) => NAME_RE.test(p.name) && (typeof p.original === 'string' || p.source === 'path'),
      probes: () =>
        UNIX.map((payload, i) => ({
          i,
          value: (o: string) => {
            // keep a directory prefix the server may require ("models/x" → "models/../../…")
            const slash = o.lastIndexOf('/');
            return i === 0 && slash > 0 ? `${o.slice(0, slash + 1)}${payload}` : payload;
          },
          judge: fileSignature,
        })),
      confirm: (_p, m) => {
        const i = (m as any).i as number;
        const win = i === 4;
        return {
          value: () =>
            win
              ? '..\\..\\..\\..\\..\\..\\..\\windows\\.\\win.ini'
              : '../../../../../../../../../../etc/./passwd',
          judge: fileSignature,
        };
      },
      onFinding: (state, point, ex, sig) => {
        ctx.report({
          threat: { category: 'injection', subtype: 'path-traversal' },
          check: 'path-traversal',
          severity: 'critical',
          confidence: 0.95,
          operation: state.op.key,
          location: point.label,
          title: `Path traversal in ${point.label}`,
          description: `A relative path in ${point.label} returned the contents of a system file (signature "${sig}"), confirmed with a second, differently written path.`,
          exchange: ex,
          focus: sig,
          remediation:
            'Resolve the requested name against a fixed base directory and reject results outside it (realpath + prefix check), or map ids to files server-side; never pass user paths to file APIs.',
          cwe: 22,
        });
      },
    });
  },
};
