import { cloneParts, type RequestParts } from '../builder/request.js';
import type { CheckContext, OpState } from '../context.js';
import { BudgetExhausted, UnsafeRequest } from '../http.js';
import type { ScanOperation } from '../types.js';

/**
 * Runs `fn` over items with at most `n` in flight; budget exhaustion stops everything, the
 * check's own deadline (its share of the budget) stops starting new items.
 */
export async function pool<T>(
  items: T[],
  n: number,
  fn: (item: T) => Promise<void>,
  deadline = Number.POSITIVE_INFINITY,
): Promise<void> {
  let next = 0;
  let stop: unknown;
  const worker = async () => {
    while (next < items.length && !stop && Date.now() < deadline) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        if (err instanceof BudgetExhausted) stop = err;
        else if (!(err instanceof UnsafeRequest)) stop = err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  if (stop) throw stop;
}

/** Operations with a usable baseline (the valid request did not fail). */
export function workingOps(ctx: CheckContext, filter?: (s: OpState) => boolean): OpState[] {
  return ctx.ops.filter((s) => s.baseline && s.baseline.response.status > 0 && (!filter || filter(s)));
}

export function okBaseline(s: OpState): boolean {
  const st = s.baseline?.response.status ?? 0;
  return st >= 200 && st < 300;
}

export function parallelism(ctx: CheckContext): number {
  return Math.max(1, ctx.client.opts.concurrency);
}

export function copy(parts: RequestParts): RequestParts {
  return cloneParts(parts);
}

/**
 * Operation words: path, operationId, summary and tags, lowercased, followed by the same split at
 * camelCase (`runPipeline` also reads `run pipeline`), so word patterns see camelCase names too.
 */
export function words(op: ScanOperation): string {
  return (
    `${op.path} ${op.operationId ?? ''} ${op.summary ?? ''} ${op.tags.join(' ')}`.toLowerCase() + wordList(op)
  );
}

/**
 * Operation words split at camelCase and punctuation (`registerDatasetSchema` → `register dataset
 * schema`), lowercased, so that patterns can match whole words: "registered models" is no signup.
 */
export function wordList(op: ScanOperation): string {
  return ` ${op.path} ${op.operationId ?? ''} ${op.summary ?? ''} ${op.tags.join(' ')} `
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ');
}

/** Leaf string fields of a JSON body by name pattern. */
export function bodyFieldNames(body: unknown): string[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
  return Object.keys(body as Record<string, unknown>);
}

export function findField(body: unknown, re: RegExp): string | undefined {
  return bodyFieldNames(body).find((k) => re.test(k));
}

export function schemaFields(op: ScanOperation): string[] {
  const s = op.body?.schema;
  if (!s) return [];
  const props = { ...(s.properties ?? {}) };
  for (const part of [...(s.allOf ?? []), ...(s.oneOf ?? []), ...(s.anyOf ?? [])])
    Object.assign(props, part?.properties ?? {});
  return Object.keys(props);
}

export const LOGIN_RE = /(^|[/_.-])(login|signin|sign-in|authenticate|session|sessions|token|auth)([/_.-]|$)/;
export const USER_FIELD_RE = /^(username|user_name|user|login|email|e_mail|userid|user_id|name|account)$/i;
export const PASSWORD_FIELD_RE = /^(password|passwd|pass|pwd|secret)$/i;

/** `userName`, `user-name`, `USER_NAME` → `username`: naming conventions differ, the words do not. */
export function normKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

// account identifiers as APIs spell them: login, userName, emailAddress, accountName, principal…
const USER_KEYS = new Set([
  'username',
  'user',
  'login',
  'loginname',
  'loginid',
  'email',
  'emailaddress',
  'mail',
  'userid',
  'name',
  'account',
  'accountname',
  'accountid',
  'accountemail',
  'handle',
  'principal',
  'identifier',
  'useremail',
  'userlogin',
  'uid',
]);
const PASSWORD_KEYS = new Set(['password', 'passwd', 'pass', 'pwd', 'secret', 'passphrase', 'userpassword']);

/** A body field that names the account (whatever the casing convention). */
export function isUserField(name: string): boolean {
  return USER_FIELD_RE.test(name) || USER_KEYS.has(normKey(name));
}

/** A body field that carries the current password (not a new or confirmation one). */
export function isPasswordField(name: string): boolean {
  return PASSWORD_FIELD_RE.test(name) || PASSWORD_KEYS.has(normKey(name));
}

/** The usernames and emails noted for identity A, best first for a field (email-like or not). */
export function usersFor(ctx: CheckContext, field: string): string[] {
  const mail = /mail/i.test(field);
  const fits = ctx.knownUsers.filter((u) => u.includes('@') === mail);
  return [...fits, ...ctx.knownUsers.filter((u) => !fits.includes(u))];
}

/** Login operations: a POST with a username-like and a password-like body field. */
export function loginOps(ctx: CheckContext): { state: OpState; userField: string; passwordField: string }[] {
  const out: { state: OpState; userField: string; passwordField: string }[] = [];
  for (const s of ctx.ops) {
    if (s.op.method !== 'POST') continue;
    const fields = [...new Set([...schemaFields(s.op), ...bodyFieldNames(s.parts.body)])];
    const userField = fields.find((f) => USER_FIELD_RE.test(f)) ?? fields.find(isUserField);
    const passwordField = fields.find((f) => PASSWORD_FIELD_RE.test(f)) ?? fields.find(isPasswordField);
    if (!userField || !passwordField) continue;
    const w = words(s.op);
    if (!/login|signin|sign-in|session|token|auth/.test(w)) continue;
    if (/register|signup|sign-up|reset|change|forgot|users?$/.test(s.op.path.toLowerCase())) continue;
    out.push({ state: s, userField, passwordField });
  }
  return out;
}

/** A token-like value in a JSON answer (access_token, token, jwt, session, apiKey…). */
export function hasToken(json: unknown): boolean {
  if (!json || typeof json !== 'object') return false;
  let budget = 100;
  const walk = (v: unknown, depth: number): boolean => {
    if (budget-- <= 0 || depth > 3 || !v || typeof v !== 'object') return false;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (/token|jwt|session|sid|api_?key|access_?key/i.test(k) && typeof x === 'string' && x.length >= 8)
        return true;
      if (walk(x, depth + 1)) return true;
    }
    return false;
  };
  return walk(json, 0);
}

/** `pool` bounded by the running check's deadline. */
export function poolFor<T>(ctx: CheckContext, items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  return pool(items, parallelism(ctx), fn, ctx.checkDeadline);
}

/** The object in a list answer whose id field equals `id`. */
export function findItem(json: unknown, id: string): Record<string, unknown> | undefined {
  let budget = 500;
  const walk = (v: unknown, depth: number): Record<string, unknown> | undefined => {
    if (budget-- <= 0 || depth > 4 || !v || typeof v !== 'object') return undefined;
    if (Array.isArray(v)) {
      for (const x of v.slice(0, 200)) {
        const r = walk(x, depth + 1);
        if (r) return r;
      }
      return undefined;
    }
    const o = v as Record<string, unknown>;
    for (const x of Object.values(o))
      if ((typeof x === 'string' || typeof x === 'number') && String(x) === id) return o;
    for (const x of Object.values(o)) {
      const r = walk(x, depth + 1);
      if (r) return r;
    }
    return undefined;
  };
  return walk(json, 0);
}
