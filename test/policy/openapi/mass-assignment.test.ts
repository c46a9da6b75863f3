import { describe, expect, it } from 'vitest';
import { checkMassAssignment, massAssignmentApplies } from '../../../src/policy/openapi/mass-assignment.js';
import type { OperationInfo } from '../../../src/policy/operation.js';
import { fakeCtx, harness, jsonReq } from './helpers.js';

const userSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'integer', readOnly: true },
    name: { type: 'string' },
    profile: {
      type: 'object',
      properties: { bio: { type: 'string' }, verified: { type: 'boolean', readOnly: true } },
    },
    addresses: { type: 'array', items: { type: 'object', properties: { city: { type: 'string' } } } },
    settings: { type: 'object', additionalProperties: { type: 'string' } },
    meta: { type: 'object' },
  },
  allOf: [{ properties: { email: { type: 'string' } } }],
};

describe('checkMassAssignment', () => {
  it('passes declared properties, typed maps and free-form objects', () => {
    const body = {
      name: 'a',
      email: 'a@b.test',
      profile: { bio: 'x' },
      addresses: [{ city: 'Oslo' }],
      settings: { anything: 'goes' },
      meta: { free: { form: true } },
    };
    expect(checkMassAssignment(body, userSchema)).toEqual({ found: [], count: 0 });
  });

  it('refuses undeclared top-level properties even with additionalProperties: true', () => {
    expect(checkMassAssignment({ name: 'a', role: 'admin' }, userSchema)).toEqual({
      found: [{ path: 'body.role', reason: 'undeclared' }],
      count: 1,
    });
  });

  it('refuses readOnly properties, nested objects and array items', () => {
    const result = checkMassAssignment(
      { id: 1, profile: { verified: true }, addresses: [{ city: 'x', owner_id: 9 }] },
      userSchema,
    );
    expect(result.found).toEqual([
      { path: 'body.id', reason: 'readOnly' },
      { path: 'body.profile.verified', reason: 'readOnly' },
      { path: 'body.addresses[0].owner_id', reason: 'undeclared' },
    ]);
  });

  it('applies to write methods unless opted out by list or x-palisade-mass-assignment', () => {
    const info = (method: string, extensions: Record<string, unknown> = {}): OperationInfo => ({
      method,
      template: '/users/{id}',
      operationId: 'updateUser',
      deprecated: false,
      tags: [],
      security: [],
      extensions,
    });
    expect(massAssignmentApplies(info('PATCH'), new Set())).toBe(true);
    expect(massAssignmentApplies(info('GET'), new Set())).toBe(false);
    expect(massAssignmentApplies(info('PATCH'), new Set(['updateUser']))).toBe(false);
    expect(massAssignmentApplies(info('PATCH'), new Set(['PATCH /users/{id}']))).toBe(false);
    expect(massAssignmentApplies(info('PUT', { 'x-palisade-mass-assignment': 'allow' }), new Set())).toBe(
      false,
    );
  });
});

describe('mass-assignment guard in the validate phase', () => {
  const valid = { name: 'Ann', email: 'ann@example.test' };

  it('blocks privilege fields on POST and PATCH, passes a legitimate write', async () => {
    const h = await harness({ spec: 'openapi.yaml', mode: 'block' });
    const ctx = fakeCtx(jsonReq('POST', '/api/users', { ...valid, role: 'admin' }));
    expect(await h.run(ctx)).toMatchObject({
      status: 400,
      code: 'PAL_ERR_VALIDATION',
      details: { location: 'body.role', problem: 'is read-only' },
      finding: { category: 'authorization', subtype: 'mass-assignment' },
    });
    const nested = fakeCtx(
      jsonReq('PATCH', '/api/users/1', { ...valid, profile: { bio: 'x', verified: true } }),
    );
    expect((await h.run(nested))?.details).toEqual({
      location: 'body.profile.verified',
      problem: 'is read-only',
    });
    const extra = fakeCtx(jsonReq('PATCH', '/api/users/1', { ...valid, isAdmin: true }));
    expect((await h.run(extra))?.details).toEqual({
      location: 'body.isAdmin',
      problem: 'is not a declared property',
    });
    expect(await h.run(fakeCtx(jsonReq('PATCH', '/api/users/1', { ...valid, name: 'New' })))).toBeUndefined();
    expect(await h.run(fakeCtx(jsonReq('POST', '/api/users', valid)))).toBeUndefined();
  });

  it('also guards urlencoded bodies', async () => {
    const h = await harness({ spec: 'openapi.yaml', mode: 'block' });
    const ctx = fakeCtx({
      method: 'POST',
      url: '/api/users',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=a&email=a%40b.test&role=admin',
    });
    expect((await h.run(ctx))?.finding).toMatchObject({ subtype: 'mass-assignment' });
  });

  it('respects the spec extension and the route opt-out list', async () => {
    const h = await harness({ spec: 'openapi.yaml', mode: 'block' });
    // POST /categories carries x-palisade-mass-assignment: allow
    expect(await h.run(fakeCtx(jsonReq('POST', '/api/categories', { name: 'c', extra: 1 })))).toBeUndefined();
    const optedOut = await harness({
      spec: 'openapi.yaml',
      mode: 'block',
      massAssignment: { mode: 'block', optOut: ['updateUser'] },
    });
    expect(
      await optedOut.run(fakeCtx(jsonReq('PATCH', '/api/users/1', { ...valid, isAdmin: true }))),
    ).toBeUndefined();
    expect(
      await optedOut.run(fakeCtx(jsonReq('POST', '/api/users', { ...valid, isAdmin: true }))),
    ).toBeDefined();
    const off = await harness({ spec: 'openapi.yaml', mode: 'block', massAssignment: 'off' });
    expect(
      await off.run(fakeCtx(jsonReq('POST', '/api/users', { ...valid, isAdmin: true }))),
    ).toBeUndefined();
  });

  it('monitor records exactly the finding block would have blocked with, and lets the request go', async () => {
    const h = await harness({ spec: 'openapi.yaml', mode: 'block', massAssignment: 'monitor' });
    const ctx = fakeCtx(jsonReq('POST', '/api/users', { ...valid, role: 'admin' }));
    expect(await h.run(ctx)).toBeUndefined();
    expect(ctx.findings).toEqual([
      expect.objectContaining({
        category: 'authorization',
        subtype: 'mass-assignment',
        mode: 'monitor',
        location: 'body.role',
      }),
    ]);
  });
});
