import { describe, expect, it } from 'vitest';
import { ChainStore, RequestBuilder, serializeBody, serializeQuery } from '../../src/scan/builder/request.js';
import { injectionPoints } from '../../src/scan/points.js';
import { loadApi } from '../../src/scan/spec/load.js';
import { SPEC_PATH } from '../fixtures/vuln-api/app.js';

describe('request builder', async () => {
  const api = await loadApi(SPEC_PATH);
  const op = (key: string) => api.operations.find((o) => o.key === key)!;
  const builder = new RequestBuilder(api, 'http://127.0.0.1:9999');

  it('builds a valid request from examples, defaults and schemas', () => {
    const products = builder.render(op('GET /api/products'), builder.parts(op('GET /api/products')));
    expect(products.url).toBe('http://127.0.0.1:9999/api/products?q=gpu&limit=20');
    const note = builder.render(op('POST /api/notes'), builder.parts(op('POST /api/notes')), {
      Authorization: 'Bearer t',
    });
    expect(JSON.parse(note.body!)).toEqual({ title: 'palisade', body: 'palisade' });
    expect(note.headers.authorization).toBe('Bearer t');
    expect(note.headers['content-type']).toBe('application/json');
    const order = builder.render(
      op('GET /api/orders/{orderId}'),
      builder.parts(op('GET /api/orders/{orderId}')),
    );
    expect(order.url).toMatch(/\/api\/orders\/1001$/);
    const xml = builder.render(op('POST /api/import'), builder.parts(op('POST /api/import')));
    expect(xml.body).toBe('<?xml version="1.0"?><root><name>widget</name><value>42</value></root>');
  });

  it('chains identifiers from create and list responses into path parameters', () => {
    const store = new ChainStore();
    store.learn(op('POST /api/notes'), 201, { id: 77, title: 'x' });
    const parts = builder.parts(op('GET /api/notes/{noteId}'), store);
    expect(parts.path.noteId).toBe('77');
    store.learn(op('GET /api/notes'), 200, { notes: [{ id: 78 }, { id: 79 }] });
    expect(store.known(op('GET /api/notes/{noteId}'), 'noteId')).toContain(78);
    // failed responses teach nothing
    store.learn(op('POST /api/notes'), 400, { id: 5 });
    expect(store.known(op('GET /api/notes/{noteId}'), 'noteId')).not.toContain(5);
  });

  it('serialises query objects, forms and encodes path values', () => {
    expect(serializeQuery({ a: [1, 2], f: { $ne: 'x' }, s: 'a b' })).toBe('a=1&a=2&f[%24ne]=x&s=a%20b');
    expect(serializeBody({ a: 'x&y' }, 'application/x-www-form-urlencoded')).toBe('a=x%26y');
    const p = builder.parts(op('GET /api/notes/{noteId}'));
    p.path.noteId = '../../etc/passwd';
    expect(builder.url(op('GET /api/notes/{noteId}'), p)).toContain('..%2F..%2Fetc%2Fpasswd');
  });

  it('enumerates injection points of query, path and nested JSON bodies', () => {
    const chat = op('POST /v1/chat/completions');
    const points = injectionPoints(chat, builder.parts(chat)).map((p) => p.label);
    expect(points).toContain('body.messages.0.content');
    expect(points).toContain('body.model');
    const pr = op('GET /api/products');
    const pp = injectionPoints(pr, builder.parts(pr));
    const q = pp.find((x) => x.label === 'query.q')!;
    const mutated = q.with(builder.parts(pr), "gpu'");
    expect(builder.url(pr, mutated)).toContain("q=gpu'");
  });

  it('honours a path on the target over the servers entry', () => {
    const b = new RequestBuilder(api, 'http://127.0.0.1:9999/prefix/');
    expect(b.url(op('GET /api/reports'), b.parts(op('GET /api/reports')))).toBe(
      'http://127.0.0.1:9999/prefix/api/reports',
    );
  });
});

describe('multipart bodies', () => {
  it('are encoded as form-data with a boundary', async () => {
    const { serializeBody: ser, MULTIPART_BOUNDARY } = await import('../../src/scan/builder/request.js');
    const body = ser({ name: 'x', file: 'hello' }, 'multipart/form-data');
    expect(body).toContain(
      `--${MULTIPART_BOUNDARY}\r\ncontent-disposition: form-data; name="name"\r\n\r\nx\r\n`,
    );
    expect(body).toContain('filename="file.txt"');
    expect(body.endsWith(`--${MULTIPART_BOUNDARY}--\r\n`)).toBe(true);
  });
});
