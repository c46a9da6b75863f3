import { describe, expect, it } from 'vitest';
import { parseConfig, quickstartConfig, substituteEnv } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';

const minimal = {
  upstreams: { u: { targets: ['http://127.0.0.1:3000'] } },
  routes: [{ name: 'r', upstream: 'u' }],
};

describe('config schema', () => {
  it('fills secure defaults', () => {
    const c = parseConfig(minimal);
    expect(c.mode).toBe('block');
    expect(c.admin.host).toBe('127.0.0.1');
    expect(c.limits.bodyLimit).toBe(1024 * 1024);
    expect(c.events.retention.maxAge).toBe(30 * 86_400_000);
    expect(c.routes[0].match.pathPrefix).toBe('/');
  });
  it('parses durations and sizes', () => {
    const c = parseConfig({
      ...minimal,
      server: { timeouts: { idle: '2s', upstreamResponse: '1m' } },
      limits: { bodyLimit: '64kb' },
    });
    expect(c.server.timeouts.idle).toBe(2000);
    expect(c.server.timeouts.upstreamResponse).toBe(60_000);
    expect(c.limits.bodyLimit).toBe(65536);
  });
  it('names every bad key', () => {
    try {
      parseConfig({
        ...minimal,
        routes: [
          { name: 'r', upstream: 'missing' },
          { name: 'r', upstream: 'u' },
        ],
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues).toEqual([
        { path: 'routes.0.upstream', message: 'unknown upstream "missing"' },
        { path: 'routes.1.name', message: 'duplicate route name' },
      ]);
    }
  });
  it('substitutes environment variables with defaults', () => {
    const issues: ConfigError['issues'] = [];
    expect(substituteEnv({ a: ['${X}', '${Y:-dflt}', 'plain'] }, { X: 'x' }, [], issues)).toEqual({
      a: ['x', 'dflt', 'plain'],
    });
    substituteEnv({ s: '${MISSING}' }, {}, [], issues);
    expect(issues).toEqual([{ path: 's', message: 'environment variable MISSING is not set' }]);
  });
  it('builds the quick-start config', () => {
    const c = parseConfig(
      quickstartConfig({ upstream: 'http://127.0.0.1:3000', port: 8081, mode: 'monitor' }),
    );
    expect(c.mode).toBe('monitor');
    expect(c.server.port).toBe(8081);
    expect(c.upstreams.default.targets).toEqual(['http://127.0.0.1:3000']);
  });
});
