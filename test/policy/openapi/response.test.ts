import { describe, expect, it } from 'vitest';
import { findVerboseError, pruneResponse } from '../../../src/policy/openapi/response.js';
import { fakeCtx, harness } from './helpers.js';

describe('findVerboseError', () => {
  const leaks: [string, string][] = [
    ['python-traceback', 'Traceback (most recent call last):\n  File "x.py", line 1'],
    ['python-traceback', '{"detail":"  File \\"/srv/app/views.py\\", line 12, in get"}'],
    [
      'java-stack',
      'java.lang.IllegalStateException: boom\n\tat com.acme.UserService.find(UserService.java:42)',
    ],
    ['java-stack', 'at sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)'],
    ['node-stack', 'TypeError: x is undefined\n    at handler (/srv/api/index.js:10:5)'],
    ['node-stack', 'at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'],
    [
      'dotnet-stack',
      'System.InvalidOperationException\n   at Acme.Api.Controllers.Users.Get() in C:\\src\\Users.cs:line 42',
    ],
    ['go-panic', 'panic: runtime error: index out of range'],
    ['go-panic', 'main.handler()\n\t/build/app/main.go:42 +0x1d'],
    ['php-error', 'Fatal error: Uncaught Exception in /srv/index.php:12'],
    ['ruby-stack', "app/models/user.rb:12:in `save'"],
    ['sql-error', "You have an error in your SQL syntax; check the manual near ''' at line 1"],
    ['sql-error', 'ERROR: syntax error at or near "FROM"'],
    ['sql-error', 'SQLSTATE[42000]: Syntax error'],
    ['sql-error', "Unclosed quotation mark after the character string 'abc'."],
    ['server-path', 'ENOENT: no such file, open /usr/src/app/config.json'],
  ];
  for (const [kind, text] of leaks) {
    it(`recognises ${kind}: ${text.slice(0, 40)}`, () => {
      expect(findVerboseError(text)?.kind).toBe(kind);
    });
  }

  const clean = [
    '{"error":"not found"}',
    '{"message":"Invalid email address","field":"email"}',
    'Please look at the documentation at https://docs.example.test',
    'The item was created at 10:42 by the user',
    'Rate limit reached, retry at 12:00:05',
    '{"error":"Validation failed","details":[{"path":"name","message":"must be a string"}]}',
  ];
  for (const text of clean) {
    it(`leaves an ordinary error alone: ${text.slice(0, 40)}`, () => {
      expect(findVerboseError(text)).toBeUndefined();
    });
  }

  it('stays linear on hostile input (many "at " without frames)', () => {
    const hostile = 'at '.repeat(200_000) + 'at x(';
    const result = findVerboseError(hostile);
    expect(result).toBeUndefined();
  });
});

describe('pruneResponse', () => {
  const schema = {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      password: { type: 'string', writeOnly: true },
      items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
      meta: { type: 'object' },
    },
  };

  it('removes undeclared and writeOnly properties at every level, keeps free-form objects', () => {
    const value = {
      id: 1,
      password: 'x',
      secret: 's',
      items: [{ name: 'a', cost: 3 }],
      meta: { anything: 1 },
    };
    const result = pruneResponse(value, schema, true);
    expect(result.count).toBe(3);
    expect(value).toEqual({ id: 1, items: [{ name: 'a' }], meta: { anything: 1 } });
  });

  it('flags without touching the value when not removing', () => {
    const value = { id: 1, secret: 's' };
    expect(pruneResponse(value, schema, false).found).toEqual([
      { path: 'response.secret', reason: 'undeclared' },
    ]);
    expect(value).toEqual({ id: 1, secret: 's' });
  });
});

describe('response phase', () => {
  const leaky = JSON.stringify({
    id: 1,
    name: 'a',
    email: 'a@b.test',
    role: 'member',
    password_hash: '$2b$',
    profile: { bio: 'x', internal_score: 7 },
  });

  it('removes undeclared properties from a matched JSON response (block → remove)', async () => {
    const h = await harness({ spec: 'openapi.yaml', mode: 'block' });
    const ctx = fakeCtx({ url: '/api/users/1' });
    await h.run(ctx);
    const out = h.respond(ctx, 200, leaky);
    expect(Buffer.isBuffer(out)).toBe(true);
    expect(JSON.parse(String(out))).toEqual({
      id: 1,
      name: 'a',
      email: 'a@b.test',
      role: 'member',
      profile: { bio: 'x' },
    });
    expect(ctx.findings).toEqual([
      expect.objectContaining({ category: 'api-leak', subtype: 'excessive-data-exposure', mode: 'block' }),
    ]);
    expect(ctx.state.get('response-modified')).toBe(true);
  });

  it('passes a response that matches its schema unchanged', async () => {
    const h = await harness({ spec: 'openapi.yaml', mode: 'block' });
    const ctx = fakeCtx({ url: '/api/users/1' });
    await h.run(ctx);
    const clean = JSON.stringify({ id: 1, name: 'a', profile: { bio: 'x' } });
    expect(String(h.respond(ctx, 200, clean))).toBe(clean);
    expect(ctx.findings).toEqual([]);
  });

  it('flag keeps the body and records the finding', async () => {
    const h = await harness({
      spec: 'openapi.yaml',
      mode: 'block',
      response: { undeclaredProperties: 'flag' },
    });
    const ctx = fakeCtx({ url: '/api/users/1' });
    await h.run(ctx);
    expect(String(h.respond(ctx, 200, leaky))).toBe(leaky);
    expect(ctx.findings[0]).toMatchObject({
      subtype: 'excessive-data-exposure',
      mode: 'monitor',
      location: 'response.password_hash',
    });
  });

  it('does not buffer responses it has no schema for', async () => {
    const h = await harness({ spec: 'openapi.yaml', mode: 'block' });
    const ctx = fakeCtx({ url: '/api/users/1', method: 'DELETE' });
    await h.run(ctx);
    expect(h.respond(ctx, 204, '')).toBe('not-inspected');
    const csv = fakeCtx({ url: '/api/reports/2024' });
    await h.run(csv);
    expect(h.respond(csv, 200, 'a,b', { 'content-type': 'text/csv' })).toBe('not-inspected');
  });

  it('replaces a verbose 500 with a generic JSON error; leaves a plain 404 alone', async () => {
    const h = await harness({ spec: 'openapi.yaml', mode: 'block' });
    const ctx = fakeCtx({ url: '/api/users/1' });
    await h.run(ctx);
    const out = h.respond(
      ctx,
      500,
      JSON.stringify({ error: 'x', stack: 'Error\n    at f (/srv/app/a.js:1:2)' }),
    );
    expect(out).toMatchObject({
      action: 'block',
      status: 500,
      code: 'PAL_ERR_UPSTREAM_RESPONSE',
      finding: { category: 'api-leak', subtype: 'verbose-error' },
    });
    const ok = fakeCtx({ url: '/api/users/2' });
    await h.run(ok);
    expect(String(h.respond(ok, 404, '{"message":"not found"}'))).toBe('{"message":"not found"}');
    expect(ok.findings).toEqual([]);
  });

  it('monitor mode records the verbose error and forwards the body', async () => {
    const h = await harness({ spec: 'openapi.yaml', mode: 'block', response: { verboseErrors: 'monitor' } });
    const ctx = fakeCtx({ url: '/api/search?q=x' });
    await h.run(ctx);
    const body = 'You have an error in your SQL syntax';
    expect(String(h.respond(ctx, 500, body, { 'content-type': 'text/plain' }))).toBe(body);
    expect(ctx.findings).toEqual([expect.objectContaining({ subtype: 'verbose-error', mode: 'monitor' })]);
  });
});
