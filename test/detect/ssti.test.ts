import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayBeTemplate, sstiDetector } from '../../src/detect/ssti.js';
import {
  ANY_PARANOIA,
  describePrefilter,
  expectLinearOnNearMatches,
  expectWellFormedUnderFuzz,
  fuzzValues,
  type Row,
  rowInspector,
} from './helpers.js';

const inspect = rowInspector(sstiDetector, { location: 'body.$.name', source: 'body' });

const ROWS: Row[] = [
  // arithmetic probes in every syntax
  { input: '{{7*7}}', expect: true },
  { input: "{{7*'7'}}", expect: true },
  { input: '${7*7}', expect: true },
  { input: '<%= 7*7 %>', expect: true },
  { input: '#{7*7}', expect: true },
  { input: '*{7*7}', expect: true },
  { input: '@(7*7)', expect: true },
  { input: '[[${1337*1337}]]', expect: true },
  // Python object traversal (Jinja2)
  { input: "{{ ''.__class__.__mro__[1].__subclasses__() }}", expect: true },
  { input: '{{ config.items() }}', expect: true },
  {
    input: '{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen("id").read() }}',
    expect: true,
  },
  { input: "{{ lipsum.__globals__['os'].popen('id').read() }}", expect: true },
  { input: '{{ cycler.__init__.__globals__.os }}', expect: true },
  { input: '{{ joiner.__init__.__globals__ }}', expect: true },
  { input: '{{ request.application.__globals__.__builtins__ }}', expect: true },
  // Java / EL / SpEL
  { input: '${T(java.lang.Runtime).getRuntime().exec("id")}', expect: true },
  { input: '${"".getClass().forName("java.lang.Runtime")}', expect: true },
  { input: "#{''.getClass().forName('java.lang.Runtime').getRuntime()}", expect: true },
  // Freemarker, Velocity, Smarty, ERB, Twig
  { input: '<#assign ex="freemarker.template.utility.Execute"?new()>${ex("id")}', expect: true },
  { input: '#set($x = $class.inspect("java.lang.Runtime"))', expect: true },
  { input: '{php}echo `id`;{/php}', expect: true },
  { input: '<%= system("id") %>', expect: true },
  { input: '<%= `id` %>', expect: true },
  { input: "{{_self.env.registerUndefinedFilterCallback('exec')}}", expect: true },
  { input: "{{['id']|filter('system')}}", expect: true },
  { input: '{% if True %}49{% endif %}', expect: true },
  { input: "{{constructor.constructor('alert(1)')()}}", expect: true },
  // benign placeholders and text
  { input: 'Hello {{name}}, welcome!', expect: false },
  { input: 'Dear {{ user.first_name | title }},', expect: false },
  { input: 'Total: ${amount}', expect: false },
  { input: 'Hi #{first_name}', expect: false },
  { input: 'See [[Main Page]] on the wiki', expect: false },
  { input: 'price: $5 {discount}', expect: false },
  { input: 'a {{ b }} c {% d', expect: false },
  { input: '{"json": {"nested": {"x": 1}}}', expect: false },
  { input: 'email me at bob@(work) please', expect: false },
  { input: 'Hello {{name}}', expect: true, paranoia: 3 },
  { input: '{{ foo(bar) }}', expect: false },
  { input: '{{ foo(bar) }}', expect: true, paranoia: 2 },
  { input: 'const s = `total ${a + b}`;', expect: false, profile: 'code' },
];

describe('ssti detector', () => {
  it.each(ROWS)('$input → $expect (PL $paranoia)', (row) => {
    expect(inspect(row).fired).toBe(row.expect);
  });

  it('reports the taxonomy ids, fragment and location', () => {
    const [f] = sstiDetector.compile({ paranoia: 1 })({
      value: 'x {{7*7}} y',
      location: 'query.q',
      source: 'query',
      profile: 'generic',
    });
    expect(f).toMatchObject({
      category: 'injection',
      subtype: 'ssti',
      detector: 'ssti',
      location: 'query.q',
      fragment: '{{7*7}} y',
    });
  });

  it('never throws and always returns well-formed findings (fuzz)', () => {
    const pieces = [
      '{{',
      '}}',
      '{%',
      '%}',
      '${',
      '}',
      '<%=',
      '%>',
      '#{',
      '7',
      '*',
      "'",
      '__class__',
      '(',
      ')',
      '.',
      'config',
      ' ',
    ];
    expectWellFormedUnderFuzz(
      sstiDetector,
      { value: fuzzValues(pieces, 60), paranoia: ANY_PARANOIA },
      { fixed: { source: 'body' } },
    );
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    expectLinearOnNearMatches(sstiDetector, ['{{7*', '{%', '${', '<%=', '#{', '{{', '[[7*7']);
  });
});

describePrefilter('ssti prefilter (mayBeTemplate)', {
  detector: sstiDetector,
  pre: (v: string) => mayBeTemplate(v),
  rows: ROWS,
  token: fc.constantFrom(
    '{',
    '}',
    '{{',
    '}}',
    '%',
    '<',
    '#',
    '$',
    '(',
    ')',
    '[',
    '[[',
    '_',
    '__class__',
    '7*7',
    '@',
    'new',
    'set',
    'T',
    'java.lang.Runtime',
    'freemarker',
    '.',
    'class',
    'a',
    '1',
    ' ',
  ),
});
