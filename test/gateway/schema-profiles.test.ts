import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  echoHandler,
  type StartedGateway,
  type StartedUpstream,
  startGateway,
  startUpstream,
} from '../helpers/gateway.js';

const SPEC = `openapi: 3.0.3
info: { title: snippets, version: '1' }
paths:
  /snippets:
    post:
      security: []
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                title: { type: string }
                code: { type: string, x-palisade-content: code }
      responses: { '200': { description: ok } }
`;

describe('OpenAPI-derived content profiles', () => {
  let up: StartedUpstream;
  let gw: StartedGateway;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pal-profiles-'));
    writeFileSync(join(dir, 'openapi.yaml'), SPEC);
    up = await startUpstream(echoHandler);
    gw = await startGateway(
      {
        upstreams: { up: { targets: [up.url] } },
        routes: [{ name: 'api', upstream: 'up', policy: { openapi: { spec: 'openapi.yaml' } } }],
      },
      { baseDir: dir },
    );
  });
  afterAll(async () => {
    await gw.close();
    await up.close();
  });
  const post = (body: unknown) =>
    fetch(`${gw.url}/snippets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const sql = 'SELECT name FROM users WHERE id = 1 UNION SELECT password FROM accounts -- keep it';

  it('lets SQL through in a field the spec declares as code', async () => {
    expect((await post({ title: 'report query', code: sql })).status).toBe(200);
  });
  it('still blocks the same text in an ordinary field', async () => {
    const res = await post({ title: sql, code: 'x = 1' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { subtype: string } }).error.subtype).toBe('sqli');
  });
});
