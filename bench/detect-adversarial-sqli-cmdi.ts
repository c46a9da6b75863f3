// Worst-case timing of the sqli and cmdi value detectors on 1 MB of repeated near-matches, plus
// throughput on short realistic values.
// Run: node --import tsx bench/detect-adversarial-sqli-cmdi.ts  → bench/results/detect-adversarial-sqli-cmdi.json
import { writeFileSync } from 'node:fs';
import { cmdiDetector } from '../src/detect/cmdi.js';
import { sqliDetector } from '../src/detect/sqli.js';
import type { ContentProfile, InspectedValue, ValueDetector } from '../src/detect/types.js';

const MB = 1024 * 1024;
const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

/** Near-matches that would make a naive scanner backtrack, rescan or recurse. */
const CASES: Record<string, string[]> = {
  sqli: [
    "' or 1=",
    '/*',
    '/*!',
    '((((',
    "'",
    '"',
    ' union select',
    '; select ',
    'sleep(',
    ' and (select',
    '-- \n',
    '#\n',
    'case when ',
    "')) or ((('",
    '1,',
    '0x',
    '@@',
    '`',
  ],
  cmdi: [
    '$(',
    '`',
    '; cat ',
    '|id',
    '${IFS',
    '$IFS',
    '${',
    '{cat,',
    '/???/',
    '\\c\\a\\t',
    "c'a't ",
    '& for %a in (',
    '() {',
    '<(',
    '&&',
    '\n',
  ],
};
const PROFILES: ContentProfile[] = ['generic', 'free-text', 'identifier'];

const detectors: ValueDetector[] = [sqliDetector, cmdiDetector];
const results: Record<string, { worstMs: number; worstCase: string; perCase: Record<string, number> }> = {};
for (const d of detectors) {
  const run = d.compile({ paranoia: 3 });
  const perCase: Record<string, number> = {};
  let worstMs = 0;
  let worstCase = '';
  for (const unit of CASES[d.id] ?? []) {
    for (const profile of PROFILES) {
      const input: InspectedValue = { value: fill(unit), location: 'query.q', source: 'query', profile };
      run(input); // warm-up
      let best = Number.POSITIVE_INFINITY;
      for (let k = 0; k < 5; k++) {
        const t0 = process.hrtime.bigint();
        run(input);
        best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
      }
      const key = `${JSON.stringify(unit)} ${profile}`;
      perCase[key] = Math.round(best * 100) / 100;
      if (best > worstMs) {
        worstMs = best;
        worstCase = key;
      }
    }
  }
  results[d.id] = { worstMs: Math.round(worstMs * 100) / 100, worstCase, perCase };
  process.stdout.write(`${d.id.padEnd(6)} worst ${worstMs.toFixed(2)} ms (${worstCase})\n`);
}

// Throughput on short values (a mix of benign and attack shapes).
const SHORT = [
  'john.doe@example.com',
  "O'Brien",
  '1-800-555-0199',
  'Please select one option or the other',
  "1' or '1'='1",
  '-1 union select 1,2,3--',
  '; cat /etc/passwd',
  '$(whoami)',
  'c/ caridad s/n',
  '2024-01-31',
  'https://example.com/a?b=c&d=e',
  'The quick brown fox jumps over the lazy dog',
];
const throughput: Record<string, number> = {};
for (const d of detectors) {
  const run = d.compile({ paranoia: 1 });
  const inputs: InspectedValue[] = SHORT.map((value) => ({
    value,
    location: 'query.q',
    source: 'query',
    profile: 'generic',
  }));
  const N = 200_000;
  for (let k = 0; k < 20_000; k++) run(inputs[k % inputs.length]!);
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < N; k++) run(inputs[k % inputs.length]!);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  throughput[d.id] = Math.round(N / s);
  process.stdout.write(`${d.id.padEnd(6)} ${throughput[d.id]} values/s (short values)\n`);
}

writeFileSync(
  new URL('./results/detect-adversarial-sqli-cmdi.json', import.meta.url),
  `${JSON.stringify(
    {
      description:
        '1 MB of one repeated near-match per case and profile, paranoia 3, best of 5 runs after warm-up; target < 50 ms. ' +
        'valuesPerSecond: paranoia 1, generic profile, a mix of 12 short benign and attack values.',
      node: process.version,
      date: new Date().toISOString(),
      inputBytes: MB,
      targetMs: 50,
      results,
      valuesPerSecond: throughput,
    },
    null,
    2,
  )}\n`,
);
