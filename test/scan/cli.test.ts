import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerScanCommand, scanAction } from '../../src/cli/scan.js';
import { SPEC_PATH, startTwin, type Twin } from './fixture-helpers.js';

describe('palisade scan command', () => {
  let twin: Twin;
  let out: string;
  beforeAll(async () => {
    twin = await startTwin(false);
    out = await mkdtemp(join(tmpdir(), 'palisade-scan-'));
  });
  afterAll(async () => twin?.fixture.close());

  const base = () => ({
    spec: SPEC_PATH,
    target: twin.fixture.url,
    quiet: true,
    auth: [`Authorization: Bearer ${twin.tokenA}`],
  });

  it('exits 2 on a bad spec, an unreachable target, unknown checks or formats', async () => {
    expect(await scanAction({ ...base(), spec: join(out, 'nope.yaml') })).toBe(2);
    expect(await scanAction({ ...base(), target: 'http://127.0.0.1:1' })).toBe(2);
    expect(await scanAction({ ...base(), checks: 'no-such-check' })).toBe(2);
    expect(await scanAction({ ...base(), format: 'pdf' })).toBe(2);
    expect(await scanAction({ ...base(), failOn: 'severe' })).toBe(2);
  });

  it('exits 1 on findings at the threshold and writes every format', async () => {
    const code = await scanAction({
      ...base(),
      checks: 'cors,deprecated-operations',
      format: 'sarif,junit,html,json,md',
      out,
    });
    expect(code).toBe(1);
    expect((await readdir(out)).sort()).toEqual([
      'palisade-scan.html',
      'palisade-scan.json',
      'palisade-scan.junit.xml',
      'palisade-scan.md',
      'palisade-scan.sarif',
    ]);
    const json = JSON.parse(await readFile(join(out, 'palisade-scan.json'), 'utf8'));
    expect(json.findings.map((f: any) => `${f.category} ${f.operation}`).sort()).toEqual([
      'cross-site *',
      'inventory GET /api/v1/users',
    ]);
  });

  it('exits 0 when the threshold is above the findings or the baseline accepts them', async () => {
    expect(await scanAction({ ...base(), checks: 'cors', failOn: 'critical' })).toBe(0);
    const dir = await mkdtemp(join(tmpdir(), 'palisade-scan-b-'));
    expect(await scanAction({ ...base(), checks: 'cors', format: 'json', out: dir })).toBe(1);
    const baseline = join(dir, 'palisade-scan.json');
    expect(await scanAction({ ...base(), checks: 'cors', format: 'sarif', out: dir, baseline })).toBe(0);
  });

  it('registers with commander and sets process.exitCode', async () => {
    const program = new Command().exitOverride();
    registerScanCommand(program);
    const before = process.exitCode;
    await program.parseAsync([
      'node',
      'palisade',
      'scan',
      '--spec',
      SPEC_PATH,
      '--target',
      'http://127.0.0.1:1',
      '--quiet',
    ]);
    expect(process.exitCode).toBe(2);
    process.exitCode = before;
  });
});
