import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayBeNosqli, nosqliDetector } from '../../src/detect/nosqli.js';
import type { ValueSource } from '../../src/detect/types.js';
import {
  describePrefilter,
  expectLinearOnNearMatches,
  expectWellFormedUnderFuzz,
  fuzzValues,
  type Row,
  rowInspector,
} from './helpers.js';

const inspect = rowInspector(nosqliDetector, { location: 'body.$.password', source: 'body' });

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
    expect(inspect(row).fired).toBe(row.expect);
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
    const arb = fuzzValues(pieces, 60);
    expectWellFormedUnderFuzz(nosqliDetector, {
      value: arb,
      location: arb,
      source: fc.constantFrom<ValueSource>('key', 'query', 'body'),
    });
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    // the location is attacker text too: a query key carries the operator
    expectLinearOnNearMatches(nosqliDetector, ['[$', '{"$ne', '$', 'this.', '";return'], {
      where: (value) => ({ location: value.slice(0, 4096), source: 'key' }),
    });
  });
});

describePrefilter('nosqli prefilter (mayBeNosqli)', {
  detector: nosqliDetector,
  pre: (v: string, location?: string) => mayBeNosqli(v, location),
  rows: ROWS,
  token: fc.constantFrom(
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
  ),
});
