import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Identity } from '../../../src/core/identity.js';
import { DenyList } from '../../../src/policy/denylist.js';
import { MemorySharedState } from '../../../src/store/shared-state.js';

const ident = (subject: string, credentialId?: string): Identity => ({
  subject,
  method: 'jwt',
  roles: [],
  scopes: [],
  credentialId,
  claims: {},
});

function make() {
  const state = new MemorySharedState();
  return { state, list: new DenyList(state, { refreshIntervalMs: 0, maxEntries: 100 }) };
}

afterEach(() => vi.useRealTimers());

describe('deny-list', () => {
  it('blocks IPv4 addresses and CIDRs, not their neighbours', async () => {
    const { list } = make();
    await list.add({ type: 'ip', value: '198.51.100.7' });
    await list.add({ type: 'cidr', value: '10.20.0.0/16' });
    expect(list.checkIp('198.51.100.7')?.type).toBe('ip');
    expect(list.checkIp('::ffff:198.51.100.7')?.type).toBe('ip');
    expect(list.checkIp('198.51.100.8')).toBeUndefined();
    expect(list.checkIp('10.20.255.1')?.value).toBe('10.20.0.0/16');
    expect(list.checkIp('10.21.0.1')).toBeUndefined();
  });

  it('blocks IPv6 addresses and prefixes', async () => {
    const { list } = make();
    await list.add({ type: 'cidr', value: '2001:db8:abcd::/48' });
    await list.add({ type: 'ip', value: '2001:db8::1' });
    expect(list.checkIp('2001:db8:abcd:12::5')?.type).toBe('cidr');
    expect(list.checkIp('2001:0db8:0000:0000:0000:0000:0000:0001')?.type).toBe('ip');
    expect(list.checkIp('2001:db8:abce::1')).toBeUndefined();
    expect(list.checkIp('10.0.0.1')).toBeUndefined();
  });

  it('refuses malformed addresses and prefixes', async () => {
    const { list } = make();
    await expect(list.add({ type: 'cidr', value: '10.0.0.0/33' })).rejects.toThrow(/prefix/);
    await expect(list.add({ type: 'ip', value: 'not-an-ip' })).rejects.toThrow(/not an IP/);
    await expect(list.add({ type: 'tokenHash', value: 'abc' })).rejects.toThrow(/64 hex/);
  });

  it('blocks tokens by hash, subjects and jti; stores no raw token', async () => {
    const { list, state } = make();
    await list.add({ type: 'token', value: 'eyJ.leaked.token' });
    await list.add({ type: 'subject', value: 'mallory' });
    await list.add({ type: 'jti', value: 'tok-42' });
    expect((await list.checkToken('eyJ.leaked.token'))?.type).toBe('token');
    expect(await list.checkToken('eyJ.other.token')).toBeUndefined();
    expect((await list.checkIdentity(ident('mallory')))?.type).toBe('subject');
    expect((await list.checkIdentity(ident('alice', 'tok-42')))?.type).toBe('jti');
    expect(await list.checkIdentity(ident('alice', 'tok-43'))).toBeUndefined();
    const stored = await Promise.all((await state.keys('deny:', 100)).map((k) => state.get(k)));
    expect(stored.join()).not.toContain('eyJ.leaked.token');
  });

  it('forgets entries when they expire and when they are deleted', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 0, 1));
    const { list } = make();
    const a = await list.add({ type: 'subject', value: 'eve', ttlMs: 60_000 });
    const b = await list.add({ type: 'cidr', value: '192.0.2.0/24', ttlMs: 60_000 });
    expect(await list.checkIdentity(ident('eve'))).toBeDefined();
    expect(list.checkIp('192.0.2.9')).toBeDefined();
    vi.setSystemTime(Date.UTC(2026, 0, 1) + 61_000);
    expect(await list.checkIdentity(ident('eve'))).toBeUndefined();
    expect(list.checkIp('192.0.2.9')).toBeUndefined();
    vi.setSystemTime(Date.UTC(2026, 0, 1));
    const c = await list.add({ type: 'ip', value: '198.18.0.1' });
    expect(list.checkIp('198.18.0.1')).toBeDefined();
    expect(await list.remove(c.id)).toBe(true);
    expect(list.checkIp('198.18.0.1')).toBeUndefined();
    expect(await list.remove(c.id)).toBe(false);
    expect([a.expiresAt, b.expiresAt].every(Boolean)).toBe(true);
  });

  it('sees entries another gateway added after a refresh', async () => {
    const state = new MemorySharedState();
    const one = new DenyList(state, { refreshIntervalMs: 0, maxEntries: 100 });
    const two = new DenyList(state, { refreshIntervalMs: 0, maxEntries: 100 });
    await one.add({ type: 'cidr', value: '203.0.113.0/24' });
    await one.add({ type: 'subject', value: 'bob' });
    expect((await two.checkIdentity(ident('bob')))?.value).toBe('bob'); // key lookups: at once
    expect(two.checkIp('203.0.113.5')).toBeUndefined();
    await two.refresh();
    expect(two.checkIp('203.0.113.5')).toBeDefined();
  });

  it('serves the admin API', async () => {
    const { list } = make();
    const routes = Object.fromEntries(list.adminRoutes().map((r) => [`${r.method} ${r.pattern}`, r.handler]));
    const base = { path: '', params: {}, query: new URLSearchParams() };
    const created = await routes['POST /api/deny-list']({
      ...base,
      method: 'POST',
      body: { type: 'cidr', value: '2001:db8::/32', ttl: '1h', reason: 'scanner' },
    });
    expect(created.status).toBe(201);
    const id = (created.body as { entry: { id: string } }).entry.id;
    const bad = await routes['POST /api/deny-list']({
      ...base,
      method: 'POST',
      body: { type: 'cidr', value: 'x' },
    });
    expect(bad.status).toBe(400);
    const listed = await routes['GET /api/deny-list']({ ...base, method: 'GET', body: undefined });
    expect((listed.body as { entries: unknown[] }).entries).toHaveLength(1);
    expect(list.checkIp('2001:db8::5')).toBeDefined();
    const del = await routes['DELETE /api/deny-list/:id']({
      ...base,
      method: 'DELETE',
      params: { id },
      body: undefined,
    });
    expect(del.status).toBe(204);
    expect(list.checkIp('2001:db8::5')).toBeUndefined();
  });
});
