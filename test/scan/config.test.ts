import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { loadScanConfig, parseDuration, parseHeader } from '../../src/scan/config.js';
import { runScan } from '../../src/scan/runner.js';
import { type Fixture, SPEC_PATH, startFixture } from '../fixtures/vuln-api/app.js';

describe('scan.yaml', () => {
  let fixture: Fixture;
  let dir: string;
  beforeAll(async () => {
    fixture = await startFixture({ hardened: false });
    dir = await mkdtemp(join(tmpdir(), 'palisade-scan-config-'));
  });
  afterAll(() => fixture?.close());

  it('logs identities in through a login flow and uses them', async () => {
    const file = join(dir, 'scan.yaml');
    await writeFile(
      file,
      [
        'identities:',
        '  a:',
        '    login: { operation: POST /api/auth/login, body: { username: alice, password: alice-Pass-1 }, tokenPath: token }',
        '  b:',
        '    login: { operation: POST /api/auth/login, body: { username: bob, password: bob-Pass-1 }, tokenPath: $.token }',
        'checks: [jwt, bola]',
        'budget: 60s',
      ].join('\n'),
    );
    const config = await loadScanConfig(file);
    const report = await runScan({
      spec: SPEC_PATH,
      target: fixture.url,
      config,
      budgetMs: parseDuration(config.budget!),
    });
    const got = report.findings.map((f) => `${f.category}/${f.subtype} ${f.operation}`);
    expect(got).toContain('authentication/jwt-alg-none *');
    expect(got).toContain('broken-access-control/bola GET /api/notes/{noteId}');
    // the token obtained by the login flow (deterministic in this fixture) never appears in the report
    const res = await request(`${fixture.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-Pass-1' }),
    });
    // (the baseline pass must not have changed A's password either)
    const { token } = (await res.body.json()) as { token: string };
    expect(token.length).toBeGreaterThan(20);
    expect(JSON.stringify(report)).not.toContain(token);
  }, 120_000);

  it('names the key path of invalid settings', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'rps: -1\nidentities: { a: { headers: { X: 1 } } }\nunknownKey: true\n');
    const err = await loadScanConfig(file).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const paths = (err as ConfigError).issues.map((i) => i.path);
    expect(paths).toContain('rps');
    expect(paths).toContain('identities.a.headers.X');
    expect(paths.some((p) => p === '' || p.includes('unknownKey'))).toBe(true);
  });

  it('parses durations and headers', () => {
    expect(parseDuration('120s')).toBe(120_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1500ms')).toBe(1500);
    expect(parseDuration('90')).toBe(90_000);
    expect(() => parseDuration('soon')).toThrow(ConfigError);
    expect(parseHeader('Authorization: Bearer a:b')).toEqual(['Authorization', 'Bearer a:b']);
    expect(() => parseHeader('nocolon')).toThrow(ConfigError);
  });
});
