import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectGlobalSchema } from '../../src/config/sections/detect.js';
import {
  compileExtractor,
  type ExtractLimits,
  type ExtractRequest,
  type Extraction,
  parseContentType,
  sniffBody,
} from '../../src/detect/extract.js';
import { walkJson } from '../../src/detect/extract/json.js';
import { compileLocationRules, formatLocation } from '../../src/detect/profiles.js';
import { DETECTOR_BIT } from '../../src/detect/registry.js';
import { scanForEngine } from '../../src/detect/triggers.js';

const defaults = detectGlobalSchema.parse({});

function extractor(limits: Partial<ExtractLimits> = {}, headers = defaults.headers) {
  return compileExtractor({
    limits: { ...defaults.limits, ...limits },
    headers,
    inspectBody: true,
    rules: compileLocationRules({ llm: 'off' }),
    llmRules: compileLocationRules({ llm: 'guard' }),
    llm: 'auto',
  });
}

function req(url: string, headers: [string, string][] = [], body?: string | Buffer): ExtractRequest {
  return {
    method: body === undefined ? 'GET' : 'POST',
    url,
    rawHeaders: headers.flat(),
    body: typeof body === 'string' ? Buffer.from(body) : body,
  };
}

const at = (x: Extraction, location: string, source?: string) =>
  x.values
    .filter(
      (v) => v.location === location && (source === undefined ? v.source !== 'key' : v.source === source),
    )
    .map((v) => v.value);

describe('extract: URL', () => {
  const run = extractor();
  it('takes the decoded path and its unusual segments', () => {
    const x = run(req('/users/1%27%20OR%201=1/orders'));
    expect(at(x, 'path')).toEqual(["/users/1' OR 1=1/orders"]);
    expect(at(x, 'path[1]')).toEqual(["1' OR 1=1"]);
    expect(at(x, 'path[0]')).toEqual([]); // plain segments are covered by the whole path
  });
  it('takes every query parameter, repeated keys and bracket keys, values and keys', () => {
    const x = run(req('/s?q=a+b&q=%3Cb%3E&user[$ne]=1&flag'));
    expect(at(x, 'query.q', 'query')).toEqual(['a b', '<b>']);
    expect(at(x, 'query.user[$ne]', 'key')).toEqual(['user[$ne]']);
    expect(at(x, 'query.user[$ne]', 'query')).toEqual(['1']);
    expect(at(x, 'query.flag', 'key')).toEqual([]); // plain names carry nothing to inspect
  });
  it('handles absolute-form targets and fragments', () => {
    const x = run(req('http://example.com/a/b?x=1#frag'));
    expect(at(x, 'query.x')).toEqual(['1']);
    expect(at(x, 'path')).toEqual(['/a/b']);
  });
});

describe('extract: headers and cookies', () => {
  it('inspects app-facing headers and never credentials, hop-by-hop or structured ones', () => {
    const x = extractor()(
      req('/', [
        ['User-Agent', 'curl/8'],
        ['Referer', 'http://a/'],
        ['X-Custom', 'v1'],
        ['X-Custom', 'v2'],
        ['FooHeader', 'f'],
        ['Authorization', 'Bearer secret'],
        ['X-Api-Key', 'k'],
        ['X-Session-Token', 't'],
        ['Accept', '*/*'],
        ['Connection', 'keep-alive'],
        ['Sec-Fetch-Mode', 'cors'],
        ['Host', 'example.com'],
      ]),
    );
    expect(at(x, 'header.user-agent')).toEqual(['curl/8']);
    expect(at(x, 'header.referer')).toEqual(['http://a/']);
    expect(at(x, 'header.x-custom')).toEqual(['v1', 'v2']);
    expect(at(x, 'header.fooheader')).toEqual(['f']);
    const locations = x.values.map((v) => v.location);
    for (const never of [
      'authorization',
      'x-api-key',
      'x-session-token',
      'accept',
      'connection',
      'sec-fetch-mode',
      'host',
    ]) {
      expect(locations).not.toContain(`header.${never}`);
    }
  });
  it('narrows to configured headers', () => {
    const x = extractor(
      {},
      { include: ['user-agent', 'x-*'], exclude: ['x-trace'] },
    )(
      req('/', [
        ['User-Agent', 'a'],
        ['Referer', 'b'],
        ['X-One', 'c'],
        ['X-Trace', 'd'],
      ]),
    );
    expect(x.values.map((v) => v.location).sort()).toEqual(['header.user-agent', 'header.x-one']);
  });
  it('parses cookies into names and decoded values', () => {
    const x = extractor()(req('/', [['Cookie', 'sid=abc; pref=%3Cb%3E; flag']]));
    expect(at(x, 'cookie.pref', 'cookie')).toEqual(['<b>']);
    expect(at(x, 'cookie.sid', 'key')).toEqual([]);
    expect(at(extractor()(req('/', [['Cookie', '<x>=1']])), 'cookie.<x>', 'key')).toEqual(['<x>']);
  });
});

describe('extract: JSON bodies', () => {
  const run = extractor({ maxDepth: 4 });
  const json = (body: string, type = 'application/json') => run(req('/', [['Content-Type', type]], body));
  it('yields every key and string leaf with its JSON path', () => {
    const x = json('{"a":{"b":[1,"x",{"c d":"y"}]},"$ne":"z","n":5,"t":true}');
    expect(at(x, 'body.$.a.b[1]')).toEqual(['x']);
    expect(at(x, "body.$.a.b[2]['c d']", 'body')).toEqual(['y']);
    expect(at(x, 'body.$.$ne', 'key')).toEqual(['$ne']);
    expect(at(x, 'body.$.$ne', 'body')).toEqual(['z']);
    expect(at(x, 'body.$.n', 'key')).toEqual([]); // plain keys carry nothing to inspect
    expect(at(x, 'body.$.n', 'body')).toEqual([]); // numbers carry nothing to inspect
    expect(x.malformedJson).toBe(false);
  });
  it('passes the plain keys that reach a prototype (pollution) to the detectors', () => {
    const x = json('{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"a":1}},"a__proto__b":1}');
    expect(at(x, 'body.$.__proto__', 'key')).toEqual(['__proto__']);
    expect(at(x, 'body.$.constructor', 'key')).toEqual(['constructor']);
    expect(at(x, 'body.$.constructor.prototype', 'key')).toEqual(['prototype']);
    expect(at(x, 'body.$.a__proto__b', 'key')).toEqual(['a__proto__b']);
    expect(at(x, 'body.$.__proto__.isAdmin', 'key')).toEqual([]);
    // Property names are case-sensitive: these reach no prototype.
    const y = json('{"Constructor":1,"prototypes":2,"proto":3,"__proto":4}');
    expect(y.values.filter((v) => v.source === 'key')).toEqual([]);
    const q = run(req('/s?__proto__=1&constructor=2&prototype=3'));
    expect(q.values.filter((v) => v.source === 'key').map((v) => v.value)).toEqual([
      '__proto__',
      'constructor',
      'prototype',
    ]);
  });
  it('gives plain parameter and cookie names of six characters or more to code-injection only', () => {
    const q = run(req('/s?rO0ABXNyABdqYXZh=1&page=2&userId=3', [['Cookie', 'cnVudGltZQ=x; sid=1']]));
    const keys = q.values.filter((v) => v.source === 'key');
    expect(keys.map((v) => v.value)).toEqual(['rO0ABXNyABdqYXZh', 'userId', 'cnVudGltZQ']);
    expect(keys.every((v) => v.mask === DETECTOR_BIT['code-injection'])).toBe(true);
  });
  it('decodes JSON string escapes', () => {
    expect(at(json('{"q":"\\u003cscript\\u003e \\"x\\" \\n"}'), 'body.$.q')).toEqual(['<script> "x" \n']);
  });
  it('keeps duplicate keys and keys differing only in case (no overwrite)', () => {
    const x = json('{"role":"user","role":"admin","Role":"root"}');
    expect(at(x, 'body.$.role', 'body')).toEqual(['user', 'admin']);
    expect(at(x, 'body.$.Role', 'body')).toEqual(['root']);
  });
  it('reads vendor JSON types and a charset', () => {
    expect(at(json('{"a":"b"}', 'application/vnd.api+json; charset=utf-8'), 'body.$.a')).toEqual(['b']);
    const utf16 = Buffer.from('{"a":"é"}', 'utf16le');
    expect(
      at(run(req('/', [['Content-Type', 'application/json; charset=utf-16le']], utf16)), 'body.$.a'),
    ).toEqual(['é']);
  });
  it('reports nesting beyond the limit and still inspects what is above it', () => {
    const x = json('{"top":"t","a":[[[[[[["deep"]]]]]]]}');
    expect(at(x, 'body.$.top')).toEqual(['t']);
    expect(x.values.some((v) => v.value === 'deep')).toBe(false);
    expect(x.findings.map((f) => `${f.category}/${f.subtype}`)).toEqual([
      'resource-consumption/deep-nesting',
    ]);
    expect(x.malformedJson).toBe(false);
  });
  it('agrees with JSON.parse: every string leaf of a valid document is seen (fuzz)', () => {
    const deep = extractor({ maxDepth: 64, maxValues: 100_000 });
    const leaves = (v: unknown, out: string[]) => {
      if (typeof v === 'string') out.push(v);
      else if (Array.isArray(v)) for (const x of v) leaves(x, out);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) leaves(x, out);
      return out;
    };
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), (text) => {
        const x = deep(req('/', [['Content-Type', 'application/json']], text));
        expect(x.malformedJson).toBe(false);
        const seen = x.values.filter((v) => v.source === 'body').map((v) => v.value);
        // JSON.parse keeps the last duplicate key only: everything it sees, the walker saw too.
        for (const leaf of leaves(JSON.parse(text), [])) if (leaf.length > 0) expect(seen).toContain(leaf);
      }),
      { numRuns: 500 },
    );
  });
  it("hands the engine exactly scanForEngine's result when it computes the scan on the way", () => {
    const deep = extractor({ maxDepth: 64, maxValues: 100_000 });
    // keys and leaves with escapes, non-ASCII, UUIDs, dates, numbers, base64 and operator characters
    const atom = fc.constantFrom(
      'a',
      'Z',
      '7',
      '-',
      ' ',
      '$',
      '%2e',
      '+',
      '&amp;',
      '\\',
      '"',
      '\n',
      'é',
      '\u212a',
      '😀',
      '{',
      ')',
      ':',
      '3f2b8c1e-9a4d-4e6f-8b21-7c5d0e9f1a23',
      '2025-11-26T01:25:00Z',
      '-0.5',
      'aGVsbG8gd29ybGQ=',
    );
    const str = fc.array(atom, { maxLength: 8 }).map((a) => a.join(''));
    let withScan = 0;
    fc.assert(
      fc.property(fc.dictionary(str, fc.oneof(str, fc.array(str, { maxLength: 3 }))), (obj) => {
        const x = deep(req('/', [['Content-Type', 'application/json']], JSON.stringify(obj)));
        for (const v of x.values) {
          if (v.scan === undefined) continue;
          withScan++;
          expect(v.scan, JSON.stringify(v.value)).toBe(scanForEngine(v.value));
        }
      }),
      { numRuns: 500 },
    );
    expect(withScan).toBeGreaterThan(100);
    // escaped strings are scanned by the engine itself
    const x = deep(req('/', [['Content-Type', 'application/json']], '{"q":"a\\u0041b","r":"ab"}'));
    expect(x.values.find((v) => v.value === 'aAb')?.scan).toBeUndefined();
    expect(x.values.find((v) => v.value === 'ab')?.scan).toBe(scanForEngine('ab'));
  });
  it('survives very deep nesting without recursion', () => {
    const x = json(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(x.findings[0]?.subtype).toBe('deep-nesting');
    expect(x.malformedJson).toBe(false);
  });
  it('flags malformed JSON on a JSON content type and inspects the raw text', () => {
    for (const bad of ['{"a":', '{"a" 1}', "{'a':1}", '{"a":1}}', '[1,]x', '{"a":"\u0001"}', '{"a":tru}']) {
      const x = json(bad);
      expect(x.malformedJson, bad).toBe(true);
      expect(at(x, 'body'), bad).toEqual([bad]);
    }
  });
  it('does not flag malformed JSON without a declared JSON type', () => {
    const x = run(req('/', [], '{"a": oops'));
    expect(x.malformedJson).toBe(false);
    expect(at(x, 'body')).toContain('{"a": oops');
  });
  it('parses every declared type when Content-Type is duplicated (no parser confusion)', () => {
    const x = run(
      req(
        '/',
        [
          ['Content-Type', 'text/plain'],
          ['Content-Type', 'application/json'],
        ],
        '{"q":"v"}',
      ),
    );
    expect(at(x, 'body.$.q')).toEqual(['v']);
    expect(at(x, 'body')).toEqual(['{"q":"v"}']);
  });
});

describe('extract: other bodies', () => {
  const run = extractor({ multipartFileBytes: 8 });
  it('reads form bodies', () => {
    const x = run(req('/', [['Content-Type', 'application/x-www-form-urlencoded']], 'a=1+2&b=%3Cx%3E&a=3'));
    expect(at(x, 'body.a', 'body')).toEqual(['1 2', '3']);
    expect(at(x, 'body.b', 'body')).toEqual(['<x>']);
  });
  it('reads multipart fields, file names and the first bytes of files', () => {
    const body = [
      '--XyZ',
      'Content-Disposition: form-data; name="title"',
      '',
      'hello world',
      '--XyZ',
      'Content-Disposition: form-data; name="upload"; filename="../../etc/passwd"',
      'Content-Type: text/plain',
      '',
      '0123456789abcdef',
      '--XyZ--',
      '',
    ].join('\r\n');
    const x = run(req('/', [['Content-Type', 'multipart/form-data; boundary=XyZ']], body));
    expect(at(x, 'body.title', 'body')).toEqual(['hello world']);
    expect(at(x, 'body.upload.filename')).toEqual(['../../etc/passwd']);
    expect(at(x, 'body.upload', 'body')).toEqual(['01234567']);
  });
  it('keeps backslashes of Windows file names (only \\" is an escape)', () => {
    const body = [
      '--XyZ',
      'Content-Disposition: form-data; name="a"; filename="..\\..\\boot.ini"',
      '',
      'x',
      '--XyZ',
      'Content-Disposition: form-data; name="b"; filename="say \\"hi\\".txt"',
      '',
      'y',
      '--XyZ--',
      '',
    ].join('\r\n');
    const x = run(req('/', [['Content-Type', 'multipart/form-data; boundary=XyZ']], body));
    expect(at(x, 'body.a.filename')).toEqual(['..\\..\\boot.ini']);
    expect(at(x, 'body.b.filename')).toEqual(['say "hi".txt']);
  });
  it('skips binary file contents', () => {
    const body = Buffer.concat([
      Buffer.from('--b\r\nContent-Disposition: form-data; name="f"; filename="a.png"\r\n\r\n'),
      Buffer.from([0x89, 0x50, 0x00, 0x01]),
      Buffer.from('\r\n--b--\r\n'),
    ]);
    const x = run(req('/', [['Content-Type', 'multipart/form-data; boundary=b']], body));
    expect(at(x, 'body.f.filename')).toEqual(['a.png']);
    expect(at(x, 'body.f', 'body')).toEqual([]);
  });
  it('reads XML text and attributes, and gives the raw document to xxe only', () => {
    const doc =
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><order id="7"><!-- c --><item>&x;</item><note><![CDATA[<b>hi</b>]]></note></order>';
    const x = run(req('/', [['Content-Type', 'application/xml']], doc));
    expect(at(x, 'body./order/@id')).toEqual(['7']);
    expect(at(x, 'body./order/item')).toEqual(['&x;']);
    expect(at(x, 'body./order/note')).toEqual(['<b>hi</b>']);
    const raw = x.values.filter((v) => v.location === 'body');
    expect(raw).toHaveLength(1);
    expect(raw[0].mask).toBe(DETECTOR_BIT.xxe);
  });
  it('reads text/plain as one value', () => {
    expect(at(run(req('/', [['Content-Type', 'text/plain']], 'just text')), 'body')).toEqual(['just text']);
  });
  it('skips declared binary bodies', () => {
    expect(run(req('/', [['Content-Type', 'image/png']], 'x=<script>')).values).toEqual([]);
  });
  it('sniffs bodies without a Content-Type', () => {
    expect(sniffBody(' {"a":1}')).toBe('json');
    expect(sniffBody('<a/>')).toBe('xml');
    expect(sniffBody('a=1&b=2')).toBe('form');
    expect(sniffBody('hello')).toBe('text');
    expect(at(run(req('/', [], 'a=1&b=%3C')), 'body.b')).toEqual(['<']);
  });
  it('parses content types', () => {
    expect(parseContentType('Multipart/Form-Data; boundary="a b"')).toEqual({
      kind: 'multipart',
      boundary: 'a b',
      charset: undefined,
    });
    expect(parseContentType('application/problem+json').kind).toBe('json');
    expect(parseContentType('application/soap+xml').kind).toBe('xml');
    expect(parseContentType('application/octet-stream').kind).toBe('binary');
  });
});

describe('extract: limits', () => {
  it('stops at maxValues and reports it', () => {
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'])));
    const x = extractor({ maxValues: 10 })(req('/', [['Content-Type', 'application/json']], body));
    expect(x.values.length).toBe(10);
    expect(x.findings.map((f) => f.subtype)).toContain('oversized-payload');
    expect(x.malformedJson).toBe(false);
  });
  it('does not report truncation when told not to', () => {
    const x = extractor({ maxValues: 1, reportTruncation: false })(req('/?a=1&b=2'));
    expect(x.findings).toEqual([]);
  });
  it('splits long values into overlapping windows so padding cannot hide a payload', () => {
    const long = `${'a'.repeat(10_000)}<script>`;
    const x = extractor({ maxValueLength: 4096 })(req('/', [['Content-Type', 'text/plain']], long));
    const windows = at(x, 'body');
    expect(windows.length).toBe(3);
    expect(windows.every((w) => w.length <= 4096)).toBe(true);
    expect(windows.at(-1)?.endsWith('<script>')).toBe(true);
  });
  it('caps bytes inspected', () => {
    const x = extractor({ maxBytes: 100 })(req('/', [['Content-Type', 'text/plain']], 'x'.repeat(1000)));
    const total = x.values.reduce((n, v) => n + v.value.length, 0);
    expect(total).toBeLessThanOrEqual(100);
    expect(x.findings.map((f) => f.subtype)).toContain('oversized-payload');
  });
  it('never throws on arbitrary bodies, targets and headers (fuzz)', () => {
    const run = extractor({ maxDepth: 8 });
    const types = fc.constantFrom(
      'application/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=b',
      'multipart/form-data',
      'application/xml',
      'text/plain',
      '',
    );
    const bodyChars = fc.constantFrom(...'{}[]":,\\u0 <>/=&?!-b\r\n%'.split(''), '--b', '<![CDATA[', '<!--');
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }),
        types,
        fc.array(bodyChars, { maxLength: 200 }).map((a) => a.join('')),
        (url, type, body) => {
          const headers: [string, string][] = type ? [['Content-Type', type]] : [];
          const x = run(req(`/${url}`, headers, body));
          expect(Array.isArray(x.values)).toBe(true);
          for (const v of x.values) expect(typeof v.value).toBe('string');
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('extract: JSON locations built incrementally', () => {
  it('equal formatLocation of the segments for every key and leaf', () => {
    let seen = 0;
    const sink = {
      add(
        segs: (string | number)[],
        _value: string,
        _source: string,
        _mask?: number,
        location?: string | (() => string),
      ) {
        // Asked for only now and then, as the collector does (it skips plain keys), so that
        // locations are also built from a far ancestor.
        if (_value.length % 3 !== 0) return;
        seen++;
        expect(typeof location === 'function' ? location() : location).toBe(formatLocation(segs));
      },
      full: () => false,
      tooDeep: () => {},
    };
    const key = fc.oneof(
      fc.constantFrom('a', '$ne', 'a b', "it's", '0', 'x-y', '', '$', '_k9', '.'),
      fc.string(),
    );
    const json = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(key, tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(json, (doc) => {
        walkJson(JSON.stringify(doc), ['body', '$'], sink, 32);
        walkJson(JSON.stringify(doc), ['body', '$', 'messages', 0, 'arguments', '$'], sink, 32);
      }),
      { numRuns: 500 },
    );
    expect(seen).toBeGreaterThan(200);
  });
});
