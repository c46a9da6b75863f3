import { cloneParts } from '../../builder/request.js';
import type { Check, CheckContext, OpState } from '../../context.js';
import { isSuccess, randomToken } from '../../judges/similarity.js';
import type { Exchange } from '../../types.js';
import { findItem, okBaseline, schemaFields } from '../util.js';
import { ADMIN_RE } from '../broken-access-control/bfla.js';

const PRIV_FIELDS: Record<string, (m: string) => unknown> = {
  role: () => 'admin',
  is_admin: () => true,
  isAdmin: () => true,
  admin: () => true,
  roles: () => ['admin'],
  owner_id: (m) => m,
  verified: () => true,
};

function valueAt(json: unknown, key: string): unknown {
  let budget = 200;
  const walk = (v: unknown, depth: number): unknown => {
    if (budget-- <= 0 || depth > 3 || !v || typeof v !== 'object') return undefined;
    if (Array.isArray(v)) return undefined;
    const o = v as Record<string, unknown>;
    if (key in o) return o[key];
    for (const x of Object.values(o)) {
      const r = walk(x, depth + 1);
      if (r !== undefined) return r;
    }
    return undefined;
  };
  return walk(json, 0);
}

function tookEffect(json: unknown, key: string, value: unknown): boolean {
  const got = valueAt(json, key);
  if (got === undefined) return false;
  return (
    JSON.stringify(got) === JSON.stringify(value) ||
    (Array.isArray(got) && got.includes('admin') && key === 'roles')
  );
}

/** The GET that reads back what an update/create wrote. */
function readBack(
  ctx: CheckContext,
  state: OpState,
  created: unknown,
): { state: OpState; parts: OpState['parts'] } | undefined {
  const same = ctx.ops.find((s) => s.op.method === 'GET' && s.op.path === state.op.path && okBaseline(s));
  if (same) return { state: same, parts: same.parts };
  const id =
    created && typeof created === 'object' ? ((created as any).id ?? (created as any)._id) : undefined;
  if (id === undefined) return undefined;
  const item = ctx.ops.find(
    (s) =>
      s.op.method === 'GET' &&
      s.op.path.startsWith(`${state.op.path}/{`) &&
      s.op.path.split('/').length === state.op.path.split('/').length + 1,
  );
  if (!item) return undefined;
  const param = item.op.path.slice(item.op.path.lastIndexOf('{') + 1, -1);
  const parts = cloneParts(item.parts);
  parts.path[param] = String(id);
  return { state: item, parts };
}

export const massAssignmentCheck: Check = {
  id: 'mass-assignment',
  category: 'authorization',
  title: 'Mass assignment of privileged or undeclared fields',
  priority: 85,
  async run(ctx) {
    const states = ctx.ops.filter(
      (s) =>
        okBaseline(s) &&
        ['POST', 'PUT', 'PATCH'].includes(s.op.method) &&
        /json/i.test(s.op.body?.mediaType ?? '') &&
        s.parts.body &&
        typeof s.parts.body === 'object' &&
        !Array.isArray(s.parts.body) &&
        !/login|signin|token|password|reset|chat|completion|messages/.test(s.op.path.toLowerCase()),
    );
    for (const state of states) {
      const declared = new Set(schemaFields(state.op));
      const marker = `pal${randomToken(8)}`;
      const fields = Object.keys(PRIV_FIELDS).filter((f) => !declared.has(f));
      if (fields.length === 0) continue;
      const parts = cloneParts(state.parts);
      const sent: Record<string, unknown> = {};
      for (const f of fields) sent[f] = PRIV_FIELDS[f](marker);
      // creates get fresh identifying values (a second "alice" would be refused as a duplicate)
      const unique =
        state.op.method === 'POST' && !state.op.path.includes('{')
          ? uniqueify(parts.body as Record<string, unknown>)
          : undefined;
      Object.assign(parts.body as object, sent);
      const ex = await ctx.send(state, parts, state.as);
      if (!isSuccess(ex.response.status)) continue;
      const rb = readBack(ctx, state, ex.response.json);
      let readEx: Exchange | undefined;
      if (rb) readEx = await ctx.send(rb.state, rb.parts, state.as);
      if (unique && !(readEx && fields.some((f) => tookEffect(readEx!.response.json, f, sent[f])))) {
        // look for the created object in list answers, by its unique value
        for (const list of ctx.ops
          .filter((s) => s.op.method === 'GET' && !s.op.path.includes('{') && okBaseline(s))
          .slice(0, 8)) {
          const exList = await ctx.send(list, list.parts, state.as);
          const obj = findItem(exList.response.json, unique);
          if (obj) {
            readEx = { ...exList, response: { ...exList.response, json: obj } };
            break;
          }
        }
      }
      const effective = fields.filter((f) => readEx && tookEffect(readEx.response.json, f, sent[f]));
      const echoed = fields.filter((f) => tookEffect(ex.response.json, f, sent[f]));
      const hits = effective.length ? effective : echoed;
      if (hits.length === 0) continue;
      const field = hits[0];
      // confirm: a second, different value for the same field takes effect as well
      const parts2 = cloneParts(state.parts);
      const v2 =
        field === 'owner_id' ? `pal${randomToken(8)}` : field === 'role' ? 'administrator' : sent[field];
      const unique2 = unique ? uniqueify(parts2.body as Record<string, unknown>) : undefined;
      (parts2.body as Record<string, unknown>)[field] = v2;
      const ex2 = await ctx.send(state, parts2, state.as);
      let check2: Exchange = ex2;
      if (rb)
        check2 = await ctx.send(
          rb.state,
          readBack(ctx, state, ex2.response.json)?.parts ?? rb.parts,
          state.as,
        );
      if (unique2 && !tookEffect(check2.response.json, field, v2)) {
        for (const list of listOps(ctx)) {
          const exList = await ctx.send(list, list.parts, state.as);
          const obj = findItem(exList.response.json, unique2);
          if (obj) {
            check2 = { ...exList, response: { ...exList.response, json: obj } };
            break;
          }
        }
      }
      if (!isSuccess(ex2.response.status) || !tookEffect(check2.response.json, field, v2)) continue;
      // did it grant more? an admin operation that refused A before may now answer
      let escalated: Exchange | undefined;
      const admin = ctx.ops.find(
        (s) =>
          s.op.method === 'GET' && ADMIN_RE.test(s.op.path.toLowerCase()) && s.baseline && !okBaseline(s),
      );
      if (admin && effective.length && state.as === 'A') {
        const exAdm = await ctx.send(admin, admin.parts, 'A');
        if (isSuccess(exAdm.response.status)) escalated = exAdm;
      }
      const persisted = effective.length > 0;
      ctx.report({
        threat: {
          category: 'authorization',
          subtype: escalated ? 'privilege-escalation' : 'mass-assignment',
        },
        check: 'mass-assignment',
        severity:
          escalated || (persisted && /role|admin/i.test(field)) ? 'critical' : persisted ? 'high' : 'medium',
        confidence: persisted ? 0.9 : 0.6,
        operation: state.op.key,
        location: `body.${field}`,
        title: escalated
          ? `Privilege escalation by setting "${field}" through ${state.op.key}`
          : `Mass assignment: undeclared field "${field}" is accepted`,
        description: `The field "${field}" is not part of the request schema, yet sending it ${persisted ? `changed the stored object (read back with ${rb?.state.op.key})` : 'was reflected in the response'}; a second value was accepted too.${escalated ? ` Afterwards identity A could call ${admin!.op.key}.` : ''}`,
        exchange: ex,
        focus: field,
        remediation:
          'Bind request bodies to explicit allow-listed DTOs (reject or ignore unknown properties, additionalProperties: false) and never let clients set role, ownership or verification fields.',
        cwe: 915,
      });
    }
  },
};

/** Gives identifying string fields (username, email, name, title…) fresh values; returns one of them. */
function listOps(ctx: CheckContext): OpState[] {
  return ctx.ops
    .filter((s) => s.op.method === 'GET' && !s.op.path.includes('{') && okBaseline(s))
    .slice(0, 8);
}

function uniqueify(body: Record<string, unknown>): string | undefined {
  let first: string | undefined;
  for (const [k, v] of Object.entries(body)) {
    if (typeof v !== 'string' || !/user|name|email|login|title|slug|handle/i.test(k)) continue;
    const u = `pal${randomToken(10)}`;
    body[k] = /mail/i.test(k) ? `${u}@example.com` : u;
    first ??= body[k] as string;
  }
  return first;
}
