import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadApi, SpecError } from '../../src/scan/spec/load.js';
import { templatePath } from '../../src/scan/spec/templating.js';
import { SPEC_PATH } from '../fixtures/vuln-api/app.js';

const data = (f: string) => join(import.meta.dirname, 'data', f);

describe('API description loaders', () => {
  it('reads OpenAPI 3 with $refs, allOf, security overrides and deprecated flags', async () => {
    const api = await loadApi(SPEC_PATH);
    expect(api.format).toBe('openapi-3');
    const login = api.operations.find((o) => o.key === 'POST /api/auth/login')!;
    expect(login.requiresAuth).toBe(false);
    expect(login.body?.schema.properties.username.example).toBe('alice');
    const jobs = api.operations.find((o) => o.key === 'POST /api/jobs')!;
    expect(jobs.requiresAuth).toBe(true);
    expect(jobs.scopes).toEqual(['admin']);
    expect(api.operations.find((o) => o.key === 'GET /api/v1/users')!.deprecated).toBe(true);
    expect(api.operations.find((o) => o.key === 'POST /api/import')!.body?.mediaType).toBe('application/xml');
  });

  it('reads Swagger 2.0 (basePath, body and formData parameters, apiKey headers)', async () => {
    const api = await loadApi(data('swagger2.yaml'));
    expect(api.format).toBe('swagger-2');
    expect(api.basePath).toBe('/v2');
    expect(api.authHeaderNames).toContain('x-api-key');
    const get = api.operations.find((o) => o.key === 'GET /pets/{petId}')!;
    expect(get.params.map((p) => `${p.in}.${p.name}`).sort()).toEqual(['path.petId', 'query.fields']);
    expect(get.requiresAuth).toBe(true);
    const post = api.operations.find((o) => o.key === 'POST /pets')!;
    expect(post.requiresAuth).toBe(false);
    expect(post.body?.schema.required).toEqual(['name']);
    const form = api.operations.find((o) => o.key === 'POST /upload')!;
    expect(form.body?.mediaType).toBe('application/x-www-form-urlencoded');
  });

  it('reads Postman collections v2.1 with folders and :params', async () => {
    const api = await loadApi(data('postman.json'));
    expect(api.format).toBe('postman');
    expect(api.operations.map((o) => o.key).sort()).toEqual(['GET /orders/{orderId}', 'POST /orders']);
    const get = api.operations.find((o) => o.method === 'GET')!;
    expect(get.requiresAuth).toBe(true);
    expect(get.params.find((p) => p.in === 'query')?.name).toBe('expand');
    const post = api.operations.find((o) => o.method === 'POST')!;
    expect(post.body?.schema.properties.qty.type).toBe('integer');
  });

  it('reads HAR captures and templates identifiers in paths', async () => {
    const api = await loadApi(data('capture.har'));
    expect(api.format).toBe('har');
    expect(api.operations.map((o) => o.key)).toEqual([
      'GET /api/users/{userId}/notes/{noteId}',
      'POST /api/users',
    ]);
    expect(api.operations[0].requiresAuth).toBe(true);
    expect(templatePath('/a/12/b').template).toBe('/a/{aId}/b');
  });

  it('fails with a SpecError on unreadable or unknown documents', async () => {
    await expect(loadApi(data('missing.yaml'))).rejects.toBeInstanceOf(SpecError);
    await expect(loadApi(join(import.meta.dirname, 'spec.test.ts'))).rejects.toBeInstanceOf(SpecError);
  });
});
