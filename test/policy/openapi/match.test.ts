import { describe, expect, it } from 'vitest';
import { Router, splitRequestPath, stripBasePath } from '../../../src/policy/openapi/match.js';

function router(entries: [string, string][]): Router<string> {
  const r = new Router<string>();
  for (const [method, template] of entries) r.add(method, template, `${method} ${template}`);
  return r;
}

describe('Router', () => {
  const r = router([
    ['GET', '/users'],
    ['GET', '/users/me'],
    ['GET', '/users/{id}'],
    ['DELETE', '/users/{id}'],
    ['GET', '/users/{userId}/orders/{orderId}'],
    ['GET', '/files/{name}.{ext}'],
    ['GET', '/files/{name}.json'],
    ['GET', '/reports/report-{year}'],
    ['GET', '/'],
  ]);

  it('prefers literal segments over templated ones', () => {
    expect(r.match('GET', '/users/me')).toMatchObject({ kind: 'match', value: 'GET /users/me', params: {} });
    expect(r.match('GET', '/users/42')).toMatchObject({
      kind: 'match',
      value: 'GET /users/{id}',
      params: { id: '42' },
    });
  });

  it('falls back to a less specific template that has the method', () => {
    expect(r.match('DELETE', '/users/me')).toMatchObject({
      kind: 'match',
      value: 'DELETE /users/{id}',
      params: { id: 'me' },
    });
  });

  it('captures several parameters with their own names', () => {
    expect(r.match('GET', '/users/7/orders/9')).toMatchObject({ params: { userId: '7', orderId: '9' } });
  });

  it('matches mixed segments, more literal text first', () => {
    expect(r.match('GET', '/files/report.json')).toMatchObject({
      value: 'GET /files/{name}.json',
      params: { name: 'report' },
    });
    expect(r.match('GET', '/files/report.csv')).toMatchObject({
      value: 'GET /files/{name}.{ext}',
      params: { name: 'report', ext: 'csv' },
    });
    expect(r.match('GET', '/reports/report-2024')).toMatchObject({ params: { year: '2024' } });
    expect(r.match('GET', '/reports/report-').kind).toBe('no-path');
    expect(r.match('GET', '/files/noext').kind).toBe('no-path');
  });

  it('decodes each segment once, keeping an encoded slash inside the parameter', () => {
    expect(r.match('GET', '/users/a%2Fb')).toMatchObject({ params: { id: 'a/b' } });
  });

  it('tells method-not-allowed from an unknown path', () => {
    expect(r.match('POST', '/users/1')).toEqual({ kind: 'method-not-allowed', template: '/users/{id}' });
    expect(r.match('GET', '/admin')).toEqual({ kind: 'no-path' });
    expect(r.match('GET', '/users/1/orders')).toEqual({ kind: 'no-path' });
  });

  it('HEAD falls back to GET; one trailing slash is tolerated; the root matches', () => {
    expect(r.match('HEAD', '/users')).toMatchObject({ value: 'GET /users' });
    expect(r.match('GET', '/users/')).toMatchObject({ value: 'GET /users' });
    expect(r.match('GET', '/')).toMatchObject({ value: 'GET /' });
  });

  it('never matches dot segments, empty segments or absurdly long paths', () => {
    expect(r.match('GET', '/users/..').kind).toBe('no-path');
    expect(r.match('GET', '/users/%2e%2e').kind).toBe('no-path');
    expect(r.match('GET', '/users//1').kind).toBe('no-path');
    expect(r.match('GET', `/users${'/x'.repeat(100)}`).kind).toBe('no-path');
    expect(splitRequestPath('users')).toBeUndefined();
  });
});

describe('stripBasePath', () => {
  it('strips the longest matching base path and refuses others', () => {
    expect(stripBasePath('/api/users', ['/api/v2', '/api'])).toBe('/users');
    expect(stripBasePath('/api/v2/users', ['/api/v2', '/api'])).toBe('/users');
    expect(stripBasePath('/api', ['/api'])).toBe('/');
    expect(stripBasePath('/apix/users', ['/api'])).toBeUndefined();
    expect(stripBasePath('/users', [''])).toBe('/users');
  });
});
