// Worst-case timing of the eight value detectors of set B on 1 MB of repeated near-matches.
// Run: node --import tsx bench/detect-adversarial-b.ts  → bench/results/detect-adversarial-b.json
import { writeFileSync } from 'node:fs';
import { headerInjectionDetector } from '../src/detect/header-injection.js';
import { log4shellDetector } from '../src/detect/log4shell.js';
import { nosqliDetector } from '../src/detect/nosqli.js';
import { pathTraversalDetector } from '../src/detect/path-traversal.js';
import { ssrfDetector } from '../src/detect/ssrf.js';
import { sstiDetector } from '../src/detect/ssti.js';
import type { InspectedValue, ValueDetector } from '../src/detect/types.js';
import { xssDetector } from '../src/detect/xss.js';
import { xxeDetector } from '../src/detect/xxe.js';

const MB = 1024 * 1024;
const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

/** Near-matches that make a naive scanner backtrack or rescan: each detector gets several. */
const CASES: Record<string, string[]> = {
  xss: [
    '<svg on',
    '<a x="<a x="',
    '" onx=',
    'javascript',
    '<script',
    'alert(',
    '[]!+',
    '&{',
    'url(',
    '${al',
    '</script',
  ],
  'path-traversal': ['../', '..\\', '....//', '/./', '0x2e0x2e', '..;', '/etc/', '\\\\a\\'],
  ssrf: ['http://', 'http://a@', '://[::', 'http://0x7f.', '@127.0.0.', 'http://\\', '1.'],
  nosqli: ['[$', '{"$ne', '$', 'this.', '";return'],
  ssti: ['{{7*', '{%', '${', '<%=', '#{', '{{', '[[7*7'],
  xxe: ['<!ENTITY', '<!DOCTYPE x [', '<!ENTITY % a SYSTEM', '&a;', 'xi:include'],
  'header-injection': ['\r\n', '%0d%0a', '\\r\\nSet-Cookie', '\nX-A:'],
  log4shell: ['${jndi:', '${${', '${::-j}', '$&lbrace;', '}', '${lower:${'],
};

const detectors: ValueDetector[] = [
  xssDetector,
  pathTraversalDetector,
  ssrfDetector,
  nosqliDetector,
  sstiDetector,
  xxeDetector,
  headerInjectionDetector,
  log4shellDetector,
];

const results: Record<string, { worstMs: number; worstCase: string; perCase: Record<string, number> }> = {};
for (const d of detectors) {
  const run = d.compile({ paranoia: 3 });
  const perCase: Record<string, number> = {};
  let worstMs = 0;
  let worstCase = '';
  for (const unit of CASES[d.id] ?? []) {
    const input: InspectedValue = {
      value: fill(unit),
      location: 'query.url',
      source: 'query',
      profile: 'generic',
    };
    run(input); // warm-up
    let best = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 5; k++) {
      const t0 = process.hrtime.bigint();
      run(input);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
    }
    perCase[JSON.stringify(unit)] = Math.round(best * 100) / 100;
    if (best > worstMs) {
      worstMs = best;
      worstCase = unit;
    }
  }
  results[d.id] = { worstMs: Math.round(worstMs * 100) / 100, worstCase, perCase };
  process.stdout.write(`${d.id.padEnd(18)} worst ${worstMs.toFixed(2)} ms (${JSON.stringify(worstCase)})\n`);
}
const out = {
  description:
    '1 MB of one repeated near-match per case, paranoia 3, best of 5 runs after warm-up; target < 50 ms',
  node: process.version,
  date: new Date().toISOString(),
  inputBytes: MB,
  targetMs: 50,
  results,
};
writeFileSync(
  new URL('./results/detect-adversarial-b.json', import.meta.url),
  `${JSON.stringify(out, null, 2)}\n`,
);
