import type { Check, CheckContext, OpState } from '../../context.js';
import { mediaFamily } from '../../context.js';
import { isSuccess, looksDenied, randomToken, similarity } from '../../judges/similarity.js';
import type { Exchange } from '../../types.js';

// `/api/v2/…`, `/v3/…`: a version segment in the request path
const VERSION = /\/v(\d{1,2})(?=\/)/;
const MAX_OLD_VERSION_FINDINGS = 5;

export const zombieCheck: Check = {
  id: 'deprecated-operations',
  category: 'inventory',
  title: 'Deprecated operations and retired API versions still answering',
  priority: 32,
  async run(ctx) {
    for (const state of ctx.ops) {
      if (!state.op.deprecated || !state.baseline || !isSuccess(state.baseline.response.status)) continue;
      const ex = await ctx.send(state, state.parts, state.as, { headers: { accept: '*/*' } });
      if (!isSuccess(ex.response.status) || looksDenied(ex.response.body)) continue;
      ctx.report({
        threat: { category: 'inventory', subtype: 'zombie-endpoint' },
        check: 'deprecated-operations',
        severity: 'low',
        confidence: 0.9,
        operation: state.op.key,
        title: 'Deprecated operation still answers',
        description: `${state.op.key} is marked deprecated in the description but still answers HTTP ${ex.response.status}; retired versions often miss newer security fixes.`,
        exchange: state.baseline,
        remediation:
          'Retire deprecated operations on a schedule (410 Gone), and make sure they get the same controls as current ones until then.',
        cwe: 1059,
      });
    }
    await olderVersions(ctx);
  },
};

/** True when some documented operation has this concrete path (then it is not a retired twin). */
function documented(ctx: CheckContext, urlPath: string): boolean {
  const segs = urlPath.split('/');
  return ctx.api.operations.some((o) => {
    const full = `${ctx.builder.basePath}${o.path}`.split('/');
    return (
      full.length === segs.length &&
      full.every((s, i) => s === segs[i] || (s.startsWith('{') && s.endsWith('}')))
    );
  });
}

/**
 * A versioned API (`/api/v2/…`) whose previous version still serves the same operation: the
 * retired version is undocumented, unmonitored and usually lacks later fixes. Only GETs with a
 * good baseline are replayed; a random path under the old prefix must not answer (catch-all
 * servers), and the old answer must look like the documented one.
 */
async function olderVersions(ctx: CheckContext): Promise<void> {
  const controls = new Map<string, Promise<Exchange>>();
  let reported = 0;
  const gets = ctx.ops.filter(
    (s) =>
      s.op.method === 'GET' &&
      !s.op.deprecated &&
      s.baseline &&
      isSuccess(s.baseline.response.status) &&
      !looksDenied(s.baseline.response.body),
  );
  for (const state of gets.slice(0, 25)) {
    if (reported >= MAX_OLD_VERSION_FINDINGS || Date.now() > ctx.checkDeadline) return;
    const url = new URL(state.baseline!.request.url);
    const m = VERSION.exec(url.pathname);
    if (!m || Number(m[1]) < 2) continue;
    const hit = await tryOlder(ctx, state, url, m, controls);
    if (hit) reported++;
  }
}

async function tryOlder(
  ctx: CheckContext,
  state: OpState,
  url: URL,
  m: RegExpExecArray,
  controls: Map<string, Promise<Exchange>>,
): Promise<boolean> {
  const baseline = state.baseline!;
  const current = Number(m[1]);
  for (const v of [current - 1, 1].filter((x, i, a) => x >= 1 && a.indexOf(x) === i)) {
    const oldPrefix = `${url.pathname.slice(0, m.index)}/v${v}`;
    const oldPath = oldPrefix + url.pathname.slice(m.index + m[0].length);
    if (documented(ctx, oldPath)) continue;
    let control = controls.get(oldPrefix);
    if (!control) {
      control = ctx.sendRaw(`GET ${oldPrefix}/*`, {
        method: 'GET',
        url: `${url.origin}${oldPrefix}/pal-${randomToken(8)}/${randomToken(6)}`,
        headers: baseline.request.headers,
      });
      controls.set(oldPrefix, control);
    }
    const ctl = await control;
    if (isSuccess(ctl.response.status)) continue;
    const req = { ...baseline.request, url: `${url.origin}${oldPath}${url.search}` };
    const ex = await ctx.sendRaw(state.op.key, req);
    if (!looksLike(ex, baseline)) continue;
    // confirm: asked again, the old version answers the same way
    const ex2 = await ctx.sendRaw(state.op.key, {
      ...req,
      headers: { ...req.headers, 'x-palisade-confirm': '1' },
    });
    if (!looksLike(ex2, baseline)) continue;
    ctx.report({
      threat: { category: 'inventory', subtype: 'zombie-endpoint' },
      check: 'deprecated-operations',
      severity: 'low',
      confidence: 0.8,
      operation: state.op.key,
      location: `path.${oldPrefix}`,
      title: `Retired API version v${v} still answers`,
      description: `${state.op.key} is documented under v${current}, but the same request under ${oldPrefix} (undocumented) answers HTTP ${ex.response.status} like the current version, while random paths there do not.`,
      exchange: ex,
      remediation:
        'Decommission old API versions (410 Gone) or keep them in the inventory with the same authentication, authorisation and validation as the current version.',
      cwe: 1059,
    });
    return true;
  }
  return false;
}

function looksLike(ex: Exchange, baseline: Exchange): boolean {
  return (
    isSuccess(ex.response.status) &&
    !looksDenied(ex.response.body) &&
    mediaFamily(ex.response.headers['content-type']) ===
      mediaFamily(baseline.response.headers['content-type']) &&
    similarity(ex.response.body, baseline.response.body) > 0.4
  );
}
