/**
 * Log4Shell (CVE-2021-44228) and Log4j lookup injection: `${jndi:ldap://…}` in any of the spellings
 * Log4j itself resolves. Nested lookups are evaluated the way Log4j's StrSubstitutor would, with a
 * bounded stack machine: `${lower:J}`, `${upper:j}`, `${::-j}` and `${env:X:-j}` (default values),
 * `${date:'j'}`, `$${…}` escapes, and brace residues a decoder may leave (`$&lbrace;`, `$\u007b`).
 * Other lookups that read the environment (`${env:…}`, `${sys:…}`, `${java:…}`…) count from
 * paranoia 2: they exfiltrate secrets through any log line, without JNDI.
 */
import type { Finding } from '../core/findings.js';
import type { DetectorOptions, InspectedValue, Paranoia, ValueDetector } from './types.js';

const MAX_SCAN = 64 * 1024;
const MAX_DEPTH = 16;
const MAX_PASSES = 4;
/** Lowest internal strength reported (0.5 on the engine's scale). */
const REPORT = 0.35;
/**
 * Internal strengths put 0.5 at "fires at paranoia 1"; the engine compares against 0.7 / 0.5 / 0.3
 * (detect.thresholds). This maps 0.5 to 0.7 and 0.35 to 0.5, monotonically.
 */
const toEngineScore = (s: number): number =>
  Math.round(Math.min(1, s >= 0.5 ? 0.7 + 0.6 * (s - 0.5) : 0.7 - (4 / 3) * (0.5 - s)) * 100) / 100;

const JNDI_PROTOCOLS = ['ldap', 'ldaps', 'rmi', 'dns', 'iiop', 'http', 'https', 'corba', 'nds', 'nis', 'jms'];
const DATA_LOOKUPS = [
  'env',
  'sys',
  'java',
  'ctx',
  'main',
  'spring',
  'k8s',
  'docker',
  'web',
  'bundle',
  'base64',
  'jvmrunargs',
  'log4j',
  'sd',
  'map',
  'marker',
  'event',
];

const BRACE_RESIDUES = [
  '&lbrace;',
  '&lcub;',
  '&lbrace',
  '&lcub',
  '\\u007b',
  '%7b',
  '&#123;',
  '&#x7b;',
  '\\x7b',
];

/** `$&lbrace;`, `$\u007b`, `$%7b`, `$&#123;` → `${` (left when decoding stopped one layer short). */
function foldBraces(s: string): string {
  if (!s.includes('$') || (!s.includes('&') && !s.includes('\\') && !s.includes('%'))) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) === 36) {
      const rest = s.slice(i + 1, i + 10).toLowerCase();
      const residue = BRACE_RESIDUES.find((r) => rest.startsWith(r));
      if (residue !== undefined) {
        out += '${';
        i += residue.length;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

interface Evaluation {
  text: string;
  lookups: Set<string>;
}

/** Resolves one lookup body the way Log4j would, keeping `${jndi:…}` visible in the output. */
function resolveLookup(body: string, lookups: Set<string>): string {
  const lower = body.toLowerCase();
  const trimmed = lower.trimStart();
  if (trimmed.startsWith('jndi:')) {
    lookups.add('jndi');
    return `\${${body}}`;
  }
  const colon = body.indexOf(':');
  const prefix = colon >= 0 ? lower.slice(0, colon).trim() : '';
  if (prefix) lookups.add(prefix);
  const dflt = body.indexOf(':-');
  if (dflt >= 0) return body.slice(dflt + 2);
  if (prefix === 'lower') return body.slice(colon + 1).toLowerCase();
  if (prefix === 'upper') return body.slice(colon + 1).toUpperCase();
  if (prefix === 'date') return body.slice(colon + 1).replace(/'/g, '');
  // an unknown or data lookup resolves to something we cannot know: keep nothing
  return '';
}

/** One pass of a stack machine over `${…}`; depth and length bounded. */
function evaluateOnce(s: string, lookups: Set<string>): string {
  const stack: string[] = [''];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 36 && s.charCodeAt(i + 1) === 123 && stack.length < MAX_DEPTH) {
      stack.push('');
      i++;
      continue;
    }
    if (c === 125 && stack.length > 1) {
      const body = stack.pop() as string;
      stack[stack.length - 1] += resolveLookup(body, lookups);
      continue;
    }
    stack[stack.length - 1] += s[i];
  }
  // unterminated lookups: keep their text so that `${jndi:ldap://x` (truncated) still shows
  let out = stack[0];
  for (let k = 1; k < stack.length; k++) out += `\${${stack[k]}`;
  return out;
}

export function evaluateLookups(value: string): Evaluation {
  const lookups = new Set<string>();
  let text = foldBraces(value.length > MAX_SCAN ? value.slice(0, MAX_SCAN) : value);
  for (let pass = 0; pass < MAX_PASSES && text.includes('${'); pass++) {
    const next = evaluateOnce(text, lookups);
    if (next === text) break;
    text = next;
    // `${jndi:` kept literally by resolveLookup stops further change
    if (lookups.has('jndi')) break;
  }
  return { text, lookups };
}

interface Hit {
  score: number;
  why: string;
}

/** Prefilter: a lookup (or a brace residue `foldBraces` turns into one) starts with `$` then `{`, `&`, `\\` or `%`. */
export function mayBeLookup(value: string): boolean {
  let i = value.indexOf('$');
  while (i >= 0) {
    const c = value.charCodeAt(i + 1);
    if (c === 123 || c === 38 || c === 92 || c === 37) return true;
    i = value.indexOf('$', i + 1);
  }
  return false;
}

function analyze(value: string, paranoia: Paranoia): Hit | undefined {
  // `${`, `$&`, `$\\`, `$%` and the nested forms below are symbols only: lower-casing (which the
  // original check did) never changes them, so they are looked for in the value itself
  if (!mayBeLookup(value)) return undefined;
  const quick = value;
  const { text, lookups } = evaluateLookups(value);
  const t = text.toLowerCase();
  const at = t.indexOf('${jndi:');
  if (at >= 0 || lookups.has('jndi')) {
    const rest = at >= 0 ? t.slice(at + 7, at + 40).trimStart() : '';
    const proto = JNDI_PROTOCOLS.find((p) => rest.startsWith(`${p}:`));
    return { score: proto ? 0.98 : 0.9, why: proto ? `JNDI lookup (${proto})` : 'JNDI lookup' };
  }
  // JNDI spelled out with lookups but not starting the body (`${j${::-n}di:`): look in the text
  if (t.includes('jndi:') && lookups.size > 0) return { score: 0.9, why: 'obfuscated JNDI lookup' };
  const data = DATA_LOOKUPS.filter((l) => lookups.has(l));
  if (data.length > 0) {
    return { score: paranoia >= 2 ? 0.65 : 0.4, why: `Log4j lookup \${${data[0]}:…}` };
  }
  // nested lookup machinery without a known target: obfuscation
  if (lookups.has('lower') || lookups.has('upper') || lookups.has('')) {
    if (quick.includes('${${') || quick.includes('${::-')) return { score: 0.6, why: 'nested Log4j lookups' };
  }
  return undefined;
}

export const log4shellDetector: ValueDetector = {
  kind: 'value',
  id: 'log4shell',
  category: 'injection',
  compile(options: DetectorOptions): (input: InspectedValue) => Finding[] {
    const paranoia = options.paranoia;
    return (input) => {
      if (input.value.length < 4) return [];
      const best = analyze(input.value, paranoia);
      if (best === undefined || best.score < REPORT) return [];
      const at = Math.max(0, input.value.indexOf('$'));
      return [
        {
          category: 'injection',
          subtype: 'code-injection',
          detector: 'log4shell',
          severity: best.score < 0.5 ? 'low' : best.score >= 0.9 ? 'critical' : 'high',
          score: toEngineScore(best.score),
          location: input.location,
          fragment: input.value.slice(at, at + 120),
          message: `Log4Shell: ${best.why}`,
        },
      ];
    };
  },
};
