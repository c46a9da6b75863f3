/**
 * XML external entities in one value: a DOCTYPE whose internal subset declares entities with
 * SYSTEM/PUBLIC identifiers (file://, http://, php://, expect://…), parameter entities (`%xxe;`),
 * external DTDs, entity-expansion bombs, and XInclude. A plain `<!DOCTYPE html>` (or the standard
 * XHTML public doctype) is benign. Case-insensitive linear scan of the first 64 KB.
 */
import type { Finding } from '../core/findings.js';
import type { DetectorOptions, InspectedValue, Paranoia, ValueDetector } from './types.js';

const MAX_SCAN = 64 * 1024;
const MAX_DECLS = 256;
/** Lowest internal strength reported (0.5 on the engine's scale). */
const REPORT = 0.35;
/**
 * Internal strengths put 0.5 at "fires at paranoia 1"; the engine compares against 0.7 / 0.5 / 0.3
 * (detect.thresholds). This maps 0.5 to 0.7 and 0.35 to 0.5, monotonically.
 */
const toEngineScore = (s: number): number =>
  Math.round(Math.min(1, s >= 0.5 ? 0.7 + 0.6 * (s - 0.5) : 0.7 - (4 / 3) * (0.5 - s)) * 100) / 100;

const DANGEROUS_SCHEMES = [
  'file:',
  'php:',
  'expect:',
  'jar:',
  'netdoc:',
  'gopher:',
  'data:',
  'ftp:',
  'http:',
  'https:',
];

interface Hit {
  score: number;
  at: number;
  why: string;
}

function skipSpace(s: string, i: number): number {
  let j = i;
  const limit = Math.min(s.length, i + 256);
  while (j < limit && s.charCodeAt(j) <= 32) j++;
  return j;
}

/** Reads `<!ENTITY [%] name (SYSTEM|PUBLIC "…" ["…"] | "value")` starting after `<!entity`. */
function judgeEntity(
  s: string,
  from: number,
): { score: number; why: string; parameter: boolean; refs: number } {
  let i = skipSpace(s, from);
  let parameter = false;
  if (s[i] === '%') {
    parameter = true;
    i = skipSpace(s, i + 1);
  }
  const nameLimit = Math.min(s.length, i + 128);
  while (i < nameLimit && s.charCodeAt(i) > 32 && s[i] !== '>') i++;
  i = skipSpace(s, i);
  const window = s.slice(i, i + 512);
  const end = window.indexOf('>');
  const decl = end < 0 ? window : window.slice(0, end);
  if (decl.startsWith('system') || decl.startsWith('public')) {
    const scheme = DANGEROUS_SCHEMES.find((sc) => decl.includes(sc));
    return {
      score: 0.95,
      why: `${parameter ? 'parameter ' : ''}external entity${scheme ? ` (${scheme.slice(0, -1)})` : ''}`,
      parameter,
      refs: 0,
    };
  }
  // internal entity: count references to other entities (expansion bombs)
  let refs = 0;
  for (let k = decl.indexOf('&'); k >= 0 && refs < 64; k = decl.indexOf('&', k + 1)) refs++;
  return {
    score: parameter ? 0.85 : 0.6,
    why: parameter ? 'parameter entity' : 'internal entity',
    parameter,
    refs,
  };
}

/**
 * Prefilter, derived from `analyze`: declarations and DOCTYPEs need `!`; XInclude needs
 * `:include`; the remaining signal is `schemaLocation`. U+0130 and U+212A (lower-cased to
 * ASCII) pass.
 */
const XXE_TRIGGER = /[!\u0130\u212a]|:include|schemalocation/i;
export function mayBeXxe(v: string): boolean {
  return XXE_TRIGGER.test(v);
}

function analyze(value: string, paranoia: Paranoia): Hit | undefined {
  const s = (value.length > MAX_SCAN ? value.slice(0, MAX_SCAN) : value).toLowerCase();
  let best: Hit | undefined;
  const hit = (score: number, at: number, why: string): void => {
    if (best === undefined || score > best.score) best = { score, at, why };
  };
  let entities = 0;
  let refsTotal = 0;
  let e = s.indexOf('<!entity');
  for (let n = 0; e >= 0 && n < MAX_DECLS; n++) {
    const j = judgeEntity(s, e + 8);
    entities++;
    refsTotal += j.refs;
    hit(j.score, e, j.why);
    e = s.indexOf('<!entity', e + 8);
  }
  // a declaration quoted without its `<` (a filter ate it) still names SYSTEM
  if (entities === 0) {
    const bare = s.indexOf('!entity');
    if (bare >= 0 && /^\s*%?\s*\S+\s+(system|public)/.test(s.slice(bare + 7, bare + 200))) {
      hit(0.8, bare, 'external entity declaration');
    }
  }
  if (entities >= 3 && refsTotal >= 4) hit(0.9, s.indexOf('<!entity'), 'entity expansion (billion laughs)');
  // parameter entity reference inside a DTD: `%xxe;`
  const doctype = s.indexOf('<!doctype');
  if (doctype >= 0) {
    let i = skipSpace(s, doctype + 9);
    const nameLimit = Math.min(s.length, i + 128);
    while (i < nameLimit && s.charCodeAt(i) > 32 && s[i] !== '>' && s[i] !== '[') i++;
    i = skipSpace(s, i);
    const rest = s.slice(i, i + 300);
    if (rest.startsWith('system') || rest.startsWith('public')) {
      const standardXhtml =
        rest.startsWith('public') && rest.includes('"-//w3c//dtd') && rest.includes('http://www.w3.org/');
      if (!standardXhtml) hit(0.85, doctype, 'external DTD');
    }
    const subset = s.indexOf('[', doctype);
    if (subset >= 0 && subset < doctype + 300) {
      const close = s.indexOf(']', subset);
      const body = s.slice(subset, close < 0 ? Math.min(s.length, subset + 4096) : close);
      const pct = body.indexOf('%');
      if (pct >= 0 && /^%[a-z_][\w.-]*;/.test(body.slice(pct, pct + 64)))
        hit(0.95, doctype, 'parameter entity reference');
    }
  }
  // XInclude
  const xi = s.indexOf('xi:include');
  if (xi >= 0) hit(0.9, xi, 'XInclude');
  else if (s.includes('http://www.w3.org/2001/xinclude')) {
    const inc = s.indexOf(':include');
    if (inc >= 0) hit(0.9, inc, 'XInclude');
  }
  // schema locations fetched by validating parsers (SSRF)
  const sl = s.indexOf('schemalocation');
  if (sl >= 0 && s.slice(sl, sl + 300).includes('http'))
    hit(paranoia >= 2 ? 0.55 : 0.4, sl, 'remote schema location');
  return best;
}

export const xxeDetector: ValueDetector = {
  kind: 'value',
  id: 'xxe',
  category: 'injection',
  compile(options: DetectorOptions): (input: InspectedValue) => Finding[] {
    const paranoia = options.paranoia;
    return (input) => {
      const v = input.value;
      if (v.length < 8 || (v.indexOf('!') < 0 && v.indexOf(':') < 0) || !mayBeXxe(v)) return [];
      const best = analyze(v, paranoia);
      if (best === undefined || best.score < REPORT) return [];
      return [
        {
          category: 'injection',
          subtype: 'xxe',
          detector: 'xxe',
          severity: best.score < 0.5 ? 'low' : best.score >= 0.9 ? 'critical' : 'high',
          score: toEngineScore(best.score),
          location: input.location,
          fragment: v.slice(best.at, best.at + 120),
          message: `XXE: ${best.why}`,
        },
      ];
    };
  },
};
