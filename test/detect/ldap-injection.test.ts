import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ldapInjectionDetector, mayBeLdapFilter } from '../../src/detect/ldap-injection.js';
import {
  ANY_PARANOIA,
  describePrefilter,
  expectLinearOnNearMatches,
  expectWellFormedUnderFuzz,
  fuzzValues,
  type Row,
  rowInspector,
} from './helpers.js';

const inspect = rowInspector(ldapInjectionDetector, { location: 'body.username', source: 'body' });

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
    expect(inspect(row).fired).toBe(row.expect);
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
    expectWellFormedUnderFuzz(
      ldapInjectionDetector,
      { value: fuzzValues(pieces, 60), paranoia: ANY_PARANOIA },
      { fixed: { source: 'body' } },
    );
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    const units = [')(', '(a', ')(a=', '(' + 'a'.repeat(70), ')(|(', ' (', '=('];
    expectLinearOnNearMatches(ldapInjectionDetector, units, { maxMs: 50, warmUp: true, tries: 3 });
  });
});

describePrefilter('ldap-injection prefilter (mayBeLdapFilter)', {
  detector: ldapInjectionDetector,
  pre: mayBeLdapFilter,
  rows: ROWS,
  benign: ['shipping', 'John (Johnny) Smith', 'a=b&c=d', 'user12@example.com', 'f(x) = y'],
  token: fc.constantFrom('(', ')', '*', '=', '|', '&', '!', 'uid', ' ', 'a', '~', ':'),
});
