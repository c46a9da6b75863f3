// Detection quality of the value-inspection engine (extraction + decoding + detectors, run by the
// real detect phase) on the shared corpora, at paranoia 1, 2 and 3. Writes
// bench/results/detection.json (rates and counts only: no corpus text) and prints a table.
//   npm run eval:detect [-- --paranoia 1] [-- --examples 5]   (examples go to stdout only)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RecordedFinding, RequestPhase } from '../src/gateway/phase.js';
import {
  assistantTurnRequest,
  type BenchRequest,
  crsRequest,
  crsRuleParanoia,
  detectPhase,
  documentedFalsePositive,
  loadCodePrompts,
  loadCrs,
  loadCsic,
  loadHttpParams,
  paramRequest,
  repoRoot,
  runPhase,
  userTurnRequest,
} from './crs/harness.js';
import { benignApiRequests } from './lib/benign-api.js';

const args = process.argv.slice(2);
const argValue = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const levels = (argValue('--paranoia')?.split(',').map(Number) ?? [1, 2, 3]) as (1 | 2 | 3)[];
const exampleCount = Number(argValue('--examples') ?? 0);
const ruleParanoia = crsRuleParanoia();
const benignRequests = benignApiRequests(3000);

interface Bucket {
  n: number;
  flagged: number;
  rate: number;
  /** Which detectors fired, counted once per request. */
  byDetector: Record<string, number>;
}

class Tally {
  private readonly buckets = new Map<string, Bucket>();
  private readonly examples = new Map<string, string[]>();

  add(key: string, flagged: boolean, findings: RecordedFinding[], example: () => string): void {
    let b = this.buckets.get(key);
    if (!b) {
      b = { n: 0, flagged: 0, rate: 0, byDetector: {} };
      this.buckets.set(key, b);
    }
    b.n++;
    if (flagged) b.flagged++;
    for (const d of new Set(findings.map((f) => f.detector))) b.byDetector[d] = (b.byDetector[d] ?? 0) + 1;
    // Examples are flagged rows: false positives on benign sets, hits (or, in the miss tallies, misses).
    if (exampleCount > 0 && flagged) {
      let list = this.examples.get(key);
      if (!list) this.examples.set(key, (list = []));
      if (list.length < exampleCount) list.push(example());
    }
  }

  result(): Record<string, Bucket> {
    const out: Record<string, Bucket> = {};
    for (const [k, b] of [...this.buckets].sort(([a], [c]) => a.localeCompare(c))) {
      out[k] = { ...b, rate: b.n === 0 ? 0 : b.flagged / b.n };
    }
    return out;
  }

  printExamples(title: string): void {
    for (const [k, list] of this.examples) {
      if (list.length === 0) continue;
      console.log(`  [${title} ${k}]`);
      for (const e of list) console.log(`    ${e}`);
    }
  }
}

const short = (s: string, n = 140) => JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);
const describe = (req: BenchRequest, findings: RecordedFinding[]) => {
  const body = req.body ? ` body=${short(req.body.toString('latin1'), 100)}` : '';
  const f = findings.map((x) => `${x.detector}@${x.location}:${x.score.toFixed(2)}`).join(',');
  return `${req.method} ${short(req.url, 120)}${body}${f ? `  → ${f}` : ''}`;
};

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t };
}

async function evaluate(level: 1 | 2 | 3) {
  const phase = (await detectPhase(level)) as RequestPhase;
  const run = (req: BenchRequest) => runPhase(phase, req);

  // HttpParams: one value per row as a query parameter. TPR per attack type, FPR on `norm`.
  const params = new Tally();
  const paramMisses = new Tally();
  const p = timed(() => {
    for (const row of loadHttpParams()) {
      const req = paramRequest(row.payload);
      const r = run(req);
      params.add(row.attackType, r.blocked, r.findings, () => describe(req, r.findings));
      if (row.attackType !== 'norm' && !r.blocked)
        paramMisses.add(row.attackType, true, [], () => short(row.payload));
    }
  });

  // CRS regression: whole requests; TPR per rule file for positives, FPR on negatives.
  const crsPos = new Tally();
  const crsPosAsDescribed = new Tally();
  const crsByRulePl = new Tally();
  const crsNeg = new Tally();
  const crsMiss = new Tally();
  // A negative stage byte-identical to another rule's positive stage is an attack (CRS marks it
  // negative only because one particular rule must not fire on it): counted apart, as `all` includes it.
  const crsKey = (row: ReturnType<typeof loadCrs>[number]) =>
    JSON.stringify([row.method, row.uri, row.headers, row.data, row.encoded_request]);
  const positiveKeys = new Set(
    loadCrs()
      .filter((r) => r.kind === 'positive')
      .map(crsKey),
  );
  const c = timed(() => {
    for (const row of loadCrs()) {
      if (row.kind === 'other') continue;
      const group = String(row.rule_id).slice(0, 3);
      const req = crsRequest(row);
      const r = run(req);
      if (row.kind === 'positive') {
        crsPos.add(group, r.blocked, r.findings, () => describe(req, r.findings));
        if (!documentedFalsePositive(row)) crsPosAsDescribed.add(group, r.blocked, r.findings, () => '');
        const rulePl = ruleParanoia.get(row.rule_id);
        if (rulePl !== undefined)
          crsByRulePl.add(`${group} rule-PL${rulePl}`, r.blocked, r.findings, () => '');
        if (!r.blocked) crsMiss.add(group, true, [], () => describe(req, []));
      } else {
        crsNeg.add(group, r.blocked, r.findings, () => describe(req, r.findings));
        crsNeg.add('all', r.blocked, r.findings, () => describe(req, r.findings));
        if (!positiveKeys.has(crsKey(row)))
          crsNeg.add('distinct', r.blocked, r.findings, () => describe(req, r.findings));
      }
    }
  });

  // CSIC 2010 normal traffic: FPR.
  const csic = new Tally();
  const s = timed(() => {
    for (const req of loadCsic()) {
      const r = run(req);
      csic.add('normal', r.blocked, r.findings, () => describe(req, r.findings));
    }
  });

  // Generated benign API traffic (bench/lib/benign-api.ts, seeded): FPR on values outside the corpus.
  const generated = new Tally();
  const g = timed(() => {
    for (const req of benignRequests) {
      const r = run(req);
      generated.add('benign', r.blocked, r.findings, () => describe(req, r.findings));
    }
  });

  // Coding prompts and answers through an LLM chat-completions route: FPR. For reference, the
  // same requests with `llmMessages: inspect` (message text given to every detector).
  const code = new Tally();
  const inspectAll = (await detectPhase(level, { detect: { llmMessages: 'inspect' } })) as RequestPhase;
  const k = timed(() => {
    for (const row of loadCodePrompts()) {
      for (const [turn, req] of [
        ['user', userTurnRequest(row)],
        ['assistant', assistantTurnRequest(row)],
      ] as const) {
        const r = run(req);
        code.add(turn, r.blocked, r.findings, () => describe(req, r.findings));
        const raw = runPhase(inspectAll, req);
        code.add(`${turn} (llmMessages: inspect)`, raw.blocked, raw.findings, () => '');
      }
    }
  });

  if (exampleCount > 0) {
    console.log(`\n=== examples at paranoia ${level} ===`);
    paramMisses.printExamples('httpparams miss');
    params.printExamples('httpparams');
    crsMiss.printExamples('crs miss');
    crsNeg.printExamples('crs negative');
    csic.printExamples('csic');
    generated.printExamples('generated');
    code.printExamples('code');
  }

  return {
    httpparams: { ...params.result(), ms: Math.round(p.ms) },
    crs: {
      positive: crsPos.result(),
      /** Positives without the stages CRS's own tests describe as known false positives. */
      positiveAsDescribed: crsPosAsDescribed.result(),
      /** Positives split by the paranoia level of the CRS rule they test (local CRS 3.3 rules). */
      positiveByRuleParanoia: crsByRulePl.result(),
      negative: crsNeg.result(),
      ms: Math.round(c.ms),
    },
    csic: { ...csic.result(), ms: Math.round(s.ms) },
    generatedApi: { ...generated.result(), ms: Math.round(g.ms) },
    codePrompts: { ...code.result(), ms: Math.round(k.ms) },
  };
}

type LevelResult = Awaited<ReturnType<typeof evaluate>>;

const pct = (x: number | undefined) => (x === undefined ? '   -  ' : `${(x * 100).toFixed(2).padStart(6)}%`);

function targets(r: LevelResult) {
  const hp = r.httpparams as unknown as Record<string, Bucket>;
  const pos = r.crs.positive;
  const checks: { name: string; value: number; op: '>=' | '<='; goal: number }[] = [
    { name: 'httpparams sqli TPR', value: hp.sqli?.rate ?? 0, op: '>=', goal: 0.97 },
    { name: 'httpparams xss TPR', value: hp.xss?.rate ?? 0, op: '>=', goal: 0.97 },
    { name: 'httpparams cmdi TPR', value: hp.cmdi?.rate ?? 0, op: '>=', goal: 0.97 },
    { name: 'httpparams path-traversal TPR', value: hp['path-traversal']?.rate ?? 0, op: '>=', goal: 0.97 },
    { name: 'CRS 930 TPR', value: pos['930']?.rate ?? 0, op: '>=', goal: 0.97 },
    { name: 'CRS 932 TPR', value: pos['932']?.rate ?? 0, op: '>=', goal: 0.97 },
    { name: 'CRS 941 TPR', value: pos['941']?.rate ?? 0, op: '>=', goal: 0.97 },
    { name: 'CRS 942 TPR', value: pos['942']?.rate ?? 0, op: '>=', goal: 0.97 },
    { name: 'httpparams norm FPR', value: hp.norm?.rate ?? 1, op: '<=', goal: 0.003 },
    {
      name: 'CSIC normal FPR',
      value: (r.csic as unknown as Record<string, Bucket>).normal?.rate ?? 1,
      op: '<=',
      goal: 0.003,
    },
    { name: 'CRS negatives FPR', value: r.crs.negative.all?.rate ?? 1, op: '<=', goal: 0.03 },
    {
      name: 'CRS negatives FPR (not identical to a positive)',
      value: r.crs.negative.distinct?.rate ?? 1,
      op: '<=',
      goal: 0.03,
    },
    {
      name: 'generated benign API FPR',
      value: (r.generatedApi as unknown as Record<string, Bucket>).benign?.rate ?? 1,
      op: '<=',
      goal: 0.003,
    },
    {
      name: 'code prompts (user) FPR',
      value: (r.codePrompts as unknown as Record<string, Bucket>).user?.rate ?? 1,
      op: '<=',
      goal: 0.005,
    },
    {
      name: 'code prompts (assistant) FPR',
      value: (r.codePrompts as unknown as Record<string, Bucket>).assistant?.rate ?? 1,
      op: '<=',
      goal: 0.005,
    },
  ];
  return checks.map((t) => ({ ...t, met: t.op === '>=' ? t.value >= t.goal : t.value <= t.goal }));
}

const results: Record<string, LevelResult & { targets: ReturnType<typeof targets> }> = {};
for (const level of levels) {
  const r = await evaluate(level);
  results[level] = { ...r, targets: targets(r) };
}

// Table
const lines: string[] = [];
const head = `${'set'.padEnd(34)}${levels.map((l) => `PL${l}`.padStart(9)).join('')}`;
lines.push(head, '-'.repeat(head.length));
const row = (name: string, get: (r: LevelResult) => number | undefined) =>
  lines.push(`${name.padEnd(34)}${levels.map((l) => pct(get(results[l])).padStart(9)).join('')}`);
const b = (x: unknown, key: string) => (x as Record<string, Bucket>)[key]?.rate;
for (const t of ['sqli', 'xss', 'cmdi', 'path-traversal'])
  row(`httpparams ${t} TPR`, (r) => b(r.httpparams, t));
row('httpparams norm FPR', (r) => b(r.httpparams, 'norm'));
const groups = Object.keys(results[levels[0]].crs.positive).sort();
for (const g of groups) {
  const { n } = results[levels[0]].crs.positive[g];
  row(`CRS ${g} TPR (n=${n})`, (r) => b(r.crs.positive, g));
  const described = results[levels[0]].crs.positiveAsDescribed[g]?.n ?? 0;
  if (described !== n)
    row(`  without CRS's ${n - described} known FPs`, (r) => b(r.crs.positiveAsDescribed, g));
}
if (ruleParanoia.size > 0) {
  for (const g of ['930', '932', '941', '942']) {
    for (const pl of [1, 2, 3, 4]) {
      const key = `${g} rule-PL${pl}`;
      const n = results[levels[0]].crs.positiveByRuleParanoia[key]?.n;
      if (n) row(`  CRS ${g}, PL${pl} rules (n=${n})`, (r) => b(r.crs.positiveByRuleParanoia, key));
    }
  }
}
row(`CRS negatives FPR (n=${results[levels[0]].crs.negative.all?.n ?? 0})`, (r) => b(r.crs.negative, 'all'));
row(`  not identical to a positive (n=${results[levels[0]].crs.negative.distinct?.n ?? 0})`, (r) =>
  b(r.crs.negative, 'distinct'),
);
row('CSIC normal FPR', (r) => b(r.csic, 'normal'));
row(`generated benign API FPR (n=${benignRequests.length})`, (r) => b(r.generatedApi, 'benign'));
row('code prompts user-turn FPR', (r) => b(r.codePrompts, 'user'));
row('code prompts assistant-turn FPR', (r) => b(r.codePrompts, 'assistant'));
row('  same, llmMessages: inspect (user)', (r) => b(r.codePrompts, 'user (llmMessages: inspect)'));
row('  same, llmMessages: inspect (asst)', (r) => b(r.codePrompts, 'assistant (llmMessages: inspect)'));
console.log(lines.join('\n'));
console.log(
  '* rule file outside this engine (protocol/scanner/session/response rules): shown for completeness',
);
for (const level of levels) {
  const missed = results[level].targets.filter((t) => !t.met);
  console.log(
    `PL${level}: ${results[level].targets.length - missed.length}/${results[level].targets.length} targets met` +
      (missed.length ? ` — missed: ${missed.map((t) => `${t.name} ${pct(t.value).trim()}`).join('; ')}` : ''),
  );
}

const outDir = path.join(repoRoot, 'bench', 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  path.join(outDir, 'detection.json'),
  `${JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      node: process.version,
      note: 'Rates and counts only; corpus rows are not reproduced. httpparams rows are sent as GET ?q=<payload>; CRS rows as full requests; CSIC lines re-encoded; generated benign API requests from bench/lib/benign-api.ts (seeded faker); code prompts as OpenAI chat-completions bodies.',
      paranoia: results,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${path.relative(repoRoot, path.join(outDir, 'detection.json'))}`);
