import { describe, expect, it } from 'vitest';
import { resolveModes } from '../../../src/policy/openapi-phases.js';
import { fakeCtx, harness, jsonReq, testConfig } from './helpers.js';

describe('resolveModes', () => {
  it('inherits route.mode, then config.mode; inventory signals capped at monitor', () => {
    const cfg = testConfig({ spec: 'openapi.yaml' }, { mode: 'block' });
    expect(resolveModes(cfg, cfg.routes[0])).toEqual({
      shadow: 'block',
      zombie: 'monitor',
      validation: 'block',
      undocumentedParameters: 'monitor',
      massAssignment: 'block',
      undeclaredProperties: 'remove',
      verboseErrors: 'block',
      limits: 'block',
    });
    const monitorRoute = testConfig({ spec: 'openapi.yaml' }, { mode: 'block' }, { mode: 'monitor' });
    expect(resolveModes(monitorRoute, monitorRoute.routes[0])).toMatchObject({
      shadow: 'monitor',
      validation: 'monitor',
      undeclaredProperties: 'flag',
    });
    const off = testConfig({ spec: 'openapi.yaml' }, { mode: 'off' });
    expect(Object.values(resolveModes(off, off.routes[0])).every((m) => m === 'off')).toBe(true);
  });

  it('route control beats route mode; global control applies when the route sets no mode', () => {
    const cfg = testConfig(
      { spec: 'openapi.yaml', validation: 'monitor', zombie: 'block' },
      { mode: 'block', policy: { openapi: { shadow: 'monitor', undocumentedParameters: 'block' } } },
    );
    expect(resolveModes(cfg, cfg.routes[0])).toMatchObject({
      validation: 'monitor',
      zombie: 'block',
      shadow: 'monitor',
      undocumentedParameters: 'block',
    });
    const routeMode = testConfig(
      { spec: 'openapi.yaml' },
      { mode: 'block', policy: { openapi: { shadow: 'monitor' } } },
      { mode: 'block' },
    );
    expect(resolveModes(routeMode, routeMode.routes[0]).shadow).toBe('block');
  });

  it('openapi.mode sets every control of the route', () => {
    const cfg = testConfig({ spec: 'openapi.yaml', mode: 'monitor' }, { mode: 'block' });
    expect(resolveModes(cfg, cfg.routes[0])).toMatchObject({
      shadow: 'monitor',
      massAssignment: 'monitor',
      limits: 'monitor',
    });
  });
});

describe('monitor records what block blocks', () => {
  const attacks = [
    { name: 'shadow endpoint', req: { url: '/api/internal/debug' }, subtype: 'shadow-endpoint' },
    { name: 'bad path parameter', req: { url: '/api/users/abc' }, subtype: 'undocumented-parameter' },
    {
      name: 'unbounded page',
      req: { url: '/api/users?limit=9999', headers: { 'x-tenant': 'acme' } },
      subtype: 'unbounded-pagination',
    },
    {
      name: 'mass assignment',
      req: jsonReq('POST', '/api/users', { name: 'a', email: 'a@b.test', role: 'admin' }),
      subtype: 'mass-assignment',
    },
    {
      name: 'wrong media type',
      req: { method: 'POST', url: '/api/users', headers: { 'content-type': 'text/xml' }, body: '<a/>' },
      subtype: 'undocumented-parameter',
    },
  ];
  for (const a of attacks) {
    it(a.name, async () => {
      const block = await harness({ spec: 'openapi.yaml', mode: 'block' });
      const monitor = await harness({ spec: 'openapi.yaml', mode: 'monitor' });
      const blocked = fakeCtx(a.req);
      const verdict = await block.run(blocked);
      expect(verdict?.finding?.subtype).toBe(a.subtype);
      const watched = fakeCtx(a.req);
      expect(await monitor.run(watched)).toBeUndefined();
      const { mode, ...recorded } = watched.findings[0];
      expect(mode).toBe('monitor');
      expect(recorded).toEqual(verdict?.finding);
    });
  }

  it('off records nothing', async () => {
    const off = await harness({ spec: 'openapi.yaml', mode: 'off' });
    const ctx = fakeCtx({ url: '/api/internal/debug' });
    expect(await off.run(ctx)).toBeUndefined();
    expect(ctx.findings).toEqual([]);
  });
});
