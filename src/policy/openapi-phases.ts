import { isAbsolute, resolve } from 'node:path';
import type { PalisadeConfig, RouteConfig } from '../config/schema.js';
import type { OpenApiGlobalConfig, OpenApiRouteConfig } from '../config/sections/policy-openapi.js';
import { ConfigError } from '../core/errors.js';
import type { Finding, Mode } from '../core/findings.js';
import type { Threat } from '../core/taxonomy.js';
import type { PhaseFactory } from '../gateway/phase-env.js';
import type { RequestContext, RequestPhase, ResponseHead, ResponsePhase, Verdict } from '../gateway/phase.js';
import { type MatchedOperation, OPERATION_STATE_KEY } from './operation.js';
import {
  type CompiledModel,
  type CompiledOperation,
  compileModel,
  OperationCompileError,
} from './openapi/compile.js';
import {
  DEFAULT_LIMITS,
  type LimitSettings,
  checkBodyLimits,
  checkPaging,
  scanJson,
} from './openapi/limits.js';
import { loadSpec, SpecLoadError } from './openapi/load.js';
import { checkMassAssignment } from './openapi/mass-assignment.js';
import { stripBasePath } from './openapi/match.js';
import { WALK_MAX_DEPTH } from './openapi/walk.js';
import { findVerboseError, pruneResponse, responseMedia } from './openapi/response.js';
import { isPagingName } from './openapi/schema.js';
import {
  clip,
  extractCookies,
  extractHeaders,
  extractPath,
  extractQuery,
  formToObject,
  type Problem,
  runValidator,
  selectMedia,
} from './openapi/validate.js';

/** Where this subsystem keeps its compiled operation in ctx.state (besides OPERATION_STATE_KEY). */
export const OPENAPI_STATE_KEY = 'openapi';

export interface OpenApiModes {
  shadow: Mode;
  zombie: Mode;
  validation: Mode;
  undocumentedParameters: Mode;
  massAssignment: Mode;
  undeclaredProperties: 'remove' | 'flag' | 'off';
  verboseErrors: Mode;
  limits: Mode;
}

const MODE_RANK: Record<Mode, number> = { off: 0, monitor: 1, block: 2 };
const lower = (a: Mode, b: Mode): Mode => (MODE_RANK[a] <= MODE_RANK[b] ? a : b);

/**
 * Resolves every control's mode. Order: route control → route openapi.mode → route.mode →
 * global control → global openapi.mode → config.mode. Inventory signals (zombie, undocumented
 * parameters) are capped at monitor unless their own key is set.
 */
export function resolveModes(config: PalisadeConfig, route: RouteConfig): OpenApiModes {
  const g: OpenApiGlobalConfig = config.policy.openapi;
  const r: Partial<OpenApiRouteConfig> = route.policy.openapi ?? {};
  const inherited: Mode = r.mode ?? route.mode ?? g.mode ?? config.mode;
  const massMode = (v: OpenApiRouteConfig['massAssignment']) => (typeof v === 'string' ? v : v?.mode);
  // A global per-control setting applies only when the route sets no mode of its own.
  const routeModeUnset = r.mode === undefined && route.mode === undefined;
  const pick = (routeValue?: Mode, globalValue?: Mode): Mode =>
    routeValue ?? (routeModeUnset ? (globalValue ?? inherited) : inherited);
  const capped = (routeValue?: Mode, globalValue?: Mode): Mode =>
    routeValue ?? (routeModeUnset ? globalValue : undefined) ?? lower('monitor', inherited);
  const limitsMode = pick(r.limits?.mode, g.limits?.mode);
  const verbose = pick(r.response?.verboseErrors, g.response?.verboseErrors);
  const undeclared =
    r.response?.undeclaredProperties ??
    (routeModeUnset ? g.response?.undeclaredProperties : undefined) ??
    (inherited === 'block' ? 'remove' : inherited === 'monitor' ? 'flag' : 'off');
  return {
    shadow: pick(r.shadow, g.shadow),
    zombie: capped(r.zombie, g.zombie),
    validation: pick(r.validation, g.validation),
    undocumentedParameters: capped(r.undocumentedParameters, g.undocumentedParameters),
    massAssignment: pick(massMode(r.massAssignment), massMode(g.massAssignment)),
    undeclaredProperties: undeclared,
    verboseErrors: verbose,
    limits: limitsMode,
  };
}

function resolveLimits(config: PalisadeConfig, route: RouteConfig): LimitSettings {
  const g = config.policy.openapi.limits ?? {};
  const r = route.policy.openapi?.limits ?? {};
  return {
    defaultMaxPageSize: r.defaultMaxPageSize ?? g.defaultMaxPageSize ?? DEFAULT_LIMITS.defaultMaxPageSize,
    maxArrayItems: r.maxArrayItems ?? g.maxArrayItems ?? DEFAULT_LIMITS.maxArrayItems,
    maxDepth: r.maxDepth ?? g.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    maxStringLength: r.maxStringLength ?? g.maxStringLength ?? DEFAULT_LIMITS.maxStringLength,
  };
}

function optOutList(config: PalisadeConfig, route: RouteConfig): string[] {
  const out: string[] = [];
  for (const v of [config.policy.openapi.massAssignment, route.policy.openapi?.massAssignment]) {
    if (v && typeof v === 'object') out.push(...v.optOut);
  }
  return out;
}

const finding = (
  threat: Threat,
  detector: string,
  severity: Finding['severity'],
  location: string,
  message: string,
): Finding =>
  ({
    ...threat,
    detector,
    severity,
    score: 1,
    location: clip(location, 120),
    message: clip(message, 200),
  }) as Finding;

/** The raw request path as the upstream will see it (route prefix stripped when configured). */
export function upstreamPath(ctx: RequestContext, route: RouteConfig): string {
  const q = ctx.url.indexOf('?');
  let raw = q === -1 ? ctx.url : ctx.url.slice(0, q);
  if (!raw.startsWith('/')) {
    try {
      raw = new URL(raw).pathname;
    } catch {
      raw = ctx.path;
    }
  }
  const prefix = route.match.pathPrefix;
  if (route.stripPrefix && prefix !== '/' && raw.startsWith(prefix)) {
    raw = raw.slice(prefix.endsWith('/') ? prefix.length - 1 : prefix.length);
    if (!raw.startsWith('/')) raw = `/${raw}`;
  }
  return raw;
}

/** Which threat a validation problem is: size and paging bounds are resource consumption. */
function problemThreat(problem: Problem): Threat {
  const field = problem.location.slice(problem.location.indexOf('.') + 1);
  if (
    (problem.keyword === 'maximum' || problem.keyword === 'exclusiveMaximum') &&
    problem.location.startsWith('query.') &&
    isPagingName(field)
  )
    return { category: 'resource-consumption', subtype: 'unbounded-pagination' };
  if (
    problem.keyword === 'maxLength' ||
    problem.keyword === 'maxItems' ||
    problem.keyword === 'maxProperties'
  )
    return { category: 'resource-consumption', subtype: 'oversized-payload' };
  if (problem.keyword === 'depth') return { category: 'resource-consumption', subtype: 'deep-nesting' };
  // The taxonomy has no "schema violation" subtype; input outside the documented interface is
  // filed as an undocumented parameter (the detector id tells them apart).
  return { category: 'inventory', subtype: 'undocumented-parameter' };
}

function reportProblem(
  ctx: RequestContext,
  mode: Mode,
  problem: Problem,
  threat = problemThreat(problem),
): Verdict {
  return ctx.report(
    finding(
      threat,
      'openapi-validation',
      'medium',
      problem.location,
      `${problem.location} ${problem.problem}`,
    ),
    mode,
    {
      status: 400,
      code: 'PAL_ERR_VALIDATION',
      details: { location: clip(problem.location, 120), problem: problem.problem },
    },
  );
}

function countHeader(raw: readonly string[], name: string): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === name) n++;
  return n;
}

export interface OpenApiRuntime {
  model: CompiledModel;
  modes: OpenApiModes;
  limits: LimitSettings;
}

/** Builds the phases for one compiled model (exported for unit tests that skip file loading). */
export function buildOpenApiPhases(
  route: RouteConfig,
  rt: OpenApiRuntime,
): { request: RequestPhase[]; response: ResponsePhase[] } {
  const { model, modes, limits } = rt;
  const request: RequestPhase[] = [];
  const response: ResponsePhase[] = [];

  request.push({
    name: 'identify',
    needsBody: false,
    run(ctx) {
      const path = stripBasePath(upstreamPath(ctx, route), model.basePaths);
      const result =
        path === undefined ? ({ kind: 'no-path' } as const) : model.router.match(ctx.method, path);
      if (result.kind === 'match') {
        const op = result.value;
        const matched: MatchedOperation = { op: op.info, pathParams: result.params };
        ctx.state.set(OPERATION_STATE_KEY, matched);
        ctx.state.set(OPENAPI_STATE_KEY, op);
        ctx.operation = op.key;
        ctx.pathTemplate = op.info.template;
        if (op.info.deprecated) {
          return ctx.report(
            finding(
              { category: 'inventory', subtype: 'zombie-endpoint' },
              'openapi-inventory',
              'low',
              'path',
              `${op.key} is deprecated`,
            ),
            modes.zombie,
          );
        }
        return undefined;
      }
      // A CORS preflight for a documented operation is not a shadow call.
      const preflightFor = ctx.headers['access-control-request-method'];
      if (ctx.method === 'OPTIONS' && typeof preflightFor === 'string' && path !== undefined) {
        if (model.router.match(preflightFor, path).kind === 'match') return undefined;
      }
      const why =
        result.kind === 'method-not-allowed'
          ? `method ${clip(ctx.method, 16)} not declared for ${result.template}`
          : 'path not declared';
      return ctx.report(
        finding(
          { category: 'inventory', subtype: 'shadow-endpoint' },
          'openapi-inventory',
          'medium',
          'path',
          why,
        ),
        modes.shadow,
        { status: 404, code: 'PAL_ERR_NOT_FOUND' },
      );
    },
  });

  const validateActive =
    modes.validation !== 'off' ||
    modes.massAssignment !== 'off' ||
    modes.limits !== 'off' ||
    modes.undocumentedParameters !== 'off';
  if (validateActive) {
    request.push({
      name: 'validate',
      needsBody: model.anyBody,
      run: (ctx) => validateRequest(ctx, modes, limits),
    });
  }

  if (modes.verboseErrors !== 'off' || modes.undeclaredProperties !== 'off') {
    response.push({
      name: 'inspect-response',
      body: 'full',
      wantsBody(ctx, head) {
        const encoding = head.headers['content-encoding'];
        if (encoding !== undefined && encoding !== 'identity') return false;
        if (modes.verboseErrors !== 'off' && head.status >= 400) return true;
        if (modes.undeclaredProperties === 'off' || head.status < 200 || head.status >= 300) return false;
        const op = ctx.state.get(OPENAPI_STATE_KEY) as CompiledOperation | undefined;
        const type = String(head.headers['content-type'] ?? '');
        return (
          op !== undefined &&
          /[/+]json\b/i.test(type) &&
          responseMedia(op.spec, head.status, type)?.schema !== undefined
        );
      },
      onBody: (ctx, head, body) => inspectResponse(ctx, head, body, modes),
    });
  }
  return { request, response };
}

function validateRequest(ctx: RequestContext, modes: OpenApiModes, limits: LimitSettings): Verdict {
  const op = ctx.state.get(OPENAPI_STATE_KEY) as CompiledOperation | undefined;
  if (!op) return undefined; // shadow requests were handled (or let through) by identify
  const matched = ctx.state.get(OPERATION_STATE_KEY) as MatchedOperation;
  let v: Verdict;
  const validation = modes.validation;

  // Parameters: path, query, header, cookie.
  if (validation !== 'off') {
    if (op.path.validate) {
      const problem = runValidator(op.path.validate, extractPath(op.path, matched.pathParams), 'path');
      if (problem && (v = reportProblem(ctx, validation, problem))) return v;
    }
  }
  const query = extractQuery(op.query, ctx.query);
  if (validation !== 'off') {
    const problem =
      query.problem ??
      (op.query.validate ? runValidator(op.query.validate, query.values, 'query') : undefined);
    if (problem && (v = reportProblem(ctx, validation, problem))) return v;
    if (op.header.validate) {
      const h = extractHeaders(op.header, ctx.headers as Record<string, string | string[] | undefined>);
      const hp = h.problem ?? runValidator(op.header.validate, h.values, 'header');
      if (hp && (v = reportProblem(ctx, validation, hp))) return v;
    }
    if (op.cookie.validate) {
      const values = extractCookies(op.cookie, ctx.headers.cookie);
      const cp = runValidator(op.cookie.validate, values, 'cookie');
      if (cp && (v = reportProblem(ctx, validation, cp))) return v;
    }
  }
  if (modes.undocumentedParameters !== 'off') {
    const extra: string[] = [];
    for (const key of ctx.query.keys())
      if (!query.used.has(key) && !extra.includes(key) && extra.length < 5) extra.push(key);
    if (extra.length > 0) {
      const location = `query.${extra[0]}`;
      v = ctx.report(
        finding(
          { category: 'inventory', subtype: 'undocumented-parameter' },
          'openapi-undocumented-parameter',
          'low',
          location,
          `undocumented query parameter(s): ${extra.map((e) => clip(e, 40)).join(', ')}`,
        ),
        modes.undocumentedParameters,
        {
          status: 400,
          code: 'PAL_ERR_VALIDATION',
          details: { location: clip(location, 120), problem: 'is not a documented parameter' },
        },
      );
      if (v) return v;
    }
  }
  if (modes.limits !== 'off') {
    const paging = checkPaging(ctx.query, op.query.params, limits);
    if (
      paging &&
      (v = reportProblem(
        ctx,
        modes.limits,
        { ...paging, keyword: 'maximum' },
        { category: 'resource-consumption', subtype: paging.kind },
      ))
    )
      return v;
  }
  return validateBody(ctx, op, modes, limits);
}

function validateBody(
  ctx: RequestContext,
  op: CompiledOperation,
  modes: OpenApiModes,
  limits: LimitSettings,
): Verdict {
  const validation = modes.validation;
  const length = ctx.body?.length ?? Number(ctx.headers['content-length'] ?? 0);
  let v: Verdict;
  if (!op.body) {
    if (length > 0 && validation !== 'off')
      return reportProblem(ctx, validation, {
        location: 'body',
        problem: 'is not accepted by this operation',
        keyword: 'body',
      });
    return undefined;
  }
  if (length === 0 || !ctx.body) {
    if (op.body.required && validation !== 'off')
      return reportProblem(ctx, validation, {
        location: 'body',
        problem: 'is required',
        keyword: 'required',
      });
    return undefined;
  }
  if (validation !== 'off' && countHeader(ctx.rawHeaders, 'content-type') > 1) {
    if (
      (v = reportProblem(ctx, validation, {
        location: 'header.content-type',
        problem: 'must appear once',
        keyword: 'content-type',
      }))
    )
      return v;
  }
  const contentType = String(ctx.headers['content-type'] ?? '');
  const media = selectMedia(op.body.media, contentType);
  if (!media) {
    if (validation === 'off') return undefined;
    const problem = contentType ? 'is not accepted by this operation' : 'is required';
    return ctx.report(
      finding(
        { category: 'inventory', subtype: 'undocumented-parameter' },
        'openapi-validation',
        'medium',
        'header.content-type',
        `content type ${problem}`,
      ),
      validation,
      {
        status: 415,
        code: 'PAL_ERR_UNSUPPORTED_MEDIA_TYPE',
        details: { location: 'header.content-type', problem },
      },
    );
  }
  const requestType = contentType.toLowerCase();
  const isJson = /[/+]json\b/.test(requestType);
  let value: unknown;
  if (isJson) {
    // Every JSON body gets the linear scan: nesting beyond the walkers' cap is never parsed,
    // validated or walked (a recursive schema on such data would exhaust the stack).
    const depthCap = modes.limits !== 'off' ? Math.min(limits.maxDepth, WALK_MAX_DEPTH) : WALK_MAX_DEPTH;
    {
      const scan = scanJson(ctx.body, depthCap);
      if (scan.tooDeep) {
        if (modes.limits !== 'off') {
          v = reportProblem(
            ctx,
            modes.limits,
            { location: 'body', problem: `must NOT be nested deeper than ${depthCap}`, keyword: 'depth' },
            { category: 'resource-consumption', subtype: 'deep-nesting' },
          );
        } else {
          v = reportProblem(ctx, validation, {
            location: 'body',
            problem: 'is nested too deeply to validate',
            keyword: 'depth',
          });
        }
        return v;
      }
      if (scan.duplicateKey !== undefined && validation !== 'off') {
        v = reportProblem(ctx, validation, {
          location: `${scan.duplicatePath}.${scan.duplicateKey}`,
          problem: 'is a duplicate key',
          keyword: 'duplicate-key',
        });
        if (v) return v;
      }
    }
    value = ctx.json();
    if (value === undefined) {
      if (validation === 'off') return undefined;
      return reportProblem(ctx, validation, {
        location: 'body',
        problem: 'is not valid JSON',
        keyword: 'json',
      });
    }
  } else if (media.kind === 'form') {
    value = formToObject(ctx.body.toString('utf8'), media.schema);
  } else if (media.kind === 'text') {
    value = ctx.body.toString('utf8');
  } else return undefined; // binary / multipart: only the media type is checked

  // Mass assignment before schema validation, so an extra property is reported as what it is.
  if (
    op.massAssignment &&
    modes.massAssignment !== 'off' &&
    media.schema !== undefined &&
    typeof value === 'object'
  ) {
    const result = checkMassAssignment(value, media.schema);
    if (result.count > 0) {
      const first = result.found[0];
      const location = clip(first.path, 120);
      const problem = first.reason === 'readOnly' ? 'is read-only' : 'is not a declared property';
      v = ctx.report(
        finding(
          { category: 'authorization', subtype: 'mass-assignment' },
          'openapi-mass-assignment',
          'high',
          location,
          `${result.count} undeclared or read-only propert${result.count === 1 ? 'y' : 'ies'}: ${result.found.map((f) => clip(f.path, 60)).join(', ')}`,
        ),
        modes.massAssignment,
        { status: 400, code: 'PAL_ERR_VALIDATION', details: { location, problem } },
      );
      if (v) return v;
    }
  }
  if (validation !== 'off' && media.validate) {
    const problem = runValidator(media.validate, value, 'body');
    if (problem && (v = reportProblem(ctx, validation, problem))) return v;
  }
  if (modes.limits !== 'off' && isJson) {
    const problem = checkBodyLimits(value, media.schema, limits);
    if (
      problem &&
      (v = reportProblem(
        ctx,
        modes.limits,
        { ...problem, keyword: 'limit' },
        { category: 'resource-consumption', subtype: problem.kind },
      ))
    )
      return v;
  }
  return undefined;
}

function inspectResponse(ctx: RequestContext, head: ResponseHead, body: Buffer, modes: OpenApiModes) {
  if (head.status >= 400 && modes.verboseErrors !== 'off') {
    const match = findVerboseError(body);
    if (match) {
      const v = ctx.report(
        {
          category: 'api-leak',
          subtype: 'verbose-error',
          detector: 'openapi-verbose-error',
          severity: 'medium',
          score: 1,
          location: 'response.body',
          fragment: clip(match.fragment, 80),
          message: `${match.kind} in a ${head.status} response`,
        },
        modes.verboseErrors,
        {
          status: head.status,
          code: head.status >= 500 ? 'PAL_ERR_UPSTREAM_RESPONSE' : 'PAL_ERR_BAD_REQUEST',
          message:
            head.status >= 500
              ? 'The server could not complete the request'
              : 'The request could not be processed',
        },
      );
      // Block: the gateway answers the generic JSON error (same status) instead of the upstream body.
      if (v) return v;
    }
    return body;
  }
  if (modes.undeclaredProperties === 'off') return body;
  const op = ctx.state.get(OPENAPI_STATE_KEY) as CompiledOperation | undefined;
  if (!op) return body;
  const media = responseMedia(op.spec, head.status, String(head.headers['content-type'] ?? ''));
  if (media?.schema === undefined) return body;
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  const remove = modes.undeclaredProperties === 'remove';
  const result = pruneResponse(value, media.schema, remove);
  if (result.count === 0) return body;
  ctx.report(
    {
      category: 'api-leak',
      subtype: 'excessive-data-exposure',
      detector: 'openapi-response',
      severity: 'medium',
      score: 1,
      location: clip(result.found[0].path, 120),
      message: `${result.count} undeclared propert${result.count === 1 ? 'y' : 'ies'} ${remove ? 'removed' : 'found'}: ${result.found.map((f) => clip(f.path, 60)).join(', ')}`,
    },
    remove ? 'block' : 'monitor',
  );
  if (!remove) return body;
  ctx.state.set('response-modified', true);
  return Buffer.from(JSON.stringify(value));
}

/** The OpenAPI positive security model for one route (no phases when the route names no spec). */
export const createOpenApiPhases: PhaseFactory = async (route, index, env) => {
  const settings = route.policy.openapi;
  if (!settings?.spec) return {};
  const key = `routes.${index}.policy.openapi`;
  const file = isAbsolute(settings.spec) ? settings.spec : resolve(env.baseDir, settings.spec);
  let model: CompiledModel;
  try {
    const loaded = await loadSpec(file, { validate: settings.validateSpec });
    // The parsed document is shared by every route naming the file: override on a copy.
    const spec =
      settings.basePath === undefined
        ? loaded
        : { ...loaded, basePaths: [settings.basePath.replace(/\/+$/, '')] };
    model = compileModel(spec, { massAssignmentOptOut: optOutList(env.config, route) });
  } catch (err) {
    if (err instanceof SpecLoadError || err instanceof OperationCompileError) {
      throw new ConfigError([{ path: `${key}.spec`, message: `${settings.spec}: ${err.message}` }]);
    }
    throw err;
  }
  const modes = resolveModes(env.config, route);
  env.logger.info(
    {
      route: route.name,
      spec: settings.spec,
      version: model.spec.version,
      operations: model.operations.length,
    },
    'OpenAPI model loaded',
  );
  return buildOpenApiPhases(route, { model, modes, limits: resolveLimits(env.config, route) });
};
