import { describe, expect, it } from 'vitest';
import { makeAjv } from './ajv.js';
import { sampleFromPattern } from '../../src/scan/builder/regex-sample.js';
import { mergeAllOf, sampleValue } from '../../src/scan/builder/schema-sample.js';

const ajv = makeAjv();

// One row per supported JSON Schema keyword: the generated value must validate.
const ROWS: { keyword: string; schema: Record<string, any> }[] = [
  { keyword: 'type string', schema: { type: 'string' } },
  { keyword: 'type integer', schema: { type: 'integer' } },
  { keyword: 'type number', schema: { type: 'number' } },
  { keyword: 'type boolean', schema: { type: 'boolean' } },
  { keyword: 'type null', schema: { type: 'null' } },
  { keyword: 'type array (3.1)', schema: { type: ['string', 'null'] } },
  { keyword: 'format email', schema: { type: 'string', format: 'email' } },
  { keyword: 'format uuid', schema: { type: 'string', format: 'uuid' } },
  { keyword: 'format date', schema: { type: 'string', format: 'date' } },
  { keyword: 'format date-time', schema: { type: 'string', format: 'date-time' } },
  { keyword: 'format time', schema: { type: 'string', format: 'time' } },
  { keyword: 'format uri', schema: { type: 'string', format: 'uri' } },
  { keyword: 'format uri-reference', schema: { type: 'string', format: 'uri-reference' } },
  { keyword: 'format hostname', schema: { type: 'string', format: 'hostname' } },
  { keyword: 'format ipv4', schema: { type: 'string', format: 'ipv4' } },
  { keyword: 'format ipv6', schema: { type: 'string', format: 'ipv6' } },
  { keyword: 'format byte', schema: { type: 'string', format: 'byte' } },
  { keyword: 'format duration', schema: { type: 'string', format: 'duration' } },
  { keyword: 'format json-pointer', schema: { type: 'string', format: 'json-pointer' } },
  { keyword: 'format regex', schema: { type: 'string', format: 'regex' } },
  { keyword: 'enum', schema: { type: 'string', enum: ['red', 'green'] } },
  { keyword: 'enum with null first', schema: { enum: [null, 'x'] } },
  { keyword: 'const', schema: { const: 'fixed' } },
  { keyword: 'default', schema: { type: 'integer', default: 7, minimum: 5 } },
  { keyword: 'example', schema: { type: 'string', example: 'ex' } },
  { keyword: 'examples', schema: { type: 'string', examples: ['first', 'second'] } },
  { keyword: 'minLength', schema: { type: 'string', minLength: 20 } },
  { keyword: 'maxLength', schema: { type: 'string', maxLength: 3 } },
  { keyword: 'minimum', schema: { type: 'integer', minimum: 10 } },
  { keyword: 'maximum', schema: { type: 'integer', maximum: -5 } },
  { keyword: 'exclusiveMinimum (2019)', schema: { type: 'integer', exclusiveMinimum: 10 } },
  { keyword: 'exclusiveMaximum (2019)', schema: { type: 'number', exclusiveMaximum: 0 } },
  { keyword: 'multipleOf', schema: { type: 'integer', minimum: 7, multipleOf: 5 } },
  { keyword: 'pattern digits', schema: { type: 'string', pattern: '^[0-9]{4}$' } },
  { keyword: 'pattern sku', schema: { type: 'string', pattern: '^[A-Z]{3}-\\d{2,4}$' } },
  { keyword: 'pattern alternation', schema: { type: 'string', pattern: '^(draft|published)$' } },
  { keyword: 'pattern optional group', schema: { type: 'string', pattern: '^v\\d+(\\.\\d+)?$' } },
  { keyword: 'pattern plus star', schema: { type: 'string', pattern: '^[a-z]+_[a-z0-9]*$' } },
  { keyword: 'pattern negated class', schema: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$' } },
  {
    keyword: 'array items minItems maxItems',
    schema: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 3 },
  },
  {
    keyword: 'array uniqueItems',
    schema: { type: 'array', items: { type: 'string' }, minItems: 3, uniqueItems: true },
  },
  {
    keyword: 'object properties required',
    schema: {
      type: 'object',
      required: ['a', 'b'],
      properties: { a: { type: 'string' }, b: { type: 'integer' }, c: { type: 'boolean' } },
    },
  },
  {
    keyword: 'nested object',
    schema: {
      type: 'object',
      properties: {
        inner: { type: 'object', required: ['x'], properties: { x: { type: 'string', format: 'email' } } },
      },
    },
  },
  {
    keyword: 'minProperties',
    schema: { type: 'object', minProperties: 2, additionalProperties: { type: 'integer' } },
  },
  {
    keyword: 'allOf',
    schema: {
      allOf: [
        { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
        { type: 'object', required: ['b'], properties: { b: { type: 'integer', minimum: 3 } } },
      ],
    },
  },
  {
    keyword: 'oneOf',
    schema: {
      oneOf: [
        { type: 'integer', minimum: 5 },
        { type: 'string', minLength: 30 },
      ],
    },
  },
  { keyword: 'anyOf skips null', schema: { anyOf: [{ type: 'null' }, { type: 'string', format: 'uuid' }] } },
  { keyword: 'nullable (3.0)', schema: { type: 'string', nullable: true, format: 'date' } },
];

describe('sampleValue', () => {
  for (const row of ROWS) {
    it(`produces a valid value for ${row.keyword}`, () => {
      const value = sampleValue(row.schema);
      const schema = { ...row.schema };
      delete schema.nullable;
      delete schema.example;
      const validate = ajv.compile(schema);
      expect(validate(value), `${JSON.stringify(value)} ${JSON.stringify(validate.errors)}`).toBe(true);
    });
  }

  it('skips readOnly properties and can leave out optional ones', () => {
    const schema = {
      type: 'object',
      required: ['name'],
      properties: {
        id: { type: 'integer', readOnly: true },
        name: { type: 'string' },
        note: { type: 'string' },
      },
    };
    expect(Object.keys(sampleValue(schema) as object).sort()).toEqual(['name', 'note']);
    expect(Object.keys(sampleValue(schema, { optional: false }) as object)).toEqual(['name']);
  });

  it('uses property names for plausible values', () => {
    const v = sampleValue({
      type: 'object',
      properties: { email: { type: 'string' }, callback_url: { type: 'string' } },
    }) as any;
    expect(v.email).toContain('@');
    expect(v.callback_url).toMatch(/^https:/);
  });

  it('terminates on circular schemas', () => {
    const node: any = { type: 'object', properties: { name: { type: 'string' } } };
    node.properties.child = node;
    const v = sampleValue(node) as any;
    expect(v.name).toBe('palisade');
    expect(JSON.stringify(v).length).toBeLessThan(10_000);
  });

  it('merges allOf properties and required lists', () => {
    const m = mergeAllOf({
      allOf: [
        { required: ['a'], properties: { a: {} } },
        { required: ['b'], properties: { b: {} } },
      ],
    });
    expect(m.required).toEqual(['a', 'b']);
    expect(Object.keys(m.properties)).toEqual(['a', 'b']);
  });
});

describe('sampleFromPattern', () => {
  it.each([
    ['^[a-f0-9]{8}$'],
    ['^\\d{3}-\\d{2}-\\d{4}$'],
    ['^(?:GB|DE)\\d{6}$'],
    ['^[A-Za-z_][A-Za-z0-9_]{0,15}$'],
    ['^\\+?[1-9]\\d{1,14}$'],
    ['^[\\w.-]+$'],
    ['abc'],
  ])('generates a string matching %s', (pattern) => {
    const v = sampleFromPattern(pattern);
    expect(v).toBeDefined();
    expect(new RegExp(pattern, 'u').test(v!)).toBe(true);
  });

  it('returns undefined for syntax it does not support', () => {
    expect(sampleFromPattern('^(a')).toBeUndefined();
    expect(sampleFromPattern('(?<=x)y\\1')).toBeUndefined();
  });
});
