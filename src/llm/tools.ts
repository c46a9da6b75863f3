import { Ajv, type ValidateFunction } from 'ajv';
import { ConfigError } from '../core/errors.js';
import type { Identity } from '../core/identity.js';
import type { ToolCall, ToolDefinition } from './formats/types.js';

// Excessive agency: which tools a caller may declare and the model may call, and whether a call's
// arguments match the tool's JSON Schema. Trusted schemas (config) compile at load; schemas the
// client declares compile on first sight into a bounded cache, after `pattern`, `patternProperties`
// and `format` are removed from them (a client-supplied regex would be a ReDoS lever).

export interface ToolsConfig {
  allow?: string[];
  allowByRole: Record<string, string[]>;
  schemas: Record<string, Record<string, unknown>>;
  validateArguments: boolean;
}

export interface ToolViolation {
  subtype: 'tool-not-allowed' | 'tool-argument-violation';
  tool: string;
  message: string;
}

const MAX_CLIENT_SCHEMA_CHARS = 32_768;
const MAX_SCHEMA_DEPTH = 24;
const MAX_ARGUMENT_CHARS = 262_144;
const CACHE_SIZE = 256;
const UNSAFE_KEYWORDS = new Set(['pattern', 'patternProperties', 'format', '$ref', '$dynamicRef', '$id']);

const newAjv = () =>
  new Ajv({ strict: false, allErrors: false, validateSchema: false, addUsedSchema: false });

export interface ToolPolicy {
  /** Tool names the caller may use; undefined = any. */
  allowedFor(identity?: Identity): ReadonlySet<string> | undefined;
  checkDefinitions(defs: readonly ToolDefinition[], identity?: Identity): ToolViolation[];
  /** `declared`: client-declared schemas by tool name (from the request). */
  checkCall(
    call: Pick<ToolCall, 'name' | 'arguments'>,
    declared: ReadonlyMap<string, unknown>,
    identity?: Identity,
  ): ToolViolation | undefined;
}

export function compileToolPolicy(cfg: ToolsConfig, keyPath: string): ToolPolicy {
  const trustedAjv = newAjv();
  const trusted = new Map<string, ValidateFunction>();
  const issues: { path: string; message: string }[] = [];
  for (const [name, schema] of Object.entries(cfg.schemas)) {
    try {
      trusted.set(name, trustedAjv.compile(schema));
    } catch (err) {
      issues.push({
        path: `${keyPath}.schemas.${name}`,
        message: `invalid JSON Schema: ${(err as Error).message}`,
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const base = cfg.allow ? new Set(cfg.allow) : undefined;
  const restricted = base !== undefined || Object.keys(cfg.allowByRole).length > 0;
  const clientAjv = newAjv();
  const cache = new Map<string, ValidateFunction | null>();

  const clientValidator = (schema: unknown): ValidateFunction | undefined => {
    if (schema === undefined || schema === null || typeof schema !== 'object') return undefined;
    const key = JSON.stringify(schema);
    if (key.length > MAX_CLIENT_SCHEMA_CHARS) return undefined;
    const hit = cache.get(key);
    if (hit !== undefined) {
      cache.delete(key);
      cache.set(key, hit); // most recently used last
      return hit ?? undefined;
    }
    let fn: ValidateFunction | null = null;
    try {
      const safe = sanitise(JSON.parse(key), 0);
      if (safe !== undefined) fn = clientAjv.compile(safe as object);
    } catch {
      fn = null;
    }
    if (cache.size >= CACHE_SIZE) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) {
        const old = cache.get(oldest);
        if (old) clientAjv.removeSchema(old.schema as object);
        cache.delete(oldest);
      }
    }
    cache.set(key, fn);
    return fn ?? undefined;
  };

  const allowedFor = (identity?: Identity): ReadonlySet<string> | undefined => {
    if (!restricted) return undefined;
    const extra = identity?.roles.flatMap((r) => cfg.allowByRole[r] ?? []) ?? [];
    if (extra.length === 0) return base ?? new Set();
    return new Set([...(base ?? []), ...extra]);
  };

  return {
    allowedFor,
    checkDefinitions(defs, identity) {
      const allowed = allowedFor(identity);
      if (!allowed) return [];
      return defs
        .filter((d) => !allowed.has(d.name))
        .map((d) => ({
          subtype: 'tool-not-allowed',
          tool: d.name,
          message: `tool "${d.name}" is not allowed`,
        }));
    },
    checkCall(call, declared, identity) {
      const allowed = allowedFor(identity);
      if (allowed && !allowed.has(call.name))
        return {
          subtype: 'tool-not-allowed',
          tool: call.name,
          message: `call of tool "${call.name}" is not allowed`,
        };
      if (!cfg.validateArguments) return undefined;
      const validate = trusted.get(call.name) ?? clientValidator(declared.get(call.name));
      if (!validate) return undefined;
      let args = call.arguments;
      if (typeof args === 'string') {
        if (args.length > MAX_ARGUMENT_CHARS)
          return { subtype: 'tool-argument-violation', tool: call.name, message: 'arguments too large' };
        try {
          args = args.trim() === '' ? {} : JSON.parse(args);
        } catch {
          return {
            subtype: 'tool-argument-violation',
            tool: call.name,
            message: 'arguments are not valid JSON',
          };
        }
      }
      if (validate(args)) return undefined;
      const e = validate.errors?.[0];
      return {
        subtype: 'tool-argument-violation',
        tool: call.name,
        message: `arguments of "${call.name}" ${e ? `${e.instancePath || '/'} ${e.message}` : 'do not match the schema'}`,
      };
    },
  };
}

const NAME_MAPS = new Set(['properties', 'definitions', '$defs', 'dependentSchemas']);
const LITERALS = new Set(['required', 'enum', 'const', 'default', 'examples', 'description', 'title']);

/** A copy of a client schema without keywords that run regexes or resolve remote references. */
function sanitise(node: unknown, depth: number): unknown {
  if (depth > MAX_SCHEMA_DEPTH) throw new Error('schema too deep');
  if (Array.isArray(node)) return node.map((n) => sanitise(n, depth + 1));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#')) out[k] = v;
    else if (UNSAFE_KEYWORDS.has(k)) continue;
    else if (LITERALS.has(k)) out[k] = v;
    else if (NAME_MAPS.has(k) && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const map: Record<string, unknown> = {};
      for (const [name, schema] of Object.entries(v)) map[name] = sanitise(schema, depth + 1);
      out[k] = map;
    } else out[k] = sanitise(v, depth + 1);
  }
  return out;
}
