import type { CheckContext, OpState } from '../../context.js';
import { type InjectionPoint, injectionPoints } from '../../points.js';
import type { Exchange } from '../../types.js';
import { workingOps, poolFor } from '../util.js';

export interface Probe {
  value: (original: string) => unknown;
  /** Returns the matched evidence text, or undefined. */
  judge: (ex: Exchange, baseline: Exchange) => string | undefined;
}

export interface MarkerSpec {
  /** First probes, tried in order until one matches. */
  probes: (point: InjectionPoint, state: OpState) => Probe[];
  /** A differently shaped probe that must also match before reporting. */
  confirm: (point: InjectionPoint, matched: Probe, state: OpState) => Probe | undefined;
  points?: (point: InjectionPoint, state: OpState) => boolean;
  /** Stop after the first confirmed point of an operation (default true). */
  onePerOperation?: boolean;
  onFinding: (state: OpState, point: InjectionPoint, ex: Exchange, evidence: string) => void;
}

/** Generic driver: probe every injection point, confirm with a second shape, report. */
export async function runMarkerCheck(ctx: CheckContext, spec: MarkerSpec): Promise<void> {
  const states = workingOps(ctx);
  await poolFor(ctx, states, async (state) => {
    const baseline = state.baseline!;
    for (const point of injectionPoints(state.op, state.parts)) {
      if (spec.points && !spec.points(point, state)) continue;
      const original = point.original === null || point.original === undefined ? '' : String(point.original);
      for (const probe of spec.probes(point, state)) {
        const ex = await ctx.send(state, point.with(state.parts, probe.value(original)), state.as);
        const hit = probe.judge(ex, baseline);
        if (!hit) continue;
        const confirm = spec.confirm(point, probe, state);
        if (!confirm) break;
        const ex2 = await ctx.send(state, point.with(state.parts, confirm.value(original)), state.as);
        const hit2 = confirm.judge(ex2, baseline);
        if (hit2) {
          spec.onFinding(state, point, ex, hit);
          if (spec.onePerOperation !== false) return;
        }
        break;
      }
    }
  });
}

/** True when `text` appears in the response but not in the baseline response. */
export function newIn(ex: Exchange, baseline: Exchange, text: string): boolean {
  return ex.response.body.includes(text) && !baseline.response.body.includes(text);
}
