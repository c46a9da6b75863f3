// The identity controls of a route, as phases: 'deny-list' → 'rate-limit' → 'authenticate' →
// 'authorize' (identity rate limits, BFLA + IdP hygiene, BOLA, login protection, credential change,
// step-up), plus a response phase that makes failed logins uniform.
//
// Objects shared by all routes of one config load (providers with their JWKS caches, the deny-list,
// step-up store, weak-secret monitor, global rate-limit buckets, admin routes) are built once per
// config object (WeakMap keyed by env.config).
import { isAbsolute, resolve } from 'node:path';
import type { IdentityRouteConfig } from '../config/sections/policy-identity.js';
import { ConfigError } from '../core/errors.js';
import type { Finding, Mode } from '../core/findings.js';
import type { Identity } from '../core/identity.js';
import type { PhaseEnv, PhaseFactory } from '../gateway/phase-env.js';
import type { RequestContext, RequestPhase, ResponsePhase, Verdict } from '../gateway/phase.js';
import { compileAccess } from './access/bfla.js';
import { compileBola } from './access/bola.js';
import { type PatternInput, PatternList } from './access/pattern.js';
import { type Denial, extensionFlag, type RequestView, requestView } from './access/view.js';
import { CREDENTIAL_OP_KEY, CredentialChangeGuard, type StepUpProbe } from './abuse/credential-change.js';
import { LoginGuard } from './abuse/login.js';
import { compileRateLimits, type RateLimits } from './abuse/rate-limit.js';
import { sha256Hex } from './auth/hash.js';
import { forwardIdentity, stripIdentityHeaders } from './auth/identity.js';
import { type Authenticator, compileProvider, missingAuthFinding } from './auth/providers.js';
import { type WeakSecretRecord, WeakSecretMonitor } from './auth/weak-secret.js';
import { DenyList, type DenyEntry } from './denylist.js';
import { riskReason } from './stepup/risk.js';
import { StepUp } from './stepup/totp.js';

/** Optional hooks the lead may add to the PhaseEnv object. */
export interface IdentityEnvHooks {
  /** Called once per weak secret found (config secret, or an HS* token signed with a listed secret). */
  onWeakSecret?: (record: WeakSecretRecord, finding: Finding) => void;
  /** Replaces the login delay (tests). */
  sleep?: (ms: number) => Promise<void>;
}

export const IDENTITY_STATE_KEY = 'identity';
interface IdentityState {
  droppedRoles: string[];
  apiKeyHash?: string;
}

interface Shared {
  providers: Map<string, Authenticator>;
  denyList: DenyList;
  stepUp: StepUp;
  weak: WeakSecretMonitor;
  globalRates: RateLimits;
}

const SHARED = new WeakMap<object, Promise<Shared>>();

/** The deny-list, step-up store and weak-secret records of a config load (for the lead and tests). */
export function identityShared(env: PhaseEnv): Promise<Shared> | undefined {
  return SHARED.get(env.config);
}

function shared(env: PhaseEnv & IdentityEnvHooks): Promise<Shared> {
  let pending = SHARED.get(env.config);
  if (!pending) {
    pending = buildShared(env);
    SHARED.set(env.config, pending);
    // A failed build must not be cached for the next attempt with the same object.
    pending.catch(() => SHARED.delete(env.config));
  }
  return pending;
}

async function buildShared(env: PhaseEnv & IdentityEnvHooks): Promise<Shared> {
  const policy = env.config.policy;
  const issues: { path: string; message: string }[] = [];
  const weak = new WeakSecretMonitor(env.background, env.logger, env.onWeakSecret);
  const providers = new Map<string, Authenticator>();
  for (const [name, cfg] of Object.entries(policy.auth.providers)) {
    try {
      const auth = compileProvider(name, cfg, { baseDir: env.baseDir });
      providers.set(name, auth);
      if (auth.jwt?.hmacSecret && policy.auth.weakSecretCheck)
        weak.checkConfiguredSecret(name, auth.jwt.hmacSecret);
      if (auth.jwt?.prefetch) {
        const prefetch = auth.jwt.prefetch;
        env.background(`jwks-prefetch:${name}`, () => prefetch());
      }
    } catch (err) {
      const message = (err as Error).message;
      const colon = message.indexOf(': ');
      const key = colon > 0 && /^[\w.]+$/.test(message.slice(0, colon)) ? `.${message.slice(0, colon)}` : '';
      issues.push({
        path: `policy.auth.providers.${name}${key}`,
        message: key ? message.slice(colon + 2) : message,
      });
    }
  }
  let globalRates: RateLimits | undefined;
  try {
    globalRates = compileRateLimits(policy.rateLimits, 'global');
  } catch (err) {
    issues.push({ path: 'policy.rateLimits', message: (err as Error).message });
  }
  if (issues.length > 0 || !globalRates) throw new ConfigError(issues);

  const denyList = new DenyList(env.state, {
    refreshIntervalMs: policy.denyList.refreshInterval,
    maxEntries: policy.denyList.maxEntries,
  });
  for (const [i, e] of policy.denyList.entries.entries()) {
    try {
      await denyList.add({
        id: `config-${i}`,
        type: e.type,
        value: e.value,
        reason: e.reason,
        ttlMs: e.expires,
      });
    } catch (err) {
      throw new ConfigError([{ path: `policy.denyList.entries.${i}`, message: (err as Error).message }]);
    }
  }
  await denyList.refresh();
  const su = policy.stepUp;
  const stepUp = new StepUp(env.state, {
    issuer: su.issuer,
    header: su.header.toLowerCase(),
    grantTtlMs: su.grantTtl,
    window: su.window,
    maxFailures: su.maxFailures,
    lockForMs: su.lockFor,
  });
  for (const r of [...denyList.adminRoutes(), ...stepUp.adminRoutes()])
    env.registerAdminRoute(r.method, r.pattern, r.handler);
  env.registerAdminRoute('GET', '/api/weak-secrets', async () => ({
    status: 200,
    body: { records: weak.records },
  }));
  return { providers, denyList, stepUp, weak, globalRates };
}

/** Stops the deny-list refresh timer of a config load (call when its runtime is closed). */
export async function closeIdentity(config: object): Promise<void> {
  const pending = SHARED.get(config);
  if (!pending) return;
  SHARED.delete(config);
  try {
    (await pending).denyList.close();
  } catch {
    // A failed build left nothing running.
  }
}

/** Mode of one control: its own setting, then the route mode, then the global mode. */
function modeResolver(route: { mode?: Mode }, env: PhaseEnv) {
  return (own: Mode | undefined): Mode => own ?? route.mode ?? env.config.mode;
}

function denyListFinding(entry: DenyEntry): Finding {
  const token = entry.type !== 'ip' && entry.type !== 'cidr';
  return token
    ? {
        category: 'session-password',
        subtype: 'session-not-revoked',
        detector: 'deny-list',
        severity: 'high',
        score: 1,
        message: `credential is deny-listed (${entry.type}, entry ${entry.id})`,
      }
    : {
        category: 'authentication',
        subtype: 'credential-stuffing',
        detector: 'deny-list',
        severity: 'high',
        score: 1,
        message: `client address is deny-listed (entry ${entry.id})`,
      };
}

function report(ctx: RequestContext, denial: Denial | undefined, mode: Mode): Verdict {
  if (!denial || mode === 'off') return undefined;
  return ctx.report(denial.finding, mode, denial.verdict);
}

/** Raw credentials a client may present, for token-hash deny-list lookups (bounded). */
function rawCredentials(ctx: RequestContext, apiKeyHeaders: readonly string[]): string[] {
  const out: string[] = [];
  const auth = ctx.headers.authorization;
  if (auth && auth.length <= 16384) {
    const space = auth.indexOf(' ');
    out.push(space === -1 ? auth.trim() : auth.slice(space + 1).trim());
  }
  for (const h of apiKeyHeaders) {
    const v = ctx.headers[h];
    if (typeof v === 'string' && v.length <= 4096) out.push(v.trim());
  }
  return out;
}

/** Path params named by BOLA rules must exist in the route's OpenAPI document (when it loads). */
async function checkBolaAgainstSpec(
  route: Parameters<PhaseFactory>[0],
  index: number,
  env: PhaseEnv,
  rules: IdentityRouteConfig['bola']['rules'],
): Promise<void> {
  const spec = (route.policy as { openapi?: { spec?: string } }).openapi?.spec;
  if (!spec || rules.length === 0) return;
  let operations: readonly { parameters: readonly { name: string; in: string }[] }[];
  try {
    const { loadSpec } = await import('./openapi/load.js');
    const loaded = await loadSpec(isAbsolute(spec) ? spec : resolve(env.baseDir, spec), { validate: false });
    operations = loaded.operations;
  } catch {
    return; // The OpenAPI subsystem reports unreadable documents itself.
  }
  const issues: { path: string; message: string }[] = [];
  rules.forEach((rule, i) => {
    const dot = rule.param.indexOf('.');
    const location = rule.param.slice(0, dot);
    const name = rule.param.slice(dot + 1);
    if (location === 'body') return; // Body properties: schema walk not done here.
    const known = operations.some((op) =>
      op.parameters.some(
        (p) =>
          p.in === location &&
          (location === 'header' ? p.name.toLowerCase() === name.toLowerCase() : p.name === name),
      ),
    );
    if (!known) {
      issues.push({
        path: `routes.${index}.policy.bola.rules.${i}.param`,
        message: `no operation in ${spec} has a ${location} parameter "${name}"`,
      });
    }
  });
  if (issues.length > 0) throw new ConfigError(issues);
}

export const createIdentityPhases: PhaseFactory = async (route, index, rawEnv) => {
  const env = rawEnv as PhaseEnv & IdentityEnvHooks;
  const cfg = route.policy as unknown as IdentityRouteConfig;
  const base = `routes.${index}.policy`;
  const modeOf = modeResolver(route, env);
  const s = await shared(env);
  const global = env.config.policy;

  // --- compile route settings (ConfigError with key paths) ---------------------------------------
  const issues: { path: string; message: string }[] = [];
  const providers: Authenticator[] = [];
  cfg.auth.providers.forEach((name, i) => {
    const p = s.providers.get(name);
    if (!p) issues.push({ path: `${base}.auth.providers.${i}`, message: `unknown provider "${name}"` });
    else providers.push(p);
  });
  const compileList = (key: string, inputs: PatternInput[]) => {
    try {
      return new PatternList(inputs);
    } catch (err) {
      issues.push({ path: `${base}.${key}`, message: (err as Error).message });
      return new PatternList([]);
    }
  };
  const publicOps = compileList('auth.public', cfg.auth.public);
  let access: ReturnType<typeof compileAccess> | undefined;
  try {
    access = compileAccess({
      rules: cfg.access.rules,
      adminPaths: cfg.access.adminPaths && cfg.auth.providers.length > 0 && modeOf(cfg.auth.mode) !== 'off',
      adminRoles: cfg.access.adminRoles,
    });
  } catch (err) {
    issues.push({ path: `${base}.access.rules`, message: (err as Error).message });
  }
  let bola: ReturnType<typeof compileBola> | undefined;
  try {
    bola = compileBola(cfg.bola.rules);
  } catch (err) {
    const message = (err as Error).message;
    const m = /^rules\.(\d+)\.(\w+): (.*)$/.exec(message);
    issues.push(
      m ? { path: `${base}.bola.rules.${m[1]}.${m[2]}`, message: m[3] } : { path: `${base}.bola`, message },
    );
  }
  const stepUpOps = compileList('stepUp.operations', cfg.stepUp.operations);
  const stepUpExempt = compileList('stepUp.exempt', cfg.stepUp.exempt);
  let login: LoginGuard | undefined;
  let cred: CredentialChangeGuard | undefined;
  let routeRates: RateLimits | undefined;
  try {
    login = new LoginGuard(cfg.login, {
      state: env.state,
      sleep: env.sleep,
      onError: (err) => env.logger.warn({ err }, 'login counter update failed'),
    });
  } catch (err) {
    issues.push({ path: `${base}.login.operations`, message: (err as Error).message });
  }
  try {
    cred = new CredentialChangeGuard(cfg.credentialChange);
  } catch (err) {
    issues.push({ path: `${base}.credentialChange`, message: (err as Error).message });
  }
  try {
    routeRates = compileRateLimits(cfg.rateLimits.rules, `${route.name}`);
  } catch (err) {
    issues.push({ path: `${base}.rateLimits.rules`, message: (err as Error).message });
  }
  if (issues.length > 0 || !access || !bola || !login || !cred || !routeRates) throw new ConfigError(issues);
  await checkBolaAgainstSpec(route, index, env, cfg.bola.rules);

  const modes = {
    auth: modeOf(cfg.auth.mode),
    denyList: modeOf(cfg.denyList.mode),
    access: modeOf(cfg.access.mode),
    bola: modeOf(cfg.bola.mode),
    stepUp: modeOf(cfg.stepUp.mode),
    login: modeOf(cfg.login.mode),
    credentialChange: modeOf(cfg.credentialChange.mode),
    rateLimits: modeOf(cfg.rateLimits.mode),
  };
  const authOn = providers.length > 0 && modes.auth !== 'off';
  if (providers.length === 0) {
    env.logger.warn(
      { route: route.name },
      'authentication is off on this route (no auth providers): identity controls that need a caller cannot apply',
    );
  }
  const stepUpOn = modes.stepUp !== 'off' && authOn;
  if (modes.stepUp !== 'off' && !authOn && cfg.stepUp.operations.length > 0) {
    env.logger.warn({ route: route.name }, 'step-up needs authentication: it is inactive on this route');
  }

  const fwd = global.auth.forwardHeaders;
  const apiKeyHeaders = providers.flatMap((p) => {
    const c = global.auth.providers[p.name];
    return c?.type === 'apiKey' ? [c.header.toLowerCase()] : [];
  });
  const { denyList, stepUp, weak, globalRates } = s;
  const stepUpHeader = stepUp.opts.header;

  // --- helpers ---------------------------------------------------------------------------------
  const identityState = (ctx: RequestContext): IdentityState => {
    let st = ctx.state.get(IDENTITY_STATE_KEY) as IdentityState | undefined;
    if (!st) {
      st = { droppedRoles: [] };
      ctx.state.set(IDENTITY_STATE_KEY, st);
    }
    return st;
  };
  const isPublic = (view: RequestView): boolean => {
    if (view.matched && view.matched.op.security.length === 0) return true;
    if (!publicOps.empty && publicOps.matches(view.method, view.segments)) return true;
    return modes.login !== 'off' && login.isExplicitLogin(view);
  };
  const challengeHeader = providers.map((p) => p.challenge).join(', ');

  const stepUpChallenge = (reason: string, extra: Record<string, unknown> = {}, error?: string) => ({
    status: 401,
    code: 'PAL_ERR_STEP_UP_REQUIRED' as const,
    headers: {
      'www-authenticate': `Palisade-OTP realm="palisade", header="${stepUpHeader}", method="totp"${error ? `, error="${error}"` : ''}`,
      'cache-control': 'no-store',
    },
    details: {
      stepUp: {
        method: 'totp',
        header: stepUpHeader,
        digits: 6,
        period: 30,
        reason,
        ...(error ? { error } : {}),
      },
      ...extra,
    },
  });

  const otpOf = (ctx: RequestContext): string | undefined => {
    const v = ctx.headers[stepUpHeader];
    return typeof v === 'string' ? v.trim() : undefined;
  };

  const probe: StepUpProbe | undefined = stepUpOn
    ? {
        async check(ctx, identity) {
          if (await stepUp.hasGrant(identity.subject)) return 'ok';
          const code = otpOf(ctx);
          if (code === undefined)
            return (await stepUp.isEnrolled(identity.subject)) ? 'missing' : 'not-enrolled';
          const r = await stepUp.verify(identity.subject, code);
          return r === 'ok' ? 'ok' : r === 'not-enrolled' ? 'not-enrolled' : 'invalid';
        },
        challenge: (reason, extra) => stepUpChallenge(reason, extra),
      }
    : undefined;

  async function stepUpDenial(
    ctx: RequestContext,
    view: RequestView,
    identity: Identity,
  ): Promise<Denial | undefined> {
    const reason = riskReason(view, {
      operations: stepUpOps,
      exempt: stepUpExempt,
      builtIn: cfg.stepUp.builtIn,
    });
    if (!reason) return undefined;
    if (await stepUp.hasGrant(identity.subject)) return undefined;
    const code = otpOf(ctx);
    const finding = (severity: Finding['severity'], message: string): Finding => ({
      category: 'authentication',
      subtype: 'missing-auth',
      detector: 'step-up',
      severity,
      score: 1,
      message,
    });
    if (code === undefined) {
      const enrolled = await stepUp.isEnrolled(identity.subject);
      return {
        finding: finding('medium', `risky operation without a fresh second factor (${reason})`),
        verdict: enrolled
          ? stepUpChallenge(reason)
          : stepUpChallenge(
              reason,
              {
                enrolled: false,
                message: 'no second factor enrolled for this subject; ask an administrator to enrol one',
              },
              'not_enrolled',
            ),
      };
    }
    const result = await stepUp.verify(identity.subject, code);
    if (result === 'ok') return undefined;
    if (result === 'locked') {
      return {
        finding: {
          category: 'session-password',
          subtype: 'brute-force',
          detector: 'step-up',
          severity: 'high',
          score: 1,
          message: 'too many wrong one-time codes; factor locked',
        },
        verdict: stepUpChallenge(reason, {}, 'locked'),
      };
    }
    const error =
      result === 'replayed' ? 'code_replayed' : result === 'not-enrolled' ? 'not_enrolled' : 'invalid_code';
    return {
      finding: finding('high', `step-up code refused: ${result} (${reason})`),
      verdict: stepUpChallenge(reason, {}, error),
    };
  }

  // --- phases ------------------------------------------------------------------------------------
  const request: RequestPhase[] = [];

  if (modes.denyList !== 'off') {
    request.push({
      name: 'deny-list',
      needsBody: false,
      // Synchronous unless the request carries credentials to look up (most phases stay promise-free).
      run(ctx) {
        const byIp = denyList.checkIp(ctx.clientIp);
        if (byIp)
          return ctx.report(denyListFinding(byIp), modes.denyList, {
            status: 403,
            code: 'PAL_ERR_FORBIDDEN',
          });
        const raws = rawCredentials(ctx, apiKeyHeaders);
        return raws.length === 0 ? undefined : checkDeniedTokens(ctx, raws);
      },
    });
  }
  async function checkDeniedTokens(ctx: RequestContext, raws: string[]): Promise<Verdict> {
    for (const raw of raws) {
      const entry = await denyList.checkToken(raw);
      if (entry) {
        return ctx.report(denyListFinding(entry), modes.denyList, {
          status: 401,
          code: 'PAL_ERR_UNAUTHENTICATED',
          headers: { 'www-authenticate': 'Bearer realm="palisade", error="invalid_token"' },
        });
      }
    }
    return undefined;
  }

  if (modes.rateLimits !== 'off' && (globalRates.preAuth || routeRates.preAuth)) {
    const rates = routeRates;
    request.push({
      name: 'rate-limit',
      needsBody: false,
      async run(ctx) {
        const view = requestView(ctx);
        const apiKey = apiKeyHeaders
          .map((h) => ctx.headers[h])
          .find((v): v is string => typeof v === 'string');
        const apiKeyHash = apiKey ? sha256Hex(apiKey) : undefined;
        if (apiKeyHash) identityState(ctx).apiKeyHash = apiKeyHash;
        const input = { ctx, view, apiKeyHash };
        return (
          report(ctx, await globalRates.check(input, 'pre'), modes.rateLimits) ??
          report(ctx, await rates.check(input, 'pre'), modes.rateLimits)
        );
      },
    });
  }

  request.push({
    name: 'authenticate',
    needsBody: false,
    run(ctx) {
      stripIdentityHeaders(ctx, fwd);
      ctx.stripHeaders.add(stepUpHeader); // one-time codes are for the gateway only
      if (global.auth.weakSecretCheck) peekHsToken(ctx, route.name, weak);
      return authOn ? authenticateCaller(ctx) : undefined;
    },
  });

  async function authenticateCaller(ctx: RequestContext): Promise<Verdict> {
    {
      const view = requestView(ctx);
      let found: { provider: Authenticator; raw: string } | undefined;
      for (const provider of providers) {
        const raw = provider.extract(ctx);
        if (raw !== undefined && raw !== '') {
          found = { provider, raw };
          break;
        }
      }
      if (!found) {
        if (isPublic(view)) return undefined;
        // A login found by name only is not made public (it could be e.g. a token-minting call):
        // say how to open it.
        const hint =
          modes.login !== 'off' && login?.isLogin(view)
            ? {
                hint: 'a login operation: list it under policy.auth.public or login.operations to make it public',
              }
            : undefined;
        return ctx.report(
          missingAuthFinding('authenticate', 'no credentials on a protected operation'),
          modes.auth,
          {
            status: 401,
            code: 'PAL_ERR_UNAUTHENTICATED',
            headers: { 'www-authenticate': challengeHeader },
            ...(hint ? { details: hint } : {}),
          },
        );
      }
      const result = await found.provider.authenticate(found.raw);
      if (!result.ok) {
        // On public operations a stale credential (expired, unknown key…) is ignored; a forged one
        // (alg none, key confusion, bad signature) is refused everywhere.
        if (!result.forged && isPublic(view)) return undefined;
        return ctx.report(result.finding, modes.auth, {
          status: 401,
          code: 'PAL_ERR_UNAUTHENTICATED',
          headers: {
            'www-authenticate': result.challengeError
              ? `${found.provider.challenge}, error="${result.challengeError}"`
              : found.provider.challenge,
          },
        });
      }
      if (modes.denyList !== 'off') {
        const entry = await denyList.checkIdentity(result.identity);
        if (entry) {
          const v = ctx.report(denyListFinding(entry), modes.denyList, {
            status: 401,
            code: 'PAL_ERR_UNAUTHENTICATED',
            headers: { 'www-authenticate': `${found.provider.challenge}, error="invalid_token"` },
          });
          if (v) return v;
        }
      }
      ctx.identity = result.identity;
      identityState(ctx).droppedRoles = result.droppedRoles;
      forwardIdentity(ctx, result.identity, fwd);
      return undefined;
    }
  }

  const authorizeNeedsBody = bola.needsBody || modes.login !== 'off' || modes.credentialChange !== 'off';
  const postRates = modes.rateLimits !== 'off' && (globalRates.postAuth || routeRates.postAuth);
  const rates = routeRates;
  const loginGuard = login;
  const credGuard = cred;
  const authConfigured = authOn;
  const accessControl = access;
  const bolaControl = bola;

  request.push({
    name: 'authorize',
    needsBody: authorizeNeedsBody,
    async run(ctx) {
      const view = requestView(ctx);
      const identity = ctx.identity;
      const st = identityState(ctx);
      let v: Verdict;
      if (postRates) {
        const input = { ctx, view, identity, apiKeyHash: st.apiKeyHash };
        v =
          report(ctx, await globalRates.check(input, 'post'), modes.rateLimits) ??
          report(ctx, await rates.check(input, 'post'), modes.rateLimits);
        if (v) return v;
      }
      if (modes.access !== 'off') {
        const reqs = accessControl.requirements(view);
        v = report(ctx, accessControl.check(identity, reqs, st.droppedRoles), modes.access);
        if (v) return v;
      }
      if (modes.bola !== 'off') {
        v = report(ctx, bolaControl.check(ctx, view, identity), modes.bola);
        if (v) return v;
      }
      const isLogin = modes.login !== 'off' && loginGuard.isLogin(view);
      if (isLogin) {
        v = report(ctx, await loginGuard.before(ctx, modes.login === 'block'), modes.login);
        if (v) return v;
      }
      let credentialOp = false;
      if (modes.credentialChange !== 'off' && !isLogin) {
        const denial = await credGuard.check(ctx, view, identity, probe, authConfigured);
        credentialOp = denial !== undefined || ctx.state.get(CREDENTIAL_OP_KEY) === true;
        v = report(ctx, denial, modes.credentialChange);
        if (v) return v;
      }
      if (stepUpOn && identity && !isLogin && !credentialOp && !extensionFlag(view, 'credential-change')) {
        v = report(ctx, await stepUpDenial(ctx, view, identity), modes.stepUp);
        if (v) return v;
      }
      return undefined;
    },
  });

  const response: ResponsePhase[] = [];
  if (modes.login !== 'off') response.push(login.responsePhase(() => modes.login));
  return { request, response };
};

/** Hands the first HS* bearer token per (route, issuer, kid) to the weak-secret monitor. */
function peekHsToken(ctx: RequestContext, routeName: string, weak: WeakSecretMonitor): void {
  const auth = ctx.headers.authorization;
  if (!auth || auth.length > 16384 || !auth.startsWith('Bearer eyJ')) return;
  const token = auth.slice(7).trim();
  const dot = token.indexOf('.');
  if (dot === -1 || dot > 512) return;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as {
      alg?: unknown;
      kid?: unknown;
    };
    if (typeof header.alg !== 'string' || !header.alg.startsWith('HS')) return;
    const second = token.indexOf('.', dot + 1);
    if (second === -1 || second - dot > 8192) return;
    const payload = JSON.parse(Buffer.from(token.slice(dot + 1, second), 'base64url').toString('utf8')) as {
      iss?: unknown;
    };
    weak.checkToken(
      routeName,
      token,
      { alg: header.alg, kid: typeof header.kid === 'string' ? header.kid : undefined },
      typeof payload.iss === 'string' ? payload.iss : undefined,
    );
  } catch {
    // Not a JWT: nothing to check.
  }
}
