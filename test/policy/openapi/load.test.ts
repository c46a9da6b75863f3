import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { createOpenApiPhases } from '../../../src/policy/openapi-phases.js';
import { compileModel } from '../../../src/policy/openapi/compile.js';
import { loadSpec, SpecLoadError } from '../../../src/policy/openapi/load.js';
import { convertSchema } from '../../../src/policy/openapi/schema.js';
import { SPEC_20, SPEC_30, SPEC_31, SPEC_INVALID } from '../../fixtures/policy-api/server.js';

// A syntactically broken document is written at test time (a broken YAML file in the tree would
// trip the formatter).
const SPEC_BROKEN = join(mkdtempSync(join(tmpdir(), 'palisade-openapi-')), 'broken.yaml');
writeFileSync(SPEC_BROKEN, 'openapi: 3.0.3\ninfo: { title: broken\n  paths: [\n');
import { testConfig, testEnv } from './helpers.js';

describe('loadSpec', () => {
  it('loads OpenAPI 3.0 with servers base path, path-item parameters, security and extensions', async () => {
    const spec = await loadSpec(SPEC_30);
    expect(spec.dialect).toBe('oas30');
    expect(spec.basePaths).toEqual(['/api']);
    const getUser = spec.operations.find((o) => o.info.operationId === 'getUser')!;
    expect(getUser.info).toMatchObject({
      method: 'GET',
      template: '/users/{id}',
      deprecated: false,
      security: [{ bearer: [] }],
      extensions: { 'x-palisade-risk': 'low' },
    });
    expect(getUser.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['path:id']);
    expect([...getUser.responses.keys()]).toEqual(['200', 'DEFAULT']);
    const patch = spec.operations.find((o) => o.info.operationId === 'updateUser')!;
    expect(patch.info.security).toEqual([{ bearer: ['users:write'] }]);
    expect(spec.operations.find((o) => o.info.operationId === 'getReport')!.info.security).toEqual([]);
    expect(spec.operations.find((o) => o.info.operationId === 'getUserV1')!.info.deprecated).toBe(true);
    const list = spec.operations.find((o) => o.info.operationId === 'listUsers')!;
    const header = list.parameters.find((p) => p.in === 'header')!;
    expect(header.name).toBe('x-tenant');
    expect(list.parameters.find((p) => p.name === 'ids')).toMatchObject({ style: 'form', explode: false });
    expect(list.parameters.find((p) => p.name === 'tag')).toMatchObject({ style: 'form', explode: true });
  });

  it('loads OpenAPI 3.1 and compiles 2020-12 keywords (prefixItems, type arrays)', async () => {
    const spec = await loadSpec(SPEC_31);
    expect(spec.dialect).toBe('oas31');
    expect(spec.basePaths).toEqual(['']);
    const model = compileModel(spec);
    const create = model.operations.find((o) => o.key === 'POST /items')!;
    const validate = create.body!.media[0].validate!;
    expect(validate({ name: 'a', parts: ['x', 1] })).toBe(true);
    expect(validate({ name: 'a', parts: ['x', 1, 'extra'] })).toBe(false); // items: false
    expect(validate({ name: 'a', note: null })).toBe(true);
    expect(validate({ name: 'a', price: 0 })).toBe(false); // numeric exclusiveMinimum
  });

  it('converts Swagger 2.0 parameters, bodies, formData and collection formats', async () => {
    const spec = await loadSpec(SPEC_20);
    expect(spec.dialect).toBe('swagger2');
    expect(spec.basePaths).toEqual(['/v2']);
    const list = spec.operations.find((o) => o.info.operationId === 'listPets')!;
    expect(list.parameters.find((p) => p.name === 'tags')).toMatchObject({ style: 'form', explode: true });
    expect(list.parameters.find((p) => p.name === 'colors')).toMatchObject({ style: 'pipeDelimited' });
    expect(list.parameters.find((p) => p.name === 'x-trace')).toMatchObject({
      in: 'header',
      schema: { type: 'string' },
    });
    const add = spec.operations.find((o) => o.info.operationId === 'addPet')!;
    expect(add.body).toMatchObject({ required: true, content: [{ mediaType: 'application/json' }] });
    const upload = spec.operations.find((o) => o.info.operationId === 'uploadPhoto')!;
    expect(upload.body!.content.map((c) => c.mediaType)).toEqual([
      'multipart/form-data',
      'application/x-www-form-urlencoded',
    ]);
    expect(upload.body!.content[0].schema).toMatchObject({ type: 'object', required: ['caption'] });
    const model = compileModel(spec);
    const pet = model.operations.find((o) => o.key === 'POST /pets')!.body!.media[0].validate!;
    expect(pet({ name: 'rex', weight: 1 })).toBe(true);
    expect(pet({ name: 'rex', weight: 0 })).toBe(false); // boolean exclusiveMinimum converted
    expect(pet({ name: 'rex', nickname: null })).toBe(true); // x-nullable
    expect(pet({ name: 'rex', nickname: 3 })).toBe(false);
  });

  it('reports unreadable, unparsable and invalid documents as SpecLoadError', async () => {
    await expect(loadSpec('/nonexistent/openapi.yaml')).rejects.toBeInstanceOf(SpecLoadError);
    await expect(loadSpec(SPEC_BROKEN)).rejects.toThrow(/Error parsing/);
    await expect(loadSpec(SPEC_INVALID)).rejects.toThrow(/must be object/);
  });
});

describe('createOpenApiPhases: bad spec → ConfigError with the key path', () => {
  for (const [name, spec] of [
    ['missing', 'does-not-exist.yaml'],
    ['broken', SPEC_BROKEN],
    ['invalid', 'invalid.yaml'],
  ]) {
    it(`${name} document`, async () => {
      const config = testConfig({ spec });
      const err = await Promise.resolve()
        .then(() => createOpenApiPhases(config.routes[0], 0, testEnv(config)))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues[0].path).toBe('routes.0.policy.openapi.spec');
      expect((err as ConfigError).issues[0].message).toContain(spec);
    });
  }

  it('a valid document yields identify, validate and response phases; no spec yields none', async () => {
    const config = testConfig({ spec: 'openapi.yaml' });
    const set = await createOpenApiPhases(config.routes[0], 0, testEnv(config));
    expect(set.request!.map((p) => p.name)).toEqual(['identify', 'validate']);
    expect(set.request![1].needsBody).toBe(true);
    expect(set.response!.map((p) => p.body)).toEqual(['full']);
    const none = testConfig({});
    expect(await createOpenApiPhases(none.routes[0], 0, testEnv(none))).toEqual({});
  });
});

describe('convertSchema', () => {
  it('maps 3.0 nullable and boolean exclusive bounds, drops readOnly from request `required`', () => {
    const raw = {
      type: 'object',
      required: ['id', 'name'],
      properties: {
        id: { type: 'integer', readOnly: true },
        name: { type: 'string', nullable: true, example: 'x' },
        n: { type: 'number', maximum: 5, exclusiveMaximum: true },
      },
    };
    const req = convertSchema(raw, 'oas30', 'request').schema as Record<string, any>;
    expect(req.required).toEqual(['name']);
    expect(req.properties.name).toEqual({ type: ['string', 'null'] });
    expect(req.properties.n).toEqual({ type: 'number', exclusiveMaximum: 5 });
    const res = convertSchema(raw, 'oas30', 'response').schema as Record<string, any>;
    expect(res.required).toEqual(['id', 'name']);
  });

  it('turns dereferenced cycles into local definitions', () => {
    const node: Record<string, unknown> = { type: 'object', properties: { name: { type: 'string' } } };
    (node.properties as Record<string, unknown>).children = { type: 'array', items: node };
    const out = convertSchema(node, 'oas30', 'request').schema as Record<string, any>;
    expect(JSON.stringify(out)).toContain('#/definitions/palisade0'); // finite: JSON.stringify would throw on a cycle
    expect(out.definitions.palisade0.properties.children.items).toEqual({ $ref: '#/definitions/palisade0' });
  });
});

describe('loadSpec cache (one parse per config load)', () => {
  it('reuses a parse of the same file version and re-reads a changed file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pal-spec-')), 'openapi.yaml');
    const doc = (path: string) =>
      `openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths:\n  ${path}:\n    get:\n      responses: { '200': { description: ok } }\n`;
    writeFileSync(file, doc('/a'));
    const validated = await loadSpec(file);
    expect(await loadSpec(file, { validate: false })).toBe(validated);
    expect(await loadSpec(file)).toBe(validated);
    writeFileSync(file, doc('/b'));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const changed = await loadSpec(file, { validate: false });
    expect(changed).not.toBe(validated);
    expect(changed.operations.map((o) => o.info.template)).toEqual(['/b']);
  });
});
