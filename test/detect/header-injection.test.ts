import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isThreat } from '../../src/core/taxonomy.js';
import { headerInjectionDetector, mayHaveLineBreak } from '../../src/detect/header-injection.js';
import type { ContentProfile, InspectedValue, Paranoia, ValueSource } from '../../src/detect/types.js';
import { expectPrefilterSound } from './helpers.js';

const THRESHOLD = { 1: 0.7, 2: 0.5, 3: 0.3 } as const;

interface Row {
  input: string;
  note?: string;
  expect: boolean;
  source?: ValueSource;
  location?: string;
  profile?: ContentProfile;
}

function fired(row: Omit<Row, 'expect'>, paranoia: Paranoia = 1): boolean {
  const input: InspectedValue = {
    value: row.input,
    location: row.location ?? 'query.redirect',
    source: row.source ?? 'query',
    profile: row.profile ?? 'generic',
  };
  return headerInjectionDetector
    .compile({ paranoia })(input)
    .some((f) => f.score >= THRESHOLD[paranoia]);
}

const ROWS: Row[] = [
  { input: '/home\r\nSet-Cookie: session=attacker', expect: true },
  { input: 'https://example.com/\r\nLocation: https://evil.example/', expect: true },
  { input: 'en\nX-Injected: 1', expect: true, source: 'header', location: 'header.accept-language' },
  { input: 'foo%0d%0aSet-Cookie:%20a=b', expect: true, note: 'residue left by a decoder' },
  { input: 'foo\\r\\nSet-Cookie: a=b', expect: true },
  {
    input:
      'foobar\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>x</html>',
    expect: true,
  },
  {
    input: 'munch\r\n\r\n<html><title></title></html>',
    expect: true,
    source: 'cookie',
    location: 'cookie.oreo',
  },
  { input: 'x\nGET /admin HTTP/1.1', expect: true },
  { input: 'x\rRefresh: 0; url=https://evil.example', expect: true },
  {
    input: '{"description": "line one\\nSet-Cookie: admin=1"}',
    expect: true,
    source: 'body',
    location: 'body.$.description',
  },
  { input: 'a\r\nb', expect: true, source: 'key', location: 'query' },
  { input: 'a\r\nb', expect: true, source: 'key', location: 'header' },
  // an indented `key: value` line in a body field is code or YAML, not a new header
  {
    input: 'const o = {\n    location: "Paris",\n};',
    expect: false,
    source: 'body',
    location: 'body.$.snippet',
  },
  { input: 'a\r\n Set-Cookie: s=1', expect: true, source: 'query', location: 'query.next' },
  // a body key with a line break is framing (a chunked or newline-terminated body), never a header
  { input: '5\r\nqty', expect: false, source: 'key', location: 'body.5\r\nqty' },
  { input: 'x\r\nSet-Cookie: a=1', expect: true, source: 'key', location: 'body.x\r\nSet-Cookie: a=1' },
  // benign
  {
    input: 'First paragraph.\n\nSecond paragraph: with a colon.',
    expect: false,
    source: 'body',
    location: 'body.$.description',
  },
  {
    input: 'Summary: all good\nDetails: none\nNote: x',
    expect: false,
    source: 'body',
    location: 'body.$.description',
  },
  {
    input: 'Dear team,\nRe: meeting\nThanks',
    expect: false,
    source: 'body',
    location: 'body.$.text',
    profile: 'free-text',
  },
  { input: 'C:\\new\\folder', expect: false },
  { input: 'plain value', expect: false },
  { input: 'get it\n', expect: false },
  { input: 'soundtrack Gympl\r\nanything', expect: false },
  { input: '\n\rlocation:\n\r', expect: false },
];

describe('header-injection detector', () => {
  it.each(ROWS)('$input ($source) → $expect', (row) => {
    expect(fired(row)).toBe(row.expect);
  });

  it('reports the taxonomy ids and the location', () => {
    const [f] = headerInjectionDetector.compile({ paranoia: 1 })({
      value: 'x\r\nSet-Cookie: a=b',
      location: 'query.next',
      source: 'query',
      profile: 'generic',
    });
    expect(f).toMatchObject({
      category: 'injection',
      subtype: 'header-injection',
      detector: 'header-injection',
      location: 'query.next',
    });
  });

  it('never throws and always returns well-formed findings (fuzz)', () => {
    const pieces = [
      '\r',
      '\n',
      '\\r',
      '\\n',
      '%0d',
      '%0a',
      'Set-Cookie',
      ':',
      ' ',
      'a',
      'HTTP/1.1',
      '<html',
      'X-A',
    ];
    const arb = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(arb, fc.constantFrom<ValueSource>('query', 'header', 'body', 'key'), (value, source) => {
        for (const f of headerInjectionDetector.compile({ paranoia: 3 })({
          value,
          location: 'x',
          source,
          profile: 'generic',
        })) {
          expect(isThreat(f.category, f.subtype)).toBe(true);
          expect(f.score).toBeGreaterThanOrEqual(0.5);
          expect(f.score).toBeLessThanOrEqual(1);
          expect((f.fragment ?? '').length).toBeLessThanOrEqual(120);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    const run = headerInjectionDetector.compile({ paranoia: 3 });
    for (const unit of ['\r\n', '%0d%0a', '\\r\\nSet-Cookie', '\nX-A:', '\n']) {
      const value = unit.repeat(Math.ceil((1024 * 1024) / unit.length));
      const t0 = performance.now();
      run({ value, location: 'q', source: 'query', profile: 'generic' });
      expect(performance.now() - t0).toBeLessThan(500);
    }
  });
});

// The prefilter rejects a value before analysis only when the analysis provably finds nothing.
describe('header-injection prefilter (mayHaveLineBreak)', () => {
  const pre = (v: string) => mayHaveLineBreak(v);
  it('never rejects an attack row of the table above', () => {
    const attacks = ROWS.filter((row) => row.expect);
    expect(attacks.length).toBeGreaterThan(5);
    for (const row of attacks) expect(pre(row.input), row.input).toBe(true);
  });
  it('rejects typical benign values', () => {
    for (const v of ['shipping', '482913', "Pat O'Brien", 'user12@example.com', 'SKU-482913']) {
      expect(pre(v), v).toBe(false);
    }
  });
  it('rejects only values the detector reports nothing on (any profile, source, paranoia)', () => {
    const token = fc.constantFrom(
      '\r',
      '\n',
      '\\r',
      '\\n',
      '%0d',
      '%0a',
      '\\u000a',
      'Set-Cookie',
      'Location',
      ':',
      ' ',
      'HTTP/1.1 200',
      'GET / HTTP/1.1',
      'a',
      '1',
    );
    expectPrefilterSound(headerInjectionDetector, pre, token);
  });
});
