import { describe, expect, it } from 'vitest';
import {
  checkBodyLimits,
  checkPaging,
  DEFAULT_LIMITS,
  scanJson,
} from '../../../src/policy/openapi/limits.js';
import { isPagingName } from '../../../src/policy/openapi/schema.js';
import { fakeCtx, harness, jsonReq } from './helpers.js';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('scanJson', () => {
  it('measures nesting without parsing, ignoring brackets inside strings', () => {
    expect(scanJson(Buffer.from(nested(32)), 32).tooDeep).toBe(false);
    expect(scanJson(Buffer.from(nested(33)), 32).tooDeep).toBe(true);
    expect(scanJson(Buffer.from(`{"a":"${'['.repeat(100)}"}`), 32).tooDeep).toBe(false);
    expect(scanJson(Buffer.from('{"a":"\\"[[[[","b":1}'), 2).tooDeep).toBe(false);
  });

  it('handles a million-level nesting attempt in one pass', () => {
    const scan = scanJson(Buffer.from(nested(1_000_000)), 32);
    expect(scan.tooDeep).toBe(true);
  });

  it('finds duplicate keys per object (also escaped), not across objects', () => {
    expect(scanJson(Buffer.from('{"a":1,"b":{"a":2}}'), 32).duplicateKey).toBeUndefined();
    expect(scanJson(Buffer.from('[{"a":1},{"a":2}]'), 32).duplicateKey).toBeUndefined();
    expect(scanJson(Buffer.from('{"u":{"role":"x","r\\u006fle":"admin"}}'), 32)).toMatchObject({
      duplicateKey: 'role',
      duplicatePath: 'body.u',
    });
  });
});

describe('paging and body limits', () => {
  it('recognises paging parameter names in their spellings', () => {
    for (const name of [
      'limit',
      'page_size',
      'pageSize',
      'per-page',
      'PerPage',
      'top',
      '$top',
      'first',
      'count',
      'size',
    ])
      expect(isPagingName(name), name).toBe(true);
    for (const name of ['page', 'offset', 'q', 'sort', 'cursor'])
      expect(isPagingName(name), name).toBe(false);
  });

  it('caps paging parameters without a declared maximum (declared or not)', () => {
    const declared = [
      {
        name: 'limit',
        in: 'query' as const,
        required: false,
        schema: { type: 'integer' },
        style: 'form' as const,
        explode: true,
      },
    ];
    expect(checkPaging(new URLSearchParams('limit=101'), declared, DEFAULT_LIMITS)).toEqual({
      kind: 'unbounded-pagination',
      location: 'query.limit',
      problem: 'must be <= 100',
    });
    expect(checkPaging(new URLSearchParams('per_page=100000'), [], DEFAULT_LIMITS)?.location).toBe(
      'query.per_page',
    );
    expect(checkPaging(new URLSearchParams('limit=100&page=900'), declared, DEFAULT_LIMITS)).toBeUndefined();
    const bounded = [{ ...declared[0], schema: { type: 'integer', maximum: 1000 } }];
    expect(checkPaging(new URLSearchParams('limit=500'), bounded, DEFAULT_LIMITS)).toBeUndefined();
  });

  it('applies default array and string bounds only where the schema sets none', () => {
    const schema = {
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string' } },
        ids: { type: 'array', maxItems: 5000 },
      },
    };
    const settings = { ...DEFAULT_LIMITS, maxArrayItems: 3, maxStringLength: 5 };
    expect(checkBodyLimits({ tags: ['a', 'b', 'c', 'd'] }, schema, settings)).toEqual({
      kind: 'oversized-payload',
      location: 'body.tags',
      problem: 'must NOT have more than 3 items',
    });
    expect(checkBodyLimits({ ids: [1, 2, 3, 4] }, schema, settings)).toBeUndefined();
    expect(checkBodyLimits({ tags: ['abcdef'] }, schema, settings)?.location).toBe('body.tags[0]');
    expect(checkBodyLimits({ tags: ['abc'] }, schema, settings)).toBeUndefined();
  });
});

describe('limits in the validate phase', () => {
  it('blocks an unbounded page size, passes a reasonable one', async () => {
    const h = await harness({ spec: 'openapi.yaml', mode: 'block' });
    const big = fakeCtx({ url: '/api/users?limit=100000', headers: { 'x-tenant': 'acme' } });
    expect(await h.run(big)).toMatchObject({
      status: 400,
      details: { location: 'query.limit', problem: 'must be <= 100' },
      finding: { category: 'resource-consumption', subtype: 'unbounded-pagination' },
    });
    expect(
      await h.run(fakeCtx({ url: '/api/users?limit=20', headers: { 'x-tenant': 'acme' } })),
    ).toBeUndefined();
  });

  it('honours configured defaults', async () => {
    const h = await harness({
      spec: 'openapi.yaml',
      mode: 'block',
      limits: { defaultMaxPageSize: 1000, maxArrayItems: 2 },
    });
    expect(
      await h.run(fakeCtx({ url: '/api/users?limit=999', headers: { 'x-tenant': 'acme' } })),
    ).toBeUndefined();
    const many = fakeCtx(
      jsonReq('POST', '/api/users', { name: 'a', email: 'a@b.test', tags: ['1', '2', '3'] }),
    );
    expect(await h.run(many)).toMatchObject({
      finding: { subtype: 'oversized-payload' },
      details: { location: 'body.tags' },
    });
    expect(
      await h.run(fakeCtx(jsonReq('POST', '/api/users', { name: 'a', email: 'a@b.test', tags: ['1', '2'] }))),
    ).toBeUndefined();
  });

  it('blocks deep nesting before parsing or walking, passes ordinary nesting', async () => {
    const h = await harness({ spec: 'openapi.yaml', mode: 'block' });
    let deep = '{"name":"x"}';
    for (let i = 0; i < 40; i++) deep = `{"name":"n","children":[${deep}]}`;
    expect(await h.run(fakeCtx(jsonReq('PUT', '/api/categories/tree', deep)))).toMatchObject({
      finding: { category: 'resource-consumption', subtype: 'deep-nesting' },
      details: { location: 'body', problem: 'must NOT be nested deeper than 32' },
    });
    let ok = '{"name":"x"}';
    for (let i = 0; i < 10; i++) ok = `{"name":"n","children":[${ok}]}`;
    expect(await h.run(fakeCtx(jsonReq('PUT', '/api/categories/tree', ok)))).toBeUndefined();
  });

  it('with limits off, absurd nesting is refused as unvalidatable, never crashes', async () => {
    const h = await harness({ spec: 'openapi.yaml', mode: 'block', limits: { mode: 'off' } });
    let deep = '{"name":"x"}';
    for (let i = 0; i < 5000; i++) deep = `{"name":"n","children":[${deep}]}`;
    expect(await h.run(fakeCtx(jsonReq('PUT', '/api/categories/tree', deep)))).toMatchObject({
      status: 400,
      details: { location: 'body', problem: 'is nested too deeply to validate' },
    });
    let ok = '{"name":"x"}';
    for (let i = 0; i < 100; i++) ok = `{"name":"n","children":[${ok}]}`;
    expect(await h.run(fakeCtx(jsonReq('PUT', '/api/categories/tree', ok)))).toBeUndefined();
  });
});
