// The engine: a route's detectors compiled once; `inspect(values)` decodes each value into its
// variants, runs the detectors its profile and exclusions allow, keeps findings at or above the
// paranoia level's threshold, and returns the strongest per (location, detector).
//
// Cheap paths, none of which changes a finding: a value no decoder can change is its only variant
// (no decoding, no allocation); variants are distinct strings; a detector is not run on a string
// lacking every character its prefilter needs, nor on a UUID, ISO date or number it cannot report
// on (triggers.ts, checked against every detector by a fast-check test); and a detector is not run
// again on a string (same profile and source) it already found nothing in without reading the
// location: within one call for every value, across calls for header and path values
// (SHARED_SOURCES).
import type { Finding } from '../core/findings.js';
import { severityRank } from '../core/taxonomy.js';
import { createDecodeBudget, type DecodeBudget, decodeVariantsInto, mayDecode } from './decode.js';
import { ALL_DETECTORS_MASK, DETECTOR_BIT, DETECTOR_IDS, DETECTORS, type DetectorId } from './registry.js';
import { detectorsFor, detectorsOf, LOCATION_NOSQLI, scanForEngine } from './triggers.js';
import {
  CONTENT_PROFILES,
  type ContentProfile,
  type InspectedValue,
  type Paranoia,
  type ValueSource,
} from './types.js';

export interface EngineOptions {
  paranoia: Paranoia;
  /** Lowest score reported (the config's `detect.thresholds[paranoia]`). */
  threshold: number;
  /** Detectors to run (all when absent). */
  detectors?: readonly DetectorId[];
  /** Characters of decoding work per `inspect` call when no budget is passed. */
  decodeBudget?: number;
  /** Extra compile options for single detectors (e.g. the SSRF DNS check). */
  detectorOptions?: Partial<Record<DetectorId, Record<string, unknown>>>;
  /**
   * Keep what detectors found nothing in across `inspect` calls for header and path values
   * (default true; benchmarks turn it off to measure a first sight). See SHARED_SOURCES.
   */
  keepAcrossCalls?: boolean;
  /** Wraps each compiled detector once, at compile time (benchmarks time detectors with it). */
  wrapDetector?: (id: DetectorId, run: DetectorRun) => DetectorRun;
}

export type DetectorRun = (input: InspectedValue) => Finding[];

/** A value with an optional mask of the detectors allowed on it (extraction sets it). */
export type EngineValue = InspectedValue & {
  mask?: number;
  /** `scanForEngine(value)` when the caller has it (extraction computes it while reading JSON). */
  scan?: number;
};

export interface Engine {
  /** No detector enabled: `inspect` always returns []. */
  readonly empty: boolean;
  inspect(values: readonly EngineValue[], budget?: DecodeBudget): Finding[];
}

/**
 * What a detector is given: one object per `inspect` call, refilled for each run. Reading
 * `location` is recorded: a run that returns nothing without reading it depends only on
 * (value, profile, source) — detectors are pure — so its "nothing" holds for the same string
 * elsewhere in the request. The accessor lives on the prototype (an own accessor measured ~10%
 * slower on short values): a detector must read `input.location`, not copy its input with
 * `{ ...input }` (the copy would have no location).
 */
class Probe implements InspectedValue {
  value = '';
  source: ValueSource = 'query';
  profile: ContentProfile = 'generic';
  where = '';
  read = false;
  /**
   * Whether the location contains `[$` (nosqli's location rule), readable without reading the
   * location: nosqli then judges a value without one from the value alone. A "nothing" kept for a
   * string is therefore only used for a location without `[$` (see `byLocation`).
   */
  operatorInLocation = false;

  get location(): string {
    this.read = true;
    return this.where;
  }
}

const PROFILE_INDEX = new Map<ContentProfile, number>(CONTENT_PROFILES.map((p, i) => [p, i]));
const SOURCE_INDEX = new Map<ValueSource, number>(
  (['path', 'query', 'header', 'cookie', 'body', 'key'] as const).map((s, i) => [s, i]),
);
/** Memo entries: detector bits that found nothing, then the profile and source they hold for. */
const CONTEXT_SHIFT = DETECTOR_IDS.length;

/**
 * Header and path values repeat from request to request (a client's User-Agent and Referer, a
 * route's fixed path): what detectors found nothing in is kept across calls for them. Detectors
 * are pure, so a "nothing" recorded without reading the location holds for the same string, profile
 * and source in any later request. Body, query and cookie values are not kept: they rarely repeat
 * (the cache would only churn) and carry per-user data (session ids, tokens), whose presence a
 * cache hit would reveal by timing. Bounded: strings up to SHARED_MAX_LENGTH characters, at most
 * SHARED_MAX_ENTRIES of them per engine, the oldest dropped first.
 */
const SHARED_SOURCES: ReadonlySet<ValueSource> = new Set<ValueSource>(['header', 'path']);
const SHARED_MAX_LENGTH = 512;
const SHARED_MAX_ENTRIES = 1024;

/** A string some detectors found nothing in during this call: the bits as in `shared`. */
interface MemoEntry {
  text: string;
  bits: number;
}

/**
 * Key of the within-call memo: length and three characters, not the string's hash. Hashing reads
 * every character of every value, and most values of a request never repeat; a repeated string
 * has the same signature, and the entry's text is compared before use. Strings that share a
 * signature replace each other's entry (the memo only saves work), so a request built to collide
 * costs one comparison per value. (30 bits: a small-integer key.)
 */
function signature(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  return (((n * 31 + s.charCodeAt(0)) * 31 + s.charCodeAt(n >> 1)) * 31 + s.charCodeAt(n - 1)) & 0x3fffffff;
}

interface CompiledDetector {
  id: DetectorId;
  bit: number;
  run: DetectorRun;
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
    const options = { ...opts.detectorOptions?.[id], paranoia: opts.paranoia };
    const run = DETECTORS[id].compile(options);
    compiled.push({ id, bit: DETECTOR_BIT[id], run: opts.wrapDetector ? opts.wrapDetector(id, run) : run });
  }
  const enabled = compiled.reduce((m, d) => m | d.bit, 0);
  // A detector given options of its own (the SSRF DNS check answers from a cache that fills in the
  // background) may answer differently later: its "nothing" is not kept across calls.
  let volatile = 0;
  for (const d of compiled) {
    const extra = opts.detectorOptions?.[d.id];
    if (extra && Object.values(extra).some((x) => x !== undefined)) volatile |= d.bit;
  }
  const lasting = opts.keepAcrossCalls === false ? 0 : enabled & ~volatile;
  const shared = new Map<string, number>();
  const threshold = opts.threshold;
  const budgetChars = opts.decodeBudget ?? 1_000_000;

  if (compiled.length === 0) return { empty: true, inspect: () => [] };

  return {
    empty: false,
    inspect(values, budget = createDecodeBudget(budgetChars)) {
      let best: Map<string, Finding> | undefined;
      // Reused for every value of this call: the variants, which detectors are known to find
      // nothing in each (from the memo), and which were just seen to.
      const variants: string[] = [];
      const known: number[] = [];
      const clean: number[] = [];
      const allowed: number[] = [];
      const probe = new Probe();
      // this call's memo (see `signature`), made on the first "nothing" worth keeping
      let memo: Map<number, MemoEntry> | undefined;
      let lastProfile: ContentProfile | undefined;
      let lastSource: ValueSource | undefined;
      let context = 0;
      let keep = false;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        let mask = (v.mask ?? ALL_DETECTORS_MASK) & enabled;
        if (mask === 0) continue;
        const scan = v.scan ?? scanForEngine(v.value);
        const flags = scan & 0xff;
        const byLocation = v.location.indexOf('[$') === -1 ? 0 : LOCATION_NOSQLI;
        let count = 1;
        if (mayDecode(v.value, flags)) {
          decodeVariantsInto(v.value, flags, budget, variants);
          count = variants.length;
        } else {
          variants[0] = v.value;
        }
        let any = (detectorsOf(scan) | byLocation) & mask;
        allowed[0] = any;
        for (let k = 1; k < count; k++) {
          const a = (detectorsFor(variants[k]) | byLocation) & mask;
          allowed[k] = a;
          any |= a;
        }
        if (any === 0) continue;
        mask = any;
        // consecutive values mostly share a profile and source (extraction emits them by part)
        if (v.profile !== lastProfile || v.source !== lastSource) {
          lastProfile = v.profile;
          lastSource = v.source;
          context =
            (((PROFILE_INDEX.get(v.profile) ?? 7) << 3) | (SOURCE_INDEX.get(v.source) ?? 7)) << CONTEXT_SHIFT;
          keep = lasting !== 0 && SHARED_SOURCES.has(v.source);
        }
        for (let k = 0; k < count; k++) {
          let entry: number | undefined;
          if (keep) entry = shared.get(variants[k]);
          else if (memo !== undefined) {
            const e = memo.get(signature(variants[k]));
            if (e !== undefined && e.text === variants[k]) entry = e.bits;
          }
          known[k] =
            entry !== undefined && entry >>> CONTEXT_SHIFT === context >>> CONTEXT_SHIFT
              ? entry & ~byLocation
              : 0;
          clean[k] = 0;
        }
        probe.where = v.location;
        probe.source = v.source;
        probe.profile = v.profile;
        probe.operatorInLocation = byLocation !== 0;
        for (let j = 0; j < compiled.length; j++) {
          const d = compiled[j];
          if ((mask & d.bit) === 0) continue;
          for (let k = 0; k < count; k++) {
            if ((known[k] & d.bit) !== 0 || (allowed[k] & d.bit) === 0) continue;
            probe.value = variants[k];
            probe.read = false;
            let found: Finding[];
            try {
              found = d.run(probe);
            } catch {
              // A detector bug must not take the request down; it just finds nothing here.
              continue;
            }
            if (found.length === 0) {
              if (!probe.read) clean[k] |= d.bit;
              continue;
            }
            for (let m = 0; m < found.length; m++) {
              const f = found[m];
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
        if (!keep) {
          for (let k = 0; k < count; k++) {
            if (clean[k] === 0) continue;
            memo ??= new Map();
            memo.set(signature(variants[k]), { text: variants[k], bits: context | known[k] | clean[k] });
          }
        } else {
          for (let k = 0; k < count; k++) {
            const bits = clean[k] & lasting;
            const variant = variants[k];
            if (bits === 0 || variant.length > SHARED_MAX_LENGTH) continue;
            if (known[k] === 0 && shared.size >= SHARED_MAX_ENTRIES) {
              shared.delete(shared.keys().next().value as string);
            }
            shared.set(variant, context | known[k] | bits);
          }
        }
      }
      return best ? [...best.values()] : [];
    },
  };
}
