import type { Check } from '../../context.js';
import { randomToken } from '../../judges/similarity.js';
import { injectionPoints } from '../../points.js';
import type { Exchange } from '../../types.js';
import { workingOps, poolFor } from '../util.js';

const URL_NAME_RE =
  /url|uri|link|callback|webhook|endpoint|image|img|avatar|src|source|target|dest|redirect|feed|fetch|proxy|remote|href|site|domain|host|resource|document|file|import/i;

const METADATA_SIGNS = [
  'ami-id',
  'instance-id',
  'computeMetadata',
  'iam/security-credentials',
  'local-ipv4',
  'instance-identity',
];

function metadataSign(ex: Exchange, baseline: Exchange): string | undefined {
  for (const s of METADATA_SIGNS)
    if (ex.response.body.includes(s) && !baseline.response.body.includes(s)) return s;
  return undefined;
}

const REMEDIATION =
  'Fetch only allow-listed hosts/schemes; resolve the name and refuse private, loopback, link-local (169.254.0.0/16) and metadata addresses after every redirect; run fetchers in an egress-restricted network.';

export const ssrfCheck: Check = {
  id: 'ssrf',
  category: 'ssrf',
  title: 'Server-side request forgery (callback listener, cloud metadata)',
  priority: 87,
  async run(ctx) {
    const states = workingOps(ctx);
    await poolFor(ctx, states, async (state) => {
      const points = injectionPoints(state.op, state.parts).filter(
        (p) =>
          (URL_NAME_RE.test(p.name) ||
            (typeof p.original === 'string' && /^https?:\/\//i.test(p.original))) &&
          (typeof p.original === 'string' || p.source === 'query'),
      );
      for (const point of points) {
        const token = `pal${randomToken(12)}`;
        const ex = await ctx.send(state, point.with(state.parts, ctx.callback.url(token)), state.as);
        if (await ctx.callback.waitFor(token, 1500)) {
          const token2 = `pal${randomToken(12)}`;
          const ex2 = await ctx.send(
            state,
            point.with(state.parts, `${ctx.callback.url(token2, 'localhost')}?x=${randomToken(4)}`),
            state.as,
          );
          if (!(await ctx.callback.waitFor(token2, 2000))) continue;
          const full =
            ex.response.body.includes('palisade-callback') || ex2.response.body.includes('palisade-callback');
          ctx.report({
            threat: { category: 'ssrf', subtype: full ? 'ssrf-internal' : 'ssrf-blind' },
            check: 'ssrf',
            severity: 'high',
            confidence: 0.95,
            operation: state.op.key,
            location: point.label,
            title: `Server-side request forgery via ${point.label}`,
            description: `The server fetched the scanner's callback URL given in ${point.label} (and a second one written with another host name)${full ? ', and returned the fetched content' : ''}: it can be made to call internal services.`,
            exchange: ex,
            remediation: REMEDIATION,
            cwe: 918,
          });
          return;
        }
        const exMeta = await ctx.send(
          state,
          point.with(state.parts, 'http://169.254.169.254/latest/meta-data/'),
          state.as,
        );
        const sign = metadataSign(exMeta, state.baseline!);
        if (sign) {
          const exMeta2 = await ctx.send(
            state,
            point.with(state.parts, 'http://169.254.169.254/latest/meta-data/instance-id'),
            state.as,
          );
          const exGcp = metadataSign(exMeta2, state.baseline!)
            ? exMeta2
            : await ctx.send(
                state,
                point.with(state.parts, 'http://metadata.google.internal/computeMetadata/v1/instance/'),
                state.as,
              );
          if (
            !metadataSign(exMeta2, state.baseline!) &&
            !metadataSign(exGcp, state.baseline!) &&
            !/^i-[0-9a-f]{8,17}$/.test(exMeta2.response.body.trim())
          )
            continue;
          ctx.report({
            threat: { category: 'ssrf', subtype: 'ssrf-cloud-metadata' },
            check: 'ssrf',
            severity: 'critical',
            confidence: 0.9,
            operation: state.op.key,
            location: point.label,
            title: `Cloud metadata reachable through ${point.label}`,
            description: `A metadata-service URL in ${point.label} returned instance metadata ("${sign}"): cloud credentials can be stolen.`,
            exchange: exMeta,
            focus: sign,
            remediation: REMEDIATION,
            cwe: 918,
          });
          return;
        }
      }
    });
  },
};
