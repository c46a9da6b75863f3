// The engine: a route's detectors compiled once; `inspect(values)` decodes each value into its
// variants, runs the detectors its profile and exclusions allow, keeps findings at or above the
// paranoia level's threshold, and returns the strongest per (location, detector).
import type { Finding } from '../core/findings.js';
import { severityRank } from '../core/taxonomy.js';
import { createDecodeBudget, type DecodeBudget, decodeVariants } from './decode.js';
import { ALL_DETECTORS_MASK, DETECTOR_BIT, DETECTOR_IDS, DETECTORS, type DetectorId } from './registry.js';
import type { InspectedValue, Paranoia } from './types.js';

export interface EngineOptions {
  paranoia: Paranoia;
  /** Lowest score reported (the config's `detect.thresholds[paranoia]`). */
  threshold: number;
  /** Detectors to run (all when absent). */
  detectors?: readonly DetectorId[];
  /** Characters of decoding work per `inspect` call when no budget is passed. */
  decodeBudget?: number;
}

/** A value with an optional mask of the detectors allowed on it (extraction sets it). */
export type EngineValue = InspectedValue & { mask?: number };

export interface Engine {
  /** No detector enabled: `inspect` always returns []. */
  readonly empty: boolean;
  inspect(values: readonly EngineValue[], budget?: DecodeBudget): Finding[];
}

interface CompiledDetector {
  id: DetectorId;
  bit: number;
  run: (input: InspectedValue) => Finding[];
}

/** Detectors that can find something in a value of words alone (no punctuation at all). */
const WORDS_MASK = DETECTOR_BIT.sqli | DETECTOR_BIT.cmdi | DETECTOR_BIT.ssrf;

/**
 * True when a value is letters, digits, `_`, `-`, spaces and tabs only. There, only SQL
 * (`information_schema`, `1 union select password from users`), shell (`whoami`, `sleep 10`) and
 * SSRF (`2130706433`) remain possible: every other detector needs some punctuation (`<`, `/`,
 * `$`, `{`, CR/LF, …). Only used when nothing decodes from the value.
 */
function wordsOnly(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (
      (c >= 48 && c <= 57) ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 95 ||
      c === 45 ||
      c === 32 ||
      c === 9
    ) {
      continue;
    }
    return false;
  }
  return true;
}

function stronger(a: Finding, b: Finding): boolean {
  if (a.score !== b.score) return a.score > b.score;
  return severityRank(a.severity) > severityRank(b.severity);
}

export function compileEngine(opts: EngineOptions): Engine {
  const ids = opts.detectors ?? DETECTOR_IDS;
  const compiled: CompiledDetector[] = [];
  for (const id of DETECTOR_IDS) {
    if (!ids.includes(id)) continue;
    compiled.push({ id, bit: DETECTOR_BIT[id], run: DETECTORS[id].compile({ paranoia: opts.paranoia }) });
  }
  const enabled = compiled.reduce((m, d) => m | d.bit, 0);
  const threshold = opts.threshold;
  const budgetChars = opts.decodeBudget ?? 1_000_000;

  if (compiled.length === 0) return { empty: true, inspect: () => [] };

  return {
    empty: false,
    inspect(values, budget = createDecodeBudget(budgetChars)) {
      let best: Map<string, Finding> | undefined;
      for (const v of values) {
        let mask = (v.mask ?? ALL_DETECTORS_MASK) & enabled;
        if (mask === 0) continue;
        const variants = decodeVariants(v.value, budget);
        if (variants.length === 1 && wordsOnly(v.value)) {
          mask &= WORDS_MASK;
          if (mask === 0) continue;
        }
        for (const d of compiled) {
          if ((mask & d.bit) === 0) continue;
          for (let k = 0; k < variants.length; k++) {
            const input = k === 0 ? v : { ...v, value: variants[k] };
            let found: Finding[];
            try {
              found = d.run(input);
            } catch {
              // A detector bug must not take the request down; it just finds nothing here.
              continue;
            }
            for (const f of found) {
              if (!(f.score >= threshold)) continue;
              const location = f.location ?? v.location;
              const key = `${location}\u0000${f.detector}`;
              best ??= new Map();
              const prev = best.get(key);
              if (!prev || stronger(f, prev)) {
                best.set(key, f.location === undefined ? { ...f, location } : f);
              }
            }
          }
        }
      }
      return best ? [...best.values()] : [];
    },
  };
}
