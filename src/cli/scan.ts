import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import { SEVERITIES, type Severity, severityRank } from '../core/taxonomy.js';
import { readBaseline } from '../scan/baseline.js';
import { UnknownCheckError } from '../scan/checks/index.js';
import { loadScanConfig, parseDuration, type ScanConfig } from '../scan/config.js';
import { progressPrinter } from '../scan/progress.js';
import { EXTENSIONS, FORMATS, type Format, render } from '../scan/reporters/index.js';
import { runScan, TargetError } from '../scan/runner.js';
import { SpecError } from '../scan/spec/load.js';
import type { ScanReport } from '../scan/types.js';

export interface ScanCliOptions {
  spec: string;
  target: string;
  auth?: string[];
  authB?: string[];
  authAdmin?: string[];
  config?: string;
  format?: string;
  out?: string;
  failOn?: string;
  checks?: string;
  allowDestructive?: boolean;
  rps?: string;
  concurrency?: string;
  budget?: string;
  baseline?: string;
  quiet?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function usage(message: string): number {
  process.stderr.write(`palisade scan: ${message}\n`);
  return 2;
}

/** Exit code for a report: 1 when a new finding is at or above the threshold. */
export function exitCodeFor(report: ScanReport, failOn: Severity): number {
  const threshold = severityRank(failOn);
  return report.findings.some((f) => !f.baselined && severityRank(f.severity) >= threshold) ? 1 : 0;
}

/** The scan command's action; returns the exit code (0 clean, 1 findings, 2 usage/target error). */
export async function scanAction(o: ScanCliOptions): Promise<number> {
  let config: ScanConfig | undefined;
  try {
    if (o.config) config = await loadScanConfig(o.config);
  } catch (err) {
    if (err instanceof ConfigError) return usage(`bad config ${o.config}:\n${err.message}`);
    throw err;
  }
  const formats = (o.format ?? 'json')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  for (const f of formats)
    if (!FORMATS.includes(f as Format)) return usage(`unknown format "${f}" (use ${FORMATS.join(',')})`);
  const failOn = (o.failOn ?? config?.failOn ?? 'high') as Severity;
  if (!SEVERITIES.includes(failOn)) return usage(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
  let budgetMs: number | undefined;
  let timeoutMs: number | undefined;
  try {
    const b = o.budget ?? config?.budget;
    if (b) budgetMs = parseDuration(b);
    if (config?.timeout) timeoutMs = parseDuration(config.timeout);
  } catch (err) {
    return usage((err as Error).message);
  }
  const num = (v: string | undefined, name: string, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min)
      throw new ConfigError([{ path: name, message: `must be a number ≥ ${min}` }]);
    return n;
  };
  let rps: number | undefined;
  let concurrency: number | undefined;
  try {
    rps = num(o.rps, 'rps', 0) ?? config?.rps;
    concurrency = num(o.concurrency, 'concurrency', 1) ?? config?.concurrency;
  } catch (err) {
    return usage((err as Error).message);
  }
  let baseline: Set<string> | undefined;
  if (o.baseline) {
    try {
      baseline = await readBaseline(o.baseline);
    } catch (err) {
      return usage(`cannot read baseline ${o.baseline}: ${(err as Error).message}`);
    }
  }
  const toStdout = !o.out && formats.length === 1;
  let report: ScanReport;
  try {
    report = await runScan({
      spec: o.spec,
      target: o.target,
      auth: o.auth,
      authB: o.authB,
      authAdmin: o.authAdmin,
      config,
      checks: o.checks
        ? o.checks
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean)
        : undefined,
      allowDestructive: o.allowDestructive ?? config?.allowDestructive,
      rps,
      concurrency,
      budgetMs,
      timeoutMs,
      baseline,
      onProgress: o.quiet ? undefined : progressPrinter(),
    });
  } catch (err) {
    if (
      err instanceof SpecError ||
      err instanceof TargetError ||
      err instanceof UnknownCheckError ||
      err instanceof ConfigError
    ) {
      return usage(err.message);
    }
    return usage(`scan failed: ${(err as Error).message}`);
  }
  const operations = report.operationKeys ?? [...new Set(report.findings.map((f) => f.operation))];
  if (toStdout) {
    process.stdout.write(render(formats[0] as Format, report, operations));
  } else {
    const dir = o.out ?? '.';
    await mkdir(dir, { recursive: true });
    for (const f of formats as Format[]) {
      const file = join(dir, EXTENSIONS[f]);
      await writeFile(file, render(f, report, operations));
      process.stderr.write(`palisade scan: wrote ${file}\n`);
    }
  }
  const s = report.summary;
  process.stderr.write(
    `palisade scan: ${s.total} findings (${s.new} new: ${SEVERITIES.map((x) => `${s.bySeverity[x]} ${x}`).join(', ')}) in ${report.duration}s, ${s.requests} requests${s.budgetExhausted ? ' — time budget exhausted' : ''}\n`,
  );
  return exitCodeFor(report, failOn);
}

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description(
      'Test a running API for security weaknesses from its OpenAPI/Swagger/Postman/HAR description',
    )
    .requiredOption(
      '--spec <file|url>',
      'API description: OpenAPI 3.0/3.1, Swagger 2.0, Postman v2.1 or HAR (file, URL, or path on the target)',
    )
    .requiredOption('--target <url>', 'base URL of the running API, e.g. http://127.0.0.1:8080')
    .option('--auth <header>', 'header of identity A, "Header: value" (repeatable)', collect)
    .option('--auth-b <header>', 'header of identity B, the attacker for BOLA (repeatable)', collect)
    .option('--auth-admin <header>', 'header of an administrator identity (repeatable)', collect)
    .option('--config <file>', 'scan.yaml with identities, login flows and limits')
    .option('--format <list>', `report formats: ${FORMATS.join(',')}`, 'json')
    .option('--out <dir>', 'directory for report files (default: JSON to stdout when one format)')
    .option('--fail-on <severity>', 'exit 1 when a new finding is at or above this severity', 'high')
    .option('--checks <list>', 'only these checks or categories (comma-separated)')
    .option('--allow-destructive', 'allow DELETE and other destructive calls')
    .option('--rps <n>', 'maximum requests per second')
    .option('--concurrency <n>', 'maximum requests in flight')
    .option('--budget <duration>', 'total time budget, e.g. 120s')
    .option('--baseline <file>', 'accepted findings (previous JSON/SARIF report or fingerprint list)')
    .option('--quiet', 'no progress output')
    .action(async (opts: ScanCliOptions) => {
      process.exitCode = await scanAction(opts);
    });
}
