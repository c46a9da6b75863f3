import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { Router } from '../../src/gateway/router.js';

const config = parseConfig({
  upstreams: { u: { targets: ['http://127.0.0.1:1'] } },
  routes: [
    { name: 'root', upstream: 'u' },
    { name: 'api', upstream: 'u', match: { pathPrefix: '/api' } },
    { name: 'api-v2', upstream: 'u', match: { pathPrefix: '/api/v2/' } },
    { name: 'host', upstream: 'u', match: { host: 'a.example.com' } },
    { name: 'wild', upstream: 'u', match: { host: '*.example.org', pathPrefix: '/x' } },
  ],
});
const router = new Router(config.routes.map((c) => ({ config: c })));
const name = (host: string, path: string) => router.match(host, path)?.config.name;

describe('router', () => {
  it.each([
    ['x', '/', 'root'],
    ['x', '/api', 'api'],
    ['x', '/api/users', 'api'],
    ['x', '/apiary', 'root'],
    ['x', '/api/v2/models', 'api-v2'],
    ['a.example.com:8080', '/api', 'host'],
    ['A.EXAMPLE.COM', '/', 'host'],
    ['b.example.org', '/x/1', 'wild'],
    ['example.org', '/x/1', 'root'],
  ])('%s %s → %s', (host, path, expected) => {
    expect(name(host, path)).toBe(expected);
  });
});
