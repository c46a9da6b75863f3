// The engine skips a detector on a string holding none of the characters triggers.ts says it
// needs, and every detector but SSRF on UUIDs, ISO dates and decimal numbers. This checks those
// claims against every detector of the registry: on strings built from everything else (attack
// words with those characters taken out, all other printable ASCII, control characters) and on
// generated UUIDs, dates and numbers, at every paranoia level, profile and source, a skipped
// detector reports nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DETECTOR_BIT, DETECTOR_IDS, DETECTORS, type DetectorId } from '../../src/detect/registry.js';
import {
  detectorsFor,
  isDecimal,
  isIsoDate,
  isUuid,
  LOCATION_NOSQLI,
  neededChars,
} from '../../src/detect/triggers.js';
import { CONTENT_PROFILES, type ValueSource } from '../../src/detect/types.js';

const SOURCES: ValueSource[] = ['path', 'query', 'header', 'cookie', 'body', 'key'];
const LOCATIONS = ['query.q', 'query.url', 'query.file', 'header.user-agent', 'body.$.cmd', 'path'];

/** Pieces of attacks of every kind the registry knows (generators strip the needed characters). */
const ATTACK_WORDS = [
  '${jndi:ldap://x.example/a}',
  '${${::-j}ndi:',
  '$%7Bjndi',
  '\r\nSet-Cookie: a=1',
  '%0d%0aLocation: http://x',
  '\\r\\nX-Test: 1',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
  'xi:include',
  'schemaLocation="http://x.example/s.xsd"',
  '{{7*7}}',
  '${7*7}',
  '<%= 7*7 %>',
  '#set($x=1)',
  '__class__.__mro__',
  'freemarker.template.utility.Execute',
  "T(java.lang.Runtime).getRuntime().exec('id')",
  '[[${7*7}]]',
  '{"$ne": null}',
  '[$ne]',
  'this.password.match(/.*/)',
  'sleep(5000)',
  "'; return true; var x='",
  '$where',
  "1' or '1'='1",
  'union select',
  'whoami',
  '; cat /etc/passwd',
  '../../etc/passwd',
  'etcpasswd',
  'id_rsa',
  'new function',
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  'onerror=alert(1)',
  'http://169.254.169.254/',
  '2130706433',
  'localhost',
  '0x2e0x2e0x2f',
];

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const CONTROLS = ['\t', '\r', '\n', '\0', '\x0b', '\x1b'];

function strip(s: string, chars: string): string {
  let out = '';
  for (const ch of s) if (!chars.includes(ch)) out += ch;
  return out;
}

/** Strings without any of `chars`, biased towards attack fragments. */
function without(chars: string): fc.Arbitrary<string> {
  const atoms = [
    ...ATTACK_WORDS.map((w) => strip(w, chars)).filter((w) => w.length > 0),
    ...PRINTABLE.filter((c) => !chars.includes(c)),
    ...CONTROLS.filter((c) => !chars.includes(c)),
  ];
  return fc.array(fc.constantFrom(...atoms), { maxLength: 12 }).map((a) => a.join(''));
}

const runs = ([1, 2, 3] as const).map((paranoia) =>
  DETECTOR_IDS.map((id) => ({ id, run: DETECTORS[id].compile({ paranoia }) })),
);

function reports(id: DetectorId, value: string, location: string): string | undefined {
  for (const level of runs) {
    const { run } = level.find((d) => d.id === id)!;
    for (const profile of CONTENT_PROFILES) {
      for (const source of SOURCES) {
        const found = run({ value, location, source, profile });
        if (found.length > 0) return `${profile}/${source}: ${found[0].message ?? found[0].subtype}`;
      }
    }
  }
  return undefined;
}

describe('detector triggers (engine skips)', () => {
  for (const id of DETECTOR_IDS) {
    const chars = neededChars(id);
    if (chars === undefined) {
      it(`${id} runs on every string`, () => {
        expect(detectorsFor('a') & DETECTOR_BIT[id]).not.toBe(0);
        expect(detectorsFor('') & DETECTOR_BIT[id]).not.toBe(0);
      });
      continue;
    }
    it(`${id} reports nothing on strings without ${JSON.stringify(chars)}`, () => {
      fc.assert(
        fc.property(without(chars), fc.constantFrom(...LOCATIONS), (value, location) => {
          expect(detectorsFor(value) & DETECTOR_BIT[id]).toBe(0);
          expect(reports(id, value, location)).toBeUndefined();
        }),
        { numRuns: 300 },
      );
    });
  }
  it('skipped detectors report nothing on UUIDs, ISO dates and decimal numbers', () => {
    const uuid = fc.uuid().chain((u) => fc.constantFrom(u, u.toUpperCase()));
    const date = fc
      .date({ min: new Date(0), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true })
      .chain((d) => {
        const iso = d.toISOString();
        return fc.constantFrom(
          iso,
          iso.slice(0, 10),
          iso.slice(0, 16),
          iso.slice(0, 19),
          `${iso.slice(0, 19)}+02:00`,
          `${iso.slice(0, 19)}-0530`,
          iso.replace('T', ' ').slice(0, 19),
          `${iso.slice(0, 23)}456789Z`,
        );
      });
    const number = fc.oneof(
      fc.integer().map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }).map((x) => x.toFixed(4)),
      fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
      fc.constantFrom('0', '1', '2130706433', '4294967295', '017700000001', '-1', '1.5'),
    );
    const shaped = fc.oneof(uuid, date, number);
    fc.assert(
      fc.property(shaped, fc.constantFrom(...LOCATIONS), (value, location) => {
        expect(isUuid(value) || isIsoDate(value) || isDecimal(value)).toBe(true);
        const allowed = detectorsFor(value);
        for (const id of DETECTOR_IDS) {
          if ((allowed & DETECTOR_BIT[id]) === 0) expect(reports(id, value, location)).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });
  it('recognises the shapes exactly', () => {
    for (const v of ['3f2b8c1e-9a4d-4e6f-8b21-7c5d0e9f1a23', '3F2B8C1E-9A4D-4E6F-8B21-7C5D0E9F1A23'])
      expect(isUuid(v)).toBe(true);
    for (const v of [
      '3f2b8c1e-9a4d-4e6f-8b21-7c5d0e9f1a2',
      '3f2b8c1e-9a4d-4e6f-8b21_7c5d0e9f1a23',
      'g'.repeat(36),
    ])
      expect(isUuid(v)).toBe(false);
    for (const v of [
      '2025-11-26',
      '2025-11-26T01:25:00Z',
      '2025-11-26 01:25',
      '2025-11-26T01:25:00.123+01:00',
    ])
      expect(isIsoDate(v)).toBe(true);
    for (const v of ['2025-11-26T', '2025-11-26T01:25:00Zx', '2025-11-26;id', '2025-11-26T01:25:00+1'])
      expect(isIsoDate(v)).toBe(false);
    for (const v of ['0', '-12', '3.25']) expect(isDecimal(v)).toBe(true);
    for (const v of ['', '-', '1.', '.5', '1.2.3', '1e5', '127.0.0.1', '0x7f'])
      expect(isDecimal(v)).toBe(false);
    // A shape decides only the value itself: an attack after it is a different string.
    expect(detectorsFor('2025-11-26;id') & DETECTOR_BIT.cmdi).not.toBe(0);
    expect(detectorsFor('42') & DETECTOR_BIT.ssrf).not.toBe(0);
  });
  it('nosqli also runs where the location names an operator', () => {
    const run = DETECTORS.nosqli.compile({ paranoia: 1 });
    const found = run({ value: 'x', location: 'query.user[$ne]', source: 'query', profile: 'generic' });
    expect(found.length).toBeGreaterThan(0);
    expect(detectorsFor('x') & DETECTOR_BIT.nosqli).toBe(0);
    expect(LOCATION_NOSQLI).toBe(DETECTOR_BIT.nosqli);
  });
  it('a non-ASCII character enables every detector', () => {
    for (const id of DETECTOR_IDS) expect(detectorsFor('a\u0130b') & DETECTOR_BIT[id]).not.toBe(0);
  });
  it('a listed character enables its detector', () => {
    for (const id of DETECTOR_IDS) {
      for (const ch of neededChars(id) ?? '') expect(detectorsFor(`ab${ch}`) & DETECTOR_BIT[id]).not.toBe(0);
    }
  });
});
