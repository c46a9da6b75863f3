import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeSqli, sqliDetector } from '../../src/detect/sqli.js';
import { danglingCall } from '../../src/detect/sqli/fragment.js';
import { numberProbe } from '../../src/detect/sqli/numbers.js';
import { randomCase } from '../../src/detect/sqli/quote-fragment.js';
import { fold, lex } from '../../src/detect/sqli/lexer.js';
import { sqliCannotMatch } from '../../src/detect/sqli/prefilter.js';
import {
  expectLinearOnNearMatches,
  expectParanoiaNeverLowersScore,
  expectWellFormedUnderFuzz,
  ANY_PARANOIA,
  queryRunner,
  type Row,
} from './helpers.js';

const { fires } = queryRunner(sqliDetector);

/** Whole values that are one piece of SQL (src/detect/sqli/fragment.ts). */
const ATTACKS: Row[] = [
  // a SQL function left open: a syntax-error probe
  { input: 'group_concat(', expect: true },
  { input: 'Substring (', expect: true },
  { input: 'ifnull\\(', expect: true, note: 'junk between the name and the paren' },
  { input: 'sha2 !(', expect: true },
  { input: 'datediff||(', expect: true },
  { input: 'values (', expect: true },
  { input: 'time(\n', expect: true },
  // two literals compared, and the comparison holds
  { input: '7=7', expect: true },
  { input: '3 <> 4', expect: true },
  { input: "'x' like 'x'", expect: true },
  { input: '9 is not 8', expect: true },
  { input: "'p' not rlike 'q'", expect: true },
  { input: 'name,5=5', expect: true, note: 'a list item, then the tautology' },
  // operators and clauses missing only what the query supplies
  { input: 'IS NOT NULL', expect: true },
  { input: 'rlike', expect: true },
  { input: 'in (4, 5, 6)', expect: true },
  { input: " IN ('a', 'b')", expect: true },
  { input: 'where 2>', expect: true, note: 'a condition cut before its right operand' },
  { input: 'having sum(total) >= 100', expect: true },
  { input: ')) when 1 then', expect: true },
  { input: 'select (select', expect: true },
  { input: "VALUES (7, 'x')", expect: true },
  { input: 'union values(3)', expect: true },
  { input: 'from orders where total > 0', expect: true },
  { input: 'FROM `shop`.`orders` LIMIT 1', expect: true },
  { input: 'from items group by sku', expect: true },
  { input: ';delete', expect: true, note: 'a stacked statement cut short' },
  { input: 'truncate audit;--', expect: true },
  { input: 'alter/**/sessions', expect: true, note: 'a comment where the space was' },
  { input: 'execute sp_who2', expect: true },
  { input: 'round(x)::numeric', expect: true, note: 'PostgreSQL cast of a call' },
  { input: '\'{"k": 1}\'::jsonb', expect: true },
  { input: "'' , '' , 4", expect: true, note: 'blank placeholders of a column count' },
  { input: "'a' < 'b' = 1", expect: true, note: 'literals chained by comparisons' },
  { input: 'utl_tcp', expect: true, note: 'a name only database servers have' },
  { input: "'sqloledb'", expect: true },
  { input: '5 or-- x', expect: true, note: 'a logic word, then the query cut off' },
  // after the application's quote
  { input: "'drop x", expect: true },
  { input: '" union', expect: true },
  { input: "q'and?--", expect: true },
  { input: "' = 1 and '3", expect: true, note: 'a logic word and a string left open' },
  { input: "' = #", expect: true },
  { input: "';shutdown'", expect: true },
  { input: '"\'', expect: true, note: 'both quote kinds and nothing else' },
  // random case is how keyword filters are dodged
  { input: 'gRoUp by', expect: true },
  // numbers that break number parsers
  { input: '2.2250738585072012e-308', expect: true },
  { input: '22.250738585072011e-309', expect: true },
  { input: '-9e400', expect: true },
  // weak fragments: paranoia 2 or 3 only
  { input: 'XOR', expect: false },
  { input: 'XOR', expect: true, paranoia: 2 },
  { input: '<>', expect: false },
  { input: '<>', expect: true, paranoia: 2 },
  { input: '||', expect: false, paranoia: 2 },
  { input: '||', expect: true, paranoia: 3 },
  { input: '->', expect: true, paranoia: 3 },
  { input: 'order by', expect: false },
  { input: 'order by', expect: true, paranoia: 2 },
  { input: 'sakila', expect: false },
  { input: 'sakila', expect: true, paranoia: 2 },
  { input: '9223372036854775808', expect: false, note: '2^63: also a plain (if large) number' },
  { input: '9223372036854775808', expect: true, paranoia: 2 },
  { input: '-2147483649', expect: true, paranoia: 2 },
  { input: "'ab', 'cd', 3", expect: true, paranoia: 2 },
  { input: 'and 5', expect: true, paranoia: 2 },
];

/** Values that look like the shapes above and must stay quiet at paranoia 1. */
const BENIGN: Row[] = [
  { input: 'a||b', expect: false, paranoia: 3 },
  { input: 'Find your way -> home', expect: false, paranoia: 3 },
  { input: 'price <> 0', expect: false, paranoia: 3 },
  { input: 'in (EU, US)', expect: false, paranoia: 3 },
  { input: 'in (2020)', expect: false, paranoia: 3, note: 'one item: a year in brackets' },
  { input: 'shipped in (2021, 2022)', expect: false },
  { input: '2+2=4', expect: false },
  { input: '9=8', expect: false },
  { input: '7 is not 7', expect: false },
  { input: '=CONCAT(A1,B1)', expect: false, paranoia: 3, note: 'a spreadsheet formula: a closed call' },
  { input: 'CONCAT(A1,B1)', expect: false, note: 'a closed call is shared with spreadsheets' },
  { input: 'md5(password)', expect: false },
  { input: 'md5(', expect: false, profile: 'code', note: 'code fields hold calls' },
  { input: 'day :(', expect: false, paranoia: 3, note: 'an emoticon' },
  { input: 'Meeting time (', expect: false, paranoia: 3 },
  { input: 'Hello (', expect: false, paranoia: 3 },
  { input: 'from Paris where it is sunny', expect: false, paranoia: 3 },
  { input: 'from 9 to 5', expect: false, paranoia: 3 },
  { input: 'varchar', expect: false, paranoia: 3, note: 'a column type in a database tool' },
  { input: 'table_name', expect: false, paranoia: 3 },
  { input: 'Order By', expect: false },
  { input: 'order-by-date', expect: false, paranoia: 3 },
  { input: 'copy online card', expect: false, paranoia: 3 },
  { input: 'benchmark global models', expect: false, paranoia: 3 },
  { input: 'xor encryption', expect: false },
  { input: 'execute the plan', expect: false, paranoia: 3 },
  { input: 'exec summary', expect: false },
  { input: "'Union Jack", expect: false, paranoia: 3 },
  { input: "'drop it'", expect: false, paranoia: 3 },
  { input: "I'd like tea or 'coffee", expect: false, paranoia: 3 },
  { input: 'is true', expect: false, paranoia: 3 },
  { input: 'like', expect: false, paranoia: 3 },
  { input: '4294967295', expect: false, paranoia: 3, note: 'the largest 32-bit value: a sentinel' },
  { input: '1.5e10', expect: false, paranoia: 3 },
  { input: '12345678901', expect: false, paranoia: 3 },
  { input: "'red', 'blue'", expect: false, paranoia: 3 },
  { input: 'red, 5', expect: false, paranoia: 3 },
  { input: 'Delete me;', expect: false, paranoia: 3 },
  { input: 'drop shipping', expect: false, paranoia: 3 },
  { input: '10 or 12', expect: false, paranoia: 3 },
  { input: 'and 7 oranges', expect: false, paranoia: 3 },
  { input: 'when 5 then', expect: false, paranoia: 3 },
  { input: 'having fun', expect: false, paranoia: 3 },
  { input: 'iPhone or iPad', expect: false, paranoia: 3 },
  { input: ' I Love you <3', expect: false, paranoia: 3 },
  { input: "'16/17", expect: false, paranoia: 3, note: 'spreadsheet text prefix' },
  { input: 'Just in case (abc)', expect: false, paranoia: 3 },
];

describe('sqli fragments: table', () => {
  it.each([...ATTACKS, ...BENIGN])('$input ($profile, PL$paranoia) → $expect', (row) => {
    expect(fires(row.input, row.profile ?? 'generic', row.paranoia ?? 1), row.note ?? row.input).toBe(
      row.expect,
    );
  });

  it('higher paranoia never lowers a score', () => expectParanoiaNeverLowersScore(sqliDetector, ATTACKS));

  it('free text does not report a fragment', () => {
    for (const v of ['group_concat(', '7=7', 'in (4, 5, 6)', 'execute sp_who2'])
      expect(fires(v, 'free-text', 3), v).toBe(false);
  });

  it('the prefilter keeps every fragment of the table', () => {
    for (const row of ATTACKS)
      if (analyzeSqli(row.input, 'generic', 3) !== null)
        expect(sqliCannotMatch(row.input), row.input).toBe(false);
  });
});

describe('sqli fragments: scanners', () => {
  it('danglingCall reads only the name at the start and the junk before the paren', () => {
    expect(danglingCall('concat(')?.rule).toBe('function-probe');
    expect(danglingCall('  concat  (  ')?.rule).toBe('function-probe');
    expect(danglingCall('x concat(')).toBeNull();
    expect(danglingCall('concat(x')).toBeNull();
    expect(danglingCall('concat:(')).toBeNull();
    expect(danglingCall('concat!!!!!!!!!(')).toBeNull();
    expect(danglingCall('nosuchfunction(')).toBeNull();
  });

  it('numberProbe knows the denormal family, double overflow and integer boundaries', () => {
    expect(numberProbe('2.2250738585072011e-308')?.rule).toBe('float-denormal-dos');
    expect(numberProbe('0.22250738585072011e-307')?.rule).toBe('float-denormal-dos');
    expect(numberProbe('1e309')?.rule).toBe('float-overflow');
    expect(numberProbe('1e308')).toBeNull();
    expect(numberProbe('2147483648')?.rule).toBe('integer-overflow');
    expect(numberProbe('18446744073709551616')?.rule).toBe('integer-overflow');
    expect(numberProbe('2147483647')).toBeNull();
    expect(numberProbe('3.14')).toBeNull();
    expect(numberProbe('12e')).toBeNull();
  });

  it('randomCase flags mixed case inside a SQL word, not Title or upper case', () => {
    const toks = (v: string) => fold(lex(v, '', 64).toks);
    for (const v of ['ORder by', 'sElect', 'uNiOn']) expect(randomCase(v, toks(v)), v).toBe(true);
    for (const v of ['Order By', 'SELECT', 'union', 'McDonald'])
      expect(randomCase(v, toks(v)), v).toBe(false);
  });

  it('never throws on fuzzed fragments', () => {
    const pieces = [
      '(',
      ')',
      "'",
      '"',
      ',',
      ' ',
      '1',
      '0.5',
      'e-308',
      '=',
      '<>',
      'in',
      'concat',
      'when',
      'then',
    ];
    pieces.push(
      'having',
      'from',
      'where',
      'limit',
      '`t`',
      '.',
      ';',
      '--',
      'null',
      'is',
      'not',
      '::',
      'jsonb',
    );
    expectWellFormedUnderFuzz(
      sqliDetector,
      {
        value: fc.array(fc.constantFrom(...pieces), { maxLength: 16 }).map((a) => a.join('')),
        profile: fc.constantFrom('generic', 'identifier', 'url', 'free-text'),
        paranoia: ANY_PARANOIA,
      },
      {
        fixed: { location: 'query.q', source: 'query' },
        numRuns: 400,
        subtype: 'sqli',
        requireFragment: true,
      },
    );
  });
});

describe('sqli fragments: adversarial input', () => {
  it.each([
    'concat(',
    'md5\\(',
    '1=1 ',
    "' ', ",
    'in (1,',
    '<>',
    'from `a`.`b` limit ',
    'having count(x) > 1 ',
    ') when 1 then ',
    "'alter a",
    '2.2250738585072011e-308',
    'ORder by ',
  ])('1 MB of %j completes quickly', (unit) => {
    expectLinearOnNearMatches(sqliDetector, [unit], { where: { location: 'query.q' } });
  });
});
