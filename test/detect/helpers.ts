import fc from 'fast-check';
import { expect } from 'vitest';
import type { ValueDetector } from '../../src/detect/types.js';

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
