import type { Dialect, RawSchema } from './types.js';

// Converts dereferenced OpenAPI schema objects into plain JSON Schema that ajv compiles:
// - 3.0 / 2.0: `nullable` / `x-nullable` → a 'null' type, boolean exclusiveMinimum/Maximum → numeric,
//   type `file` dropped; OpenAPI-only keywords (discriminator, xml, example, …) dropped.
// - 3.1 schemas are JSON Schema 2020-12 already; only the OpenAPI-only keywords are dropped.
// - readOnly properties are not `required` in requests, writeOnly ones not in responses.
// - Cycles (recursive schemas, kept as object cycles by the dereferencer) become local
//   `definitions` / `$defs` entries referenced with `$ref`, so ajv gets a finite tree.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export type Direction = 'request' | 'response';

/** Keywords whose value is a schema. */
const SCHEMA_VALUED = [
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'additionalItems',
] as const;
/** Keywords whose value is an array of schemas. */
const SCHEMA_ARRAY = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAP = ['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions'] as const;
/** OpenAPI-only keywords ajv must not see. */
const DROPPED = new Set([
  'discriminator',
  'xml',
  'externalDocs',
  'example',
  'nullable',
  'x-nullable',
  'deprecated',
  '$schema',
  '$id',
  'id',
]);

/** Every schema directly below `node` (used for cycle detection and walks). */
export function childSchemas(node: Obj): unknown[] {
  const out: unknown[] = [];
  for (const k of SCHEMA_VALUED) if (isObj(node[k])) out.push(node[k]);
  for (const k of SCHEMA_ARRAY) if (Array.isArray(node[k])) out.push(...(node[k] as unknown[]));
  for (const k of SCHEMA_MAP) if (isObj(node[k])) out.push(...Object.values(node[k] as Obj));
  if (isObj(node.items)) out.push(node.items);
  else if (Array.isArray(node.items)) out.push(...node.items);
  return out.filter(isObj);
}

/** Objects that sit on a cycle (reachable from themselves). */
function findCyclic(root: unknown): Set<Obj> {
  const cyclic = new Set<Obj>();
  const onStack = new Set<Obj>();
  const done = new Set<Obj>();
  // Iterative DFS so a deep schema cannot overflow the stack.
  type Frame = { node: Obj; children: unknown[]; i: number };
  if (!isObj(root)) return cyclic;
  const stack: Frame[] = [{ node: root, children: childSchemas(root), i: 0 }];
  onStack.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.i >= top.children.length) {
      onStack.delete(top.node);
      done.add(top.node);
      stack.pop();
      continue;
    }
    const child = top.children[top.i++] as Obj;
    if (onStack.has(child)) cyclic.add(child);
    else if (!done.has(child)) {
      onStack.add(child);
      stack.push({ node: child, children: childSchemas(child), i: 0 });
    }
  }
  return cyclic;
}

export interface ConvertResult {
  schema: Obj | boolean;
  /** Every `format` name used, so unknown ones can be registered as annotations. */
  formats: Set<string>;
}

export function convertSchema(root: RawSchema, dialect: Dialect, direction: Direction): ConvertResult {
  const formats = new Set<string>();
  if (typeof root === 'boolean') return { schema: root, formats };
  const cyclic = findCyclic(root);
  const defsKey = dialect === 'oas31' ? '$defs' : 'definitions';
  const defNames = new Map<Obj, string>();
  const defs: Obj = {};
  const memo = new Map<Obj, Obj>();

  const refTo = (node: Obj): Obj => {
    let name = defNames.get(node);
    if (!name) {
      name = `palisade${defNames.size}`;
      defNames.set(node, name);
      defs[name] = {}; // placeholder, filled below (breaks the recursion)
      defs[name] = convertNode(node, true);
    }
    return { $ref: `#/${defsKey}/${name}` };
  };

  const convertChild = (v: unknown): unknown => {
    if (typeof v === 'boolean') return v;
    if (!isObj(v)) return v;
    if (cyclic.has(v)) return refTo(v);
    return convertNode(v, false);
  };

  function convertNode(node: Obj, asDef: boolean): Obj {
    if (!asDef) {
      const done = memo.get(node);
      if (done) return done;
    }
    const out: Obj = {};
    if (!asDef) memo.set(node, out);
    for (const [key, value] of Object.entries(node)) {
      if (DROPPED.has(key) || key.startsWith('x-')) continue;
      if ((SCHEMA_VALUED as readonly string[]).includes(key) || key === 'items') {
        out[key] = Array.isArray(value) ? value.map(convertChild) : convertChild(value);
      } else if ((SCHEMA_ARRAY as readonly string[]).includes(key) && Array.isArray(value)) {
        out[key] = value.map(convertChild);
      } else if ((SCHEMA_MAP as readonly string[]).includes(key) && isObj(value)) {
        if (key === '$defs' || key === 'definitions') continue; // already inlined by the dereferencer
        const mapped: Obj = {};
        for (const [k, v] of Object.entries(value)) mapped[k] = convertChild(v);
        out[key] = mapped;
      } else {
        out[key] = value;
      }
    }
    if (typeof out.format === 'string') formats.add(out.format);
    if (dialect !== 'oas31') {
      // Draft-04 style exclusive bounds.
      if (out.exclusiveMaximum === true && typeof out.maximum === 'number') {
        out.exclusiveMaximum = out.maximum;
        delete out.maximum;
      } else if (typeof out.exclusiveMaximum === 'boolean') delete out.exclusiveMaximum;
      if (out.exclusiveMinimum === true && typeof out.minimum === 'number') {
        out.exclusiveMinimum = out.minimum;
        delete out.minimum;
      } else if (typeof out.exclusiveMinimum === 'boolean') delete out.exclusiveMinimum;
      if (out.type === 'file') delete out.type;
      const nullable = dialect === 'oas30' ? node.nullable === true : node['x-nullable'] === true;
      if (nullable) makeNullable(out);
    }
    // readOnly properties are never required in a request, writeOnly ones never in a response.
    if (Array.isArray(out.required) && isObj(node.properties)) {
      const props = node.properties as Obj;
      const skip = direction === 'request' ? 'readOnly' : 'writeOnly';
      out.required = (out.required as unknown[]).filter(
        (name) => !(typeof name === 'string' && isObj(props[name]) && (props[name] as Obj)[skip] === true),
      );
      if ((out.required as unknown[]).length === 0) delete out.required;
    }
    return out;
  }

  let schema: Obj;
  if (cyclic.has(root)) schema = { allOf: [refTo(root)] };
  else schema = convertNode(root, false);
  if (defNames.size > 0) schema = { ...schema, [defsKey]: defs };
  return { schema, formats };
}

function makeNullable(out: Obj): void {
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (out.type === undefined && (out.allOf || out.anyOf || out.oneOf || out.$ref)) {
    const inner = { ...out };
    for (const k of Object.keys(out)) delete out[k];
    out.anyOf = [inner, { type: 'null' }];
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers over raw (dereferenced, possibly cyclic) schemas, used by the walkers.

/**
 * The schemas that apply to one value: the schema itself plus every allOf/anyOf/oneOf member,
 * recursively (anyOf/oneOf branches are merged: a property declared by any branch is declared).
 */
export function expandSchema(schema: unknown, out: Obj[] = [], seen = new Set<Obj>()): Obj[] {
  if (!isObj(schema) || seen.has(schema)) return out;
  seen.add(schema);
  out.push(schema);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[k];
    if (Array.isArray(list)) for (const s of list) expandSchema(s, out, seen);
  }
  return out;
}

export const PAGING_NAMES = new Set([
  'limit',
  'pagesize',
  'perpage',
  'size',
  'count',
  'top',
  'first',
  'last',
  'max',
  'maxresults',
  'take',
  'pagelimit',
  'itemsperpage',
  'batchsize',
  'rows',
  'numresults',
]);

/** `page_size`, `pageSize`, `page-size` → `pagesize`; then looks it up in the paging names. */
export function isPagingName(name: string): boolean {
  let key = '';
  for (let i = 0; i < name.length && i < 64; i++) {
    const c = name[i];
    if (c !== '_' && c !== '-' && c !== '.') key += c.toLowerCase();
  }
  return PAGING_NAMES.has(key.startsWith('$') ? key.slice(1) : key);
}
