// Shared by the cmdi test files: the full analysis's verdict without the prefilter, and the
// property that the three-way prefilter (0 analyse, 1 nothing to find, 2 nothing reportable)
// never skips what the analysis would score.
import fc from 'fast-check';
import { expect } from 'vitest';
import { analyzeCmdiUnfiltered, cmdiPrefilter } from '../../src/detect/cmdi.js';
import { CONTENT_PROFILES, type Paranoia } from '../../src/detect/types.js';

const LEVELS: Paranoia[] = [1, 2, 3];

/** The highest score of the full analysis (no prefilter) over profiles and paranoia levels; -1 for none. */
export function cmdiTopScore(v: string): number {
  let top = -1;
  for (const p of LEVELS)
    for (const prof of CONTENT_PROFILES) top = Math.max(top, analyzeCmdiUnfiltered(v, prof, p)?.score ?? -1);
  return top;
}

export interface SkipSoundOptions {
  maxLength: number;
  numRuns: number;
  seed: number;
  /** The generated values must exercise the skip paths at least this often. */
  minSkipped: number;
}

/** Values joined from `words` and `puncts` (and upper-cased words) are never wrongly skipped. */
export function expectCmdiSkipsSound(words: string[], puncts: string[], opts: SkipSoundOptions): void {
  const tok = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...words) },
    { weight: 2, arbitrary: fc.constantFrom(...puncts) },
    { weight: 1, arbitrary: fc.constantFrom(...words).map((w) => w.toUpperCase()) },
  );
  let skipped = 0;
  fc.assert(
    fc.property(fc.array(tok, { minLength: 1, maxLength: opts.maxLength }), (parts) => {
      const v = parts.join('');
      const k = cmdiPrefilter(v);
      if (k === 0) return true;
      skipped++;
      const top = cmdiTopScore(v);
      return k === 1 ? top === -1 : top < 0.3;
    }),
    { numRuns: opts.numRuns, seed: opts.seed },
  );
  expect(skipped).toBeGreaterThan(opts.minSkipped);
}
