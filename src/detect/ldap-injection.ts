/**
 * LDAP filter injection in one value. An application that pastes a value into a search filter
 * (`(&(uid=VALUE)(objectClass=person))`) lets a value that closes the current assertion and opens
 * another rewrite the query: `*)(uid=*))(|(uid=*`, `admin)(|(password=*)`, `x)(!(cn=a`. The
 * grammar looked for is RFC 4515's: an assertion `(attr op value)` with op `=`, `~=`, `>=`,
 * `<=` (or `:=` extensible match), and the composition operators `&`, `|`, `!` (`(&)` is the
 * absolute true filter). Only a `)` that closes more than the value opened counts: a whole filter
 * pasted into a value (`(&(a=b)(c=d))`) is a search some forms take, not an injection.
 */
import type { Finding } from '../core/findings.js';
import type { DetectorOptions, InspectedValue, ValueDetector } from './types.js';

const MAX_SCAN = 16 * 1024;
const MAX_CANDIDATES = 256;
/** Lowest internal strength reported (0.5 on the engine's scale). */
const REPORT = 0.35;
/**
 * Internal strengths put 0.5 at "fires at paranoia 1"; the engine compares against 0.7 / 0.5 / 0.3
 * (detect.thresholds). This maps 0.5 to 0.7 and 0.35 to 0.5, monotonically.
 */
const toEngineScore = (s: number): number =>
  Math.round(Math.min(1, s >= 0.5 ? 0.7 + 0.6 * (s - 0.5) : 0.7 - (4 / 3) * (0.5 - s)) * 100) / 100;

const isAttrStart = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
const isAttr = (c: number): boolean => isAttrStart(c) || c === 45 || c === 46 || c === 59 || c === 95;

const isBlank = (c: number): boolean => c === 32 || c === 9;

function skipBlank(s: string, i: number): number {
  let j = i;
  while (j < s.length && j - i < 64 && isBlank(s.charCodeAt(j))) j++;
  return j;
}

/** A composition operator `&`, `|` or `!` at `j` followed by `(`, `)` (`(&)` is true) or the end. */
function composeAt(s: string, j: number): boolean {
  const c = s.charCodeAt(j);
  if (c !== 38 && c !== 124 && c !== 33) return false;
  const k = skipBlank(s, j + 1);
  return k >= s.length || s.charCodeAt(k) === 40 || s.charCodeAt(k) === 41;
}

/**
 * At `i` (just after a `(`): an assertion `attr op` or a composition `&(`, `|(`, `!(`, `(&)`.
 * Returns 'assert', 'compose' or undefined.
 */
function filterAt(s: string, i: number): 'assert' | 'compose' | undefined {
  let j = skipBlank(s, i);
  if (composeAt(s, j)) return 'compose';
  const c = s.charCodeAt(j);
  if (!isAttrStart(c)) return undefined;
  const from = j;
  while (j < s.length && j - from < 64 && isAttr(s.charCodeAt(j))) j++;
  const op = s.charCodeAt(j);
  if (op === 61 /* = */) return 'assert';
  if ((op === 126 || op === 62 || op === 60 || op === 58) && s.charCodeAt(j + 1) === 61) return 'assert';
  return undefined;
}

interface Hit {
  score: number;
  at: number;
  why: string;
}

/** Prefilter: every break-out needs a `)` and then a `(`, `&`, `|` or `!`. */
export function mayBeLdapFilter(value: string): boolean {
  const close = value.indexOf(')');
  if (close < 0) return false;
  for (let i = close + 1; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 40 || c === 38 || c === 124 || c === 33) return true;
  }
  return false;
}

function analyze(raw: string): Hit | undefined {
  const s = raw.length > MAX_SCAN ? raw.slice(0, MAX_SCAN) : raw;
  let best: Hit | undefined;
  const hit = (score: number, at: number, why: string): void => {
    if (best === undefined || score > best.score) best = { score, at, why };
  };
  let candidates = 0;
  // depth of the value's own parentheses: a `)` that takes it below zero closes a filter the
  // application opened; one that closes the value's own `(` is a whole filter's structure
  let depth = 0;
  let lastClose = -1;
  let brokeOut = false;
  for (let i = 0; i < s.length && candidates < MAX_CANDIDATES; i++) {
    const c = s.charCodeAt(i);
    if (c === 41) {
      depth--;
      lastClose = i;
      brokeOut = depth < 0;
      // `x)&(cn=a`, `x)!(sn=*`: the operator written after the break-out
      if (brokeOut && composeAt(s, skipBlank(s, i + 1))) {
        candidates++;
        const star = s.charCodeAt(i - 1) === 42;
        hit(star ? 0.9 : 0.85, i, 'LDAP filter break-out )…');
      }
      continue;
    }
    if (c !== 40) {
      if (!isBlank(c)) lastClose = -1;
      continue;
    }
    depth++;
    const kind = filterAt(s, i + 1);
    if (kind === undefined) {
      lastClose = -1;
      continue;
    }
    candidates++;
    if (lastClose >= 0 && brokeOut) {
      // `*)(`: a wildcard closing the application's assertion is the classic opener
      const star = s.charCodeAt(lastClose - 1) === 42;
      hit(star || kind === 'compose' ? 0.9 : 0.85, lastClose, 'LDAP filter break-out )(…');
    }
    lastClose = -1;
  }
  // A whole filter pasted into a value (`(&(objectClass=user)(cn=a*))`) is a search the
  // application may well take: not reported.
  return best;
}

export const ldapInjectionDetector: ValueDetector = {
  kind: 'value',
  id: 'ldap-injection',
  category: 'injection',
  compile(options: DetectorOptions): (input: InspectedValue) => Finding[] {
    void options;
    return (input) => {
      if (input.value.length < 4 || !mayBeLdapFilter(input.value)) return [];
      const best = analyze(input.value);
      if (best === undefined || best.score < REPORT) return [];
      // prose and code quote filters: only a break-out counts there
      const damp =
        input.profile === 'free-text' || input.profile === 'code' || input.profile === 'llm-message';
      const score = damp && best.score < 0.9 ? best.score - 0.45 : best.score;
      if (score < REPORT) return [];
      return [
        {
          category: 'injection',
          subtype: 'ldap-injection',
          detector: 'ldap-injection',
          severity: score < 0.5 ? 'low' : score >= 0.9 ? 'critical' : 'high',
          score: toEngineScore(score),
          location: input.location,
          fragment: input.value.slice(best.at, best.at + 120),
          message: `LDAP injection: ${best.why}`,
        },
      ];
    };
  },
};
