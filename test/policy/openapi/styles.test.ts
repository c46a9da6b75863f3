import { describe, expect, it } from 'vitest';
import type { SpecParameter } from '../../../src/policy/openapi/types.js';
import {
  AjvPool,
  compileParamGroup,
  extractPath,
  extractQuery,
  parseCookies,
} from '../../../src/policy/openapi/validate.js';
import { fakeCtx, harness, jsonReq } from './helpers.js';

const param = (p: Partial<SpecParameter> & Pick<SpecParameter, 'name' | 'in' | 'schema'>): SpecParameter => ({
  required: false,
  style: p.in === 'query' || p.in === 'cookie' ? 'form' : 'simple',
  explode: p.in === 'query' || p.in === 'cookie',
  ...p,
});

describe('parameter styles', () => {
  const pool = new AjvPool('oas30');
  const ints = { type: 'array', items: { type: 'integer' } };

  it('path: simple, label and matrix arrays', () => {
    const group = compileParamGroup(pool, 'path', [
      param({ name: 's', in: 'path', schema: ints }),
      param({ name: 'l', in: 'path', schema: ints, style: 'label', explode: true }),
      param({ name: 'm', in: 'path', schema: ints, style: 'matrix' }),
      param({ name: 'me', in: 'path', schema: ints, style: 'matrix', explode: true }),
    ]);
    const values = extractPath(group, { s: '1,2', l: '.3.4', m: ';m=5,6', me: ';me=7;me=8' });
    expect(values).toEqual({ s: ['1', '2'], l: ['3', '4'], m: ['5', '6'], me: ['7', '8'] });
    expect(group.validate!(values)).toBe(true);
    expect(values).toEqual({ s: [1, 2], l: [3, 4], m: [5, 6], me: [7, 8] }); // coerced
  });

  it('query: delimited arrays, non-exploded objects and JSON content parameters', () => {
    const group = compileParamGroup(pool, 'query', [
      param({ name: 'sp', in: 'query', schema: ints, style: 'spaceDelimited', explode: false }),
      param({
        name: 'obj',
        in: 'query',
        schema: { type: 'object', properties: { a: { type: 'string' } } },
        explode: false,
      }),
      param({
        name: 'doc',
        in: 'query',
        schema: { type: 'object', required: ['x'] },
        contentType: 'application/json',
      }),
    ]);
    const q = new URLSearchParams('sp=1%202&obj=a,b&doc=%7B%22x%22%3A1%7D');
    const out = extractQuery(group, q);
    expect(out.values).toEqual({ sp: ['1', '2'], obj: { a: 'b' }, doc: { x: 1 } });
    expect([...out.used].sort()).toEqual(['doc', 'obj', 'sp']);
    expect(extractQuery(group, new URLSearchParams('doc={')).problem).toEqual({
      location: 'query.doc',
      problem: 'is not valid JSON',
      keyword: 'json',
    });
  });

  it('cookies: first occurrence wins, quoted values unwrapped, bounded', () => {
    expect(parseCookies('a=1; b="two"; a=3')).toEqual(
      new Map([
        ['a', '1'],
        ['b', 'two'],
      ]),
    );
    expect(parseCookies('x=1;'.repeat(1000)).size).toBe(1);
  });
});

describe('Swagger 2.0 and OpenAPI 3.1 documents through the phases', () => {
  it('2.0: basePath, collection formats, header pattern, body and formData', async () => {
    const h = await harness({ spec: 'swagger-2.0.yaml', mode: 'block' });
    expect(await h.run(fakeCtx({ url: '/v2/pets?limit=20&tags=a&tags=b&colors=red|blue' }))).toBeUndefined();
    expect((await h.run(fakeCtx({ url: '/v2/pets?limit=21' })))?.details).toEqual({
      location: 'query.limit',
      problem: 'must be <= 20',
    });
    expect(
      (await h.run(fakeCtx({ url: '/v2/pets', headers: { 'x-trace': 'nothex!!' } })))?.details,
    ).toMatchObject({
      location: 'header.x-trace',
    });
    expect((await h.run(fakeCtx({ url: '/pets' })))?.status).toBe(404); // outside basePath
    expect(await h.run(fakeCtx(jsonReq('POST', '/v2/pets', { name: 'rex' })))).toBeUndefined();
    expect((await h.run(fakeCtx(jsonReq('POST', '/v2/pets', { name: 'rex', id: 5 }))))?.details).toEqual({
      location: 'body.id',
      problem: 'is read-only',
    });
    const form = (body: string) =>
      fakeCtx({
        method: 'POST',
        url: '/v2/pets/1/photo',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    expect(await h.run(form('caption=hello'))).toBeUndefined();
    expect((await h.run(form('caption=much-too-long-caption')))?.details).toMatchObject({
      location: 'body.caption',
    });
    expect((await h.run(fakeCtx({ url: '/v2/pets/abc' })))?.details).toEqual({
      location: 'path.petId',
      problem: 'must be integer',
    });
  });

  it('3.1: 2020-12 types, uuid format, paging default and response ranges', async () => {
    const h = await harness({ spec: 'openapi-3.1.yaml', mode: 'block' });
    expect(await h.run(fakeCtx({ url: '/items?per_page=10&cursor=abc' }))).toBeUndefined();
    expect((await h.run(fakeCtx({ url: '/items?per_page=1000' })))?.finding).toMatchObject({
      subtype: 'unbounded-pagination',
    });
    expect((await h.run(fakeCtx({ url: '/items/not-a-uuid' })))?.details).toEqual({
      location: 'path.itemId',
      problem: 'must match format "uuid"',
    });
    const ctx = fakeCtx({ url: '/items/3f1c0d4e-8a2b-4c5d-9e6f-0a1b2c3d4e5f' });
    expect(await h.run(ctx)).toBeUndefined();
    const out = h.respond(ctx, 200, JSON.stringify({ id: 'x', name: 'n', cost_price: 3 }));
    expect(JSON.parse(String(out))).toEqual({ id: 'x', name: 'n' }); // 2XX range response schema
  });
});
