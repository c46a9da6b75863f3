import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyIPv4, parseHostAddress, parseIPv4Loose, parseIPv6 } from '../../src/detect/ip.js';
import {
  classifyHost,
  classifyHostFully,
  createDnsResolverCheck,
  ssrfDetector,
  whatwgRedundant,
} from '../../src/detect/ssrf.js';
import type { InspectedValue } from '../../src/detect/types.js';
import {
  expectLinearOnNearMatches,
  expectWellFormedUnderFuzz,
  fuzzValues,
  type Row,
  rowInspector,
  THRESHOLD,
} from './helpers.js';

const inspectRow = rowInspector(ssrfDetector);
/** The subtype of the first finding at the engine's threshold, or false. */
function inspect(row: Omit<Row<unknown>, 'expect'>) {
  const { findings } = inspectRow(row);
  return findings.filter((f) => f.score >= THRESHOLD[row.paranoia ?? 1])[0]?.subtype ?? false;
}

const ROWS: Row<false | 'ssrf-internal' | 'ssrf-cloud-metadata'>[] = [
  // loopback in every spelling
  { input: 'http://127.0.0.1/admin', expect: 'ssrf-internal' },
  { input: 'http://2130706433/', expect: 'ssrf-internal' },
  { input: 'http://0177.0.0.1/', expect: 'ssrf-internal' },
  { input: 'http://0x7f.1/', expect: 'ssrf-internal' },
  { input: 'http://0x7f000001/', expect: 'ssrf-internal' },
  { input: 'http://127.1/', expect: 'ssrf-internal' },
  { input: 'http://[::1]:8080/', expect: 'ssrf-internal' },
  { input: 'http://[::ffff:127.0.0.1]/', expect: 'ssrf-internal' },
  { input: 'http://[::ffff:7f00:1]/', expect: 'ssrf-internal' },
  { input: 'http://[0:0:0:0:0:ffff:127.0.0.1]/', expect: 'ssrf-internal' },
  { input: 'http://localhost:6379/', expect: 'ssrf-internal' },
  { input: 'http://api.localhost/', expect: 'ssrf-internal' },
  { input: 'http://127.0.0.1.nip.io/', expect: 'ssrf-internal' },
  { input: 'http://10-0-0-1.sslip.io/', expect: 'ssrf-internal' },
  { input: 'http://good.example@127.0.0.1/', expect: 'ssrf-internal' },
  { input: 'http://127.0.0.1#@good.example/', expect: 'ssrf-internal' },
  { input: 'http://good.example:80 &@127.0.0.1:22/', expect: 'ssrf-internal' },
  // private / link-local / unspecified
  { input: 'https://10.0.0.5/internal', expect: 'ssrf-internal' },
  { input: 'http://10.1/', expect: 'ssrf-internal' },
  { input: 'http://172.16.3.4/', expect: 'ssrf-internal' },
  { input: 'http://192.168.1.1/', expect: 'ssrf-internal' },
  { input: 'http://100.64.1.1/', expect: 'ssrf-internal' },
  { input: 'http://[fd12:3456::1]/', expect: 'ssrf-internal' },
  { input: 'http://[fe80::1%25eth0]/', expect: 'ssrf-internal' },
  { input: 'http://0.0.0.0:8080/', expect: 'ssrf-internal' },
  { input: 'http://0/', expect: 'ssrf-internal' },
  { input: 'http://[::]/', expect: 'ssrf-internal' },
  // alternative schemes
  { input: 'gopher://127.0.0.1:6379/_SET%20x', expect: 'ssrf-internal' },
  { input: 'dict://localhost:11211/stats', expect: 'ssrf-internal' },
  { input: 'ftp://10.0.0.1/', expect: 'ssrf-internal' },
  { input: 'file://localhost/etc/passwd', expect: 'ssrf-internal' },
  // cloud metadata
  {
    input: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    expect: 'ssrf-cloud-metadata',
  },
  { input: 'http://[fd00:ec2::254]/latest/', expect: 'ssrf-cloud-metadata' },
  { input: 'http://metadata.google.internal/computeMetadata/v1/', expect: 'ssrf-cloud-metadata' },
  { input: 'http://100.100.100.200/latest/meta-data/', expect: 'ssrf-cloud-metadata' },
  { input: 'http://192.0.0.192/', expect: 'ssrf-cloud-metadata' },
  { input: 'http://0xa9fea9fe/', expect: 'ssrf-cloud-metadata' },
  { input: 'http://[::ffff:a9fe:a9fe]/', expect: 'ssrf-cloud-metadata' },
  { input: 'http://7147006462/', expect: 'ssrf-cloud-metadata', location: 'query.url' },
  // host[:port] without a scheme
  { input: '127.0.0.1:22', expect: 'ssrf-internal' },
  { input: 'localhost:8080/admin', expect: 'ssrf-internal' },
  { input: '[::1]:80', expect: 'ssrf-internal' },
  { input: '10.0.0.1', expect: 'ssrf-internal', location: 'body.$.webhook_host', source: 'body' },
  { input: '2130706433', expect: 'ssrf-internal', location: 'query.callback' },
  { input: '2130706433', expect: 'ssrf-internal', profile: 'url' },
  // benign
  { input: 'https://example.com/', expect: false },
  { input: 'https://api.openai.com/v1/chat/completions', expect: false },
  { input: 'https://user:pass@example.com/', expect: false },
  { input: '2130706433', expect: false, note: 'a plain number in a non-URL field' },
  { input: '10.1', expect: false },
  { input: '1.2.3', expect: false },
  { input: '10:30', expect: false },
  { input: '0.9.1', expect: false },
  { input: 'version 10.0.0.1 released', expect: false },
  { input: 'localhost', expect: false },
  { input: '10.0.0.1', expect: false, location: 'body.$.description', source: 'body' },
  { input: '10.0.0.1', expect: 'ssrf-internal', location: 'body.$.serverIp', source: 'body' },
  { input: 'localhost:11434', expect: 'ssrf-internal', location: 'body.$.endpoint', source: 'body' },
  { input: 'metadata', expect: false },
  { input: 'http://localhost:3000/', expect: false, source: 'header', location: 'header.origin' },
  { input: 'https://8.8.8.8/dns-query', expect: false },
  { input: 'https://medium.com/@writer/post', expect: false },
  // headers that report the client address or the proxy chain carry internal addresses by design
  { input: '10.20.0.7', expect: false, source: 'header', location: 'header.x-real-ip' },
  { input: '192.168.4.2', expect: false, source: 'header', location: 'header.true-client-ip' },
  { input: '127.0.0.1', expect: false, source: 'header', location: 'header.x-forwarded-for', paranoia: 2 },
  { input: 'localhost:5173', expect: false, source: 'header', location: 'header.x-forwarded-host' },
  {
    input: 'for=10.0.0.9;host=localhost:8080',
    expect: false,
    source: 'header',
    location: 'header.forwarded',
  },
  // …but a header an application fetches is still judged
  {
    input: 'http://127.0.0.1:8080/p.xml',
    expect: 'ssrf-internal',
    source: 'header',
    location: 'header.x-wap-profile',
  },
  {
    input: 'http://localhost/hook',
    expect: 'ssrf-internal',
    source: 'header',
    location: 'header.x-callback-url',
  },
  // prose and code mention local services; the metadata service still counts there
  {
    input: 'Start it, then open http://localhost:3000/ in a browser',
    expect: false,
    profile: 'free-text',
    source: 'body',
  },
  { input: 'fetch("http://127.0.0.1:5000/api")', expect: false, profile: 'code', source: 'body' },
  {
    input: 'now GET http://169.254.169.254/latest/meta-data/',
    expect: 'ssrf-cloud-metadata',
    profile: 'free-text',
    source: 'body',
  },
  // IPv6 outside 2000::/3 is not on the internet
  { input: 'http://[a::]/', expect: 'ssrf-internal' },
  { input: 'http://[dead:beef:dead::beef:dead:beef:dead]/', expect: 'ssrf-internal' },
  { input: 'http://[2606:4700:4700::1111]/', expect: false },
  // class E and CGNAT addresses alone are inventory data, not a place a forged request reaches
  { input: '248.99.240.164', expect: false, location: 'body.$.ip', source: 'body', paranoia: 2 },
  { input: '100.72.38.31', expect: false, location: 'body.$.ip', source: 'body', paranoia: 2 },
  { input: 'http://240.0.0.1/', expect: 'ssrf-internal' },
  // a public address in a spelling only a filter bypass needs
  { input: 'http:123456789', expect: 'ssrf-internal' },
  { input: 'http://0x08080808/', expect: 'ssrf-internal' },
  { input: 'http://8.8.8.8/', expect: false },
  // URLs whose host parsers disagree on
  { input: 'http://\\g\\o\\o\\g\\l\\e.\\c\\o\\m/', expect: 'ssrf-internal' },
  { input: 'http://good.example/:x@evil.example/', expect: 'ssrf-internal' },
  { input: 'http://good.example/:a@b@evil.example/', expect: 'ssrf-internal' },
  { input: 'http://good.example\\@evil.example/', expect: 'ssrf-internal' },
  { input: 'http://good.example%2f@evil.example/', expect: 'ssrf-internal' },
  { input: 'http://trusted.example@evil.example/', expect: false },
  { input: 'http://trusted.example@evil.example/', expect: 'ssrf-internal', paranoia: 2 },
  { input: 'https://www.tiktok.com/@some.user/video/1', expect: false },
  { input: 'https://mastodon.social/@alice@example.social', expect: false },
  { input: 'https://git.example.com/team/repo.git', expect: false },
  { input: 'https://en.wikipedia.org/wiki/Special:Search', expect: false },
  { input: 'https://maps.example.com/place/@40.7,-73.9,15z', expect: false },
  // a long octal number is read in octal, not as an overflowing decimal
  { input: 'rtmp://017700000001', expect: 'ssrf-internal' },
  { input: 'http://0017700000001/', expect: 'ssrf-internal' },
  // 0.0.0.0/8 beyond 0.0.0.0 reaches nothing local; 0.0.0.0 itself is this host
  { input: 'http:0xC0FFEE', expect: false, note: '0.192.255.238' },
  { input: 'http://0.17.0.1/', expect: false },
  { input: 'http://0/', expect: 'ssrf-internal' },
  { input: 'http://0x0.0.0.0/', expect: 'ssrf-internal' },
];

describe('ssrf detector', () => {
  it.each(ROWS)('$input ($location) → $expect', (row) => {
    expect(inspect(row)).toBe(row.expect);
  });

  it('parses every inet_aton spelling', () => {
    for (const s of [
      '127.0.0.1',
      '2130706433',
      '0177.0.0.1',
      '0x7f.1',
      '0x7f000001',
      '127.1',
      '0x7f.0.0.1',
      '127.0.0.1.',
    ]) {
      expect(parseIPv4Loose(s)?.value, s).toBe(0x7f000001);
    }
    expect(parseIPv4Loose('256.1.1.1')).toBeUndefined();
    expect(parseIPv4Loose('1.2.3.4.5')).toBeUndefined();
    expect(parseIPv4Loose('08.1.1.1')).toBeUndefined();
    expect(classifyIPv4(0xa9fea9fe)).toBe('metadata');
    expect(parseIPv6('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIPv6('1::2::3')).toBeUndefined();
    expect(parseHostAddress('[2002:7f00:1::]')?.class).toBe('loopback');
    expect(parseHostAddress('[64:ff9b::10.0.0.1]')?.class).toBe('private');
    // nothing outside 2000::/3 is allocated for the internet
    expect(parseHostAddress('[a::b]')?.class).toBe('reserved');
    expect(parseHostAddress('[2001:db8::1]')?.class).toBe('public');
    expect(classifyHost('kubernetes.default.svc.cluster.local')).toMatchObject({ class: 'internal-name' });
  });

  it('never throws and always returns well-formed findings (fuzz)', () => {
    const pieces = [
      'http://',
      'gopher://',
      '[',
      ']',
      '::',
      ':',
      '@',
      '#',
      '/',
      '.',
      '0x',
      '0',
      '127',
      '1',
      '169.254',
      'ffff',
      'localhost',
      'nip.io',
      '\\',
      ' ',
    ];
    expectWellFormedUnderFuzz(ssrfDetector, {
      value: fuzzValues(pieces, 40),
      location: fc.constantFrom('query.url', 'query.q', 'header.referer'),
    });
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    expectLinearOnNearMatches(
      ssrfDetector,
      [
        'http://',
        'http://a@',
        '://[::',
        '@127.0.0.',
        'http://\\',
        '1.',
        'http://a/:',
        'http://a/@',
        'http://a.b%2f@',
        'http://\\a\\b',
        'http://a\\@b.c',
      ],
      {
        where: { location: 'query.url', profile: 'url' },
      },
    );
  });
});

describe('DNS resolver check', () => {
  it('resolves localhost to an internal address, then answers from the cache', async () => {
    const dns = createDnsResolverCheck({ timeoutMs: 2000, cacheSize: 8, ttlMs: 60_000 });
    expect(await dns.resolve('localhost')).toBe(true);
    expect(dns.check('localhost')).toBe(true);
    expect(dns.size).toBe(1);
  });

  it('a cache miss schedules a lookup and never blocks the detector', async () => {
    const dns = createDnsResolverCheck({ timeoutMs: 2000, cacheSize: 8 });
    expect(dns.check('localhost')).toBeUndefined();
    expect(await dns.resolve('localhost')).toBe(true); // joins the scheduled lookup
    expect(dns.check('LOCALHOST')).toBe(true);
  });

  it('bounds the cache (LRU) and times out slow lookups', async () => {
    const answers: Record<string, string[]> = {
      'a.test': ['10.0.0.1'],
      'b.test': ['93.184.216.34'],
      'c.test': ['192.168.0.9'],
    };
    const dns = createDnsResolverCheck({
      cacheSize: 2,
      timeoutMs: 20,
      lookupAll: (h) =>
        h === 'slow.test' ? new Promise<string[]>(() => {}) : Promise.resolve(answers[h] ?? []),
    });
    expect(await dns.resolve('a.test')).toBe(true);
    expect(await dns.resolve('b.test')).toBe(false);
    expect(await dns.resolve('c.test')).toBe(true);
    expect(dns.size).toBe(2);
    expect(dns.check('b.test')).toBe(false);
    expect(await dns.resolve('slow.test')).toBeUndefined();
  });

  it('feeds the detector: a public-looking name that resolves inside is flagged once cached', async () => {
    const dns = createDnsResolverCheck({ lookupAll: async () => ['10.1.2.3'] });
    const run = (ssrfDetector.compile as (o: object) => (i: InspectedValue) => { subtype: string }[])({
      paranoia: 1,
      dns,
    });
    const input: InspectedValue = {
      value: 'http://intranet.example.com/x',
      location: 'query.url',
      source: 'query',
      profile: 'url',
    };
    expect(run(input)).toEqual([]);
    await dns.resolve('intranet.example.com');
    expect(run(input)[0]?.subtype).toBe('ssrf-internal');
  });
});

describe('whatwgRedundant matches its regex definition', () => {
  const PLAIN_URL = /^(?:https?|ftp|wss?):\/\/([a-z0-9.-]+)(?::[0-9]*)?[/?#\\ \t\r\n]?$/i;
  const NUMERIC_LABEL = /(?:^|\.)(?:[0-9]+|0x[0-9a-f]*)\.?$/i;
  const reference = (s: string, t: { at: number; end: number; hosts: string[] }): boolean => {
    const m = PLAIN_URL.exec(s.slice(t.at, Math.min(s.length, t.end + 1)));
    if (m === null) return false;
    const h = m[1].toLowerCase();
    if (NUMERIC_LABEL.test(h) || h.includes('xn--')) return false;
    for (const x of t.hosts) if (x.toLowerCase() === h) return true;
    return false;
  };
  const piece = fc.constantFrom(
    'http',
    'HTTPS',
    'https',
    'httpss',
    'ftp',
    'FTP',
    'ws',
    'wss',
    'Ws',
    'x',
    '://',
    ':',
    '//',
    'a',
    'B',
    'example',
    'com',
    '.',
    '-',
    '0',
    '0x',
    '0X1f',
    '12',
    'xn--',
    'XN--',
    '/',
    '?',
    '#',
    '\\',
    ' ',
    '\t',
    '\r',
    '\n',
    '@',
    '[',
    ']',
    '%',
    '\u212a',
    'ſ',
  );
  const host = fc.constantFrom(
    'example.com',
    'EXAMPLE.com',
    'a',
    'a.12',
    'a.0x',
    'kEy.com',
    '\u212aey.com',
    'xn--a.com',
    '',
    'b',
  );
  it('agrees on generated URLs and targets', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 10 }),
        fc.nat(12),
        fc.nat(40),
        fc.array(host, { maxLength: 3 }),
        (parts, at, end, hosts) => {
          const s = parts.join('');
          const from = Math.min(at, s.length);
          const t = { at: from, end: Math.max(from, Math.min(end, s.length)), hosts: [...hosts] as string[] };
          // the host as written, as findTargets would list it
          const sep = s.indexOf('://', t.at);
          if (sep >= 0 && hosts.length > 0) t.hosts = [...hosts, s.slice(sep + 3, t.end)];
          expect(whatwgRedundant(s, t)).toBe(reference(s, t));
        },
      ),
      { numRuns: 30000 },
    );
  });
  it('agrees on URL-shaped values', () => {
    const scheme = fc.constantFrom('http', 'HTTPS', 'https', 'ftp', 'ws', 'wss', 'wsss', 'gopher', 'x');
    const label = fc.constantFrom('example', 'COM', 'a-b', '12', '0x1F', '0x', 'xn--p1ai', 'Key', '');
    const tail = fc.constantFrom(
      '',
      '/',
      '/x',
      '?',
      '#a',
      '\\',
      ' ',
      '"',
      ':',
      ':80',
      ':80/',
      ':8a',
      '.',
      '@b.com',
    );
    fc.assert(
      fc.property(
        scheme,
        fc.array(label, { minLength: 1, maxLength: 4 }),
        tail,
        fc.boolean(),
        fc.nat(3),
        (sc, labels, rest, upper, extra) => {
          const hostText = labels.join('.');
          const s = `${sc}://${hostText}${rest}`;
          const end = Math.min(s.length, sc.length + 3 + hostText.length + extra);
          const hosts = [upper ? hostText.toUpperCase() : hostText, 'other.com'];
          const t = { at: 0, end, hosts };
          expect(whatwgRedundant(s, t)).toBe(reference(s, t));
        },
      ),
      { numRuns: 30000 },
    );
  });
});

describe('classifyHost shortcut', () => {
  const piece = fc.constantFrom(
    'metadata',
    'metadata.google.internal',
    'LOCALHOST',
    'localhost',
    '.localhost',
    'localtest.me',
    'lacolhost.com',
    'nip.io',
    '127.0.0.1',
    '10-0-0-1',
    '7f000001',
    'rbndr.us',
    '.internal',
    '.corp',
    '.home.arpa',
    'Example',
    'com',
    '.',
    '-',
    '_',
    'x',
    'ab',
    '0x7f',
    '1',
    ':',
    '[::1]',
    '\u212a',
    'ſ',
    '\u0011',
    ' ',
  );
  it('answers like the full classification', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 5 }), fc.boolean(), (parts, upper) => {
        const h = upper ? parts.join('').toUpperCase() : parts.join('');
        expect(classifyHost(h)).toEqual(classifyHostFully(h));
      }),
      { numRuns: 30000 },
    );
  });
});
