import { beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_STATE_KEY } from '../../../src/policy/operation.js';
import { fakeCtx, type Harness, harness, jsonReq } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness({ spec: 'openapi.yaml', mode: 'block' });
});

const tenant = { 'x-tenant': 'acme' };

async function verdictFor(req: Parameters<typeof fakeCtx>[0]) {
  const ctx = fakeCtx(req);
  const verdict = await h.run(ctx);
  return { ctx, verdict };
}

describe('identify phase', () => {
  it('stores the matched operation for the identity controls and names it on the context', async () => {
    const { ctx, verdict } = await verdictFor({ url: '/api/users/42' });
    expect(verdict).toBeUndefined();
    expect(ctx.operation).toBe('GET /users/{id}');
    expect(ctx.pathTemplate).toBe('/users/{id}');
    expect(ctx.state.get(OPERATION_STATE_KEY)).toEqual({
      op: {
        method: 'GET',
        template: '/users/{id}',
        operationId: 'getUser',
        deprecated: false,
        tags: [],
        security: [{ bearer: [] }],
        extensions: { 'x-palisade-risk': 'low' },
      },
      pathParams: { id: '42' },
    });
  });

  it('blocks a shadow endpoint with 404 and lets a documented one through', async () => {
    const shadow = await verdictFor({ url: '/api/internal/debug' });
    expect(shadow.verdict).toMatchObject({ status: 404, code: 'PAL_ERR_NOT_FOUND' });
    expect(shadow.ctx.findings[0]).toMatchObject({
      category: 'inventory',
      subtype: 'shadow-endpoint',
      mode: 'block',
    });
    const wrongMethod = await verdictFor({ method: 'PUT', url: '/api/users/me' });
    expect(wrongMethod.verdict).toMatchObject({ status: 404 });
    const outsideBase = await verdictFor({ url: '/users/1' });
    expect(outsideBase.verdict).toMatchObject({ status: 404 });
  });

  it('lets a CORS preflight for a documented operation pass', async () => {
    const { verdict, ctx } = await verdictFor({
      method: 'OPTIONS',
      url: '/api/users/1',
      headers: { 'access-control-request-method': 'PATCH', origin: 'https://app.test' },
    });
    expect(verdict).toBeUndefined();
    expect(ctx.findings).toEqual([]);
  });

  it('records a deprecated operation as a zombie endpoint (monitor by default) without blocking', async () => {
    const { verdict, ctx } = await verdictFor({ url: '/api/v1/users/1' });
    expect(verdict).toBeUndefined();
    expect(ctx.findings).toEqual([expect.objectContaining({ subtype: 'zombie-endpoint', mode: 'monitor' })]);
  });
});

describe('parameter validation', () => {
  it('path: rejects a non-integer id, accepts a valid one (coerced from the string)', async () => {
    const bad = await verdictFor({ url: '/api/users/abc' });
    expect(bad.verdict).toMatchObject({
      status: 400,
      code: 'PAL_ERR_VALIDATION',
      details: { location: 'path.id', problem: 'must be integer' },
    });
    expect((await verdictFor({ url: '/api/users/0' })).verdict?.details).toEqual({
      location: 'path.id',
      problem: 'must be >= 1',
    });
    expect((await verdictFor({ url: '/api/users/7' })).verdict).toBeUndefined();
  });

  it('path: mixed segments validate each parameter', async () => {
    expect((await verdictFor({ url: '/api/users/3/avatar.png' })).verdict).toBeUndefined();
    expect((await verdictFor({ url: '/api/users/3/avatar.exe' })).verdict?.details).toMatchObject({
      location: 'path.ext',
    });
  });

  it('query: type, enum, form arrays, deepObject and repeated scalars', async () => {
    expect(
      (await verdictFor({ url: '/api/users?role=admin&ids=1,2,3&tag=a&tag=b', headers: tenant })).verdict,
    ).toBeUndefined();
    expect((await verdictFor({ url: '/api/users?role=root', headers: tenant })).verdict?.details).toEqual({
      location: 'query.role',
      problem: 'must be one of the allowed values',
    });
    expect((await verdictFor({ url: '/api/users?ids=1,x', headers: tenant })).verdict?.details).toEqual({
      location: 'query.ids[1]',
      problem: 'must be integer',
    });
    expect(
      (await verdictFor({ url: '/api/users?filter[name]=bob&filter[active]=true', headers: tenant })).verdict,
    ).toBeUndefined();
    expect(
      (await verdictFor({ url: '/api/users?filter[active]=maybe', headers: tenant })).verdict?.details,
    ).toEqual({
      location: 'query.filter.active',
      problem: 'must be boolean',
    });
    // HTTP parameter pollution: a scalar given twice does not validate.
    expect(
      (await verdictFor({ url: '/api/users?role=member&role=admin', headers: tenant })).verdict?.details,
    ).toMatchObject({
      location: 'query.role',
    });
  });

  it('query: declared maximum on a paging parameter is resource consumption', async () => {
    const { verdict } = await verdictFor({ url: '/api/users?page_size=500', headers: tenant });
    expect(verdict).toMatchObject({ details: { location: 'query.page_size', problem: 'must be <= 50' } });
    expect(verdict?.finding).toMatchObject({
      category: 'resource-consumption',
      subtype: 'unbounded-pagination',
    });
    expect((await verdictFor({ url: '/api/users?page_size=50', headers: tenant })).verdict).toBeUndefined();
  });

  it('query: pipeDelimited arrays', async () => {
    expect((await verdictFor({ url: '/api/reports/2024?cols=a|b|c' })).verdict).toBeUndefined();
    expect((await verdictFor({ url: '/api/reports/1999' })).verdict?.details).toEqual({
      location: 'path.year',
      problem: 'must be >= 2000',
    });
  });

  it('header: required and pattern-checked', async () => {
    expect((await verdictFor({ url: '/api/users' })).verdict?.details).toEqual({
      location: 'header.x-tenant',
      problem: 'is required',
    });
    expect(
      (await verdictFor({ url: '/api/users', headers: { 'x-tenant': 'ACME!' } })).verdict?.details,
    ).toEqual({
      location: 'header.x-tenant',
      problem: 'does not match the required pattern',
    });
  });

  it('cookie: validated when present', async () => {
    expect(
      (await verdictFor({ url: '/api/users', headers: { ...tenant, cookie: 'session=short' } })).verdict
        ?.details,
    ).toEqual({
      location: 'cookie.session',
      problem: 'must NOT have fewer than 8 characters',
    });
    expect(
      (await verdictFor({ url: '/api/users', headers: { ...tenant, cookie: 'a=b; session=long-enough-1' } }))
        .verdict,
    ).toBeUndefined();
  });

  it('undocumented query parameters are recorded (monitor by default), documented ones are not', async () => {
    const { verdict, ctx } = await verdictFor({ url: '/api/search?q=x&debug=1' });
    expect(verdict).toBeUndefined();
    expect(ctx.findings).toEqual([
      expect.objectContaining({
        category: 'inventory',
        subtype: 'undocumented-parameter',
        mode: 'monitor',
        location: 'query.debug',
      }),
    ]);
    expect((await verdictFor({ url: '/api/search?q=x&sort=name' })).ctx.findings).toEqual([]);
  });
});

describe('request body validation', () => {
  const valid = { name: 'Ann', email: 'ann@example.test' };

  it('accepts a valid JSON body (readOnly `id` is not required in requests)', async () => {
    expect((await verdictFor(jsonReq('POST', '/api/users', valid))).verdict).toBeUndefined();
  });

  it('names the failing body location', async () => {
    expect(
      (await verdictFor(jsonReq('POST', '/api/users', { name: 'Ann', email: 'nope' }))).verdict?.details,
    ).toEqual({
      location: 'body.email',
      problem: 'must match format "email"',
    });
    expect((await verdictFor(jsonReq('POST', '/api/users', { name: 'Ann' }))).verdict?.details).toEqual({
      location: 'body.email',
      problem: 'is required',
    });
    expect(
      (await verdictFor(jsonReq('POST', '/api/users', { ...valid, age: 150 }))).verdict?.details,
    ).toEqual({
      location: 'body.age',
      problem: 'must be < 150',
    });
    expect(
      (await verdictFor(jsonReq('POST', '/api/users', { ...valid, age: null }))).verdict,
    ).toBeUndefined();
    expect(
      (await verdictFor(jsonReq('POST', '/api/users', { ...valid, settings: { theme: 3 } }))).verdict
        ?.details,
    ).toEqual({
      location: 'body.settings.theme',
      problem: 'must be string',
    });
  });

  it('JSON bodies are not type-coerced', async () => {
    expect(
      (await verdictFor(jsonReq('POST', '/api/users', { ...valid, age: '30' }))).verdict?.details,
    ).toMatchObject({
      location: 'body.age',
      problem: 'must be integer,null',
    });
  });

  it('urlencoded bodies are coerced and validated against the same schema', async () => {
    const form = (body: string) => ({
      method: 'POST',
      url: '/api/users',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect((await verdictFor(form('name=Ann&email=ann%40example.test&age=30'))).verdict).toBeUndefined();
    expect(
      (await verdictFor(form('name=Ann&email=ann%40example.test&age=old'))).verdict?.details,
    ).toMatchObject({
      location: 'body.age',
    });
  });

  it('undeclared content types → 415; missing required body → 400; malformed JSON → 400', async () => {
    const xml = await verdictFor({
      method: 'POST',
      url: '/api/users',
      headers: { 'content-type': 'application/xml' },
      body: '<a/>',
    });
    expect(xml.verdict).toMatchObject({
      status: 415,
      code: 'PAL_ERR_UNSUPPORTED_MEDIA_TYPE',
      details: { location: 'header.content-type' },
    });
    expect((await verdictFor({ method: 'POST', url: '/api/users' })).verdict?.details).toEqual({
      location: 'body',
      problem: 'is required',
    });
    expect((await verdictFor(jsonReq('POST', '/api/users', '{"name":'))).verdict?.details).toEqual({
      location: 'body',
      problem: 'is not valid JSON',
    });
    // charset parameters do not matter
    expect(
      (
        await verdictFor({
          ...jsonReq('POST', '/api/users', valid),
          headers: { 'content-type': 'application/json; charset=utf-8' },
        })
      ).verdict,
    ).toBeUndefined();
  });

  it('a body on an operation that declares none is refused', async () => {
    const { verdict } = await verdictFor({
      method: 'DELETE',
      url: '/api/users/1',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(verdict?.details).toEqual({ location: 'body', problem: 'is not accepted by this operation' });
    expect((await verdictFor({ method: 'DELETE', url: '/api/users/1' })).verdict).toBeUndefined();
  });

  it('duplicate Content-Type headers and duplicate JSON keys are refused', async () => {
    const dupType = await verdictFor({
      ...jsonReq('POST', '/api/users', valid),
      rawHeaders: ['Content-Type', 'text/plain'],
    });
    expect(dupType.verdict?.details).toEqual({
      location: 'header.content-type',
      problem: 'must appear once',
    });
    const dupKey = await verdictFor(
      jsonReq('POST', '/api/users', '{"name":"a","email":"a@b.test","name":"b"}'),
    );
    expect(dupKey.verdict?.details).toEqual({ location: 'body.name', problem: 'is a duplicate key' });
    const escaped = await verdictFor(
      jsonReq('POST', '/api/users', '{"name":"a","email":"a@b.test","n\\u0061me":"b"}'),
    );
    expect(escaped.verdict?.details).toEqual({ location: 'body.name', problem: 'is a duplicate key' });
  });

  it('recursive schemas validate nested data', async () => {
    const tree = { name: 'root', children: [{ name: 'a', children: [{ name: 'b' }] }] };
    expect((await verdictFor(jsonReq('PUT', '/api/categories/tree', tree))).verdict).toBeUndefined();
    const bad = { name: 'root', children: [{ name: 'a', children: [{}] }] };
    expect((await verdictFor(jsonReq('PUT', '/api/categories/tree', bad))).verdict?.details).toEqual({
      location: 'body.children[0].children[0].name',
      problem: 'is required',
    });
  });
});
