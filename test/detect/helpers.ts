import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/findings.js';
import { isThreat } from '../../src/core/taxonomy.js';
import { compileEngine } from '../../src/detect/engine.js';
import type { DetectorId } from '../../src/detect/registry.js';
import type {
  ContentProfile,
  InspectedValue,
  Paranoia,
  ValueDetector,
  ValueSource,
} from '../../src/detect/types.js';

/** The engine's default thresholds (config detect.thresholds): what "fires" means per paranoia. */
export const THRESHOLD = { 1: 0.7, 2: 0.5, 3: 0.3 } as const;

/** Where a value sits in the request: everything of an inspected value but the value itself. */
export type Where = Omit<InspectedValue, 'value'>;

/** One row of a detector's table test; unset fields fall back to the file's defaults. */
export interface Row<E = boolean> {
  input: string;
  expect: E;
  note?: string;
  paranoia?: Paranoia;
  profile?: ContentProfile;
  source?: ValueSource;
  location?: string;
}

/** The detector compiled once per paranoia level. */
export function compileAll(detector: ValueDetector) {
  return {
    1: detector.compile({ paranoia: 1 }),
    2: detector.compile({ paranoia: 2 }),
    3: detector.compile({ paranoia: 3 }),
  };
}

/**
 * Runs table rows through `detector` (PL1, generic, query unless the row or `where` says otherwise)
 * and says whether it fired at the engine's threshold for the row's paranoia.
 */
export function rowInspector(detector: ValueDetector, where: Partial<Where> = {}) {
  const runs = compileAll(detector);
  return (row: Omit<Row<unknown>, 'expect'>) => {
    const paranoia = row.paranoia ?? 1;
    const findings = runs[paranoia]({
      value: row.input,
      location: row.location ?? where.location ?? 'query.q',
      source: row.source ?? where.source ?? 'query',
      profile: row.profile ?? where.profile ?? 'generic',
    });
    return { findings, fired: findings.some((f) => f.score >= THRESHOLD[paranoia]) };
  };
}

/** For each row (at `query.q`, its profile or generic): the top score at PL3 is at least the one at PL1. */
export function expectParanoiaNeverLowersScore(detector: ValueDetector, rows: readonly Row<unknown>[]): void {
  const runs = compileAll(detector);
  for (const row of rows) {
    const top = (paranoia: Paranoia) =>
      runs[paranoia]({
        value: row.input,
        location: 'query.q',
        source: 'query',
        profile: row.profile ?? 'generic',
      })[0]?.score ?? 0;
    expect(top(3)).toBeGreaterThanOrEqual(top(1));
  }
}

/**
 * `run(value, profile, paranoia)` at `query.q` (generic, PL1 by default), and `fires`: some finding
 * scores 0.5 or more, whatever the paranoia.
 */
export function queryRunner(detector: ValueDetector) {
  const compiled = compileAll(detector);
  const run = (value: string, profile: ContentProfile = 'generic', paranoia: Paranoia = 1) =>
    compiled[paranoia]({ value, location: 'query.q', source: 'query', profile });
  const fires = (value: string, profile: ContentProfile = 'generic', paranoia: Paranoia = 1) =>
    run(value, profile, paranoia).some((f) => f.score >= 0.5);
  return { run, fires };
}

/** Fuzz values: any short string, or a run of `pieces` (the detector's own syntax) glued together. */
export function fuzzValues(pieces: readonly string[], maxPieces: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.array(fc.constantFrom(...pieces), { maxLength: maxPieces }).map((a) => a.join('')),
  );
}

export const ANY_PARANOIA = fc.constantFrom<Paranoia>(1, 2, 3);

interface FuzzCase extends Where {
  value: string;
  paranoia: Paranoia;
}

/** What a fuzz test draws: `value` always, any other field either drawn or fixed. */
export type FuzzDraws = { value: fc.Arbitrary<string> } & {
  [K in Exclude<keyof FuzzCase, 'value'>]?: fc.Arbitrary<FuzzCase[K]>;
};

export interface WellFormedOptions {
  /** Fields not drawn; by default paranoia 3, location `x`, query, generic. */
  fixed?: Partial<Omit<FuzzCase, 'value'>>;
  numRuns?: number;
  /** The only subtype the detector may report. */
  subtype?: string;
  /** Every finding must carry a fragment. */
  requireFragment?: boolean;
}

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

/**
 * Property: on any drawn input the detector returns an array of findings with a taxonomy id,
 * a reportable score, a known severity, a short fragment and the input's location.
 */
export function expectWellFormedUnderFuzz(
  detector: ValueDetector,
  draws: FuzzDraws,
  { fixed = {}, numRuns = 400, subtype, requireFragment = false }: WellFormedOptions = {},
): void {
  const runs = compileAll(detector);
  fc.assert(
    fc.property(fc.record(draws), (drawn) => {
      const c: FuzzCase = {
        paranoia: 3,
        location: 'x',
        source: 'query',
        profile: 'generic',
        ...fixed,
        ...(drawn as Partial<FuzzCase>),
        value: drawn.value,
      };
      const input: InspectedValue = {
        value: c.value,
        location: c.location,
        source: c.source,
        profile: c.profile,
      };
      const out = runs[c.paranoia](input);
      expect(Array.isArray(out)).toBe(true);
      for (const f of out) expectWellFormed(f, input, subtype, requireFragment);
    }),
    { numRuns },
  );
}

function expectWellFormed(f: Finding, input: InspectedValue, subtype?: string, requireFragment = false) {
  expect(isThreat(f.category, f.subtype)).toBe(true);
  if (subtype !== undefined) expect(f.subtype).toBe(subtype);
  expect(f.score).toBeGreaterThanOrEqual(0.5);
  expect(f.score).toBeLessThanOrEqual(1);
  expect(SEVERITIES).toContain(f.severity);
  if (requireFragment) expect(typeof f.fragment).toBe('string');
  expect((f.fragment ?? '').length).toBeLessThanOrEqual(120);
  expect(f.location).toBe(input.location);
}

export interface LinearOptions {
  /** Paranoia to compile at (3: every code path on). */
  paranoia?: Paranoia;
  /** Where the value sits; a function when it depends on the value. Default `q`, query, generic. */
  where?: Partial<Where> | ((value: string) => Partial<Where>);
  /** Bound on the (best) run, in milliseconds. */
  maxMs?: number;
  /** Timed runs per unit; the best counts, so one hiccup of a loaded machine does not fail it. */
  tries?: number;
  /** One untimed run first, so JIT warm-up is not measured. */
  warmUp?: boolean;
}

/** `unit` repeated to (just over) 1 MB. */
export function oneMegabyteOf(unit: string): string {
  return unit.repeat(Math.ceil((1024 * 1024) / unit.length));
}

/**
 * Each unit repeated to 1 MB is the worst case for a scanner that backtracks or rescans: the
 * detector must still finish within `maxMs` (default 500).
 */
export function expectLinearOnNearMatches(
  detector: ValueDetector,
  units: readonly string[],
  { paranoia = 3, where = {}, maxMs = 500, tries = 1, warmUp = false }: LinearOptions = {},
): void {
  const run = detector.compile({ paranoia });
  for (const unit of units) {
    const value = oneMegabyteOf(unit);
    const at = typeof where === 'function' ? where(value) : where;
    const input: InspectedValue = {
      value,
      location: at.location ?? 'q',
      source: at.source ?? 'query',
      profile: at.profile ?? 'generic',
    };
    if (warmUp) run(input);
    let best = Number.POSITIVE_INFINITY;
    for (let k = 0; k < tries; k++) {
      const t0 = performance.now();
      const out = run(input);
      best = Math.min(best, performance.now() - t0);
      expect(Array.isArray(out)).toBe(true);
    }
    expect(best, unit).toBeLessThan(maxMs);
  }
}

/** Plain values of a form field that no detector's prefilter should pass on to the analysis. */
export const TYPICAL_BENIGN = ['shipping', '482913', "Pat O'Brien", 'user12@example.com', 'SKU-482913'];

/**
 * A prefilter (true: analyse the value) keeps every attack row of the table, and the table has
 * more than `atLeast` of them, so the check is not vacuous.
 */
export function expectPrefilterKeepsAttacks(
  keeps: (value: string, location?: string) => boolean,
  rows: readonly Row<unknown>[],
  atLeast = 5,
): void {
  const attacks = rows.filter((row) => row.expect);
  expect(attacks.length).toBeGreaterThan(atLeast);
  for (const row of attacks) expect(keeps(row.input, row.location), row.input).toBe(true);
}

/**
 * A prefilter (true: analyse the value) keeps every row of the table the full analysis finds
 * something in, and more than `atLeast` rows are found, so the check is not vacuous.
 */
export function expectPrefilterKeepsFound(
  keeps: (value: string) => boolean,
  rows: readonly Row<unknown>[],
  found: (value: string) => boolean,
  atLeast = 50,
): void {
  let scored = 0;
  for (const row of rows) {
    if (!found(row.input)) continue;
    scored++;
    expect(keeps(row.input), row.input).toBe(true);
  }
  expect(scored).toBeGreaterThan(atLeast);
}

/** A prefilter (true: analyse the value) skips plain values. */
export function expectPrefilterRejectsBenign(
  keeps: (value: string) => boolean,
  values: readonly string[] = TYPICAL_BENIGN,
): void {
  for (const v of values) expect(keeps(v), v).toBe(false);
}

/** Contexts a prefilter must be sound in: it skips a value only when the detector reports nothing. */
const CONTEXTS = [
  ['generic', 'query', 'query.q'],
  ['url', 'body', 'body.$.url'],
  ['identifier', 'path', 'path'],
  ['generic', 'key', 'body.$.filter'],
  ['generic', 'header', 'header.x-a'],
] as const;

/**
 * Property: whenever `pre` rejects a value built from `token` pieces (either case), the detector
 * finds nothing at paranoia 1-3 in every context; and the prefilter does reject some values.
 */
export function expectPrefilterSound(
  detector: ValueDetector,
  pre: (value: string) => boolean,
  token: fc.Arbitrary<string>,
): void {
  const runs = ([1, 2, 3] as const).map((paranoia) => detector.compile({ paranoia }));
  const value = fc.array(token, { minLength: 1, maxLength: 8 }).map((t) => t.join(''));
  let rejected = 0;
  fc.assert(
    fc.property(value, fc.boolean(), (v, upper) => {
      const s = upper ? v.toUpperCase() : v;
      if (pre(s)) return;
      rejected++;
      for (const run of runs) {
        for (const [profile, source, location] of CONTEXTS) {
          expect(run({ value: s, profile, source, location })).toEqual([]);
        }
      }
    }),
    { numRuns: 400, seed: 7 },
  );
  expect(rejected).toBeGreaterThan(0);
}

export interface PrefilterCase {
  detector: ValueDetector;
  /** The detector's prefilter: true when the value may be an attack and goes on to the analysis. */
  pre: (value: string, location?: string) => boolean;
  /** The detector's table: every attack row must pass the prefilter. */
  rows: readonly Row<unknown>[];
  /** Pieces of the detector's syntax that generated values are built from. */
  token: fc.Arbitrary<string>;
  benign?: readonly string[];
}

/**
 * The prefilter rejects a value before analysis only when the analysis provably finds nothing:
 * it keeps the table's attacks, skips plain values, and is sound on generated near-misses.
 */
export function describePrefilter(
  title: string,
  { detector, pre, rows, token, benign = TYPICAL_BENIGN }: PrefilterCase,
): void {
  describe(title, () => {
    it('never rejects an attack row of the table above', () => expectPrefilterKeepsAttacks(pre, rows));
    it('rejects typical benign values', () => expectPrefilterRejectsBenign(pre, benign));
    it('rejects only values the detector reports nothing on (any profile, source, paranoia)', () => {
      expectPrefilterSound(detector, pre, token);
    });
  });
}

/** Cases `[value, fires]` through the whole engine (decoding included) with only `detector` on, at PL1. */
export function itEachThroughEngine(
  detector: DetectorId,
  location: string,
  cases: readonly (readonly [string, boolean])[],
): void {
  const engine = compileEngine({ paranoia: 1, threshold: 0.7, detectors: [detector] });
  it.each(cases)('%s → %s', (value, fires) => {
    const found = engine.inspect([{ value, location, source: 'query', profile: 'generic' }]);
    expect(found.some((f) => f.detector === detector)).toBe(fires);
  });
}
