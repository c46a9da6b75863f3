// The `detect` request phase: extraction → decoding → the route's detectors → findings reported
// under the route's detection mode. Everything is compiled in the factory; `run` only calls.
import type { PalisadeConfig, RouteConfig } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { Finding, Mode } from '../core/findings.js';
import { severityRank } from '../core/taxonomy.js';
import type { PhaseEnv, PhaseFactory } from '../gateway/phase-env.js';
import type { BlockVerdict, PhaseSet, RequestContext, Verdict } from '../gateway/phase.js';
import { compileEngine, type Engine } from './engine.js';
import { compileExtractor, type ExtractRequest, type Extraction, type Extractor } from './extract.js';
import { compileLocationRules, PatternError } from './profiles.js';
import { createDnsResolverCheck, type DnsResolverCheck } from './ssrf.js';
import type { ContentProfile, Paranoia } from './types.js';

/** Profiles derived from the route's OpenAPI description (see profilesFromOperation). */
export interface SchemaProfiles {
  /** Location glob → profile for every request of the route. */
  route?: Record<string, ContentProfile>;
  /** Per operation (`GET /users/{id}`, as the validate phase sets `ctx.operation`). */
  operations?: Record<string, Record<string, ContentProfile>>;
}

export interface DetectPhaseDeps {
  /** Supplies OpenAPI-derived profiles for a route (called once per route at load). */
  schemaProfiles?: (
    route: RouteConfig,
    index: number,
    env: PhaseEnv,
  ) => SchemaProfiles | undefined | Promise<SchemaProfiles | undefined>;
}

// One DNS cache per loaded config, shared by its routes.
const DNS_CHECKS = new WeakMap<PalisadeConfig, DnsResolverCheck | undefined>();
function dnsCheckFor(config: PalisadeConfig): DnsResolverCheck | undefined {
  if (!DNS_CHECKS.has(config)) {
    const o = config.detect.ssrfDnsCheck;
    DNS_CHECKS.set(
      config,
      o.enabled
        ? createDnsResolverCheck({ timeoutMs: o.timeout, cacheSize: o.cacheSize, ttlMs: o.ttl })
        : undefined,
    );
  }
  return DNS_CHECKS.get(config);
}

export const MALFORMED_JSON: BlockVerdict = Object.freeze({
  action: 'block',
  status: 400,
  code: 'PAL_ERR_BAD_REQUEST',
  message: 'Malformed JSON body',
}) as BlockVerdict;

/** A route's detection, compiled: usable without a RequestContext (benchmarks, replay). */
export interface CompiledDetection {
  mode: Mode;
  paranoia: Paranoia;
  threshold: number;
  needsBody: boolean;
  engine: Engine;
  extractorFor(operation: string | undefined): Extractor;
  /** Extraction + inspection; findings strongest first. */
  inspect(req: ExtractRequest, operation?: string): { findings: Finding[]; extraction: Extraction };
}

function strongerFirst(a: Finding, b: Finding): number {
  return b.score - a.score || severityRank(b.severity) - severityRank(a.severity);
}

export function compileDetection(
  route: RouteConfig,
  index: number,
  config: PalisadeConfig,
  schema?: SchemaProfiles,
): CompiledDetection {
  const d = route.detect;
  const g = config.detect;
  const mode = d.mode ?? route.mode ?? config.mode;
  const paranoia = (d.paranoia ?? g.paranoia) as Paranoia;
  const threshold = g.thresholds[paranoia];
  const engine = compileEngine({
    paranoia,
    threshold,
    detectors: d.detectors,
    decodeBudget: g.limits.decodeBudget,
    detectorOptions: { ssrf: { dns: dnsCheckFor(config) } },
  });
  const build = (schemaProfiles: Record<string, ContentProfile> | undefined): Extractor => {
    const base = { profiles: d.profiles, schemaProfiles, exclusions: d.exclusions };
    try {
      return compileExtractor({
        limits: g.limits,
        headers: g.headers,
        inspectBody: d.inspectBody,
        rules: compileLocationRules({ ...base, llm: 'off' }),
        llmRules: compileLocationRules({ ...base, llm: d.llmMessages === 'inspect' ? 'args' : 'guard' }),
        llm: route.llm !== undefined ? 'always' : 'auto',
      });
    } catch (err) {
      if (err instanceof PatternError) {
        throw new ConfigError([{ path: `routes.${index}.${err.key}`, message: err.message }]);
      }
      throw err;
    }
  };
  const routeExtractor = build(schema?.route);
  const perOperation = new Map<string, Extractor>();
  for (const [op, profiles] of Object.entries(schema?.operations ?? {})) {
    perOperation.set(op, build({ ...schema?.route, ...profiles }));
  }
  const extractorFor = (operation: string | undefined) =>
    (operation !== undefined ? perOperation.get(operation) : undefined) ?? routeExtractor;
  return {
    mode,
    paranoia,
    threshold,
    needsBody: d.inspectBody && !engine.empty,
    engine,
    extractorFor,
    inspect(req, operation) {
      const extraction = extractorFor(operation)(req);
      const found = engine.inspect(extraction.values);
      const findings = extraction.findings.length > 0 ? [...extraction.findings, ...found] : found;
      if (findings.length > 1) findings.sort(strongerFirst);
      return { findings, extraction };
    },
  };
}

/** Builds the detect phase factory; `deps` lets the OpenAPI subsystem feed content profiles. */
export function detectPhaseFactory(deps: DetectPhaseDeps = {}): PhaseFactory {
  return (route, index, env) => {
    const schema = deps.schemaProfiles?.(route, index, env);
    if (schema instanceof Promise)
      return schema.then((s) => buildPhases(compileDetection(route, index, env.config, s)));
    return buildPhases(compileDetection(route, index, env.config, schema));
  };
}

function buildPhases(detection: CompiledDetection): PhaseSet {
  const { mode } = detection;
  if (mode === 'off' || detection.engine.empty) return {};
  return {
    request: [
      {
        name: 'detect',
        needsBody: detection.needsBody,
        run(ctx: RequestContext): Verdict {
          const { findings, extraction } = detection.inspect(ctx, ctx.operation);
          if (extraction.malformedJson && mode === 'block') return MALFORMED_JSON;
          let verdict: Verdict;
          for (const f of findings) {
            const v = ctx.report(f, mode);
            verdict ??= v;
          }
          return verdict;
        },
      },
    ],
  };
}

/** The gateway's detect phase (no OpenAPI profiles). */
export const createDetectPhases: PhaseFactory = detectPhaseFactory();
