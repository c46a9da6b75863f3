import { isPagingName } from './schema.js';
import type { SpecParameter } from './types.js';
import { walkWithSchema } from './walk.js';

// Resource limits derived from the schema: paging parameters without a `maximum`, arrays without
// `maxItems`, strings without `maxLength` get the configured defaults (declared bounds are enforced
// by validation). JSON nesting depth and duplicate object keys are found by a linear byte scan of
// the raw body, before anything parses or walks it.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface LimitSettings {
  defaultMaxPageSize: number;
  maxArrayItems: number;
  maxDepth: number;
  maxStringLength: number;
}

export const DEFAULT_LIMITS: LimitSettings = {
  defaultMaxPageSize: 100,
  maxArrayItems: 1000,
  maxDepth: 32,
  maxStringLength: 65_536,
};

export interface JsonScan {
  /** Set when nesting exceeded maxDepth (the scan stops there). */
  tooDeep: boolean;
  /** The first key that appears twice in one object (clipped), if any. */
  duplicateKey?: string;
  /** Location of the duplicate, e.g. `body.user`. */
  duplicatePath?: string;
}

interface Frame {
  isObject: boolean;
  keys?: Set<string>;
  expectKey: boolean;
  /** Path to this container, for reports. */
  path: string;
  lastKey?: string;
  index: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * One pass over a JSON text: nesting depth and duplicate keys. Linear time; memory is the keys of
 * the open objects (bounded by the body). Not a validator: malformed JSON is left to JSON.parse.
 */
export function scanJson(buf: Buffer, maxDepth: number): JsonScan {
  const stack: Frame[] = [];
  const len = buf.length;
  let i = 0;
  while (i < len) {
    const c = buf[i];
    if (c === QUOTE) {
      const start = i;
      i++;
      let escaped = false;
      while (i < len) {
        const d = buf[i];
        if (d === BACKSLASH) {
          escaped = true;
          i += 2;
          continue;
        }
        if (d === QUOTE) break;
        i++;
      }
      const top = stack[stack.length - 1];
      if (top?.isObject && top.expectKey) {
        const raw = buf.toString('utf8', start + 1, Math.min(i, len));
        let key = raw;
        if (escaped) {
          try {
            key = JSON.parse(`"${raw}"`) as string;
          } catch {
            key = raw;
          }
        }
        if (top.keys!.has(key))
          return { tooDeep: false, duplicateKey: clipKey(key), duplicatePath: top.path };
        top.keys!.add(key);
        top.lastKey = key;
        top.expectKey = false;
      }
      i++;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= maxDepth) return { tooDeep: true };
      const parent = stack[stack.length - 1];
      const path = childPath(parent);
      stack.push(
        c === 0x7b
          ? { isObject: true, keys: new Set(), expectKey: true, path, index: 0 }
          : { isObject: false, expectKey: false, path, index: 0 },
      );
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top) {
        if (top.isObject) top.expectKey = true;
        else top.index++;
      }
    }
    i++;
  }
  return { tooDeep: false };
}

function childPath(parent: Frame | undefined): string {
  if (!parent) return 'body';
  if (parent.isObject)
    return parent.lastKey !== undefined ? `${parent.path}.${clipKey(parent.lastKey)}` : parent.path;
  return `${parent.path}[${parent.index}]`;
}

function clipKey(key: string): string {
  return key.length > 40 ? `${key.slice(0, 40)}…` : key;
}

export interface LimitProblem {
  kind: 'unbounded-pagination' | 'oversized-payload';
  location: string;
  problem: string;
}

/**
 * Paging query parameters (declared without `maximum`, or not declared at all) above the default
 * page size.
 */
export function checkPaging(
  query: URLSearchParams,
  declared: readonly SpecParameter[],
  settings: LimitSettings,
): LimitProblem | undefined {
  for (const [name, value] of query) {
    if (!isPagingName(name)) continue;
    const param = declared.find((p) => p.name === name);
    if (
      param &&
      isObj(param.schema) &&
      (param.schema.maximum !== undefined || param.schema.exclusiveMaximum !== undefined)
    )
      continue; // the declared bound is enforced by validation
    const n = Number(value);
    if (Number.isFinite(n) && n > settings.defaultMaxPageSize) {
      return {
        kind: 'unbounded-pagination',
        location: `query.${name.length > 40 ? name.slice(0, 40) : name}`,
        problem: `must be <= ${settings.defaultMaxPageSize}`,
      };
    }
  }
  return undefined;
}

/** Arrays and strings in a parsed body that exceed the defaults where their schema sets no bound. */
export function checkBodyLimits(
  body: unknown,
  schema: unknown,
  settings: LimitSettings,
): LimitProblem | undefined {
  let problem: LimitProblem | undefined;
  walkWithSchema(body, schema, 'body', (value, schemas, path) => {
    if (problem) return;
    if (Array.isArray(value)) {
      if (value.length > settings.maxArrayItems && !schemas.some((s) => typeof s.maxItems === 'number')) {
        problem = {
          kind: 'oversized-payload',
          location: path,
          problem: `must NOT have more than ${settings.maxArrayItems} items`,
        };
      }
    } else if (typeof value === 'string') {
      if (value.length > settings.maxStringLength && !schemas.some((s) => typeof s.maxLength === 'number')) {
        problem = {
          kind: 'oversized-payload',
          location: path,
          problem: `must NOT have more than ${settings.maxStringLength} characters`,
        };
      }
    }
  });
  return problem;
}
