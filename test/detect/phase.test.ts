import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { ConfigError } from '../../src/core/errors.js';
import type { Finding, Mode } from '../../src/core/findings.js';
import { createDetectPhases, detectPhaseFactory, MALFORMED_JSON } from '../../src/detect/phase.js';
import type { PhaseEnv } from '../../src/gateway/phase-env.js';
import type {
  BlockVerdict,
  RecordedFinding,
  RequestContext,
  RequestPhase,
  Verdict,
} from '../../src/gateway/phase.js';
import { MemorySharedState } from '../../src/store/shared-state.js';
import {
  echoHandler,
  oneRoute,
  type StartedGateway,
  type StartedUpstream,
  startGateway,
  startUpstream,
} from '../helpers/gateway.js';

function parse(route: Record<string, unknown> = {}, top: Record<string, unknown> = {}) {
  return configSchema.parse({
    upstreams: { app: { targets: ['http://127.0.0.1:9'] } },
    routes: [{ name: 'r', upstream: 'app', ...route }],
    ...top,
  });
}

function env(config: ReturnType<typeof parse>): PhaseEnv {
  return {
    config,
    baseDir: '.',
    logger: pino({ level: 'silent' }),
    state: new MemorySharedState(),
    registerAdminRoute: () => {},
    background: () => {},
  };
}

async function phaseFor(route: Record<string, unknown> = {}, top: Record<string, unknown> = {}) {
  const config = parse(route, top);
  const set = await createDetectPhases(config.routes[0], 0, env(config));
  return set.request?.find((p) => p.name === 'detect');
}

/** A RequestContext with just what the detect phase reads, recording reports like the gateway. */
function fakeContext(init: { method?: string; url: string; headers?: [string, string][]; body?: string }) {
  const headers = init.headers ?? [];
  const findings: RecordedFinding[] = [];
  const ctx = {
    id: 'req-1',
    receivedAt: Date.now(),
    routeName: 'r',
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    url: init.url,
    path: init.url.split('?')[0],
    query: new URLSearchParams(init.url.split('?')[1] ?? ''),
    headers: Object.fromEntries(headers.map(([k, v]) => [k.toLowerCase(), v])),
    rawHeaders: headers.flat(),
    httpVersion: '1.1',
    clientIp: '127.0.0.1',
    body: init.body === undefined ? undefined : Buffer.from(init.body),
    findings,
    upstreamHeaders: new Map(),
    stripHeaders: new Set(),
    state: new Map(),
    json: () => undefined,
    report(finding: Finding, mode: Mode, verdict?: Partial<Omit<BlockVerdict, 'action'>>): Verdict {
      if (mode === 'off') return undefined;
      findings.push({ ...finding, mode });
      if (mode !== 'block') return undefined;
      return {
        action: 'block',
        status: verdict?.status ?? 403,
        code: verdict?.code ?? 'PAL_ERR_BLOCKED',
        finding,
      };
    },
  } satisfies RequestContext;
  return ctx;
}

const SQLI = "1' OR '1'='1' --";
const json = (_: unknown): [string, string][] => [['Content-Type', 'application/json']];

describe('detect phase (fake context)', () => {
  it('blocks an attack in block mode and records the finding', async () => {
    const phase = (await phaseFor()) as RequestPhase;
    expect(phase.name).toBe('detect');
    const ctx = fakeContext({ url: `/items?id=${encodeURIComponent(SQLI)}` });
    const verdict = await phase.run(ctx);
    expect(verdict).toMatchObject({ action: 'block', status: 403, code: 'PAL_ERR_BLOCKED' });
    expect(verdict?.finding).toMatchObject({ category: 'injection', subtype: 'sqli', location: 'query.id' });
    expect(ctx.findings.find((f) => f.detector === 'sqli')?.mode).toBe('block');
  });

  it('records without blocking in monitor mode (route.detect.mode, then route.mode, then config.mode)', async () => {
    for (const [route, top] of [
      [{ detect: { mode: 'monitor' } }, {}],
      [{ mode: 'monitor' }, {}],
      [{}, { mode: 'monitor' }],
    ] as const) {
      const phase = (await phaseFor(route, top)) as RequestPhase;
      const ctx = fakeContext({ url: `/items?id=${encodeURIComponent(SQLI)}` });
      expect(await phase.run(ctx)).toBeUndefined();
      expect(ctx.findings.some((f) => f.detector === 'sqli' && f.mode === 'monitor')).toBe(true);
    }
  });

  it('lets benign requests through untouched', async () => {
    const phase = (await phaseFor()) as RequestPhase;
    const ctx = fakeContext({
      url: '/search?q=running+shoes&size=42&sort=price_asc&page=2',
      headers: [
        ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36'],
        ['Referer', 'https://shop.example.com/catalog?cat=shoes'],
        ['Cookie', 'sid=Zm9vYmFyYmF6cXV4; theme=dark'],
        ...json(0),
      ],
      body: JSON.stringify({
        name: "O'Brien",
        email: 'pat.obrien@example.com',
        note: 'Please leave the parcel at the back door, thanks!',
        tags: ['gift', 'express'],
        address: { street: '12 Main St.', city: 'Dublin' },
      }),
    });
    expect(await phase.run(ctx)).toBeUndefined();
    expect(ctx.findings).toEqual([]);
  });

  it('reports the strongest finding once per (location, detector)', async () => {
    const phase = (await phaseFor({ detect: { mode: 'monitor' } })) as RequestPhase;
    const ctx = fakeContext({
      url: `/x?a=${encodeURIComponent(SQLI)}&a=${encodeURIComponent(`${SQLI} UNION SELECT 1`)}`,
    });
    await phase.run(ctx);
    const sqli = ctx.findings.filter((f) => f.detector === 'sqli' && f.location === 'query.a');
    expect(sqli).toHaveLength(1);
  });

  it('an exclusion silences one detector on one location only', async () => {
    const phase = (await phaseFor({
      detect: { exclusions: [{ location: 'body.$.notes', detectors: ['sqli'] }] },
    })) as RequestPhase;
    const excluded = fakeContext({ url: '/n', headers: json(0), body: JSON.stringify({ notes: SQLI }) });
    expect(await phase.run(excluded)).toBeUndefined();
    const elsewhere = fakeContext({ url: '/n', headers: json(0), body: JSON.stringify({ title: SQLI }) });
    expect(await phase.run(elsewhere)).toMatchObject({ action: 'block' });
  });

  it('on an LLM route, message text with SQL passes while a tool-call argument with SQLi is blocked', async () => {
    const phase = (await phaseFor()) as RequestPhase;
    const question = fakeContext({
      url: '/v1/chat/completions',
      headers: json(0),
      body: JSON.stringify({
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'You are a SQL tutor.' },
          {
            role: 'user',
            content: `Why does "SELECT * FROM users WHERE name = '' OR '1'='1' --" return every row? And is <script>alert(1)</script> dangerous? Also explain rm -rf / ; cat /etc/passwd`,
          },
          {
            role: 'assistant',
            content: [{ type: 'text', text: "Because ' OR '1'='1 is always true; use $1 placeholders." }],
          },
        ],
      }),
    });
    expect(await phase.run(question)).toBeUndefined();
    expect(question.findings).toEqual([]);

    const toolCall = fakeContext({
      url: '/v1/chat/completions',
      headers: json(0),
      body: JSON.stringify({
        model: 'gpt-4o',
        messages: [
          { role: 'user', content: 'Find order 7' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'lookup', arguments: JSON.stringify({ order: SQLI }) },
              },
            ],
          },
        ],
      }),
    });
    const verdict = await phase.run(toolCall);
    expect(verdict).toMatchObject({ action: 'block' });
    expect(verdict?.finding?.location).toBe('body.$.messages[1].tool_calls[0].function.arguments.$.order');
  });

  it('routes with `llm` set treat any path as an LLM API', async () => {
    const phase = (await phaseFor({ llm: {} })) as RequestPhase;
    const ctx = fakeContext({
      url: '/proxy/anything',
      headers: json(0),
      body: JSON.stringify({ messages: [{ role: 'user', content: `Explain: ${SQLI}` }] }),
    });
    expect(await phase.run(ctx)).toBeUndefined();
  });

  it('answers 400 to malformed JSON in block mode, and inspects it as text in monitor mode', async () => {
    const block = (await phaseFor()) as RequestPhase;
    const ctx = fakeContext({ url: '/j', headers: json(0), body: '{"a": 1,' });
    expect(await block.run(ctx)).toEqual(MALFORMED_JSON);
    expect(MALFORMED_JSON).toMatchObject({
      status: 400,
      code: 'PAL_ERR_BAD_REQUEST',
      message: 'Malformed JSON body',
    });
    const monitor = (await phaseFor({ detect: { mode: 'monitor' } })) as RequestPhase;
    const bad = fakeContext({ url: '/j', headers: json(0), body: `{"a": "${SQLI}` });
    expect(await monitor.run(bad)).toBeUndefined();
    expect(bad.findings.some((f) => f.detector === 'sqli' && f.location === 'body')).toBe(true);
  });

  it('reports nesting beyond the limit as resource-consumption/deep-nesting', async () => {
    const phase = (await phaseFor({}, { detect: { limits: { maxDepth: 5 } } })) as RequestPhase;
    const ctx = fakeContext({
      url: '/d',
      headers: json(0),
      body: `{"a":${'['.repeat(20)}${']'.repeat(20)}}`,
    });
    const verdict = await phase.run(ctx);
    expect(verdict?.finding).toMatchObject({ category: 'resource-consumption', subtype: 'deep-nesting' });
  });

  it('applies the paranoia threshold from config', async () => {
    const url = `/x?a=${encodeURIComponent("1' OR '1'='1' --")}&b=${encodeURIComponent('<script>alert(1)</script>')}`;
    const base = fakeContext({ url });
    await ((await phaseFor({ detect: { mode: 'monitor' } })) as RequestPhase).run(base);
    expect(base.findings.length).toBeGreaterThan(0);
    const weakest = Math.min(...base.findings.map((f) => f.score));
    const raised = fakeContext({ url });
    const phase = (await phaseFor(
      { detect: { mode: 'monitor' } },
      { detect: { thresholds: { 1: weakest + 1e-6 } } },
    )) as RequestPhase;
    await phase.run(raised);
    expect(raised.findings.length).toBeLessThan(base.findings.length);
    expect(raised.findings.every((f) => f.score > weakest)).toBe(true);
  });

  it('costs nothing when off or with no detectors; needsBody follows inspectBody', async () => {
    const config = parse({ detect: { mode: 'off' } });
    expect(await createDetectPhases(config.routes[0], 0, env(config))).toEqual({});
    expect(await phaseFor({ detect: { detectors: [] } })).toBeUndefined();
    expect((await phaseFor())?.needsBody).toBe(true);
    expect((await phaseFor({ detect: { inspectBody: false } }))?.needsBody).toBe(false);
  });

  it('rejects bad location patterns with a ConfigError naming the key', async () => {
    const config = parse({ detect: { exclusions: [{ location: 'nowhere.x', detectors: ['xss'] }] } });
    expect(() => createDetectPhases(config.routes[0], 0, env(config))).toThrow(ConfigError);
    try {
      createDetectPhases(config.routes[0], 0, env(config));
    } catch (e) {
      expect((e as ConfigError).issues[0].path).toBe('routes.0.detect.exclusions.0.location');
    }
  });

  it('uses OpenAPI profiles per operation when supplied', async () => {
    const config = parse();
    const factory = detectPhaseFactory({
      schemaProfiles: () => ({ operations: { 'POST /snippets': { 'body.$.source': 'code' } } }),
    });
    const phase = (await factory(config.routes[0], 0, env(config))).request?.[0] as RequestPhase;
    const body = JSON.stringify({ source: 'db.query("SELECT * FROM t WHERE a = \'" + x + "\' OR 1=1 --")' });
    const asCode = fakeContext({ url: '/snippets', headers: json(0), body });
    (asCode as { operation?: string }).operation = 'POST /snippets';
    expect(await phase.run(asCode)).toBeUndefined();
    const other = fakeContext({ url: '/snippets', headers: json(0), body: JSON.stringify({ source: SQLI }) });
    expect(await phase.run(other)).toMatchObject({ action: 'block' });
    // The profiles may come from an asynchronous OpenAPI load.
    const asyncFactory = detectPhaseFactory({
      schemaProfiles: async () => ({ route: { 'body.$.source': 'code' } }),
    });
    const pending = asyncFactory(config.routes[0], 0, env(config));
    expect(pending).toBeInstanceOf(Promise);
    const asyncPhase = (await pending).request?.[0] as RequestPhase;
    expect(await asyncPhase.run(fakeContext({ url: '/x', headers: json(0), body }))).toBeUndefined();
  });
});

describe('detect phase through the real gateway', () => {
  let upstream: StartedUpstream;
  let gw: StartedGateway;
  beforeAll(async () => {
    upstream = await startUpstream(echoHandler);
    gw = await startGateway(oneRoute(upstream.url), { factories: [createDetectPhases] });
  });
  afterAll(async () => {
    await gw?.close();
    await upstream?.close();
  });

  it('blocks an attack with 403 and records the event', async () => {
    const res = await fetch(`${gw.url}/items?id=${encodeURIComponent(SQLI)}`);
    expect(res.status).toBe(403);
    await res.arrayBuffer();
    const events = await gw.events();
    expect(events.some((e) => e.action === 'blocked' && e.findings.some((f) => f.detector === 'sqli'))).toBe(
      true,
    );
  });

  it('forwards legitimate requests', async () => {
    const res = await fetch(`${gw.url}/items?q=blue+shoes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Blue shoes', size: 42 }),
    });
    expect(res.status).toBe(200);
    const echoed = (await res.json()) as { body: string };
    expect(JSON.parse(echoed.body)).toEqual({ name: 'Blue shoes', size: 42 });
  });

  it('answers 400 to a malformed JSON body', async () => {
    const res = await fetch(`${gw.url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(res.status).toBe(400);
    await res.arrayBuffer();
  });
});
