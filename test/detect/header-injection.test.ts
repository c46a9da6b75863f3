import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerInjectionDetector, mayHaveLineBreak } from '../../src/detect/header-injection.js';
import type { ValueSource } from '../../src/detect/types.js';
import {
  describePrefilter,
  expectLinearOnNearMatches,
  expectWellFormedUnderFuzz,
  fuzzValues,
  type Row,
  rowInspector,
} from './helpers.js';

const inspect = rowInspector(headerInjectionDetector, { location: 'query.redirect' });

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
  // multi-line text in a body field: `Word: …` lines are how people write, at every paranoia
  {
    input: 'Steps:\n1. Open the page\nBrowser: Mozilla/5.0 (X11; Linux x86_64)\nThanks',
    expect: false,
    source: 'body',
    location: 'body.$.message',
    paranoia: 3,
  },
  {
    input: 'Hi team,\nNote: the invoice is attached',
    expect: false,
    source: 'body',
    location: 'body.$.note',
    paranoia: 3,
  },
];

describe('header-injection detector', () => {
  it.each(ROWS)('$input ($source) → $expect', (row) => {
    expect(inspect(row).fired).toBe(row.expect);
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
    expectWellFormedUnderFuzz(headerInjectionDetector, {
      value: fuzzValues(pieces, 60),
      source: fc.constantFrom<ValueSource>('query', 'header', 'body', 'key'),
    });
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    expectLinearOnNearMatches(headerInjectionDetector, [
      '\r\n',
      '%0d%0a',
      '\\r\\nSet-Cookie',
      '\nX-A:',
      '\n',
    ]);
  });
});

describePrefilter('header-injection prefilter (mayHaveLineBreak)', {
  detector: headerInjectionDetector,
  pre: (v: string) => mayHaveLineBreak(v),
  rows: ROWS,
  token: fc.constantFrom(
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
  ),
});
