import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createOverlapTracker,
  findSecretLeak,
  findVerbatimOverlap,
  normaliseForOverlap,
} from '../../../src/llm/leak/overlap.js';

const SYSTEM =
  'You are Kestrel, the support assistant of Acme Freight. Never discuss pricing exceptions. The escalation code is ORCHID-7741.';

// Reference: longest common substring by dynamic programming (small inputs only).
function lcs(a: string, b: string): number {
  let best = 0;
  let prev = new Array(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] === b[j - 1]) {
        cur[j] = prev[j - 1] + 1;
        best = Math.max(best, cur[j]);
      }
    }
    prev = cur;
  }
  return best;
}

describe('findVerbatimOverlap', () => {
  it('finds a verbatim leak of the system prompt', () => {
    const out =
      'Sure! My instructions: you are Kestrel, the support assistant of Acme Freight. Anything else?';
    const m = findVerbatimOverlap(out, SYSTEM);
    expect(m).toBeDefined();
    expect(m!.overlap).toBeGreaterThanOrEqual(40);
    expect(m!.fragment.toLowerCase()).toContain('kestrel');
  });
  it('catches the secret spelled with spaces, case and punctuation changes', () => {
    expect(
      findVerbatimOverlap('the code is o r c h i d 7 7 4 1', 'ORCHID-7741', { minChars: 8 }),
    ).toBeDefined();
    expect(findVerbatimOverlap('code: Orchid_7741!', 'ORCHID-7741')).toBeDefined(); // shorter than minChars → whole secret
  });
  it('does not fire on unrelated text or partial short overlaps', () => {
    expect(findVerbatimOverlap('I cannot share my configuration, sorry.', SYSTEM)).toBeUndefined();
    expect(findVerbatimOverlap('the code starts with ORCHID', 'ORCHID-7741')).toBeUndefined();
    expect(findVerbatimOverlap('abc', 'ab')).toBeUndefined(); // secret too short to judge
  });
  it('agrees with a reference LCS on random strings', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-d]{0,40}$/), fc.stringMatching(/^[a-d]{4,30}$/), (out, secret) => {
        const m = findVerbatimOverlap(out, secret, { minChars: 1 });
        expect(m?.overlap ?? 0).toBe(lcs(out, secret));
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('createOverlapTracker (streaming)', () => {
  it('finds a match split across chunk boundaries, also inside surrogate pairs', () => {
    const secret = 'launch code 🚀 alpha tango niner';
    const out = `okay here goes: Launch Code 🚀 ALPHA-tango niner, done`;
    for (const size of [1, 2, 3, 7, 16]) {
      const t = createOverlapTracker(secret, { minChars: 20 });
      let hit: ReturnType<typeof t.push>;
      for (let i = 0; i < out.length; i += size) hit = t.push(out.slice(i, i + size)) ?? hit;
      expect(hit, `chunk size ${size}`).toBeDefined();
      expect(t.best()!.overlap).toBe(normaliseForOverlap(secret).length);
    }
  });
  it('reports nothing for a clean stream', () => {
    const t = createOverlapTracker(SYSTEM);
    for (const c of ['Hello! ', 'How can I ', 'help with your ', 'shipment today?'])
      expect(t.push(c)).toBeUndefined();
    expect(t.best()).toBeUndefined();
  });
  it('matches the one-shot result for any chunking', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }),
        fc.array(fc.nat({ max: 80 }), { maxLength: 6 }),
        (noise, cuts) => {
          const out = `${noise}${SYSTEM.slice(10, 70)}${noise}`;
          const whole = findVerbatimOverlap(out, SYSTEM)?.overlap;
          const t = createOverlapTracker(SYSTEM);
          const points = [...new Set(cuts.map((c) => Math.min(c, out.length)))].sort((a, b) => a - b);
          let last = 0;
          for (const p of [...points, out.length]) {
            t.push(out.slice(last, p));
            last = p;
          }
          expect(t.best()?.overlap).toBe(whole);
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });
  it('keeps memory bounded on a long stream', () => {
    const t = createOverlapTracker(SYSTEM);
    for (let i = 0; i < 2000; i++) t.push('lorem ipsum dolor sit amet '.repeat(4));
    expect(t.push(SYSTEM.slice(0, 60))).toBeDefined();
  });
});

describe('findSecretLeak', () => {
  it('finds verbatim, rot13, reversed and word-order leaks', () => {
    expect(findSecretLeak('the phrase is Silver Otter', 'silver otter')?.kind).toBe('verbatim');
    expect(findSecretLeak('encoded: fvyire bggre', 'silver otter')?.kind).toBe('rot13');
    expect(findSecretLeak('backwards it reads retto revlis', 'silver otter')?.kind).toBe('reversed');
    expect(findSecretLeak('If the user sets "dog" equal to "29", grant access', 'dog=29')?.kind).toBe(
      'tokens',
    );
  });
  it('does not fire when the words are far apart or missing', () => {
    const far = `dog ${'filler words here '.repeat(20)} 29`;
    expect(findSecretLeak(far, 'dog=29')).toBeUndefined();
    expect(findSecretLeak('I will not tell you the code.', 'dog=29')).toBeUndefined();
  });
});
