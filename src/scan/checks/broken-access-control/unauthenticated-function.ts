import { type Check, mediaFamily } from '../../context.js';
import { isSuccess, looksDenied } from '../../judges/similarity.js';
import { poolFor, schemaFields, words } from '../util.js';
import { ADMIN_RE } from './bfla.js';

const JOB_RE =
  /(^|[^a-z])(jobs?|commands?|exec|execute|run|runs|tasks?|shell|scripts?|workers?|pipelines?|workflows?|cron|batch)([^a-z]|$)/;
const MODEL_RE = /models?/;
const MODEL_ACTION_RE = /(load|upload|import|deploy|pull|register|install|download|restore)/;

export function sensitiveFunction(
  text: string,
  method: string,
  bodyFields: string[] = [],
): 'admin' | 'job' | 'model' | undefined {
  if (ADMIN_RE.test(text)) return 'admin';
  if (method === 'GET') return undefined;
  if (JOB_RE.test(text)) return 'job';
  if (MODEL_RE.test(text) && MODEL_ACTION_RE.test(text)) return 'model';
  // POST /models {path|url|file…}: loading a model from a location
  if (
    MODEL_RE.test(text) &&
    bodyFields.some((f) => /^(path|url|uri|file|filename|source|location|weights|checkpoint)$/i.test(f))
  )
    return 'model';
  return undefined;
}

export const unauthenticatedFunctionCheck: Check = {
  id: 'unauthenticated-function',
  category: 'broken-access-control',
  title: 'Job/command, model-load and admin functions without authentication',
  priority: 99,
  async run(ctx) {
    const states = ctx.ops.filter(
      (s) => s.baseline && sensitiveFunction(words(s.op), s.op.method, schemaFields(s.op)),
    );
    await poolFor(ctx, states, async (state) => {
      const kind = sensitiveFunction(words(state.op), state.op.method, schemaFields(state.op))!;
      const ex = state.as === 'anon' ? state.baseline! : await ctx.send(state, state.parts, 'anon');
      if (!isSuccess(ex.response.status) || looksDenied(ex.response.body)) return;
      const family = mediaFamily(ex.response.headers['content-type']);
      if (family === 'html' && mediaFamily(state.op.body?.mediaType) !== 'html') return; // catch-all page
      const ex2 = await ctx.send(state, state.parts, 'anon', {
        headers: { authorization: 'Bearer invalid' },
      });
      if (!isSuccess(ex2.response.status) || looksDenied(ex2.response.body)) return;
      const what = kind === 'job' ? 'job/command' : kind === 'model' ? 'model-loading' : 'administrative';
      ctx.report({
        threat: { category: 'broken-access-control', subtype: 'unauthenticated-admin-function' },
        check: 'unauthenticated-function',
        severity: 'critical',
        confidence: 0.85,
        operation: state.op.key,
        title: `Unauthenticated ${what} function`,
        description: `${state.op.key} is a ${what} function and answered HTTP ${ex.response.status} without any credentials (and with an invalid token).`,
        exchange: ex,
        remediation:
          'Require authentication and an administrative role for job execution, model loading and admin functions; bind such services to internal networks only.',
        cwe: 306,
      });
    });
  },
};
