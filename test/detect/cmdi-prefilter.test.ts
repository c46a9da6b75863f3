import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cmdiPrefilter } from '../../src/detect/cmdi.js';
import { cmdiTopScore, expectCmdiSkipsSound } from './cmdi-helpers.js';

// The hashed fast path of the prefilter (src/detect/cmdi/prefilter.ts) against the full analysis:
// versions, extensions, case, quotes and slashes are where a hash could miss a name.

const topScore = cmdiTopScore;

describe('cmdi prefilter: hashed names', () => {
  it('keeps versioned, suffixed, quoted and mixed-case command words', () => {
    for (const v of [
      'PYTHON3.10 -c x',
      'php8 -r x',
      'Perl5.36 -e x',
      'node18 -e x',
      'CMD.EXE /c dir',
      'sudo.exe id',
      "py'thon' -c x",
      'WhoAmI',
      'Rc x.sh',
      'IPCONFIG/all',
      'x/IPCONFIG',
      "'/bin'/sh",
      'a/b/DEV/tcp/1.2.3.4/80',
      '!!',
    ])
      expect(cmdiPrefilter(v), v).toBe(0);
  });

  it('skips what no command word starts: numbers, names with digits, URLs, e-mails', () => {
    for (const v of [
      '19.99',
      'SKU-49061',
      's3cr3tSessionValue123',
      'user519@example.com',
      'https://shop.example.com/p/28736?ref=mail',
      'a=1',
      'pythonic code',
      'catalog 2024',
    ]) {
      expect(cmdiPrefilter(v), v).toBe(1);
      expect(topScore(v), v).toBe(-1);
    }
  });

  it('skips nothing the full analysis would score (generated values)', () => {
    const words = [
      ...['python', 'PYTHON3', 'python3.10', 'php8', 'perl5.3', 'java17', 'pip3', 'tclsh8.6', 'gcc-12'],
      ...['cmd.exe', 'CMD.COM', 'x.bat', 'sudo', 'time', 'rc', 'fish', 'for', 'IF', 'cat', 'id', 'ls'],
      ...['whoami', 'nc.openbsd', 'update-rc.d', 'catalog', 'ids', 'lsd', '42', '1.2', 'x', 'a.b'],
      ...['x.sh', '-c', '--version', 'install', '/etc/passwd', 'bin/', 'dev/', 'ipconfig/all', 'a/b'],
    ];
    const puncts = [' ', ' ', "'", '"', '.', '/', '=', '-', '!', '?', '#', '@', ':'];
    expectCmdiSkipsSound(words, puncts, { maxLength: 8, numRuns: 4000, seed: 7, minSkipped: 400 });
  });

  it('is linear on 1 MB of plain text', () => {
    const v = 'the customer asked about delivery '.repeat(32 * 1024);
    const t = performance.now();
    expect(cmdiPrefilter(v)).toBe(1);
    expect(performance.now() - t).toBeLessThan(50);
  });
});

describe('cmdi prefilter: absolute paths', () => {
  it('skips plain absolute paths, keeps binary, device, glob and command-named ones', () => {
    for (const v of ['/api/orders', '/api/v1/users/', '/static/app-1.2.js', '/tmp/x.sh', '/Home/Docs']) {
      expect(cmdiPrefilter(v), v).toBe(1);
      expect(topScore(v), v).toBe(-1);
    }
    for (const v of [
      '/bin/ls',
      '/usr/BIN/id',
      '/x/sbin/y',
      '/dev/tcp/1.2.3.4/80',
      '/???/??t',
      '/api/whoami',
      '/a/b.com',
    ])
      expect(cmdiPrefilter(v), v).toBe(0);
  });

  it('skips no absolute path the full analysis would score (generated paths)', () => {
    const segs = [
      'api',
      'v1',
      'bin',
      'sbin',
      'BIN',
      'usr',
      'dev',
      'tcp',
      'etc',
      'passwd',
      'whoami',
      'id',
      'x.sh',
    ];
    const more = [
      'sh',
      'cmd.exe',
      'python3',
      'orders',
      '.bashrc',
      '1.2',
      '',
      '?',
      '*',
      'a-b',
      'ls',
      'Cat',
      'nc',
    ];
    const seg = fc.constantFrom(...segs, ...more);
    let skipped = 0;
    fc.assert(
      fc.property(fc.array(seg, { minLength: 1, maxLength: 5 }), (parts) => {
        const v = `/${parts.join('/')}`;
        if (cmdiPrefilter(v) === 0) return true;
        skipped++;
        return topScore(v) === -1;
      }),
      { numRuns: 3000, seed: 11 },
    );
    expect(skipped).toBeGreaterThan(300);
  });
});
