import type { Schema } from '../types.js';
import { sampleFromPattern } from './regex-sample.js';

const MAX_DEPTH = 8;
const MAX_PROPERTIES = 40;

export interface SampleOptions {
  /** Property or parameter name, used to pick plausible values (email, name, url…). */
  name?: string;
  /** Include optional properties of objects (default true). */
  optional?: boolean;
}

function typeOf(schema: Schema): string | undefined {
  const t = schema.type;
  if (Array.isArray(t)) return t.find((x) => x !== 'null') ?? t[0];
  if (typeof t === 'string') return t;
  if (schema.properties || schema.additionalProperties) return 'object';
  if (schema.items) return 'array';
  if (schema.enum) return typeof schema.enum[0];
  return undefined;
}

/** Merges allOf members into one schema (properties and required lists are combined). */
export function mergeAllOf(schema: Schema, depth = 0): Schema {
  if (!Array.isArray(schema.allOf) || depth > MAX_DEPTH) return schema;
  const { allOf, ...rest } = schema;
  const out: Schema = { ...rest };
  for (const part0 of allOf as Schema[]) {
    const part = mergeAllOf(part0 ?? {}, depth + 1);
    for (const [k, v] of Object.entries(part)) {
      if (k === 'properties') out.properties = { ...(out.properties ?? {}), ...(v as object) };
      else if (k === 'required') out.required = [...new Set([...(out.required ?? []), ...(v as string[])])];
      else if (out[k] === undefined) out[k] = v;
    }
  }
  return out;
}

function stringByName(name: string): string | undefined {
  const n = name.toLowerCase();
  if (n.includes('email')) return 'pal.scan@example.com';
  if (n === 'username' || n === 'login' || n === 'user') return 'palscan';
  if (n.includes('password')) return 'Palisade-Scan-1!';
  if (n.includes('phone')) return '+15555550100';
  if (n === 'url' || n.endsWith('url') || n.endsWith('uri') || n === 'link' || n === 'webhook')
    return 'https://example.com/';
  if (n.includes('name')) return 'palisade';
  if (n === 'lang' || n === 'language' || n === 'locale') return 'en';
  if (n === 'country') return 'US';
  if (n === 'currency') return 'USD';
  if (n === 'model') return 'default';
  return undefined;
}

function fitLength(value: string, schema: Schema): string {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
  let v = value;
  while (v.length < min) v += 'a';
  if (v.length > max) v = v.slice(0, max);
  return v;
}

function sampleString(schema: Schema, name: string | undefined): string {
  const format = typeof schema.format === 'string' ? schema.format : '';
  switch (format) {
    case 'email':
    case 'idn-email':
      return 'pal.scan@example.com';
    case 'uuid':
      return '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    case 'date':
      return '2024-01-15';
    case 'date-time':
      return '2024-01-15T10:30:00Z';
    case 'time':
      return '10:30:00Z';
    case 'duration':
      return 'P1D';
    case 'uri':
    case 'url':
    case 'iri':
      return 'https://example.com/';
    case 'uri-reference':
    case 'iri-reference':
      return '/example';
    case 'hostname':
    case 'idn-hostname':
      return 'example.com';
    case 'ipv4':
      return '192.0.2.10';
    case 'ipv6':
      return '2001:db8::10';
    case 'byte':
      return 'cGFsaXNhZGU=';
    case 'binary':
      return 'palisade';
    case 'password':
      return fitLength('Palisade-Scan-1!', schema);
    case 'json-pointer':
      return '/a';
    case 'regex':
      return '^a$';
  }
  if (typeof schema.pattern === 'string') {
    const v = sampleFromPattern(schema.pattern);
    if (v !== undefined) return v;
  }
  return fitLength((name && stringByName(name)) || 'palisade', schema);
}

function sampleNumber(schema: Schema, integer: boolean): number {
  let min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  let max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  const step = integer ? 1 : 0.5;
  if (typeof schema.exclusiveMinimum === 'number') min = schema.exclusiveMinimum + step;
  else if (schema.exclusiveMinimum === true && min !== undefined) min += step;
  if (typeof schema.exclusiveMaximum === 'number') max = schema.exclusiveMaximum - step;
  else if (schema.exclusiveMaximum === true && max !== undefined) max -= step;
  let v = min !== undefined ? min : max !== undefined ? Math.min(1, max) : 1;
  if (max !== undefined && v > max) v = max;
  if (integer) v = Math.ceil(v);
  const mult = typeof schema.multipleOf === 'number' && schema.multipleOf > 0 ? schema.multipleOf : undefined;
  if (mult) {
    v = Math.ceil(v / mult) * mult;
    if (max !== undefined && v > max) v = Math.floor(max / mult) * mult;
  }
  return v;
}

/** A valid value for `schema`, from examples, defaults and the schema's constraints. */
export function sampleValue(schema0: Schema | undefined, opts: SampleOptions = {}, depth = 0): unknown {
  if (!schema0 || typeof schema0 !== 'object' || depth > MAX_DEPTH) return null;
  const schema = mergeAllOf(schema0, depth);
  if (schema.const !== undefined) return schema.const;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return schema.enum.find((e: unknown) => e !== null) ?? schema.enum[0];
  }
  const choice = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(choice) && choice.length > 0) {
    const pick = (choice as Schema[]).find((c) => c && typeOf(c) !== 'null') ?? choice[0];
    const base = { ...schema };
    delete base.oneOf;
    delete base.anyOf;
    return sampleValue(mergeAllOf({ allOf: [base, pick] }), opts, depth + 1);
  }
  const type = typeOf(schema);
  switch (type) {
    case 'string':
      return sampleString(schema, opts.name);
    case 'integer':
      return sampleNumber(schema, true);
    case 'number':
      return sampleNumber(schema, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(min, 1);
      const count = Math.min(Math.max(min, 1), max, 20);
      const items: unknown[] = [];
      for (let i = 0; i < count; i++) {
        let item = sampleValue(schema.items ?? { type: 'string' }, { ...opts }, depth + 1);
        if (schema.uniqueItems && i > 0) {
          if (typeof item === 'string') item = `${item}${i}`;
          else if (typeof item === 'number') item = item + i;
        }
        items.push(item);
      }
      return items;
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set<string>(Array.isArray(schema.required) ? schema.required : []);
      const props = Object.entries<Schema>(schema.properties ?? {}).slice(0, MAX_PROPERTIES);
      for (const [key, prop] of props) {
        if (!prop || typeof prop !== 'object') continue;
        if (prop.readOnly && !required.has(key)) continue;
        if (opts.optional === false && !required.has(key)) continue;
        out[key] = sampleValue(prop, { ...opts, name: key }, depth + 1);
      }
      const minProps = typeof schema.minProperties === 'number' ? schema.minProperties : 0;
      let extra = 0;
      while (Object.keys(out).length < minProps && extra < 20) {
        const ap =
          typeof schema.additionalProperties === 'object' ? schema.additionalProperties : { type: 'string' };
        out[`key${extra++}`] = sampleValue(ap, opts, depth + 1);
      }
      return out;
    }
    default:
      return opts.name ? (stringByName(opts.name) ?? 'palisade') : 'palisade';
  }
}

/** Names of the string leaves of a schema (JSON paths like `a.b`), for injection points. */
export function declaredProperties(schema0: Schema | undefined): Set<string> {
  const out = new Set<string>();
  if (!schema0) return out;
  const schema = mergeAllOf(schema0);
  for (const k of Object.keys(schema.properties ?? {})) out.add(k);
  for (const alt of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])] as Schema[]) {
    for (const k of Object.keys(mergeAllOf(alt ?? {}).properties ?? {})) out.add(k);
  }
  return out;
}
