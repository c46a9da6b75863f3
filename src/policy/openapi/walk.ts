import { expandSchema } from './schema.js';

// Walks a parsed JSON value alongside its (dereferenced, possibly cyclic) schema. The walk is
// driven by the data, so cyclic schemas are harmless; its depth is capped so hostile nesting
// cannot exhaust the stack (the limits phase reports deep nesting separately).

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const WALK_MAX_DEPTH = 256;

export interface ObjectView {
  /** Declared property → the schemas that describe it (from every applicable schema). */
  declared: Map<string, Obj[]>;
  readOnly: Set<string>;
  writeOnly: Set<string>;
  patterns: { re: RegExp; schema: unknown }[];
  /** additionalProperties given as a schema (a typed map). */
  mapSchemas: unknown[];
}

const patternCache = new Map<string, RegExp | null>();
function patternRegex(source: string): RegExp | null {
  let re = patternCache.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(source, 'u');
    } catch {
      re = null;
    }
    if (patternCache.size < 1000) patternCache.set(source, re);
  }
  return re;
}

// Schema sets are interned: the set that applies below a given schema (and key) is computed once
// and cached on the static schema objects, so walks allocate almost nothing per request.
const EMPTY: Obj[] = [];
const expandCache = new WeakMap<Obj, Obj[]>();
const viewCache = new WeakMap<Obj[], ObjectView & { children: Map<string, Obj[]> }>();
const itemsCache = new WeakMap<Obj[], Obj[]>();

/** The interned schema set for one schema (itself plus allOf/anyOf/oneOf members). */
export function schemaSet(schema: unknown): Obj[] {
  if (!isObj(schema)) return EMPTY;
  let set = expandCache.get(schema);
  if (!set) {
    set = expandSchema(schema);
    expandCache.set(schema, set);
  }
  return set;
}

function union(sets: Obj[][]): Obj[] {
  if (sets.length === 0) return EMPTY;
  if (sets.length === 1) return sets[0];
  const out: Obj[] = [];
  const seen = new Set<Obj>();
  for (const set of sets) for (const s of set) if (!seen.has(s)) seen.add(s), out.push(s);
  return out;
}

export function objectView(schemas: Obj[]): ObjectView {
  const cached = viewCache.get(schemas);
  if (cached) return cached;
  const view: ObjectView & { children: Map<string, Obj[]> } = {
    declared: new Map(),
    readOnly: new Set(),
    writeOnly: new Set(),
    patterns: [],
    mapSchemas: [],
    children: new Map(),
  };
  for (const s of schemas) {
    if (isObj(s.properties)) {
      for (const [name, prop] of Object.entries(s.properties as Obj)) {
        const list = view.declared.get(name) ?? [];
        if (isObj(prop)) {
          list.push(prop);
          if (prop.readOnly === true) view.readOnly.add(name);
          if (prop.writeOnly === true) view.writeOnly.add(name);
        }
        view.declared.set(name, list);
      }
    }
    if (isObj(s.patternProperties)) {
      for (const [source, schema] of Object.entries(s.patternProperties as Obj)) {
        const re = patternRegex(source);
        if (re) view.patterns.push({ re, schema });
      }
    }
    if (isObj(s.additionalProperties)) view.mapSchemas.push(s.additionalProperties);
  }
  viewCache.set(schemas, view);
  return view;
}

/** Schemas for the value under `key` of an object described by `view`. */
export function propertySchemas(view: ObjectView, key: string): Obj[] {
  const children = (view as ObjectView & { children?: Map<string, Obj[]> }).children;
  const declared = view.declared.get(key);
  // Only declared keys are cached: request keys are attacker-chosen and must not grow the cache.
  if (declared && view.patterns.length === 0) {
    let set = children?.get(key);
    if (!set) {
      set = union(declared.map(schemaSet));
      children?.set(key, set);
    }
    return set;
  }
  const sets: Obj[][] = [];
  for (const s of declared ?? []) sets.push(schemaSet(s));
  for (const p of view.patterns) if (p.re.test(key)) sets.push(schemaSet(p.schema));
  if (!declared) for (const m of view.mapSchemas) sets.push(schemaSet(m));
  return union(sets);
}

/** Schemas for the array element at `index`. */
export function itemSchemas(schemas: Obj[], index: number): Obj[] {
  if (schemas.length === 0) return EMPTY;
  const hasPrefix = schemas.some((s) => Array.isArray(s.prefixItems) || Array.isArray(s.items));
  if (!hasPrefix) {
    let set = itemsCache.get(schemas);
    if (!set) {
      const sets: Obj[][] = [];
      for (const s of schemas) if (isObj(s.items)) sets.push(schemaSet(s.items));
      set = union(sets);
      itemsCache.set(schemas, set);
    }
    return set;
  }
  const sets: Obj[][] = [];
  for (const s of schemas) {
    const prefix = Array.isArray(s.prefixItems)
      ? s.prefixItems
      : Array.isArray(s.items)
        ? s.items
        : undefined;
    if (prefix && index < prefix.length) sets.push(schemaSet(prefix[index]));
    else if (isObj(s.items)) sets.push(schemaSet(s.items));
    else if (isObj(s.additionalItems)) sets.push(schemaSet(s.additionalItems));
  }
  return union(sets);
}

export type Visitor = (value: unknown, schemas: Obj[], path: string) => void;

/**
 * Calls `visit` on every value (pre-order), with the schemas that apply to it. For objects the
 * visitor runs before the children, so it may delete keys it does not want walked.
 * Returns false when the depth cap stopped the walk.
 */
export function walkWithSchema(value: unknown, schema: unknown, root: string, visit: Visitor): boolean {
  let complete = true;
  const step = (v: unknown, schemas: Obj[], path: string, depth: number): void => {
    if (depth > WALK_MAX_DEPTH) {
      complete = false;
      return;
    }
    visit(v, schemas, path);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) step(v[i], itemSchemas(schemas, i), `${path}[${i}]`, depth + 1);
    } else if (isObj(v)) {
      const view = objectView(schemas);
      for (const key of Object.keys(v)) step(v[key], propertySchemas(view, key), `${path}.${key}`, depth + 1);
    }
  };
  step(value, schemaSet(schema), root, 0);
  return complete;
}

export interface UndeclaredProperty {
  path: string;
  reason: 'undeclared' | 'readOnly' | 'writeOnly';
}

/**
 * Finds object properties a schema does not declare, or declares with `forbid` (readOnly in a
 * request, writeOnly in a response). An object whose schemas declare no properties is free-form
 * (or a typed map when additionalProperties is a schema): its keys are not judged, its values
 * still are. With `remove`, offending keys are deleted from the value in place.
 */
export function findUndeclared(
  value: unknown,
  schema: unknown,
  root: string,
  options: { forbid: 'readOnly' | 'writeOnly'; remove: boolean; limit: number },
): { found: UndeclaredProperty[]; count: number } {
  const found: UndeclaredProperty[] = [];
  let count = 0;
  walkWithSchema(value, schema, root, (v, schemas, path) => {
    if (!isObj(v) || schemas.length === 0) return;
    const view = objectView(schemas);
    if (view.declared.size === 0 && view.patterns.length === 0) return;
    const forbidden = options.forbid === 'readOnly' ? view.readOnly : view.writeOnly;
    for (const key of Object.keys(v)) {
      let reason: UndeclaredProperty['reason'] | undefined;
      if (view.declared.has(key)) {
        if (forbidden.has(key)) reason = options.forbid;
      } else if (!view.patterns.some((p) => p.re.test(key))) reason = 'undeclared';
      if (!reason) continue;
      count++;
      if (found.length < options.limit) found.push({ path: `${path}.${key}`, reason });
      if (options.remove) delete v[key];
    }
  });
  return { found, count };
}
