/**
 * Server-side code injection in one value: code for an interpreter the application embeds or
 * deserializer it runs, judged by the grammar that makes it executable rather than by words.
 * - PHP: open tags followed by code, calls of command/eval/decoder functions (comments allowed
 *   before the `(`), variable functions and names assembled at run time, stream wrappers,
 *   superglobals, ini directives (php.ts); from paranoia 2, calls of PHP-only built-ins and
 *   namespaced ini directives (php-names.ts).
 * - Java and its expression languages: JDK and gadget class names, reflection chains, SpEL
 *   `T(…)`, OGNL, Groovy `.execute()`, class-loader data binding (jvm.ts).
 * - Node.js and Python module loading and process calls (script.ts).
 * - JavaScript for an evaluator or a deep merge: prototype pollution, Flight references walking
 *   the prototype chain, constant loops, evaluator probes (js.ts).
 * - Perl `@{[ … ]}` interpolation and Ruby process calls (perl-ruby.ts).
 * - Serialized objects of PHP, Java, Python, Node and .NET, YAML class tags (serialized.ts), and
 *   Java gadget and process classes named inside base64 at any offset (base64-names.ts).
 * - Uploads named as server scripts (`shell.php`, `a.jsp.`, `.htaccess`): multipart file names and
 *   `X-Filename` headers; other fields named like a file name from paranoia 2 (upload.ts).
 * Template expressions are the ssti detector's and `${jndi:…}` is log4shell's; a payload both
 * describe (SpEL inside `${…}`) may be reported by both.
 */
import type { Finding } from '../../core/findings.js';
import type { DetectorOptions, InspectedValue, ValueDetector } from '../types.js';
import { scanBase64Names } from './base64-names.js';
import { mayBeCode } from './gate.js';
import { scanJs } from './js.js';
import { scanJvm } from './jvm.js';
import type { Report } from './lex.js';
import { scanPerlRuby } from './perl-ruby.js';
import { scanPhp } from './php.js';
import { scanScript } from './script.js';
import { scanSerialized } from './serialized.js';
import { FIELD_NAME, fileNameLocation, type Hit, uploadName } from './upload.js';

export { mayBeCode };

const MAX_SCAN = 64 * 1024;
/** Lowest internal strength reported (0.5 on the engine's scale). */
const REPORT = 0.35;
/**
 * Internal strengths put 0.5 at "fires at paranoia 1"; the engine compares against 0.7 / 0.5 / 0.3
 * (detect.thresholds). This maps 0.5 to 0.7 and 0.35 to 0.5, monotonically.
 */
const toEngineScore = (s: number): number =>
  Math.round(Math.min(1, s >= 0.5 ? 0.7 + 0.6 * (s - 0.5) : 0.7 - (4 / 3) * (0.5 - s)) * 100) / 100;

// The strongest candidate of the value being analysed: one reporter for every call (analysis is
// synchronous and never re-entered), instead of a closure allocated per value.
let strongest: Hit | undefined;
const report: Report = (score, at, why) => {
  if (strongest === undefined || score > strongest.score) strongest = { score, at, why };
};

function analyze(input: InspectedValue): Hit | undefined {
  const raw = input.value.length > MAX_SCAN ? input.value.slice(0, MAX_SCAN) : input.value;
  const s = raw.toLowerCase();
  strongest = undefined;
  scanPhp(raw, s, report);
  scanJvm(raw, s, report);
  scanScript(s, report);
  scanJs(s, input.source === 'key', report);
  scanPerlRuby(s, report);
  scanSerialized(raw, s, report);
  scanBase64Names(raw, report);
  // `{"constructor": {"prototype": {…}}}`: the key `prototype` under a key `constructor` (the
  // location is read only for that key, which keeps the engine's memo for every other value)
  if (
    input.source === 'key' &&
    s === 'prototype' &&
    /[.[']constructor'?\]?[.[]'?prototype'?\]?$/i.test(input.location)
  )
    report(0.8, 0, 'constructor.prototype as a key path (prototype pollution)');
  // the location is read only for a value that could be an upload name (keeps the engine's memo)
  if (s.includes('.') || s.includes('sess_')) {
    const upload = uploadName(raw);
    if (upload !== undefined) {
      const where = fileNameLocation(input.location);
      if (where === 'upload') report(upload.score, upload.at, upload.why);
      else if (where === 'field') report(Math.min(upload.score, FIELD_NAME), upload.at, upload.why);
    }
  }
  const b = strongest as Hit | undefined;
  if (b === undefined) return undefined;
  // prose and code legitimately quote code: only unambiguous payloads count there
  if (b.score < 0.9) {
    if (input.profile === 'markup') b.score -= 0.2;
    else if (input.profile === 'code' || input.profile === 'llm-message' || input.profile === 'free-text') {
      b.score -= 0.45;
    }
  }
  return b;
}

export const codeInjectionDetector: ValueDetector = {
  kind: 'value',
  id: 'code-injection',
  category: 'injection',
  compile(options: DetectorOptions): (input: InspectedValue) => Finding[] {
    // every check is paranoia-independent: the engine's thresholds pick what is reported
    void options;
    return (input) => {
      if (input.value.length < 4 || !mayBeCode(input.value)) return [];
      const best = analyze(input);
      if (best === undefined || best.score < REPORT) return [];
      return [
        {
          category: 'injection',
          subtype: 'code-injection',
          detector: 'code-injection',
          severity: best.score < 0.5 ? 'low' : best.score >= 0.9 ? 'critical' : 'high',
          score: toEngineScore(best.score),
          location: input.location,
          fragment: input.value.slice(best.at, best.at + 120),
          message: `Code injection: ${best.why}`,
        },
      ];
    };
  },
};
