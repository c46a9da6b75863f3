import { stat } from 'node:fs/promises';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OperationInfo, SecurityRequirement } from '../operation.js';
import type {
  Dialect,
  LoadedSpec,
  ParamLocation,
  RawSchema,
  SpecMediaType,
  SpecOperation,
  SpecParameter,
} from './types.js';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A document that could not be read, parsed or validated; message is short and names the cause. */
export class SpecLoadError extends Error {
  override name = 'SpecLoadError';
}

export interface LoadOptions {
  /** Validate against the Swagger/OpenAPI schema (true) or only parse and dereference. */
  validate?: boolean;
}

/**
 * Reads, validates and dereferences an OpenAPI 3.0/3.1 or Swagger 2.0 document, then converts it
 * into the common internal shape. External `$ref`s may point at local files only (no HTTP fetches
 * at load). Schemas stay as dereferenced objects, possibly cyclic.
 */
export async function loadSpec(file: string, options: LoadOptions = {}): Promise<LoadedSpec> {
  // The OpenAPI phase, identity rules and detection profiles each read the route's document while
  // one config loads: parse it once. A validated parse also serves unvalidated reads. Entries live
  // only seconds, so a later reload re-reads the file and any external $ref it points to.
  const validate = options.validate !== false;
  const mtime = await stat(file).then(
    (st) => st.mtimeMs,
    () => undefined,
  );
  if (mtime === undefined) return parseSpec(file, validate); // the parser reports the problem
  const now = Date.now();
  const cached = SPEC_CACHE.get(file);
  if (
    cached &&
    cached.mtime === mtime &&
    now - cached.at < SPEC_CACHE_TTL_MS &&
    (cached.validated || !validate)
  ) {
    return cached.spec;
  }
  const spec = parseSpec(file, validate);
  SPEC_CACHE.delete(file);
  if (SPEC_CACHE.size >= SPEC_CACHE_LIMIT) SPEC_CACHE.delete(SPEC_CACHE.keys().next().value!);
  SPEC_CACHE.set(file, { mtime, at: now, validated: validate, spec });
  spec.catch(() => {
    if (SPEC_CACHE.get(file)?.spec === spec) SPEC_CACHE.delete(file);
  });
  return spec;
}

const SPEC_CACHE_LIMIT = 32;
const SPEC_CACHE_TTL_MS = 10_000;
const SPEC_CACHE = new Map<
  string,
  { mtime: number; at: number; validated: boolean; spec: Promise<LoadedSpec> }
>();

async function parseSpec(file: string, validate: boolean): Promise<LoadedSpec> {
  const parserOptions = {
    resolve: { http: false as const, external: true },
    dereference: { circular: true as const },
    validate: { schema: validate, spec: validate },
  };
  let api: unknown;
  try {
    api = validate
      ? await SwaggerParser.validate(file, parserOptions)
      : await SwaggerParser.dereference(file, parserOptions);
  } catch (err) {
    throw new SpecLoadError(shortMessage(err));
  }
  return normalizeDocument(api);
}

function shortMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 400 ? `${oneLine.slice(0, 400)}…` : oneLine;
}

/** Converts an already dereferenced document (exported for tests). */
export function normalizeDocument(api: unknown): LoadedSpec {
  if (!isObj(api)) throw new SpecLoadError('document is not an object');
  if (typeof api.swagger === 'string') return normalizeSwagger2(api);
  if (typeof api.openapi === 'string') return normalizeOas3(api);
  throw new SpecLoadError('neither `openapi` nor `swagger` version field found');
}

function operationInfo(
  method: string,
  template: string,
  pathItem: Obj,
  op: Obj,
  docSecurity: unknown,
): OperationInfo {
  const extensions: Record<string, unknown> = {};
  for (const source of [pathItem, op]) {
    for (const [k, v] of Object.entries(source)) if (k.startsWith('x-palisade')) extensions[k] = v;
  }
  const security = (Array.isArray(op.security) ? op.security : asArray(docSecurity))
    .filter(isObj)
    .map((req) => {
      const out: SecurityRequirement = {};
      for (const [scheme, scopes] of Object.entries(req)) {
        out[scheme] = asArray(scopes).filter((s): s is string => typeof s === 'string');
      }
      return out;
    });
  return {
    method: method.toUpperCase(),
    template,
    ...(typeof op.operationId === 'string' ? { operationId: op.operationId } : {}),
    deprecated: op.deprecated === true,
    tags: asArray(op.tags).filter((t): t is string => typeof t === 'string'),
    security,
    extensions,
  };
}

/** Operation parameters override path-item parameters with the same name and location. */
function mergeParameters(pathItem: Obj, op: Obj): Obj[] {
  const byKey = new Map<string, Obj>();
  for (const p of [...asArray(pathItem.parameters), ...asArray(op.parameters)]) {
    if (isObj(p) && typeof p.name === 'string' && typeof p.in === 'string') byKey.set(`${p.in}:${p.name}`, p);
  }
  return [...byKey.values()];
}

export function normalizeMediaType(value: string): string {
  const semi = value.indexOf(';');
  return (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 / 3.1

function serverBasePaths(servers: unknown): string[] {
  const out = new Set<string>();
  for (const s of asArray(servers)) {
    if (!isObj(s) || typeof s.url !== 'string') continue;
    let url = s.url;
    // Substitute server variables with their defaults.
    if (isObj(s.variables)) {
      for (const [name, v] of Object.entries(s.variables)) {
        if (isObj(v) && typeof v.default === 'string') url = url.split(`{${name}}`).join(v.default);
      }
    }
    let path: string;
    if (url.startsWith('/')) path = url;
    else {
      try {
        path = new URL(url).pathname;
      } catch {
        continue;
      }
    }
    if (path.includes('{')) continue;
    out.add(trimSlash(path));
  }
  return out.size > 0 ? [...out] : [''];
}

export function trimSlash(path: string): string {
  let p = path;
  while (p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

function normalizeOas3(api: Obj): LoadedSpec {
  const version = api.openapi as string;
  const dialect: Dialect = version.startsWith('3.1') ? 'oas31' : 'oas30';
  const operations: SpecOperation[] = [];
  const paths = isObj(api.paths) ? api.paths : {};
  for (const [template, pathItem] of Object.entries(paths)) {
    if (!isObj(pathItem)) continue;
    for (const method of HTTP_METHODS) {
      const op = pathItem[method];
      if (!isObj(op)) continue;
      const parameters = mergeParameters(pathItem, op).map(oas3Parameter);
      let body: SpecOperation['body'];
      if (isObj(op.requestBody)) {
        body = {
          required: op.requestBody.required === true,
          content: oas3Content(op.requestBody.content),
        };
      }
      const responses = new Map<string, SpecMediaType[]>();
      if (isObj(op.responses)) {
        for (const [code, resp] of Object.entries(op.responses)) {
          if (isObj(resp)) responses.set(code.toUpperCase(), oas3Content(resp.content));
        }
      }
      operations.push({
        info: operationInfo(method, template, pathItem, op, api.security),
        parameters,
        ...(body ? { body } : {}),
        responses,
      });
    }
  }
  return {
    dialect,
    version,
    title: isObj(api.info) && typeof api.info.title === 'string' ? api.info.title : '',
    basePaths: serverBasePaths(api.servers),
    operations,
  };
}

function oas3Content(content: unknown): SpecMediaType[] {
  if (!isObj(content)) return [];
  return Object.entries(content).map(([mt, media]) => ({
    mediaType: normalizeMediaType(mt),
    ...(isObj(media) && media.schema !== undefined ? { schema: media.schema as RawSchema } : {}),
  }));
}

function oas3Parameter(p: Obj): SpecParameter {
  const location = p.in as ParamLocation;
  const defaultStyle = location === 'query' || location === 'cookie' ? 'form' : 'simple';
  const style = (typeof p.style === 'string' ? p.style : defaultStyle) as SpecParameter['style'];
  const explode = typeof p.explode === 'boolean' ? p.explode : style === 'form';
  let schema: RawSchema = isObj(p.schema) || typeof p.schema === 'boolean' ? (p.schema as RawSchema) : {};
  let contentType: string | undefined;
  if (isObj(p.content)) {
    const first = Object.entries(p.content)[0];
    if (first) {
      contentType = normalizeMediaType(first[0]);
      if (isObj(first[1]) && first[1].schema !== undefined) schema = first[1].schema as RawSchema;
    }
  }
  return {
    name: location === 'header' ? (p.name as string).toLowerCase() : (p.name as string),
    in: location,
    required: location === 'path' ? true : p.required === true,
    schema,
    style,
    explode,
    ...(contentType ? { contentType } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Swagger 2.0

/** Keywords a Swagger 2.0 non-body parameter (or `items`) carries that are schema keywords. */
const SWAGGER_PARAM_SCHEMA_KEYS = [
  'type',
  'format',
  'items',
  'enum',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'multipleOf',
  'x-nullable',
] as const;

function swaggerParamSchema(p: Obj): Obj {
  const schema: Obj = {};
  for (const key of SWAGGER_PARAM_SCHEMA_KEYS) {
    if (p[key] === undefined) continue;
    schema[key] = key === 'items' && isObj(p.items) ? swaggerParamSchema(p.items) : p[key];
  }
  if (schema.type === 'file') delete schema.type;
  return schema;
}

function collectionStyle(p: Obj): Pick<SpecParameter, 'style' | 'explode'> {
  const location = p.in;
  const format = typeof p.collectionFormat === 'string' ? p.collectionFormat : 'csv';
  switch (format) {
    case 'multi':
      return { style: 'form', explode: true };
    case 'ssv':
      return { style: 'spaceDelimited', explode: false };
    case 'pipes':
      return { style: 'pipeDelimited', explode: false };
    case 'tsv':
      return { style: 'tsv', explode: false };
    default:
      return location === 'query' || location === 'formData'
        ? { style: 'form', explode: false }
        : { style: 'simple', explode: false };
  }
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

function normalizeSwagger2(api: Obj): LoadedSpec {
  const operations: SpecOperation[] = [];
  const paths = isObj(api.paths) ? api.paths : {};
  const docConsumes = asArray(api.consumes).filter((c): c is string => typeof c === 'string');
  const docProduces = asArray(api.produces).filter((c): c is string => typeof c === 'string');
  for (const [template, pathItem] of Object.entries(paths)) {
    if (!isObj(pathItem)) continue;
    for (const method of HTTP_METHODS) {
      const op = pathItem[method];
      if (!isObj(op)) continue;
      const consumesRaw = Array.isArray(op.consumes) ? op.consumes : docConsumes;
      const consumes = consumesRaw.filter((c): c is string => typeof c === 'string').map(normalizeMediaType);
      const producesRaw = Array.isArray(op.produces) ? op.produces : docProduces;
      const produces = producesRaw.filter((c): c is string => typeof c === 'string').map(normalizeMediaType);
      const parameters: SpecParameter[] = [];
      let body: SpecOperation['body'];
      const formProps: Obj = {};
      const formRequired: string[] = [];
      let hasFile = false;
      for (const p of mergeParameters(pathItem, op)) {
        const name = p.name as string;
        if (p.in === 'body') {
          const types = consumes.length > 0 ? consumes : ['application/json'];
          body = {
            required: p.required === true,
            content: types.map((mediaType) => ({
              mediaType,
              ...(p.schema !== undefined ? { schema: p.schema as RawSchema } : {}),
            })),
          };
        } else if (p.in === 'formData') {
          formProps[name] = swaggerParamSchema(p);
          if (p.type === 'file') hasFile = true;
          if (p.required === true) formRequired.push(name);
        } else if (p.in === 'query' || p.in === 'path' || p.in === 'header') {
          parameters.push({
            name: p.in === 'header' ? name.toLowerCase() : name,
            in: p.in,
            required: p.in === 'path' ? true : p.required === true,
            schema: swaggerParamSchema(p),
            ...collectionStyle(p),
          });
        }
      }
      if (Object.keys(formProps).length > 0) {
        let types = consumes.filter((c) => FORM_TYPES.includes(c));
        if (types.length === 0)
          types = hasFile ? ['multipart/form-data'] : ['application/x-www-form-urlencoded'];
        const schema: Obj = { type: 'object', properties: formProps };
        if (formRequired.length > 0) schema.required = formRequired;
        body = {
          required: formRequired.length > 0,
          content: types.map((mediaType) => ({ mediaType, schema })),
        };
      }
      const responses = new Map<string, SpecMediaType[]>();
      if (isObj(op.responses)) {
        for (const [code, resp] of Object.entries(op.responses)) {
          if (!isObj(resp)) continue;
          const types = produces.length > 0 ? produces : ['application/json'];
          responses.set(
            code.toUpperCase(),
            types.map((mediaType) => ({
              mediaType,
              ...(resp.schema !== undefined ? { schema: resp.schema as RawSchema } : {}),
            })),
          );
        }
      }
      operations.push({
        info: operationInfo(method, template, pathItem, op, api.security),
        parameters,
        ...(body ? { body } : {}),
        responses,
      });
    }
  }
  const basePath = typeof api.basePath === 'string' ? trimSlash(api.basePath) : '';
  return {
    dialect: 'swagger2',
    version: api.swagger as string,
    title: isObj(api.info) && typeof api.info.title === 'string' ? api.info.title : '',
    basePaths: [basePath],
    operations,
  };
}
