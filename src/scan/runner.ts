import { SEVERITIES, type Severity, severityRank } from '../core/taxonomy.js';
import { decodeJwt, identityFrom, jwtOf, login } from './auth.js';
import { ChainStore, RequestBuilder, type RequestParts } from './builder/request.js';
import { CallbackServer } from './callback.js';
import { CHECKS, selectChecks } from './checks/index.js';
import { parseHeader, type ScanConfig } from './config.js';
import {
  type CheckContext,
  type FindingInput,
  fingerprint,
  type Identity,
  type IdentityName,
  type OpState,
  opText,
  type SendExtra,
  toFinding,
} from './context.js';
import type { SecretMap } from './evidence.js';
import { BudgetExhausted, isDestructive, ScanClient, UnsafeRequest } from './http.js';
import { loadApi, SpecError } from './spec/load.js';
import type {
  ApiModel,
  Exchange,
  ScanFinding,
  ScanOperation,
  ScanReport,
  ScanRequest,
  ScanResponse,
} from './types.js';

export const SCANNER_VERSION = '0.1.0';

export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

export interface ScanProgress {
  phase: 'baseline' | 'check' | 'done';
  name: string;
  done: number;
  total: number;
}

export interface ScanOptions {
  spec: string;
  target: string;
  auth?: string[];
  authB?: string[];
  authAdmin?: string[];
  config?: ScanConfig;
  /** Check ids or category ids to run (default all). */
  checks?: string[];
  allowDestructive?: boolean;
  rps?: number;
  concurrency?: number;
  budgetMs?: number;
  timeoutMs?: number;
  /** Fingerprints already accepted. */
  baseline?: Set<string>;
  onProgress?: (p: ScanProgress) => void;
  log?: (message: string) => void;
  /** Pre-loaded API model (tests). */
  api?: ApiModel;
}

export const DEFAULTS = { rps: 150, concurrency: 4, budgetMs: 110_000, timeoutMs: 10_000 };

const MAX_RECORDED = 4000;
// in order of preference: a login name before an e-mail before a display name
const USER_CLAIMS = [
  'username',
  'preferredusername',
  'login',
  'email',
  'emailaddress',
  'upn',
  'uniquename',
  'accountname',
  'sub',
  'name',
];
const OPAQUE_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+|[0-9a-f]{24})$/i;
const CREDENTIAL_CHANGE = /password|passwd|reset|forgot|recover|activate|activation/;

function truncateExchange(ex: Exchange): Exchange {
  if (ex.response.body.length <= 65_536) return ex;
  return { request: ex.request, response: { ...ex.response, body: ex.response.body.slice(0, 65_536) } };
}

function orderForBaseline(ops: ScanOperation[]): ScanOperation[] {
  const rank = (op: ScanOperation) => {
    const hasPathParam = op.path.includes('{');
    if (op.method === 'POST' && !hasPathParam) return 0;
    if (op.method === 'GET' && !hasPathParam) return 1;
    if (op.method === 'GET') return 2;
    if (op.method === 'POST') return 3;
    return 4;
  };
  return [...ops].sort((a, b) => rank(a) - rank(b));
}

function sensitivity(op: string, api: ApiModel): number {
  if (op === '*') return 1.1;
  const o = api.operations.find((x) => x.key === op);
  let s = 1;
  if (o?.requiresAuth) s += 0.1;
  if (/admin|user|password|payment|token|login|job|model|secret|account/.test(op.toLowerCase())) s += 0.1;
  if (o && o.method !== 'GET') s += 0.05;
  return s;
}

export function riskScore(f: ScanFinding, api: ApiModel): number {
  return (severityRank(f.severity) + 1) * f.confidence * sensitivity(f.operation, api);
}

/** Merges duplicates (same threat and operation) and orders by risk. */
export function mergeFindings(findings: ScanFinding[], api: ApiModel): ScanFinding[] {
  const byKey = new Map<string, ScanFinding>();
  for (const f of findings) {
    const key = f.id;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, f);
      continue;
    }
    const better = riskScore(f, api) > riskScore(prev, api) ? f : prev;
    const other = better === f ? prev : f;
    if (
      other.location &&
      other.location !== better.location &&
      !better.description.includes(other.location)
    ) {
      better.description += ` Also seen at ${other.location}.`;
    }
    byKey.set(key, better);
  }
  return [...byKey.values()].sort(
    (a, b) => riskScore(b, api) - riskScore(a, api) || a.id.localeCompare(b.id),
  );
}

export async function runScan(opts: ScanOptions): Promise<ScanReport> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const config = opts.config;
  const budgetMs = opts.budgetMs ?? DEFAULTS.budgetMs;
  let api: ApiModel;
  try {
    api = opts.api ?? (await loadApi(opts.spec, opts.target));
  } catch (err) {
    if (err instanceof SpecError) throw err;
    throw new SpecError((err as Error).message, { cause: err });
  }
  let target: URL;
  try {
    target = new URL(opts.target);
  } catch {
    throw new TargetError(`not a URL: ${opts.target}`);
  }
  const excluded = new Set(config?.excludeOperations ?? []);
  const allowDestructive = !!opts.allowDestructive;
  api = {
    ...api,
    operations: api.operations.filter(
      (o) =>
        !excluded.has(o.key) &&
        (allowDestructive || !isDestructive(o.method, `${o.path} ${o.operationId ?? ''}`)),
    ),
  };
  const client = new ScanClient({
    target: target.toString(),
    concurrency: opts.concurrency ?? DEFAULTS.concurrency,
    rps: opts.rps ?? DEFAULTS.rps,
    deadline: started + budgetMs,
    timeoutMs: opts.timeoutMs ?? DEFAULTS.timeoutMs,
    allowDestructive,
  });
  const builder = new RequestBuilder(api, target.toString());
  const callback = new CallbackServer();
  const findings: ScanFinding[] = [];
  const checksRun: string[] = [];
  const checksSkipped: { check: string; reason: string }[] = [];
  let budgetExhausted = false;
  try {
    const probe = await client.send({
      method: 'GET',
      url: `${builder.origin}${builder.basePath}/`,
      headers: {},
    });
    if (probe.status === 0) throw new TargetError(`target ${target.origin} is unreachable: ${probe.error}`);

    // identities
    const identities: CheckContext['identities'] = { anon: { name: 'anon', headers: {} } };
    const secrets: SecretMap = new Map();
    const flagSets: [IdentityName, string[] | undefined, 'a' | 'b' | 'admin'][] = [
      ['A', opts.auth, 'a'],
      ['B', opts.authB, 'b'],
      ['admin', opts.authAdmin, 'admin'],
    ];
    for (const [name, flags, key] of flagSets) {
      const conf = config?.identities?.[key];
      const headers: [string, string][] = Object.entries(conf?.headers ?? {});
      for (const f of flags ?? []) headers.push(parseHeader(f));
      let id: Identity | undefined = headers.length ? identityFrom(name, headers) : undefined;
      if (conf?.login) {
        const got = await login(api, target.toString(), builder.basePath, client, conf.login);
        id = id ?? { name, headers: {} };
        Object.assign(id.headers, got);
        id.login = conf.login;
      }
      if (id) {
        identities[name] = id;
        let n = 0;
        for (const [h, v] of Object.entries(id.headers)) {
          secrets.set(
            v,
            `PALISADE_${name.toUpperCase()}_${h.toUpperCase().replace(/[^A-Z0-9]/g, '_')}${n++ ? n : ''}`,
          );
        }
      }
    }

    const store = new ChainStore(
      api.operations.flatMap((o) => o.params.filter((p) => p.in === 'path').map((p) => p.name)),
    );
    const exchanges: { op: string; ex: Exchange }[] = [];
    const record = (op: string, ex: Exchange) => {
      if (exchanges.length < MAX_RECORDED) exchanges.push({ op, ex: truncateExchange(ex) });
    };
    const refreshing = new Map<IdentityName, Promise<void>>();
    const sendRaw = async (op: string, req: ScanRequest, timeoutMs?: number): Promise<Exchange> => {
      const response = await client.send(req, { timeoutMs, operationId: op });
      const ex = { request: req, response };
      record(op, ex);
      return ex;
    };
    const send = async (
      stateOrOp: OpState | ScanOperation,
      parts: RequestParts,
      as: IdentityName = 'A',
      extra: SendExtra = {},
    ): Promise<Exchange> => {
      const op = 'op' in stateOrOp ? stateOrOp.op : stateOrOp;
      const identity = identities[as];
      const idHeaders = extra.identityHeaders ?? identity?.headers ?? {};
      const req = builder.render(op, parts, idHeaders);
      if (extra.headers) for (const [k, v] of Object.entries(extra.headers)) req.headers[k.toLowerCase()] = v;
      if (extra.rawBody !== undefined) {
        req.body = extra.rawBody;
        req.headers['content-type'] = extra.contentType ?? req.headers['content-type'] ?? 'text/plain';
      }
      const opId = `${op.path} ${op.operationId ?? ''}`;
      let response: ScanResponse = await client.send(req, { timeoutMs: extra.timeoutMs, operationId: opId });
      if (response.status === 401 && identity?.login && !extra.identityHeaders) {
        let p = refreshing.get(as);
        if (!p) {
          p = login(api, target.toString(), builder.basePath, client, identity.login).then((h) => {
            Object.assign(identity.headers, h);
            for (const v of Object.values(h)) secrets.set(v, `PALISADE_${as.toUpperCase()}_TOKEN`);
          });
          refreshing.set(as, p);
          setTimeout(() => refreshing.delete(as), 5000).unref();
        }
        await p.catch(() => {});
        const retry = builder.render(op, parts, identity.headers);
        if (extra.headers)
          for (const [k, v] of Object.entries(extra.headers)) retry.headers[k.toLowerCase()] = v;
        response = await client.send(retry, { timeoutMs: extra.timeoutMs, operationId: opId });
        const ex = { request: retry, response };
        record(op.key, ex);
        return ex;
      }
      const ex = { request: req, response };
      record(op.key, ex);
      return ex;
    };

    // baseline: a valid request per operation, creates first so that ids chain into later calls
    const primary: IdentityName = identities.A ? 'A' : 'anon';
    const ordered = orderForBaseline(api.operations);
    const states: OpState[] = [];
    const pathValues = config?.pathValues ?? {};
    let done = 0;
    for (const op of ordered) {
      opts.onProgress?.({ phase: 'baseline', name: op.key, done: done++, total: ordered.length });
      const parts = builder.parts(op, store);
      for (const p of op.params)
        if (p.in === 'path' && pathValues[p.name] !== undefined)
          parts.path[p.name] = String(pathValues[p.name]);
      const state: OpState = { op, parts, as: primary };
      // calls that change credentials are left to their checks (which run last): a baseline
      // call would change identity A's password before the scan has even started
      if (op.method !== 'GET' && CREDENTIAL_CHANGE.test(`${op.path} ${op.operationId ?? ''}`.toLowerCase())) {
        states.push(state);
        continue;
      }
      try {
        let ex = await send(state, parts, primary);
        if ((ex.response.status === 400 || ex.response.status === 422) && op.body) {
          // retry with required fields only
          const minimal = builder.parts(op, store);
          minimal.path = parts.path;
          const { sampleValue } = await import('./builder/schema-sample.js');
          minimal.body = sampleValue(op.body.schema, { optional: false });
          const again = await send(state, minimal, primary);
          if (again.response.status < 400) {
            state.parts = minimal;
            ex = again;
          }
        }
        state.baseline = ex;
        store.learn(op, ex.response.status, ex.response.json);
        store.learnRequest(op, ex.response.status, state.parts.body);
      } catch (err) {
        if (err instanceof BudgetExhausted) throw err;
        if (!(err instanceof UnsafeRequest)) throw err;
      }
      states.push(state);
    }
    const latencies = states
      .map((s) => s.baseline?.response.elapsedMs)
      .filter((x): x is number => typeof x === 'number')
      .sort((a, b) => a - b);
    const medianLatencyMs = latencies.length ? latencies[Math.floor(latencies.length / 2)] : 50;

    // usernames of A
    const knownUsers: string[] = [];
    const addUser = (u: unknown) => {
      if (typeof u === 'string' && u.length > 0 && u.length < 120 && !knownUsers.includes(u))
        knownUsers.push(u);
    };
    let credentials: CheckContext['credentials'];
    const loginBody = config?.identities?.a?.login?.body;
    if (loginBody) {
      const userField = Object.keys(loginBody).find((k) => /user|email|login|name/i.test(k));
      const passwordField = Object.keys(loginBody).find((k) => /pass/i.test(k));
      if (userField && passwordField) {
        addUser(loginBody[userField]);
        credentials = {
          username: String(loginBody[userField]),
          password: String(loginBody[passwordField]),
          userField,
          passwordField,
        };
      }
    }
    // claim and profile keys in any casing (userName, preferred_username, emailAddress…); opaque
    // ids (UUIDs, numbers) go last: the checks need a name the login or reset form accepts
    const tok = jwtOf(identities.A);
    const seen: { rank: number; value: string }[] = [];
    const collect = (o: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(o)) {
        const rank = USER_CLAIMS.indexOf(k.toLowerCase().replace(/[^a-z0-9]/g, ''));
        if (rank < 0 || typeof v !== 'string') continue;
        seen.push({ rank: OPAQUE_ID.test(v) ? 100 + rank : rank, value: v });
      }
    };
    if (tok) collect(tok.jwt.payload);
    for (const s of states) {
      if (!/\/(me|self|profile|account|whoami|current)(\/|$)|users\/me/.test(s.op.path.toLowerCase()))
        continue;
      const j = s.baseline?.response.json as Record<string, unknown> | undefined;
      if (j && typeof j === 'object' && !Array.isArray(j)) collect(j);
    }
    for (const u of seen.sort((a, b) => a.rank - b.rank)) addUser(u.value);
    void decodeJwt;

    let catchAllP: Promise<Exchange> | undefined;
    const catchAll = () => {
      catchAllP ??= sendRaw('GET /*', {
        method: 'GET',
        url: `${builder.origin}${builder.basePath}/pal-${Math.random().toString(36).slice(2, 12)}/${Math.random().toString(36).slice(2, 8)}`,
        headers: {
          'user-agent': 'palisade-scan',
          accept: 'application/json, */*;q=0.5',
          ...(identities.A?.headers ?? {}),
        },
      });
      return catchAllP;
    };
    await callback.start();
    const ctx: CheckContext = {
      api,
      builder,
      client,
      store,
      identities,
      ops: states,
      callback,
      allowDestructive,
      knownUsers,
      credentials,
      medianLatencyMs,
      checkDeadline: Number.POSITIVE_INFINITY,
      exchanges,
      send,
      sendRaw,
      catchAll,
      report: (f: FindingInput) => {
        findings.push(toFinding(f, secrets));
        log(`finding: ${f.severity} ${f.threat.category}/${f.threat.subtype} ${f.operation}`);
      },
      log,
    };

    const selected = selectChecks(CHECKS, opts.checks ?? config?.checks, config?.excludeChecks ?? []);
    let i = 0;
    for (const check of selected) {
      opts.onProgress?.({ phase: 'check', name: check.id, done: i++, total: selected.length });
      if (budgetExhausted) {
        checksSkipped.push({ check: check.id, reason: 'time budget exhausted' });
        continue;
      }
      // each check gets a share of what is left, so one slow check cannot starve the others
      const remaining = client.remainingMs;
      const left = selected.length - i + 1;
      ctx.checkDeadline =
        Date.now() + Math.max(8000, Math.min(remaining, (remaining / Math.max(1, left)) * 4));
      try {
        await check.run(ctx);
        checksRun.push(check.id);
      } catch (err) {
        if (err instanceof BudgetExhausted) {
          budgetExhausted = true;
          checksSkipped.push({ check: check.id, reason: 'time budget exhausted' });
        } else {
          checksSkipped.push({ check: check.id, reason: `error: ${(err as Error).message}` });
          log(`check ${check.id} failed: ${(err as Error).stack ?? err}`);
        }
      }
    }
    opts.onProgress?.({ phase: 'done', name: '', done: selected.length, total: selected.length });
  } catch (err) {
    if (err instanceof BudgetExhausted) budgetExhausted = true;
    else throw err;
  } finally {
    await callback.close();
    await client.close();
  }
  const merged = mergeFindings(findings, api);
  for (const f of merged) if (opts.baseline?.has(f.id)) f.baselined = true;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byCategory: Record<string, number> = {};
  for (const f of merged) {
    bySeverity[f.severity]++;
    byCategory[f.category] = (byCategory[f.category] ?? 0) + 1;
  }
  return {
    tool: { name: 'palisade-scan', version: SCANNER_VERSION },
    schemaVersion: 1,
    target: target.origin + builder.basePath,
    spec: api.source,
    startedAt: new Date(started).toISOString(),
    duration: Math.round((Date.now() - started) / 100) / 10,
    summary: {
      total: merged.length,
      new: merged.filter((f) => !f.baselined).length,
      bySeverity,
      byCategory,
      operations: api.operations.length,
      requests: client.requests,
      checksRun,
      checksSkipped,
      budgetExhausted,
    },
    findings: merged,
    operationKeys: api.operations.map((o) => o.key),
  };
}

export { fingerprint, opText };
