import type { Check, CheckContext } from '../../context.js';
import { findLeaks } from '../../judges/secrets.js';
import { isSuccess, randomToken, similarity } from '../../judges/similarity.js';
import type { Exchange } from '../../types.js';

export const COMMON_PATHS = [
  '/debug',
  '/debug/vars',
  '/debug/pprof',
  '/internal',
  '/metrics',
  '/admin',
  '/actuator',
  '/actuator/env',
  '/actuator/health',
  '/.env',
  '/.git/config',
  '/graphql',
  '/graphiql',
  '/swagger.json',
  '/swagger-ui.html',
  '/openapi.json',
  '/api-docs',
  '/v2/api-docs',
  '/v3/api-docs',
  '/server-status',
  '/config',
  '/config.json',
  '/env',
  '/phpinfo.php',
  '/console',
  '/trace',
  '/api/debug',
  '/api/internal',
  '/api/admin',
  '/api/config',
  '/backup',
  '/backup.zip',
  '/status',
  '/health/details',
  '/_profiler',
];

const DOC_PATHS = /swagger|openapi|api-docs|graphiql/;
const LOW = /metrics|health|status|swagger|openapi|api-docs|graphql|graphiql/;

function documented(ctx: CheckContext, path: string): boolean {
  const segs = path.split('/');
  return ctx.api.operations.some((o) => {
    const full = `${ctx.builder.basePath}${o.path}`.split('/');
    if (full.length !== segs.length) return false;
    return full.every((s, i) => s === segs[i] || (s.startsWith('{') && s.endsWith('}')));
  });
}

async function get(ctx: CheckContext, path: string, extra = ''): Promise<Exchange> {
  return ctx.sendRaw(`GET ${path}`, {
    method: 'GET',
    url: `${ctx.builder.origin}${path}${extra}`,
    headers: { 'user-agent': 'palisade-scan', accept: '*/*', ...(ctx.identities.A?.headers ?? {}) },
  });
}

export const shadowCheck: Check = {
  id: 'shadow-endpoints',
  category: 'inventory',
  title: 'Undocumented common paths that answer',
  priority: 35,
  async run(ctx) {
    // what does the server answer for paths that certainly do not exist?
    const r1 = await get(ctx, `/pal-${randomToken(10)}`);
    const r2 = await get(ctx, `/pal-${randomToken(6)}/${randomToken(8)}.json`);
    const notFound = [r1, r2];
    const prefixes = [...new Set(['', ctx.builder.basePath])];
    const candidates = [...new Set(prefixes.flatMap((p) => COMMON_PATHS.map((c) => `${p}${c}`)))].filter(
      (p) => !documented(ctx, p),
    );
    for (const path of candidates) {
      const ex = await get(ctx, path);
      if (!isSuccess(ex.response.status)) continue;
      if (
        notFound.some(
          (nf) =>
            nf.response.status === ex.response.status && similarity(nf.response.body, ex.response.body) > 0.8,
        )
      )
        continue;
      if (ex.response.body.trim().length === 0) continue;
      // the spec itself served at a well-known path is expected
      if (DOC_PATHS.test(path) && /"(openapi|swagger)"\s*:/.test(ex.response.body.slice(0, 2000))) continue;
      const ex2 = await get(ctx, path, `?_pal=${randomToken(4)}`);
      if (!isSuccess(ex2.response.status) || similarity(ex.response.body, ex2.response.body) < 0.5) continue;
      const leaks = findLeaks(ex.response.body, ex.response.json).filter(
        (l) => l.kind === 'secret' || l.kind === 'sensitive-field',
      );
      const envLike =
        /^[A-Z_][A-Z0-9_]{2,40}=/m.test(ex.response.body.slice(0, 5000)) && path.endsWith('.env');
      if (leaks.length || envLike) {
        ctx.report({
          threat: { category: 'api-leak', subtype: 'debug-endpoint' },
          check: 'shadow-endpoints',
          severity: 'high',
          confidence: 0.9,
          operation: `GET ${path}`,
          title: `Undocumented ${path} exposes ${leaks[0]?.label ?? 'environment variables'}`,
          description: `${path} is not in the API description, answers HTTP ${ex.response.status} (unlike random paths) and returns ${leaks.map((l) => l.label).join(', ') || 'environment variables'}.`,
          exchange: ex,
          focus: leaks[0]?.fragment,
          remediation:
            'Remove debug/config endpoints and dotfiles from production builds, or protect them behind admin authentication on an internal network.',
          cwe: 215,
        });
        continue;
      }
      ctx.report({
        threat: { category: 'inventory', subtype: 'shadow-endpoint' },
        check: 'shadow-endpoints',
        severity: LOW.test(path) ? 'low' : 'medium',
        confidence: 0.8,
        operation: `GET ${path}`,
        title: `Undocumented endpoint ${path} answers`,
        description: `${path} is not in the API description but answers HTTP ${ex.response.status} with content unlike the server's answer for random paths.`,
        exchange: ex,
        remediation:
          'Document every exposed endpoint or remove it; keep an inventory and deny unknown paths at the gateway.',
        cwe: 1059,
      });
    }
  },
};
