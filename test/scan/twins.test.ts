import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { severityRank } from '../../src/core/taxonomy.js';
import { runScan } from '../../src/scan/runner.js';
import type { ScanReport } from '../../src/scan/types.js';
import { SPEC_PATH, startTwin, type Twin } from './fixture-helpers.js';

interface Planted {
  category: string;
  subtype: string;
  operation: string;
}

function readPlanted(): Planted[] {
  const md = readFileSync(join(import.meta.dirname, '../fixtures/vuln-api/PLANTED.md'), 'utf8');
  const rows: Planted[] = [];
  for (const line of md.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 6 || !/^\d+$/.test(cells[1])) continue;
    rows.push({ category: cells[2], subtype: cells[3], operation: cells[4] });
  }
  return rows;
}

async function scanTwin(twin: Twin): Promise<ScanReport> {
  return runScan({
    spec: SPEC_PATH,
    target: twin.fixture.url,
    auth: [`Authorization: Bearer ${twin.tokenA}`],
    authB: [`Authorization: Bearer ${twin.tokenB}`],
  });
}

describe('palisade scan against the fixture twins', () => {
  let vuln: Twin;
  let hard: Twin;
  let vulnReport: ScanReport;
  let hardReport: ScanReport;

  beforeAll(async () => {
    vuln = await startTwin(false);
    hard = await startTwin(true);
    vulnReport = await scanTwin(vuln);
    hardReport = await scanTwin(hard);
  }, 300_000);

  afterAll(async () => {
    await vuln?.fixture.close();
    await hard?.fixture.close();
  });

  it('finds at least 90% of the planted weaknesses (category and operation)', () => {
    const planted = readPlanted();
    expect(planted.length).toBeGreaterThanOrEqual(20);
    const missed = planted.filter(
      (p) => !vulnReport.findings.some((f) => f.category === p.category && f.operation === p.operation),
    );
    const ratio = (planted.length - missed.length) / planted.length;
    expect(missed, `missed: ${JSON.stringify(missed)}`).toSatisfy(() => ratio >= 0.9);
    // strict count: the subtype must match too
    const strictMissed = planted.filter(
      (p) =>
        !vulnReport.findings.some(
          (f) => f.category === p.category && f.subtype === p.subtype && f.operation === p.operation,
        ),
    );
    expect((planted.length - strictMissed.length) / planted.length).toBeGreaterThanOrEqual(0.9);
  });

  it('covers the AI-platform breach classes', () => {
    const has = (category: string, operation: string) =>
      vulnReport.findings.some((f) => f.category === category && f.operation === operation);
    expect(has('broken-access-control', 'POST /api/jobs')).toBe(true);
    expect(has('injection', 'POST /api/models/load')).toBe(true);
    expect(has('session-password', 'POST /api/auth/reset')).toBe(true);
    expect(has('llm-prompt-injection', 'POST /v1/chat/completions')).toBe(true);
    expect(has('llm-sensitive-disclosure', 'POST /v1/chat/completions')).toBe(true);
  });

  it('reports no high or critical finding on the hardened twin', () => {
    const serious = hardReport.findings.filter((f) => severityRank(f.severity) >= severityRank('high'));
    expect(serious.map((f) => `${f.category}/${f.subtype} ${f.operation}`)).toEqual([]);
  });

  it('every finding carries evidence, a curl line and remediation, with spec operations', () => {
    const ops = new Set([
      '*',
      ...vulnReport.findings.filter((f) => f.operation.startsWith('GET /debug')).map((f) => f.operation),
    ]);
    const spec = readFileSync(SPEC_PATH, 'utf8');
    for (const f of vulnReport.findings) {
      expect(f.evidence.curl.startsWith('curl ')).toBe(true);
      expect(f.evidence.request.length).toBeGreaterThan(0);
      expect(f.remediation.length).toBeGreaterThan(10);
      expect(f.confidence).toBeGreaterThan(0);
      if (!ops.has(f.operation)) {
        const [, path] = f.operation.split(' ');
        expect(spec.includes(`  ${path}:`), f.operation).toBe(true);
      }
      // identity tokens never appear in reports
      expect(JSON.stringify(f)).not.toContain(vuln.tokenA);
    }
  });

  it('finishes each full scan well inside the 2-minute budget', () => {
    expect(vulnReport.summary.budgetExhausted).toBe(false);
    expect(hardReport.summary.budgetExhausted).toBe(false);
    expect(vulnReport.duration).toBeLessThan(120);
    expect(hardReport.duration).toBeLessThan(120);
    expect(vulnReport.summary.checksSkipped).toEqual([]);
  });
});
