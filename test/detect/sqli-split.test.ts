import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeSqli, sqliDetector } from '../../src/detect/sqli.js';
import { joinSplitKeywords } from '../../src/detect/sqli/split-keyword.js';
import type { ContentProfile } from '../../src/detect/types.js';
import { expectLinearOnNearMatches, THRESHOLD } from './helpers.js';

const score = (v: string, profile: ContentProfile = 'generic', paranoia: 1 | 2 | 3 = 1) =>
  analyzeSqli(v, profile, paranoia)?.score ?? 0;

describe('sqli: keywords cut by empty comments (./sqli/split-keyword.ts)', () => {
  it.each([
    { input: "1' UN/**/ION SEL/**/ECT password FROM users--", pl1: true },
    { input: '1 AN/**/D SLE/**/EP(5)', pl1: true },
    { input: 'SEL/**/ECT * FR/**/OM users', pl1: true },
    { input: '1; DR/**/OP TABLE users', pl1: true },
    {
      input: 'DR/**/OP/**/TABLE/**/users',
      pl1: false,
      pl2: true,
      note: 'a lone statement stays below paranoia 1',
    },
    // the cut alone is evasion, reported from paranoia 2
    { input: 'SE/**/LE/**/CT 1', pl1: false, pl2: true },
    { input: 'DR/**/OP', pl1: false, pl2: true },
    // no split of a SQL name
    { input: 'foo/**/bar', pl1: false, pl2: false },
    { input: 'a /**/ b', pl1: false, pl2: false },
    { input: 'x/*note*/y', pl1: false, pl2: false },
    { input: 'const a = b/**/c;', pl1: false, pl2: false },
  ])('$input', (row) => {
    expect(score(row.input) >= THRESHOLD[1], row.input).toBe(row.pl1);
    if (row.pl2 !== undefined)
      expect(score(row.input, 'generic', 2) >= THRESHOLD[2], row.input).toBe(row.pl2);
  });

  it('leaves code and prose to their own reading', () => {
    expect(score('DR/**/OP', 'code', 3)).toBe(0);
    expect(score('see SE/**/LE/**/CT in the docs', 'free-text', 1)).toBeLessThan(THRESHOLD[1]);
  });

  it('joins only SQL names', () => {
    expect(joinSplitKeywords('UN/**/ION SEL/**/ECT')).toBe('UNION SELECT');
    expect(joinSplitKeywords('S/**/E/**/L/**/E/**/C/**/T')).toBe('SELECT');
    expect(joinSplitKeywords('foo/**/bar')).toBeNull();
    expect(joinSplitKeywords('/**/select')).toBeNull();
  });

  it('never throws and never lengthens a value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('UN', 'ION', '/**/', 'SEL', 'ECT', ' ', 'a', '/*', '*/', "'"), {
          maxLength: 30,
        }),
        (parts) => {
          const v = parts.join('');
          const j = joinSplitKeywords(v);
          if (j !== null) expect(j.length).toBeLessThan(v.length);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is linear on near-matches', () => {
    expectLinearOnNearMatches(sqliDetector, ['UN/**/', 'a/**/b', 'SE/**/LE/**/'], {
      maxMs: 50,
      warmUp: true,
      tries: 3,
    });
  });
});
