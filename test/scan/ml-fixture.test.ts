// The second vulnerable fixture (test/fixtures/vuln-api-ml): an ML-ops API in OpenAPI 3.1 with
// X-API-Key credentials, UUID/slug ids, camelCase fields, form and XML bodies and a LangServe-style
// agent. Nothing in the checks names it; finding its weaknesses shows they work by class.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { severityRank } from '../../src/core/taxonomy.js';
import { runScan } from '../../src/scan/runner.js';
import type { ScanReport } from '../../src/scan/types.js';
import { ML_SPEC_PATH, type MlFixture, startMlFixture } from '../fixtures/vuln-api-ml/app.js';

interface Planted {
  category: string;
  subtype: string;
  operation: string;
}

function readPlanted(): Planted[] {
  const md = readFileSync(join(import.meta.dirname, '../fixtures/vuln-api-ml/PLANTED.md'), 'utf8');
  const rows: Planted[] = [];
  for (const line of md.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 6 || !/^\d+$/.test(cells[1])) continue;
    rows.push({ category: cells[2], subtype: cells[3], operation: cells[4] });
  }
  return rows;
}

/** Signs in and returns the credential header: the API key, or the console's session cookie. */
async function signIn(url: string, userName: string, password: string, as: Credential): Promise<string> {
  const res = await request(`${url}/api/v2/auth/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ userName, password }).toString(),
  });
  const body = (await res.body.json()) as { apiKey?: string };
  if (!body.apiKey) throw new Error(`sign-in ${userName} failed: ${res.statusCode}`);
  if (as === 'api-key') return `X-API-Key: ${body.apiKey}`;
  const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0];
  return `Cookie: lang=en; ${cookie}`;
}

type Credential = 'api-key' | 'cookie';

describe.each<Credential>(['api-key', 'cookie'])(
  'palisade scan against the ML-ops fixture (a second, differently shaped API), %s credentials',
  (as) => {
    let fixture: MlFixture;
    let keyA: string;
    let report: ScanReport;
    let wallMs: number;

    beforeAll(async () => {
      fixture = await startMlFixture();
      const authA = await signIn(fixture.url, 'mira', 'mira-Secret-9', as);
      const authB = await signIn(fixture.url, 'theo', 'theo-Secret-9', as);
      // the bare JWT, to check that reports never carry it
      keyA = authA.slice(authA.lastIndexOf('=') + 1).replace(/^X-API-Key: /, '');
      const t0 = Date.now();
      report = await runScan({ spec: ML_SPEC_PATH, target: fixture.url, auth: [authA], authB: [authB] });
      wallMs = Date.now() - t0;
    }, 150_000);

    afterAll(async () => {
      await fixture?.close();
    });

    it('finds at least 90% of the planted weaknesses (category and operation; strict: subtype too)', () => {
      const planted = readPlanted();
      expect(planted.length).toBeGreaterThanOrEqual(15);
      const found = (p: Planted, strict: boolean) =>
        report.findings.some(
          (f) =>
            f.category === p.category && f.operation === p.operation && (!strict || f.subtype === p.subtype),
        );
      const missed = planted.filter((p) => !found(p, false));
      expect(
        (planted.length - missed.length) / planted.length,
        `missed: ${JSON.stringify(missed)}`,
      ).toBeGreaterThanOrEqual(0.9);
      const strictMissed = planted.filter((p) => !found(p, true));
      expect(
        (planted.length - strictMissed.length) / planted.length,
        `strict misses: ${JSON.stringify(strictMissed)}`,
      ).toBeGreaterThanOrEqual(0.9);
    });

    it('reports no high or critical finding that is not planted', () => {
      const planted = readPlanted();
      // an unauthenticated function is also, by definition, an operation missing its declared auth
      const expected = (f: { category: string; subtype: string; operation: string }) =>
        planted.some((p) => p.category === f.category && p.operation === f.operation) ||
        (f.subtype === 'missing-auth' &&
          planted.some((p) => p.subtype === 'unauthenticated-admin-function' && p.operation === f.operation));
      const unexpected = report.findings.filter(
        (f) => severityRank(f.severity) >= severityRank('high') && !expected(f),
      );
      expect(unexpected.map((f) => `${f.category}/${f.subtype} ${f.operation}`)).toEqual([]);
    });

    it('names operations as the description writes them and keeps the API key out of reports', () => {
      const spec = readFileSync(ML_SPEC_PATH, 'utf8');
      for (const f of report.findings) {
        expect(f.evidence.curl.startsWith('curl ')).toBe(true);
        expect(JSON.stringify(f)).not.toContain(keyA);
        if (f.operation === '*' || f.operation.startsWith('GET /actuator')) continue;
        const [, path] = f.operation.split(' ');
        expect(spec.includes(`  ${path}:`), f.operation).toBe(true);
      }
    });

    it('finishes well inside the 2-minute budget', () => {
      expect(report.summary.budgetExhausted).toBe(false);
      expect(report.summary.checksSkipped).toEqual([]);
      expect(wallMs).toBeLessThan(60_000);
    });
  },
);
