import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayTraverse, normalizePath, pathTraversalDetector } from '../../src/detect/path-traversal.js';
import { mayInclude } from '../../src/detect/path-traversal/inclusion.js';
import type { ValueSource } from '../../src/detect/types.js';
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

const inspect = rowInspector(pathTraversalDetector, { location: 'query.file' });

const ROWS: Row[] = [
  // climbing out, every spelling a decoder leaves
  { input: '../../../../etc/passwd', expect: true },
  { input: '..\\..\\..\\windows\\win.ini', expect: true },
  { input: '....//....//....//etc/passwd', expect: true },
  { input: '..;/..;/..;/WEB-INF/web.xml', expect: true },
  { input: '.../.../WINDOWS/win.ini', expect: true },
  { input: '0x2e0x2e/0x2e0x2e/etc/passwd', expect: true },
  { input: '/..0x5c..0x5c{file}', expect: true },
  { input: '../../', expect: true },
  { input: '%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd', expect: true, note: 'overlong UTF-8 left by a decoder' },
  { input: '%252e%252e%252f%252e%252e%252fetc%252fpasswd', expect: true },
  { input: '．．／．．／etc／passwd', expect: true, note: 'fullwidth' },
  { input: '..\\pineapple', expect: true },
  { input: 'a/../../b', expect: true },
  // the model-file / artifact download case
  { input: '../../../../etc/passwd', expect: true, location: 'query.model' },
  { input: '/root/.cache/huggingface/token', expect: true, location: 'body.$.path', source: 'body' },
  { input: '..%2f..%2fmodels/../../secrets.yaml', expect: true, location: 'query.name' },
  { input: 'models/../../secrets.yaml', expect: true },
  // sensitive absolute paths and names
  { input: '/etc/shadow', expect: true },
  { input: '/proc/self/environ', expect: true },
  { input: '/root/.ssh/id_rsa', expect: true },
  { input: '/home/app/.aws/credentials', expect: true },
  { input: '/home/app/.kube/config', expect: true },
  { input: 'C:\\Windows\\win.ini', expect: true },
  { input: 'c:/boot.ini', expect: true },
  { input: '/var/www/.git/config', expect: true },
  { input: '/srv/app/.env', expect: true },
  { input: '/var/run/secrets/kubernetes.io/serviceaccount/token', expect: true },
  { input: 'cat /root/.aws/credentials', expect: true },
  // NUL bytes, UNC, file: URLs
  { input: 'avatar.php\u0000.png', expect: true },
  { input: '\\\\attacker.example\\share\\x', expect: true },
  { input: 'file:///etc/passwd', expect: true },
  { input: 'file://localhost/c:/windows/win.ini', expect: true },
  { input: '/.git/config', expect: true, source: 'path', location: 'path' },
  { input: '/opt/models/private/llama.bin', expect: true, location: 'query.model' },
  { input: '/opt/models/private/llama.bin', expect: false, location: 'query.q' },
  { input: '/docs/intro', expect: false, location: 'body.$.path' },
  // benign
  { input: 'models/llama-7b.gguf', expect: false },
  { input: 'reports/2024/q1.pdf', expect: false },
  { input: 'https://example.com/docs/a/b/c.html', expect: false },
  { input: 'v1.2.3', expect: false },
  { input: '1.0.0-rc.1', expect: false },
  { input: 'Wait... what? Really...', expect: false },
  { input: '01/02/2024', expect: false },
  { input: './config.yaml', expect: false },
  { input: 'foo../1234', expect: false },
  { input: '/get/..', expect: false, source: 'path', location: 'path' },
  { input: '/.well-known/openid-configuration', expect: false, source: 'path', location: 'path' },
  { input: '/test.environment', expect: false },
  { input: 'history.history', expect: false },
  { input: 'firstname.lastname@host.tld', expect: false },
  { input: 'C:\\Users\\me\\Documents\\report.docx', expect: false },
  { input: 'C:\\Users\\me\\Documents\\report.docx', expect: true, paranoia: 2 },
  // backup, dump, key and log files asked for by name, no traversal needed
  { input: '/wp-content/debug.log', expect: true, source: 'path', location: 'path' },
  { input: '/logs/error_log', expect: true, source: 'path', location: 'path' },
  { input: '/backup.sql.zip', expect: true, source: 'path', location: 'path' },
  { input: '/db/dump.sql', expect: true, source: 'path', location: 'path' },
  { input: '/index.php.bak', expect: true, source: 'path', location: 'path' },
  { input: '/index.php~', expect: true, source: 'path', location: 'path' },
  { input: '/.index.php.swp', expect: true, source: 'path', location: 'path' },
  { input: '/certs/server.key', expect: true, source: 'path', location: 'path' },
  { input: 'backup.sql.zip', expect: true, location: 'query.code', note: 'archived dump in any field' },
  { input: 'site.sql', expect: true, location: 'query.download', note: 'dump named in a file field' },
  { input: 'wp-config.php.old', expect: true, location: 'query.page' },
  // weaker kinds: paranoia 2 only
  { input: '/logs/2024-01-01.log', expect: false, source: 'path', location: 'path' },
  { input: '/logs/2024-01-01.log', expect: true, source: 'path', location: 'path', paranoia: 2 },
  { input: '/static/app.ini', expect: false, source: 'path', location: 'path' },
  { input: '/certs/ca.pem', expect: false, source: 'path', location: 'path' },
  { input: 'report.sql', expect: false, location: 'query.q', note: 'a .sql name in an ordinary field' },
  { input: 'report.sql', expect: true, location: 'query.q', paranoia: 2 },
  { input: 'user.old', expect: false, location: 'query.sort' },
  { input: 'the backup.sql.zip file is ready', expect: false, location: 'query.q' },
  { input: 'backup.sql.zip', expect: false, location: 'body.$.note', profile: 'free-text' },
  { input: 'app.config', expect: false, location: 'query.q' },
  { input: 'Acme.Inc', expect: false, location: 'query.company' },
  { input: 'hello~', expect: false, location: 'query.q' },
  // other shapes
  { input: '>/tmp/curl', expect: true, location: 'query.code', note: 'shell redirection to a system dir' },
  { input: '> out.txt', expect: false, location: 'query.q' },
  { input: '/default.asp::$DATA', expect: true, source: 'path', location: 'path' },
  { input: 'web-infweb.xml', expect: true, location: 'query.q', note: 'slashes removed by a filter' },
  { input: '/@fs/etc/hosts?raw', expect: true, source: 'path', location: 'path' },
  { input: '/@id/__x00__virtual:x', expect: true, source: 'path', location: 'path', note: 'escaped NUL' },
  // unrendered fuzzer templates: a climb prefix before `{file}` is paranoia 1, anything else is not
  { input: '//{file}', expect: true, location: 'query.q' },
  { input: '/.//./{file}', expect: true, location: 'query.q' },
  { input: '/0x2ex2e0x2e{file}', expect: true, location: 'query.q', note: 'residue with its 0 stripped' },
  { input: '/x{file}', expect: false, location: 'query.q' },
  { input: '/x{file}', expect: false, location: 'query.q', paranoia: 2 },
  { input: '/api/{file}', expect: false, location: 'query.q', paranoia: 2 },
  { input: '{file}', expect: false, location: 'query.q', paranoia: 3 },
  { input: `/${'q'.repeat(200)}`, expect: true, location: 'query.q', note: 'path parser overflow probe' },
  { input: `/${'q'.repeat(100)}`, expect: false, location: 'query.q' },
  { input: `/${'ab'.repeat(100)}`, expect: false, location: 'query.q' },
  // a climb whose slashes a filter removed, glued to a sensitive file kind
  { input: '.......ystem.ini', expect: true, location: 'query.q' },
  { input: '....app.conf', expect: true, location: 'query.q' },
  { input: '....and then it broke', expect: false, location: 'query.q' },
  { input: '....notes.txt', expect: false, location: 'query.q' },
  // nothing but no-op segments
  { input: '/./././', expect: true, location: 'query.q' },
  { input: './', expect: false, location: 'query.q' },
  { input: '/', expect: false, location: 'query.q', paranoia: 3 },
  // a program under System32 is data; its secrets and a climb to it are not
  { input: 'C:\\Windows\\System32\\svchost.exe', expect: false, location: 'body.$.process', source: 'body' },
  { input: 'C:\\Windows\\System32\\svchost.exe', expect: true, location: 'query.file' },
  { input: 'C:\\Windows\\System32\\config\\SAM', expect: true, location: 'query.q' },
  { input: 'C:\\Windows\\System32\\drivers\\etc\\hosts', expect: true, location: 'query.q' },
  { input: '..\\..\\Windows\\System32\\calc.exe', expect: true, location: 'query.q' },
  { input: '/sys/class', expect: true, location: 'query.q' },
  // prose and code name config files while explaining them; a climb still counts there
  { input: 'then edit /etc/mysql/my.cnf and restart', expect: false, profile: 'free-text', source: 'body' },
  { input: 'print ../../../etc/passwd for me', expect: true, profile: 'free-text', source: 'body' },
  // remote file inclusion: a URL the server includes, cut short or pointing at a script
  { input: 'http://203.0.113.9/kit/sh.txt?', expect: true, location: 'query.lang' },
  { input: 'https://files.example.net/r57.php%00', expect: true, location: 'query.q' },
  { input: 'https://files.example.net?', expect: true, location: 'query.q' },
  { input: 'http://198.51.100.4/inc/boot.php', expect: true, location: 'query.img' },
  { input: 'http://[2001:db8::7]/x.pl', expect: true, location: 'query.q' },
  { input: 'ftp://198.51.100.4/pub', expect: true, location: 'query.q' },
  { input: 'https://cdn.example.org', expect: true, location: 'query.cfg[root_path]' },
  { input: 'https://cdn.example.org/lib/', expect: true, location: 'body.$.includeDir', source: 'body' },
  { input: 'https://cdn.example.org/a.png', expect: false, location: 'body.$.imagePath', source: 'body' },
  {
    input: 'https://s3.example.org/stack.yaml',
    expect: false,
    location: 'body.$.TemplateURL',
    source: 'body',
  },
  { input: 'https://cdn.example.org/docs/x.php', expect: false, location: 'query.next' },
  { input: 'https://shop.example.org/cart?id=3', expect: false, location: 'query.return' },
  { input: 'http://198.51.100.4/', expect: false, location: 'query.q' },
  { input: 'http://198.51.100.4/', expect: true, location: 'query.q', paranoia: 2 },
  { input: 'http://203.0.113.9/index.php', expect: false, location: 'header.referer', source: 'header' },
  { input: '/get/https://example.org/x.txt?', expect: false, source: 'path', location: 'path' },
  // stream wrappers: source disclosure, request body as code, archives, PHP in data: URLs
  { input: 'php://filter/convert.base64-encode/resource=config', expect: true, location: 'query.page' },
  { input: 'PHP://input', expect: true, location: 'query.q' },
  { input: 'expect://whoami', expect: true, location: 'query.q' },
  { input: 'phar://uploads/avatar.jpg/x', expect: true, location: 'query.q' },
  { input: 'zip://uploads/a.zip#x.php', expect: true, location: 'query.q' },
  { input: 'compress.zlib://uploads/x', expect: true, location: 'query.q' },
  { input: 'data://text/plain;base64,PD9waHAgZWNobyAxOyA/Pg==', expect: true, location: 'query.page' },
  { input: 'data:text/plain,<?php echo 1; ?>', expect: true, location: 'query.page' },
  { input: 'data://text/plain;base64,aGVsbG8gd29ybGQ=', expect: false, location: 'query.q' },
  { input: 'data:image/png;base64,iVBORw0KGgo=', expect: false, location: 'body.$.avatar', source: 'body' },
  { input: 'jar:https://repo.example.net/lib.jar!/Evil.class', expect: true, location: 'query.q' },
  { input: 'read php://input in your handler', expect: false, profile: 'free-text', source: 'body' },
  { input: 'my.php://', expect: false, location: 'query.q' },
  { input: '\\\\?\\C:\\Windows\\System32\\config\\SAM', expect: true, location: 'query.q' },
  { input: '\\\\.\\PhysicalDrive0', expect: true, location: 'query.q' },
  { input: '/data/app.sqlite3', expect: true, source: 'path', location: 'path' },
  { input: 'mongo.db', expect: false, location: 'query.q' },
];

describe('path-traversal detector', () => {
  it.each(ROWS)('$input → $expect', (row) => {
    expect(inspect(row).fired).toBe(row.expect);
  });

  it('folds encoded dots and slashes and backslashes', () => {
    expect(normalizePath('..\\0x2e0x2e%2F')).toBe('../../');
  });

  it('reports the taxonomy ids, fragment and location', () => {
    const { findings } = inspect({ input: '../../../../etc/passwd' });
    expect(findings[0]).toMatchObject({
      category: 'injection',
      subtype: 'path-traversal',
      detector: 'path-traversal',
      location: 'query.file',
    });
    expect(findings[0].severity).toBe('high');
  });

  it('never throws and always returns well-formed findings (fuzz)', () => {
    const pieces = [
      '.',
      '..',
      '/',
      '\\',
      ';',
      'etc',
      'passwd',
      '0x2e',
      '%2f',
      ':',
      'c',
      '\u0000',
      'file:',
      '~',
      'a',
      '{file}',
      'x2e',
      'php://',
      'http://',
      '198.51.100.4',
      '.php',
      '?',
      'data:',
      ',<?',
      'jar:',
      '!',
    ];
    expectWellFormedUnderFuzz(pathTraversalDetector, {
      value: fuzzValues(pieces, 80),
      paranoia: ANY_PARANOIA,
      source: fc.constantFrom<ValueSource>('query', 'path', 'body'),
    });
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    expectLinearOnNearMatches(pathTraversalDetector, [
      '../',
      '..\\',
      '....//',
      '/./',
      '0x2e0x2e',
      '/etc/',
      'a/',
      '/{file}',
      '::$',
      '.sql.',
      '>/',
      'a',
      '__x00_',
      'x2e/',
      '....',
      'php://',
      'http://198.51.100.4/a.php?',
      'https://x?',
      '%00',
      'data:,<?',
    ]);
  });
});

describe('path-traversal through the engine (decoding included)', () => {
  itEachThroughEngine('path-traversal', 'query.code', [
    ['backup.sql.zip', true],
    ['..%255c..%255c..%255cwindows%255cwin.ini', true],
    ['%3E%2Ftmp%2Fcurl', true],
    ['report.pdf', false],
    ['%2Fetc%2Fpasswd%2500.png', true],
    ['..%c0%af..%c0%afopt%c0%afmodels%c0%afprivate.bin', true],
    ['..%5C..%2F..%5Cwin.ini', true],
    ['file%3A%2F%2F%2Fproc%2Fself%2Fenviron', true],
    ['C%3A%5CWindows%5CSystem32%5Ccmd.exe', false],
    ['php%3A%2F%2Ffilter%2Fresource%3Dindex', true],
    ['http%3A%2F%2F203.0.113.9%2Fsh.txt%3F', true],
    ['https%3A%2F%2Fexample.org%2Fhome', false],
    ['v1.2.3', false],
  ]);
});

describePrefilter('path-traversal prefilter (mayTraverse)', {
  detector: pathTraversalDetector,
  pre: (v: string) => mayTraverse(v) || mayInclude(v),
  rows: ROWS,
  token: fc.constantFrom(
    '/',
    '.',
    '..',
    '\\',
    '%2e',
    '0x2f',
    'etc',
    'passwd',
    'etc/passwd',
    'proc/self/',
    '.env',
    'win.ini',
    'id_rsa',
    'web-inf',
    'file:',
    'c:',
    '::$data',
    '.bak',
    '.sql',
    '.gz',
    'debug.log',
    'error_log',
    '~',
    '?',
    '#',
    ' ',
    '{file}',
    '__x00__',
    '@fs',
    'a',
    '1',
    'x2e',
    'php://',
    'input',
    'expect://',
    'phar://',
    'http://',
    'ftp://',
    '198.51.100.4',
    '[::1]',
    '.php',
    '%00',
    'data:',
    ',<?',
    'jar:',
    '!',
  ),
});
