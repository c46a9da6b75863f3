import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isThreat } from '../../src/core/taxonomy.js';
import { ldapInjectionDetector, mayBeLdapFilter } from '../../src/detect/ldap-injection.js';
import type { ContentProfile, InspectedValue, Paranoia } from '../../src/detect/types.js';
import { expectPrefilterSound } from './helpers.js';

const THRESHOLD = { 1: 0.7, 2: 0.5, 3: 0.3 } as const;

interface Row {
  input: string;
  expect: boolean;
  paranoia?: Paranoia;
  profile?: ContentProfile;
  note?: string;
}

function fired(row: Omit<Row, 'expect'>): boolean {
  const paranoia = row.paranoia ?? 1;
  const input: InspectedValue = {
    value: row.input,
    location: 'body.username',
    source: 'body',
    profile: row.profile ?? 'generic',
  };
  return ldapInjectionDetector
    .compile({ paranoia })(input)
    .some((f) => f.score >= THRESHOLD[paranoia]);
}

const ROWS: Row[] = [
  // break out of the application's assertion and add clauses
  { input: '*)(uid=*))(|(uid=*', expect: true },
  { input: 'admin)(|(userPassword=*)', expect: true },
  { input: 'x)(!(cn=nobody)', expect: true },
  { input: '*)(objectClass=*', expect: true },
  { input: 'bob) (mail=*', expect: true },
  { input: 'a)(description~=x', expect: true },
  { input: 'a)(1.2.840.113556.1.4.803:=2', expect: true },
  { input: 'foo)(|(cn', expect: true },
  // a whole filter pasted in: paranoia 2
  { input: '(&(objectClass=user)(cn=a*))', expect: false },
  { input: '(&(objectClass=user)(cn=a*))', expect: false, paranoia: 3 },
  { input: 'bar)(&)', expect: true, note: 'absolute true filter' },
  { input: 'x9)!(sn=*', expect: true },
  { input: 'val)|(uid=*', expect: true },
  { input: 'admin)(|', expect: true },
  { input: 'test) ( &', expect: true },
  { input: 'great (!) idea', expect: false },
  // benign
  { input: 'John (Johnny) Smith', expect: false },
  { input: 'f(a)(b)', expect: false },
  { input: 'price (in EUR) = 5', expect: false },
  { input: '(see above) (note = 3)', expect: false },
  { input: 'a=1&b=(2)', expect: false },
  { input: 'x)(uid=*', expect: false, profile: 'free-text' },
];

describe('ldap-injection detector', () => {
  it.each(ROWS)('$input → $expect (PL $paranoia)', (row) => {
    expect(fired(row)).toBe(row.expect);
  });

  it('reports the taxonomy ids, fragment and location', () => {
    const [f] = ldapInjectionDetector.compile({ paranoia: 1 })({
      value: 'admin*)(|(uid=*)',
      location: 'body.username',
      source: 'body',
      profile: 'generic',
    });
    expect(f).toMatchObject({
      category: 'injection',
      subtype: 'ldap-injection',
      detector: 'ldap-injection',
      location: 'body.username',
      fragment: ')(|(uid=*)',
    });
  });

  it('never throws and always returns well-formed findings (fuzz)', () => {
    const pieces = ['(', ')', '*', '=', '~=', '|', '&', '!', 'uid', 'cn', ' ', 'a', '1.2.3', ':='];
    const arb = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(arb, fc.constantFrom<Paranoia>(1, 2, 3), (value, paranoia) => {
        for (const f of ldapInjectionDetector.compile({ paranoia })({
          value,
          location: 'x',
          source: 'body',
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
    const run = ldapInjectionDetector.compile({ paranoia: 3 });
    for (const unit of [')(', '(a', ')(a=', '(' + 'a'.repeat(70), ')(|(', ' (', '=(']) {
      const value = unit.repeat(Math.ceil((1024 * 1024) / unit.length));
      const input = { value, location: 'q', source: 'query', profile: 'generic' } as const;
      run(input);
      let best = Number.POSITIVE_INFINITY;
      for (let k = 0; k < 3; k++) {
        const t0 = performance.now();
        run(input);
        best = Math.min(best, performance.now() - t0);
      }
      expect(best, unit).toBeLessThan(50);
    }
  });
});

describe('ldap-injection prefilter (mayBeLdapFilter)', () => {
  it('never rejects an attack row of the table above', () => {
    for (const row of ROWS.filter((r) => r.expect)) expect(mayBeLdapFilter(row.input), row.input).toBe(true);
  });
  it('rejects typical benign values', () => {
    for (const v of ['shipping', 'John (Johnny) Smith', 'a=b&c=d', 'user12@example.com', 'f(x) = y']) {
      expect(mayBeLdapFilter(v), v).toBe(false);
    }
  });
  it('rejects only values the detector reports nothing on (any profile, source, paranoia)', () => {
    const token = fc.constantFrom('(', ')', '*', '=', '|', '&', '!', 'uid', ' ', 'a', '~', ':');
    expectPrefilterSound(ldapInjectionDetector, mayBeLdapFilter, token);
  });
});
