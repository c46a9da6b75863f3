// Replays a bounded sample of the shared corpora through nginx + ModSecurity + CRS (loopback
// only) and through Palisade's detect phase, and writes bench/results/detection-vs-crs.json.
// Started by bench/crs-compare.sh, which sets up nginx:
//   node --import tsx bench/crs/replay.ts --pl1 127.0.0.1:18081 --pl2 127.0.0.1:18082 [--sample 400]
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { RequestPhase } from '../../src/gateway/phase.js';
import {
  assistantTurnRequest,
  type BenchRequest,
  crsRequest,
  detectPhase,
  loadCodePrompts,
  loadCrs,
  loadCsic,
  loadHttpParams,
  paramRequest,
  repoRoot,
  runPhase,
  userTurnRequest,
} from './harness.js';
import { benignApiRequests } from '../lib/benign-api.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : args[i + 1];
};
const targets = { 1: arg('--pl1', '127.0.0.1:18081'), 2: arg('--pl2', '127.0.0.1:18082') } as const;
const cap = Number(arg('--sample', '400'));
const concurrency = Number(arg('--concurrency', '8'));

for (const t of Object.values(targets)) {
  const host = t.split(':')[0];
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`loopback only, got ${t}`);
}

/** Every k-th row so that at most `cap` remain (deterministic). */
function sample<T>(rows: T[]): T[] {
  if (rows.length <= cap) return rows;
  const step = rows.length / cap;
  return Array.from({ length: cap }, (_, i) => rows[Math.floor(i * step)]);
}

interface Case {
  set: string;
  bucket: string;
  attack: boolean;
  req: BenchRequest;
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  const params = loadHttpParams();
  for (const type of ['sqli', 'xss', 'cmdi', 'path-traversal', 'norm']) {
    for (const r of sample(params.filter((p) => p.attackType === type))) {
      cases.push({ set: 'httpparams', bucket: type, attack: type !== 'norm', req: paramRequest(r.payload) });
    }
  }
  const crs = loadCrs().filter((r) => r.kind !== 'other');
  for (const group of ['930', '931', '932', '933', '934', '941', '942', '944']) {
    const rows = crs.filter((r) => r.kind === 'positive' && String(r.rule_id).startsWith(group));
    for (const r of sample(rows)) cases.push({ set: 'crs', bucket: group, attack: true, req: crsRequest(r) });
  }
  for (const r of sample(crs.filter((r) => r.kind === 'negative'))) {
    cases.push({ set: 'crs', bucket: 'negative', attack: false, req: crsRequest(r) });
  }
  for (const req of sample(loadCsic())) cases.push({ set: 'csic', bucket: 'normal', attack: false, req });
  const code = sample(loadCodePrompts());
  for (const r of code) cases.push({ set: 'code', bucket: 'user', attack: false, req: userTurnRequest(r) });
  for (const r of code)
    cases.push({ set: 'code', bucket: 'assistant', attack: false, req: assistantTurnRequest(r) });
  for (const req of sample(benignApiRequests(3000)))
    cases.push({ set: 'generated', bucket: 'benign', attack: false, req });
  return cases;
}

function rawRequest(req: BenchRequest): Buffer {
  const skip = new Set(['connection', 'content-length', 'transfer-encoding', 'host']);
  const lines = [`${req.method} ${req.url} HTTP/1.1`, 'Host: localhost'];
  for (const [k, v] of req.headers) if (!skip.has(k.toLowerCase())) lines.push(`${k}: ${v}`);
  if (req.body) lines.push(`Content-Length: ${req.body.length}`);
  lines.push('Connection: close', '', '');
  const head = Buffer.from(lines.join('\r\n'), 'latin1');
  return req.body ? Buffer.concat([head, req.body]) : head;
}

/** Sends one request on its own connection; resolves the status code (0 on error/timeout). */
function send(target: string, req: BenchRequest): Promise<number> {
  const [host, port] = target.split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(chunks).subarray(0, 32).toString('latin1'));
      resolve(m ? Number(m[1]) : 0);
    };
    socket.setTimeout(5000, finish);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (Buffer.concat(chunks).length >= 12) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => socket.write(rawRequest(req)));
  });
}

async function replay(target: string, cases: Case[]): Promise<number[]> {
  const statuses = new Array<number>(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      statuses[i] = await send(target, cases[i].req);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

interface Rates {
  n: number;
  flagged: number;
  rate: number;
}
function summarise(cases: Case[], flagged: boolean[]): Record<string, Rates> {
  const out: Record<string, Rates> = {};
  cases.forEach((c, i) => {
    const key = `${c.set}:${c.bucket}`;
    const r = (out[key] ??= { n: 0, flagged: 0, rate: 0 });
    r.n++;
    if (flagged[i]) r.flagged++;
  });
  for (const r of Object.values(out)) r.rate = +(r.flagged / r.n).toFixed(4);
  return out;
}

const cases = buildCases();
console.log(`${cases.length} requests per system (sample cap ${cap} per bucket)`);
const results: Record<string, unknown> = {};
for (const level of [1, 2] as const) {
  const t0 = performance.now();
  const statuses = await replay(targets[level], cases);
  const seconds = (performance.now() - t0) / 1000;
  const statusCounts: Record<string, number> = {};
  for (const s of statuses) statusCounts[s] = (statusCounts[s] ?? 0) + 1;
  results[`modsecurity-crs-pl${level}`] = {
    seconds: +seconds.toFixed(1),
    statusCounts,
    note: '403 = blocked by CRS anomaly scoring; 400 = rejected (body parse error or nginx); both count as flagged; 0 = no answer',
    rates: summarise(
      cases,
      statuses.map((s) => s === 403 || s === 400),
    ),
  };
  const phase = (await detectPhase(level)) as RequestPhase;
  const t1 = performance.now();
  const flagged = cases.map((c) => runPhase(phase, c.req).blocked);
  results[`palisade-pl${level}`] = {
    seconds: +((performance.now() - t1) / 1000).toFixed(1),
    rates: summarise(cases, flagged),
  };
  console.log(`PL${level}: CRS ${seconds.toFixed(1)} s, statuses ${JSON.stringify(statusCounts)}`);
}

// Side-by-side table.
const keys = Object.keys((results['palisade-pl1'] as { rates: Record<string, Rates> }).rates);
const rate = (sys: string, k: string) =>
  `${(((results[sys] as { rates: Record<string, Rates> }).rates[k]?.rate ?? 0) * 100).toFixed(1)}%`.padStart(
    8,
  );
console.log(
  `${'bucket'.padEnd(22)}${'CRS PL1'.padStart(8)}${'PAL PL1'.padStart(8)}${'CRS PL2'.padStart(8)}${'PAL PL2'.padStart(8)}`,
);
for (const k of keys) {
  console.log(
    `${k.padEnd(22)}${rate('modsecurity-crs-pl1', k)}${rate('palisade-pl1', k)}${rate('modsecurity-crs-pl2', k)}${rate('palisade-pl2', k)}`,
  );
}
const out = path.join(repoRoot, 'bench', 'results', 'detection-vs-crs.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      sampleCapPerBucket: cap,
      requests: cases.length,
      note: 'Same sampled requests through nginx+ModSecurity v3+CRS (Debian packages) and through the Palisade detect phase. Attack buckets: rate = TPR; benign buckets (norm, negative, normal, user, assistant, generated benign API traffic from bench/lib/benign-api.ts): rate = FPR. CRS "negative" rows are only negative for one rule and include real attacks.',
      results,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${path.relative(repoRoot, out)}`);
