import type { Check, CheckContext, OpState } from '../../context.js';
import { randomToken } from '../../judges/similarity.js';
import { injectionPoints } from '../../points.js';
import { workingOps, poolFor } from '../util.js';
import { runMarkerCheck } from './common.js';

const REMEDIATION =
  'Never pass request values to a shell. Call programs with an argument array (execFile/spawn without shell), validate values against a strict allow-list, and run jobs with least privilege.';

// `echo a''b` prints `ab`: the joined marker only appears when a shell removed the quotes,
// so an API that merely reflects the input does not match.
const SEPARATORS = [';', '|', '&&', '\n', '$(', '`'];

function wrap(sep: string, cmd: string): string {
  if (sep === '$(') return `$(${cmd})`;
  if (sep === '`') return `\`${cmd}\``;
  return `${sep}${cmd}`;
}

export const cmdiCheck: Check = {
  id: 'cmdi',
  category: 'injection',
  title: 'OS command injection (output marker and time)',
  priority: 95,
  async run(ctx) {
    const found = new Set<string>();
    await runMarkerCheck(ctx, {
      probes: () => {
        const a = `pal${randomToken(5)}`;
        const b = randomToken(6);
        return SEPARATORS.map((sep) => ({
          sep,
          value: (o: string) => `${o}${wrap(sep, `echo ${a}''${b}`)}`,
          judge: (ex) => (ex.response.body.includes(a + b) ? a + b : undefined),
        }));
      },
      confirm: (_p, matched) => {
        const a = `pal${randomToken(5)}`;
        const b = randomToken(6);
        const sep = (matched as any).sep as string;
        return {
          value: (o: string) => `${o}${wrap(sep, `echo ${a}"${b}"`)}`,
          judge: (ex) => (ex.response.body.includes(a + b) ? a + b : undefined),
        };
      },
      points: (p) => typeof p.original === 'string' || p.source === 'query',
      onFinding: (state, point, ex, marker) => {
        found.add(state.op.key);
        ctx.report({
          threat: { category: 'injection', subtype: 'cmdi' },
          check: 'cmdi',
          severity: 'critical',
          confidence: 0.95,
          operation: state.op.key,
          location: point.label,
          title: `OS command injection in ${point.label}`,
          description: `A shell command appended to ${point.label} ran on the server: its output "${marker}" (only produced when a shell removes the quotes) came back in the response; confirmed with a second command of different quoting.`,
          exchange: ex,
          focus: marker,
          remediation: REMEDIATION,
          cwe: 78,
        });
      },
    });
    await timeBased(ctx, found);
  },
};

const NAME_RE = /cmd|command|exec|shell|script|host|ip|addr|target|args?|run|ping|domain/i;

async function timeBased(ctx: CheckContext, found: Set<string>): Promise<void> {
  if (ctx.client.remainingMs < 40_000) return;
  const candidates: { state: OpState; label: string }[] = [];
  const states = workingOps(ctx, (s) => !found.has(s.op.key));
  await poolFor(ctx, states, async (state) => {
    const point = injectionPoints(state.op, state.parts).find(
      (p) => NAME_RE.test(p.name) && typeof p.original === 'string',
    );
    if (!point || candidates.length >= 4) return;
    const base = Math.max(ctx.medianLatencyMs, state.baseline!.response.elapsedMs);
    const o = String(point.original);
    const ex = await ctx.send(state, point.with(state.parts, `${o};sleep 3`), state.as, {
      timeoutMs: 15_000,
    });
    if (ex.response.elapsedMs < base + 2800) return;
    const ex2 = await ctx.send(state, point.with(state.parts, `${o}|sleep 3`), state.as, {
      timeoutMs: 15_000,
    });
    const ex0 = await ctx.send(state, point.with(state.parts, `${o};sleep 0`), state.as, {
      timeoutMs: 15_000,
    });
    if (ex2.response.elapsedMs < base + 2800 || ex0.response.elapsedMs > base + 2000) return;
    candidates.push({ state, label: point.label });
    ctx.report({
      threat: { category: 'injection', subtype: 'cmdi' },
      check: 'cmdi',
      severity: 'critical',
      confidence: 0.75,
      operation: state.op.key,
      location: point.label,
      title: `OS command injection (time-based) in ${point.label}`,
      description: `Appending "sleep 3" to ${point.label} delays the answer by about 3 s with two different separators, while "sleep 0" does not: the value reaches a shell.`,
      exchange: ex,
      remediation: REMEDIATION,
      cwe: 78,
    });
  });
}
