import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeCmdi, cmdiDetector } from '../../src/detect/cmdi.js';
import { lexShell } from '../../src/detect/cmdi/lexer.js';
import { separatorProbe } from '../../src/detect/cmdi/probe.js';
import { expectLinearOnNearMatches, THRESHOLD } from './helpers.js';

/** Whether the value is reported at paranoia 1 in a generic field. */
const reportedAtPl1 = (v: string) => (analyzeCmdi(v, 'generic', 1)?.score ?? 0) >= THRESHOLD[1];

describe('cmdi: a separator then one command (./cmdi/probe.ts)', () => {
  it.each([
    { input: ';id', expect: true },
    { input: '| id', expect: true },
    { input: '||ps', expect: true },
    { input: '&&  top', expect: true, note: 'a word that is a command only in command position' },
    { input: '; ;shutdown', expect: true, note: 'separators repeated' },
    { input: ';Shutdown', expect: true, note: 'case folded' },
    { input: ' ;uptime', expect: true, note: 'leading blank' },
    // benign look-alikes
    { input: 'id', expect: false, note: 'a lone word is an ordinary value (sort=id)' },
    { input: 'top', expect: false },
    { input: ';name', expect: false, note: 'no command' },
    { input: '; charset', expect: false },
    { input: '&id', expect: false, note: 'a leading & starts entities and query strings' },
    { input: '\nid', expect: false, note: 'a textarea with a blank first line' },
    { input: '| top | 10 |', expect: false, note: 'a text table' },
    { input: ';w', expect: false, note: 'one letter' },
    { input: ';top news of the day', expect: false, note: 'prose after it is judged by the full analysis' },
    { input: '; more than enough', expect: false },
    { input: 'a;top', expect: false, note: 'not at the start' },
  ])('$input → $expect', (row) => {
    expect(reportedAtPl1(row.input), row.note ?? row.input).toBe(row.expect);
  });

  it('never throws and only fires on a separator-led value', () => {
    expect(separatorProbe('+;vol', lexShell('+;vol', 64).toks)).not.toBeNull();
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (v) => {
        const hit = separatorProbe(v, lexShell(v, 64).toks);
        // the lexer reads `+` as a blank, as a form decoder would (`+;vol` is ` ;vol`)
        if (hit !== null) expect(/^[\s+;|&]/.test(v), v).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('is linear on near-matches', () => {
    expectLinearOnNearMatches(cmdiDetector, [';', ';id', '|| ', '&&top '], {
      maxMs: 50,
      warmUp: true,
      tries: 3,
    });
  });
});

describe('cmdi: a path rooted at a Windows environment variable (./cmdi/args.ts)', () => {
  it.each([
    { input: '| type %SystemDrive%\\config.ini', expect: true },
    { input: '" | type %SystemDrive%\\config.ini | "', expect: true },
    { input: '& copy %TEMP%\\x.exe %APPDATA%\\y.exe', expect: true },
    // benign look-alikes
    { input: '50% off, 20%/month', expect: false },
    { input: 'save 10%\\day', expect: false },
    { input: 'type %SystemDrive%\\config.ini into the box', expect: false, note: 'no separator: prose' },
  ])('$input → $expect', (row) => {
    expect(reportedAtPl1(row.input), row.note ?? row.input).toBe(row.expect);
  });
});
