// Reads top-level fields from a JSON or form-urlencoded request body (login and credential forms).
import type { RequestContext } from '../../gateway/phase.js';

const FORM_KEY = 'identity.form';

/**
 * Whether the raw body could hold a field with one of `names`: a byte search, so most requests
 * skip parsing. A backslash or percent sign could spell a name through an escape, so those bodies
 * always count.
 */
export function mayHoldField(body: Buffer | undefined, names: readonly string[]): boolean {
  if (!body || body.length === 0) return false;
  if (body.includes(0x5c) || body.includes(0x25)) return true;
  return names.some((n) => body.includes(n));
}

/** The body as a flat-ish object: JSON objects as they are, forms as name → first value. */
export function bodyFields(ctx: RequestContext): Record<string, unknown> | undefined {
  const json = ctx.json();
  if (json && typeof json === 'object' && !Array.isArray(json)) return json as Record<string, unknown>;
  if (ctx.state.has(FORM_KEY)) return ctx.state.get(FORM_KEY) as Record<string, unknown> | undefined;
  let form: Record<string, unknown> | undefined;
  const type = String(ctx.headers['content-type'] ?? '').toLowerCase();
  if (ctx.body && ctx.body.length > 0 && type.startsWith('application/x-www-form-urlencoded')) {
    form = {};
    for (const [k, v] of new URLSearchParams(ctx.body.toString('utf8'))) if (!(k in form)) form[k] = v;
  }
  ctx.state.set(FORM_KEY, form);
  return form;
}

/** First of `names` that holds a non-empty string (or number), searched case-sensitively, top level. */
export function firstField(
  fields: Record<string, unknown> | undefined,
  names: readonly string[],
): string | undefined {
  if (!fields) return undefined;
  for (const n of names) {
    if (!Object.hasOwn(fields, n)) continue;
    const v = fields[n];
    if (typeof v === 'string' && v.length > 0) return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return undefined;
}

/** Like firstField, but also looks one object level down (`{ user: { password } }`). */
export function findField(
  fields: Record<string, unknown> | undefined,
  names: readonly string[],
): string | undefined {
  const top = firstField(fields, names);
  if (top !== undefined || !fields) return top;
  for (const v of Object.values(fields)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const nested = firstField(v as Record<string, unknown>, names);
      if (nested !== undefined) return nested;
    }
  }
  return undefined;
}
