import AjvModule, { type ErrorObject, type Options as AjvOptions, type ValidateFunction } from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { normalizeMediaType } from './load.js';
import { convertSchema, type Direction } from './schema.js';
import type { Dialect, ParamLocation, RawSchema, SpecOperation, SpecParameter } from './types.js';

// ajv validators compiled once per operation at load: one per parameter location (path, query,
// header, cookie; string values coerced to the declared types) and one per request media type
// (JSON bodies are not coerced). 3.1 documents use ajv's JSON Schema 2020-12 class.

type AjvCtor = typeof AjvModule.default;
type AjvInstance = InstanceType<AjvCtor>;
const Ajv = ((AjvModule as unknown as { default?: AjvCtor }).default ?? AjvModule) as AjvCtor;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvCtor }).default ?? Ajv2020Module) as AjvCtor;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: AjvInstance,
) => void;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One validation problem, short, never echoing the input. */
export interface Problem {
  /** `query.limit`, `body.user.email`, `header.x-tenant`. */
  location: string;
  problem: string;
  /** The ajv keyword that failed (`maximum`, `type`, `required`, …) or our own (`content-type`, …). */
  keyword: string;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** Builds the ajv instances one spec needs, lazily (coercing for parameters, strict for bodies). */
export class AjvPool {
  private readonly instances = new Map<string, AjvInstance>();
  constructor(private readonly dialect: Dialect) {}

  get(coerce: boolean): AjvInstance {
    const key = coerce ? 'coerce' : 'plain';
    let ajv = this.instances.get(key);
    if (ajv) return ajv;
    const options: AjvOptions = {
      strict: false,
      allErrors: false,
      logger: false,
      validateFormats: true,
      ...(coerce ? { coerceTypes: 'array' as const } : {}),
    };
    ajv = this.dialect === 'oas31' ? new Ajv2020(options) : new Ajv(options);
    addFormats(ajv);
    ajv.addFormat('int32', {
      type: 'number',
      validate: (n: number) => Number.isInteger(n) && n >= INT32.min && n <= INT32.max,
    });
    ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    ajv.addFormat('float', { type: 'number', validate: () => true });
    ajv.addFormat('double', { type: 'number', validate: () => true });
    ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
    for (const f of ['binary', 'password']) ajv.addFormat(f, true);
    this.instances.set(key, ajv);
    return ajv;
  }

  compile(schema: RawSchema, direction: Direction, coerce: boolean): ValidateFunction {
    const ajv = this.get(coerce);
    const { schema: converted, formats } = convertSchema(schema, this.dialect, direction);
    for (const f of formats) if (!ajv.formats[f]) ajv.addFormat(f, true); // unknown formats annotate only
    return ajv.compile(converted as Obj);
  }
}

// ---------------------------------------------------------------------------------------------
// Parameters

export interface ParamGroup {
  location: ParamLocation;
  params: SpecParameter[];
  validate?: ValidateFunction;
}

export function compileParamGroup(
  pool: AjvPool,
  location: ParamLocation,
  params: SpecParameter[],
): ParamGroup {
  const mine = params.filter((p) => p.in === location);
  if (mine.length === 0) return { location, params: mine };
  const properties: Record<string, RawSchema> = {};
  const required: string[] = [];
  for (const p of mine) {
    properties[p.name] = p.schema;
    if (p.required) required.push(p.name);
  }
  const schema: Obj = { type: 'object', properties };
  if (required.length > 0) schema.required = required;
  return { location, params: mine, validate: pool.compile(schema, 'request', true) };
}

function schemaType(schema: RawSchema): 'array' | 'object' | 'primitive' {
  if (!isObj(schema)) return 'primitive';
  const t = schema.type;
  const has = (name: string) => t === name || (Array.isArray(t) && t.includes(name));
  if (has('array')) return 'array';
  if (has('object') || (t === undefined && isObj(schema.properties))) return 'object';
  return 'primitive';
}

const DELIMITERS: Partial<Record<SpecParameter['style'], string>> = {
  form: ',',
  simple: ',',
  spaceDelimited: ' ',
  pipeDelimited: '|',
  tsv: '\t',
};

/** Pairs `k,v,k,v` (or `k=v,k=v` when exploded) into an object. */
function pairsToObject(items: string[], exploded: boolean): Obj {
  const out: Obj = {};
  if (exploded) {
    for (const item of items) {
      const eq = item.indexOf('=');
      if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    }
  } else {
    for (let i = 0; i + 1 < items.length; i += 2) out[items[i]] = items[i + 1];
  }
  return out;
}

/** Turns one serialised string into the value the schema describes (style/explode basics). */
function deserialize(p: SpecParameter, raw: string): unknown {
  const kind = schemaType(p.schema);
  let text = raw;
  let explodedSep = ',';
  if (p.style === 'label') {
    if (!text.startsWith('.')) return raw;
    text = text.slice(1);
    explodedSep = p.explode ? '.' : ',';
  } else if (p.style === 'matrix') {
    const prefix = `;${p.name}=`;
    if (kind !== 'object' && p.explode && kind === 'array') {
      return text.split(prefix).slice(1);
    }
    if (text.startsWith(prefix)) text = text.slice(prefix.length);
    else if (text.startsWith(';')) text = text.slice(1);
    explodedSep = p.explode ? ';' : ',';
  }
  if (kind === 'primitive') return text;
  const sep = p.style === 'label' || p.style === 'matrix' ? explodedSep : (DELIMITERS[p.style] ?? ',');
  const items = text.split(sep);
  if (kind === 'array') return items;
  return pairsToObject(items, p.explode);
}

export interface QueryExtraction {
  values: Obj;
  /** Query keys the operation's parameters account for. */
  used: Set<string>;
  problem?: Problem;
}

export function extractQuery(group: ParamGroup, query: URLSearchParams): QueryExtraction {
  const values: Obj = {};
  const used = new Set<string>();
  for (const p of group.params) {
    const kind = schemaType(p.schema);
    if (p.contentType) {
      const raw = query.get(p.name);
      if (raw === null) continue;
      used.add(p.name);
      const parsed = parseJsonParam(raw);
      if (parsed === PARSE_FAILED) {
        return {
          values,
          used,
          problem: { location: `query.${p.name}`, problem: 'is not valid JSON', keyword: 'json' },
        };
      }
      values[p.name] = parsed;
      continue;
    }
    if (kind === 'object' && (p.style === 'deepObject' || (p.style === 'form' && p.explode))) {
      const obj: Obj = {};
      const props = isObj(p.schema) && isObj(p.schema.properties) ? Object.keys(p.schema.properties) : [];
      if (p.style === 'deepObject') {
        const prefix = `${p.name}[`;
        for (const [k, v] of query) {
          if (k.startsWith(prefix) && k.endsWith(']')) {
            obj[k.slice(prefix.length, -1)] = v;
            used.add(k);
          }
        }
      } else {
        for (const prop of props) {
          const v = query.get(prop);
          if (v !== null) {
            obj[prop] = v;
            used.add(prop);
          }
        }
      }
      if (Object.keys(obj).length > 0) values[p.name] = obj;
      continue;
    }
    const all = query.getAll(p.name);
    if (all.length === 0) continue;
    used.add(p.name);
    if (kind === 'array' && p.style === 'form' && p.explode) values[p.name] = all;
    else if (all.length > 1)
      values[p.name] = all; // a repeated scalar fails its type: no HPP
    else values[p.name] = deserialize(p, all[0]);
  }
  return { values, used };
}

export function extractPath(group: ParamGroup, pathParams: Record<string, string>): Obj {
  const values: Obj = {};
  for (const p of group.params) {
    const raw = pathParams[p.name];
    if (raw !== undefined) values[p.name] = deserialize(p, raw);
  }
  return values;
}

export function extractHeaders(
  group: ParamGroup,
  headers: Record<string, string | string[] | undefined>,
): { values: Obj; problem?: Problem } {
  const values: Obj = {};
  for (const p of group.params) {
    const h = headers[p.name];
    if (h === undefined) continue;
    const raw = Array.isArray(h) ? h.join(',') : h;
    if (p.contentType) {
      const parsed = parseJsonParam(raw);
      if (parsed === PARSE_FAILED)
        return {
          values,
          problem: { location: `header.${p.name}`, problem: 'is not valid JSON', keyword: 'json' },
        };
      values[p.name] = parsed;
    } else values[p.name] = deserialize(p, raw);
  }
  return { values };
}

/** Parses a Cookie header (`a=1; b=2`); the first occurrence of a name wins. Bounded to 200 pairs. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  let start = 0;
  for (let n = 0; n < 200 && start < header.length; n++) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const pair = header.slice(start, end);
    const eq = pair.indexOf('=');
    if (eq > 0) {
      const name = pair.slice(0, eq).trim();
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (!out.has(name)) out.set(name, value);
    }
    start = end + 1;
  }
  return out;
}

export function extractCookies(group: ParamGroup, cookieHeader: string | undefined): Obj {
  const values: Obj = {};
  if (group.params.length === 0) return values;
  const cookies = parseCookies(cookieHeader);
  for (const p of group.params) {
    const raw = cookies.get(p.name);
    if (raw !== undefined) values[p.name] = deserialize(p, raw);
  }
  return values;
}

const PARSE_FAILED = Symbol('parse-failed');
function parseJsonParam(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return PARSE_FAILED;
  }
}

/** Runs a validator; turns the first ajv error into a short Problem rooted at `root`. */
export function runValidator(validate: ValidateFunction, data: unknown, root: string): Problem | undefined {
  let ok: boolean;
  try {
    ok = validate(data) as boolean;
  } catch {
    // A recursive schema on absurdly deep data can exhaust the stack: treat as invalid.
    return { location: root, problem: 'is nested too deeply to validate', keyword: 'depth' };
  }
  if (ok) return undefined;
  const err = validate.errors?.[0];
  return err ? describeError(err, root) : { location: root, problem: 'is invalid', keyword: 'unknown' };
}

export function describeError(err: ErrorObject, root: string): Problem {
  let location = root + pointerToPath(err.instancePath);
  let problem = err.message ?? 'is invalid';
  if (err.keyword === 'required') {
    const missing = String((err.params as { missingProperty?: unknown }).missingProperty ?? '');
    location = joinPath(location, missing);
    problem = 'is required';
  } else if (err.keyword === 'additionalProperties') {
    const extra = String((err.params as { additionalProperty?: unknown }).additionalProperty ?? '');
    location = joinPath(location, extra);
    problem = 'is not allowed';
  } else if (err.keyword === 'pattern') {
    problem = 'does not match the required pattern';
  } else if (err.keyword === 'enum') {
    problem = 'must be one of the allowed values';
  }
  return { location: clip(location, 120), problem: clip(problem, 120), keyword: err.keyword };
}

/** `/user/tags/0` → `.user.tags[0]`. */
function pointerToPath(pointer: string): string {
  if (!pointer) return '';
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(token) ? `[${token}]` : `.${token}`;
  }
  return out;
}

function joinPath(base: string, key: string): string {
  return /^\d+$/.test(key) ? `${base}[${key}]` : `${base}.${key}`;
}

/** Trims to n characters and replaces control characters, for names taken from the request. */
export function clip(text: string, n: number): string {
  let out = '';
  for (let i = 0; i < text.length && out.length < n; i++) {
    const c = text.charCodeAt(i);
    out += c < 0x20 || c === 0x7f ? '?' : text[i];
  }
  return text.length > n ? `${out}…` : out;
}

// ---------------------------------------------------------------------------------------------
// Request bodies

export type BodyKind = 'json' | 'form' | 'text' | 'other';

export interface CompiledMedia {
  mediaType: string;
  kind: BodyKind;
  schema?: RawSchema;
  validate?: ValidateFunction;
}

export interface CompiledBody {
  required: boolean;
  media: CompiledMedia[];
}

export function isJsonMediaType(mt: string): boolean {
  return mt === 'application/json' || mt.endsWith('+json') || mt === '*/*' || mt === 'application/*';
}

function bodyKind(mt: string): BodyKind {
  if (mt === 'application/json' || mt.endsWith('+json')) return 'json';
  if (mt === 'application/x-www-form-urlencoded') return 'form';
  if (mt.startsWith('text/')) return 'text';
  return 'other';
}

export function compileBody(pool: AjvPool, op: SpecOperation): CompiledBody | undefined {
  if (!op.body) return undefined;
  const media = op.body.content.map((m): CompiledMedia => {
    const kind = bodyKind(m.mediaType);
    const out: CompiledMedia = { mediaType: m.mediaType, kind };
    if (m.schema !== undefined) {
      out.schema = m.schema;
      if (kind === 'json' || kind === 'text') out.validate = pool.compile(m.schema, 'request', false);
      else if (kind === 'form') out.validate = pool.compile(m.schema, 'request', true);
    }
    return out;
  });
  return { required: op.body.required, media };
}

/** Picks the declared media type for a request Content-Type: exact, then `type/*`, then `*\/*`. */
export function selectMedia<M extends { mediaType: string }>(media: M[], contentType: string): M | undefined {
  const mt = normalizeMediaType(contentType);
  if (!mt) return undefined;
  const exact = media.find((m) => m.mediaType === mt);
  if (exact) return exact;
  const slash = mt.indexOf('/');
  const range = `${mt.slice(0, slash)}/*`;
  return media.find((m) => m.mediaType === range) ?? media.find((m) => m.mediaType === '*/*');
}

/** Builds the object a urlencoded body describes; array properties collect every value. */
export function formToObject(text: string, schema: RawSchema | undefined): Obj {
  const params = new URLSearchParams(text);
  const props = isObj(schema) && isObj(schema.properties) ? (schema.properties as Obj) : {};
  const out: Obj = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    const propSchema = props[key];
    const isArray = isObj(propSchema) && schemaType(propSchema as RawSchema) === 'array';
    out[key] = isArray || all.length > 1 ? all : all[0];
  }
  return out;
}
