import type { Check, CheckContext, OpState } from '../../context.js';
import { sqlErrorIn } from '../../judges/sql-errors.js';
import { isSuccess, similarity, stripMarkers } from '../../judges/similarity.js';
import { injectionPoints } from '../../points.js';
import type { Exchange } from '../../types.js';
import { workingOps, poolFor } from '../util.js';

const REMEDIATION =
  'Use parameterised queries or prepared statements for every value that reaches SQL; never build SQL by string concatenation. Return generic error messages.';

function payloadText(ex: Exchange): string[] {
  const body = ex.request.body ?? '';
  return [ex.request.url, body];
}

function cleaned(ex: Exchange, payloads: string[]): string {
  const esc = payloads.flatMap((p) => [p, JSON.stringify(p).slice(1, -1), encodeURIComponent(p)]);
  return `${ex.response.status} ${stripMarkers(ex.response.body, esc)}`;
}

async function errorBased(ctx: CheckContext, state: OpState): Promise<boolean> {
  const baselineSig = sqlErrorIn(state.baseline!.response.body);
  if (baselineSig) return false;
  for (const point of injectionPoints(state.op, state.parts)) {
    const o = String(point.original ?? '');
    const ex = await ctx.send(state, point.with(state.parts, `${o}'`), state.as);
    let sig = sqlErrorIn(ex.response.body);
    let first = ex;
    if (!sig) {
      const ex1b = await ctx.send(state, point.with(state.parts, `${o}"`), state.as);
      sig = sqlErrorIn(ex1b.response.body);
      first = ex1b;
    }
    if (!sig) continue;
    const ex2 = await ctx.send(state, point.with(state.parts, `${o}')"(\``), state.as);
    if (!sqlErrorIn(ex2.response.body)) continue;
    ctx.report({
      threat: { category: 'injection', subtype: 'sqli' },
      check: 'sqli',
      severity: 'critical',
      confidence: 0.95,
      operation: state.op.key,
      location: point.label,
      title: `SQL injection (error-based, ${sig.engine}) in ${point.label}`,
      description: `A quote in ${point.label} produces a ${sig.engine} syntax error ("${sig.text}"), confirmed with a second differently shaped payload: the value is concatenated into an SQL statement.`,
      exchange: first,
      focus: sig.text,
      remediation: REMEDIATION,
      cwe: 89,
    });
    void payloadText;
    return true;
  }
  return false;
}

const PAIRS_READ: [string, string][] = [
  ["' OR '1'='1", "' AND '1'='2"],
  ["' OR 1=1-- ", "' AND 1=2-- "],
  [' OR 1=1', ' AND 1=2'],
];
const CONFIRM_READ: Record<number, [string, string]> = {
  0: ["' OR 'ab'='ab", "' AND 'ab'='ba"],
  1: ["' OR 2>1-- ", "' AND 2<1-- "],
  2: [' OR 2>1', ' AND 2<1'],
};
const PAIRS_WRITE: [string, string][] = [
  ["' AND '1'='1", "' AND '1'='2"],
  [' AND 1=1', ' AND 1=2'],
];
const CONFIRM_WRITE: Record<number, [string, string]> = {
  0: ["' AND 'ab'='ab", "' AND 'ab'='ba"],
  1: [' AND 2>1', ' AND 2<1'],
};

async function booleanBased(ctx: CheckContext, state: OpState): Promise<boolean> {
  const read = state.op.method === 'GET';
  const pairs = read ? PAIRS_READ : PAIRS_WRITE;
  const confirms = read ? CONFIRM_READ : CONFIRM_WRITE;
  // the endpoint must answer the same request the same way
  const again = await ctx.send(state, state.parts, state.as);
  if (similarity(cleaned(again, []), cleaned(state.baseline!, [])) < 0.95) return false;
  for (const point of injectionPoints(state.op, state.parts)) {
    const o = String(point.original ?? '');
    for (let i = 0; i < pairs.length; i++) {
      const [t, f] = pairs[i];
      const exT = await ctx.send(state, point.with(state.parts, o + t), state.as);
      const exF = await ctx.send(state, point.with(state.parts, o + f), state.as);
      if (!isSuccess(exT.response.status) && !isSuccess(exF.response.status)) continue;
      const ts = cleaned(exT, [o + t]);
      const fs = cleaned(exF, [o + f]);
      if (similarity(ts, fs) > 0.85) continue;
      // one side must look like a normal answer: the baseline or a value that matches nothing
      const junk = `${o}zq${Math.random().toString(36).slice(2, 7)}`;
      const exJ = await ctx.send(state, point.with(state.parts, junk), state.as);
      const base = cleaned(state.baseline!, []);
      const js = cleaned(exJ, [junk]);
      if (similarity(ts, base) < 0.9 && similarity(fs, base) < 0.9 && similarity(fs, js) < 0.9) continue;
      const [t2, f2] = confirms[i];
      const exT2 = await ctx.send(state, point.with(state.parts, o + t2), state.as);
      const exF2 = await ctx.send(state, point.with(state.parts, o + f2), state.as);
      const ts2 = cleaned(exT2, [o + t2]);
      const fs2 = cleaned(exF2, [o + f2]);
      if (similarity(ts, ts2) < 0.9 || similarity(fs, fs2) < 0.9 || similarity(ts2, fs2) > 0.85) continue;
      ctx.report({
        threat: { category: 'injection', subtype: 'sqli' },
        check: 'sqli',
        severity: 'critical',
        confidence: 0.85,
        operation: state.op.key,
        location: point.label,
        title: `SQL injection (boolean-based) in ${point.label}`,
        description: `A true condition (${JSON.stringify(t)}) and a false condition (${JSON.stringify(f)}) appended to ${point.label} give different answers, and a second pair of different shape behaves the same: the value is evaluated as SQL.`,
        exchange: exT,
        remediation: REMEDIATION,
        cwe: 89,
      });
      return true;
    }
  }
  return false;
}

const SLEEP_S = 3;

async function timeBased(ctx: CheckContext, state: OpState): Promise<boolean> {
  if (ctx.client.remainingMs < 30_000) return false;
  const base = Math.max(ctx.medianLatencyMs, state.baseline!.response.elapsedMs);
  const payloads = [
    `' AND SLEEP(${SLEEP_S})-- `,
    `';SELECT pg_sleep(${SLEEP_S})-- `,
    `';WAITFOR DELAY '0:0:${SLEEP_S}'-- `,
    ` AND SLEEP(${SLEEP_S})`,
  ];
  const points = injectionPoints(state.op, state.parts).slice(0, 3);
  for (const point of points) {
    const o = String(point.original ?? '');
    for (const p of payloads) {
      const ex = await ctx.send(state, point.with(state.parts, o + p), state.as, { timeoutMs: 15_000 });
      if (ex.response.elapsedMs < base + SLEEP_S * 1000 - 200) continue;
      const short = p.replace(String(SLEEP_S), '1');
      const ex2 = await ctx.send(state, point.with(state.parts, o + short), state.as, { timeoutMs: 15_000 });
      const ex3 = await ctx.send(state, point.with(state.parts, o + p), state.as, { timeoutMs: 15_000 });
      if (ex2.response.elapsedMs > base + 2500 || ex3.response.elapsedMs < base + SLEEP_S * 1000 - 200)
        continue;
      ctx.report({
        threat: { category: 'injection', subtype: 'sqli' },
        check: 'sqli',
        severity: 'critical',
        confidence: 0.75,
        operation: state.op.key,
        location: point.label,
        title: `SQL injection (time-based) in ${point.label}`,
        description: `A ${SLEEP_S}-second sleep function in ${point.label} delays the answer by about ${SLEEP_S} s (baseline ${Math.round(base)} ms), a 1-second variant does not: the value runs as SQL.`,
        exchange: ex,
        remediation: REMEDIATION,
        cwe: 89,
      });
      return true;
    }
  }
  return false;
}

export const sqliCheck: Check = {
  id: 'sqli',
  category: 'injection',
  title: 'SQL injection (error, boolean, time)',
  priority: 80,
  async run(ctx) {
    const timeCandidates: OpState[] = [];
    await poolFor(ctx, workingOps(ctx), async (state) => {
      if (await errorBased(ctx, state)) return;
      if (await booleanBased(ctx, state)) return;
      if (state.baseline!.response.status < 500) timeCandidates.push(state);
    });
    // time-based probes are slow: only where a quote broke the request (500) without a signature
    const broken: OpState[] = [];
    for (const s of timeCandidates.slice(0, 40)) {
      const p = injectionPoints(s.op, s.parts)[0];
      if (!p) continue;
      const ex = await ctx.send(s, p.with(s.parts, `${String(p.original ?? '')}'`), s.as);
      if (ex.response.status >= 500) broken.push(s);
    }
    for (const s of broken.slice(0, 4)) await timeBased(ctx, s);
  },
};
