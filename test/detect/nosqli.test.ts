import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isThreat } from '../../src/core/taxonomy.js';
import { mayBeNosqli, nosqliDetector } from '../../src/detect/nosqli.js';
import type { InspectedValue, Paranoia, ValueSource } from '../../src/detect/types.js';
import { expectPrefilterSound } from './helpers.js';

const THRESHOLD = { 1: 0.7, 2: 0.5, 3: 0.3 } as const;

interface Row {
  input: string;
  note?: string;
  expect: boolean;
  source?: ValueSource;
  location?: string;
  paranoia?: Paranoia;
}

function fired(row: Omit<Row, 'expect'>): boolean {
  const paranoia = row.paranoia ?? 1;
  const input: InspectedValue = {
    value: row.input,
    location: row.location ?? 'body.$.password',
    source: row.source ?? 'body',
    profile: 'generic',
  };
  return nosqliDetector
    .compile({ paranoia })(input)
    .some((f) => f.score >= THRESHOLD[paranoia]);
}

const ROWS: Row[] = [
  // JSON keys arrive as values with source 'key'
  { input: '$ne', expect: true, source: 'key', location: 'body.$.password' },
  { input: '$gt', expect: true, source: 'key' },
  { input: '$where', expect: true, source: 'key' },
  { input: '$regex', expect: true, source: 'key' },
  { input: '$expr', expect: true, source: 'key' },
  { input: '$function', expect: true, source: 'key' },
  { input: '$lookup', expect: true, source: 'key' },
  { input: '$elemMatch', expect: true, source: 'key' },
  // query syntax
  { input: 'user[$ne]', expect: true, source: 'key', location: 'query.user[$ne]' },
  { input: 'x', expect: true, source: 'query', location: 'query.password[$ne]' },
  { input: '[$lte]asdfsd', expect: true, source: 'query', location: 'query.mongoQ' },
  { input: 'a[b][$gt]', expect: true, source: 'key' },
  // operator JSON inside a string
  { input: '{"$ne": null}', expect: true, source: 'query', location: 'query.filter' },
  { input: "{'$gt': ''}", expect: true, source: 'query' },
  { input: '{"username": {"$regex": "^adm"}}', expect: true },
  // JavaScript for $where
  { input: 'this.password.match(/^a.*/)', expect: true },
  { input: "'; return true; var x='", expect: true },
  { input: '1; sleep(5000)', expect: true },
  { input: 'this.role == "admin"', expect: true },
  // benign
  { input: '$schema', expect: false, source: 'key' },
  { input: '$ref', expect: false, source: 'key' },
  { input: '$id', expect: false, source: 'key' },
  { input: '$existingUser', expect: false, source: 'key' },
  { input: '$existsor', expect: false, source: 'key' },
  { input: 'price is $5, tax $0.40', expect: false },
  { input: 'The $ne operator means not equal', expect: false },
  { input: 'items[0][name]', expect: false, source: 'key' },
  { input: 'Please return the item; true story', expect: false },
  { input: 'sleep(8) hours a night', expect: false },
  { input: 'this.state is managed by React', expect: false },
];

describe('nosqli detector', () => {
  it.each(ROWS)('$input ($source $location) → $expect', (row) => {
    expect(fired(row)).toBe(row.expect);
  });

  it('reports the taxonomy ids and the location', () => {
    const [f] = nosqliDetector.compile({ paranoia: 1 })({
      value: '$where',
      location: 'body.$.q',
      source: 'key',
      profile: 'generic',
    });
    expect(f).toMatchObject({
      category: 'injection',
      subtype: 'nosqli',
      detector: 'nosqli',
      location: 'body.$.q',
    });
    expect(f.score).toBeGreaterThanOrEqual(0.9);
  });

  it('never throws and always returns well-formed findings (fuzz)', () => {
    const pieces = [
      '$',
      'ne',
      'where',
      '[',
      ']',
      '{',
      '}',
      '"',
      "'",
      ':',
      'this.',
      '.match(',
      'return',
      ';',
      'sleep(',
      '5000',
      ' ',
    ];
    const arb = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(arb, arb, fc.constantFrom<ValueSource>('key', 'query', 'body'), (value, loc, source) => {
        for (const f of nosqliDetector.compile({ paranoia: 3 })({
          value,
          location: loc,
          source,
          profile: 'generic',
        })) {
          expect(isThreat(f.category, f.subtype)).toBe(true);
          expect(f.score).toBeGreaterThanOrEqual(0.5);
          expect(f.score).toBeLessThanOrEqual(1);
          expect((f.fragment ?? '').length).toBeLessThanOrEqual(120);
          expect(f.location).toBe(loc);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    const run = nosqliDetector.compile({ paranoia: 3 });
    for (const unit of ['[$', '{"$ne', '$', 'this.', '";return']) {
      const value = unit.repeat(Math.ceil((1024 * 1024) / unit.length));
      const t0 = performance.now();
      run({ value, location: value.slice(0, 4096), source: 'key', profile: 'generic' });
      expect(performance.now() - t0).toBeLessThan(500);
    }
  });
});

// The prefilter rejects a value before analysis only when the analysis provably finds nothing.
describe('nosqli prefilter (mayBeNosqli)', () => {
  const pre = (v: string, location?: string) => mayBeNosqli(v, location);
  it('never rejects an attack row of the table above', () => {
    const attacks = ROWS.filter((row) => row.expect);
    expect(attacks.length).toBeGreaterThan(5);
    for (const row of attacks) expect(pre(row.input, row.location), row.input).toBe(true);
  });
  it('rejects typical benign values', () => {
    for (const v of ['shipping', '482913', "Pat O'Brien", 'user12@example.com', 'SKU-482913']) {
      expect(pre(v), v).toBe(false);
    }
  });
  it('rejects only values the detector reports nothing on (any profile, source, paranoia)', () => {
    const token = fc.constantFrom(
      '$',
      'ne',
      '$gt',
      '[',
      ']',
      '{',
      '"',
      ':',
      'this',
      '.',
      'match(',
      ';',
      'return',
      ' true',
      'sleep',
      '(',
      '5000',
      'a',
      '1',
      ' ',
    );
    expectPrefilterSound(nosqliDetector, pre, token);
  });
});
