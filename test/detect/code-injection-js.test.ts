// JavaScript, Perl and Ruby shapes of the code-injection detector (js.ts, perl-ruby.ts and the
// Node additions of script.ts / serialized.ts), with the benign look-alikes that must stay quiet.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeInjectionDetector, mayBeCode } from '../../src/detect/code-injection/index.js';
import type { ValueSource } from '../../src/detect/types.js';
import {
  ANY_PARANOIA,
  expectLinearOnNearMatches,
  expectPrefilterSound,
  expectWellFormedUnderFuzz,
  fuzzValues,
  type Row,
  rowInspector,
} from './helpers.js';

const inspect = rowInspector(codeInjectionDetector, { location: 'query.x' });

const ROWS: Row[] = [
  // prototype pollution: a property path through __proto__ or constructor.prototype
  { input: '__proto__[isAdmin]=true', expect: true, source: 'key', location: 'query.__proto__[isAdmin]' },
  { input: '__proto__.polluted', expect: true, source: 'key', location: 'query.__proto__.polluted' },
  { input: 'a[constructor][prototype][isAdmin]', expect: true, source: 'key' },
  { input: 'constructor.prototype.shell', expect: true, source: 'key' },
  { input: '__proto__', expect: true, source: 'key', location: 'body.$.user.__proto__' },
  { input: 'prototype', expect: true, source: 'key', location: 'body.$.constructor.prototype' },
  { input: 'prototype', expect: false, source: 'key', location: 'body.$.product.prototype' },
  { input: '{"user":{"__proto__":{"isAdmin":true}}}', expect: true },
  { input: "{'constructor': {'prototype': {'isAdmin': 1}}}", expect: true },
  { input: 'x=__proto__.foo=bar', expect: true },
  { input: 'obj["__proto__"]["role"]', expect: true },
  // React Server Components references walking to the Function constructor
  { input: '{"then":"$1:__proto__:then"}', expect: true },
  { input: '{"get":"$3:constructor:constructor"}', expect: true },
  { input: '"$@0:constructor:constructor"', expect: true },
  // loops that never end
  { input: 'while(true);', expect: true },
  { input: 'while (!0) {}', expect: true },
  { input: 'while(!!{})', expect: true },
  { input: 'while(new Date);', expect: true },
  { input: 'while(-Infinity)', expect: true },
  { input: 'for(;;){}', expect: true },
  { input: 'while(!true);', expect: false, note: 'never runs' },
  { input: 'while(!!"")', expect: false, note: 'false' },
  { input: 'while(0)', expect: false },
  { input: 'while (i < 10) { i++ }', expect: false },
  { input: 'while(true) loop in python', expect: false, note: 'prose about a loop' },
  { input: 'for(;;) vs while(1) which is faster', expect: false },
  { input: '"while(true){}"', expect: true },
  { input: 'for (let i = 0; i < n; i++)', expect: false },
  // Node process and module loading
  { input: "require.main.constructor._load('child_process').execSync('id')", expect: true },
  { input: '#{require.main.require("fs")}', expect: true },
  { input: 'process["mainModule"].require("child_process")', expect: true },
  { input: "process['binding']('spawn_sync')", expect: true },
  { input: 'process[req.query.a]', expect: true },
  { input: "execSync('cat /etc/passwd')", expect: true },
  { input: '{"__js_function":"function(){return 1}"}', expect: true },
  // evaluator probes: paranoia 2
  { input: 'process.env', expect: false },
  { input: 'process.env', expect: true, paranoia: 2 },
  { input: 'console.info(1)', expect: false },
  { input: 'console.info(1)', expect: true, paranoia: 2 },
  { input: 'console["log"](7*7)', expect: true, paranoia: 2 },
  { input: 'console.info.call(this, 1)', expect: true, paranoia: 2 },
  { input: 'module.exports = {}', expect: true, paranoia: 2 },
  { input: 'function () { return 1 }', expect: false },
  { input: 'function () { return 1 }', expect: true, paranoia: 2 },
  // Perl @{[ ]} interpolation
  { input: "@{[system 'id']}", expect: true },
  { input: '@{[ qx{whoami} ]}', expect: true },
  { input: '@{ [ CORE::time() ] }', expect: true },
  { input: '@@{[$$]}', expect: true },
  { input: '@{[rand 100]}', expect: true },
  { input: "@{[system 'id'", expect: true, note: 'unclosed' },
  // Ruby process calls
  { input: 'Process.spawn("id")', expect: true },
  { input: 'IO.popen("uname -a").read', expect: true },
  { input: "Kernel.system 'id'", expect: true },
  { input: 'Open3.capture2("ls")', expect: true },
  // benign look-alikes
  { input: 'Prototype board, second revision', expect: false },
  { input: 'the constructor prototype chain explained', expect: false },
  { input: 'process payment for order 42 (express)', expect: false },
  { input: 'processing (step 2 of 3)', expect: false },
  { input: 'console table (oak) for sale', expect: false },
  { input: 'while (stocks last)', expect: false },
  { input: 'for (a good cause)', expect: false },
  { input: 'reply to @{name} by Friday', expect: false },
  { input: 'mail me at jo@example.com {urgent} [soon]', expect: false },
  { input: 'PowerShell: @{Name="x"; Value=1}', expect: false },
  { input: 'Total: $12.50 (incl. tax)', expect: false },
  { input: '{"status":"$1"}', expect: false },
  { input: 'the io.popen docs', expect: false },
  { input: 'process.environment', expect: false, paranoia: 3 },
  { input: 'while(true) loops explained', expect: false, profile: 'free-text' },
  { input: "@{[system 'id']}", expect: false, profile: 'code', note: 'code is data there' },
];

/** The pieces of these shapes, for the prefilter property and the fuzz test. */
const PIECES = [
  ...['__proto__', 'constructor', 'prototype', '[', ']', '.', '"', "'", ':', '$', '$1', '$@', '1', '0'],
  ...['while', 'for', '(', ')', ';', '!', '+', '-', '=', '{', '}', '@', ' ', 'x', 'true', 'new ', 'new Date'],
  ...['date', 'process', 'console', 'require', 'module.exports', 'function', 'system', 'io.popen'],
  ...['Process.spawn', "'id'"],
];

describe('code-injection: JavaScript, Perl and Ruby shapes', () => {
  it.each(ROWS)('$input → $expect', (row) => {
    expect(inspect(row).fired).toBe(row.expect);
  });

  it('the prefilter keeps every attack row', () => {
    for (const row of ROWS.filter((r) => r.expect)) expect(mayBeCode(row.input), row.input).toBe(true);
  });

  it('the prefilter is sound on values built from these shapes', () => {
    expectPrefilterSound(codeInjectionDetector, mayBeCode, fc.constantFrom(...PIECES));
  });

  it('never throws and always returns well-formed findings (fuzz)', () => {
    expectWellFormedUnderFuzz(codeInjectionDetector, {
      value: fuzzValues(PIECES, 60),
      paranoia: ANY_PARANOIA,
      source: fc.constantFrom<ValueSource>('query', 'key', 'body'),
    });
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    expectLinearOnNearMatches(
      codeInjectionDetector,
      [
        '__proto__',
        '__proto__ ',
        'constructor[',
        'constructor"',
        'prototype',
        '$1:',
        '$1:a',
        'while(',
        'while(!',
        'while((',
        'for(;',
        'process[',
        'console.',
        'console[',
        'function(',
        'function()',
        '@{[',
        '@ {',
        '@@@@',
        'io.popen',
        'require[',
      ],
      { maxMs: 50, tries: 3, warmUp: true },
    );
  });
});
