import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isThreat } from '../../src/core/taxonomy.js';
import { mayBeTemplate, sstiDetector } from '../../src/detect/ssti.js';
import type { ContentProfile, InspectedValue, Paranoia } from '../../src/detect/types.js';
import { expectPrefilterSound } from './helpers.js';

const THRESHOLD = { 1: 0.7, 2: 0.5, 3: 0.3 } as const;

interface Row {
  input: string;
  note?: string;
  expect: boolean;
  paranoia?: Paranoia;
  profile?: ContentProfile;
}

function fired(row: Omit<Row, 'expect'>): boolean {
  const paranoia = row.paranoia ?? 1;
  const input: InspectedValue = {
    value: row.input,
    location: 'body.$.name',
    source: 'body',
    profile: row.profile ?? 'generic',
  };
  return sstiDetector
    .compile({ paranoia })(input)
    .some((f) => f.score >= THRESHOLD[paranoia]);
}

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
    expect(fired(row)).toBe(row.expect);
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
    const arb = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(arb, fc.constantFrom<Paranoia>(1, 2, 3), (value, paranoia) => {
        for (const f of sstiDetector.compile({ paranoia })({
          value,
          location: 'x',
          source: 'body',
          profile: 'generic',
        })) {
          expect(isThreat(f.category, f.subtype)).toBe(true);
          expect(f.score).toBeGreaterThanOrEqual(0.5);
          expect(f.score).toBeLessThanOrEqual(1);
          expect((f.fragment ?? '').length).toBeLessThanOrEqual(120);
          expect(f.location).toBe('x');
        }
      }),
      { numRuns: 400 },
    );
  });

  it('stays linear on 1 MB of repeated near-matches', () => {
    const run = sstiDetector.compile({ paranoia: 3 });
    for (const unit of ['{{7*', '{%', '${', '<%=', '#{', '{{', '[[7*7']) {
      const value = unit.repeat(Math.ceil((1024 * 1024) / unit.length));
      const t0 = performance.now();
      run({ value, location: 'q', source: 'query', profile: 'generic' });
      expect(performance.now() - t0).toBeLessThan(500);
    }
  });
});

// The prefilter rejects a value before analysis only when the analysis provably finds nothing.
describe('ssti prefilter (mayBeTemplate)', () => {
  const pre = (v: string) => mayBeTemplate(v);
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
    );
    expectPrefilterSound(sstiDetector, pre, token);
  });
});
