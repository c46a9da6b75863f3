/**
 * CRLF / HTTP header injection and response splitting in one value: a line break (raw CR/LF, or
 * the `%0d%0a`, `\r\n`, `\u000a` residues a decoder left) followed by a header line
 * (`Set-Cookie:`, `Location:`, any `Name: value`), a second HTTP message (`HTTP/1.1 200`), or an
 * empty line and a body. Values bound for headers or redirects (header/query/cookie sources, URL
 * fields) are judged on any header-like line; free text (a JSON "description" with paragraphs)
 * only when the next line is a header that changes the response.
 */
import type { Finding } from '../core/findings.js';
import type { DetectorOptions, InspectedValue, ValueDetector } from './types.js';

const MAX_SCAN = 64 * 1024;
const MAX_BREAKS = 256;
/** Lowest internal strength reported (0.5 on the engine's scale). */
const REPORT = 0.35;
/**
 * Internal strengths put 0.5 at "fires at paranoia 1"; the engine compares against 0.7 / 0.5 / 0.3
 * (detect.thresholds). This maps 0.5 to 0.7 and 0.35 to 0.5, monotonically.
 */
const toEngineScore = (s: number): number =>
  Math.round(Math.min(1, s >= 0.5 ? 0.7 + 0.6 * (s - 0.5) : 0.7 - (4 / 3) * (0.5 - s)) * 100) / 100;

/** Headers whose injection changes security or the response itself. */
const SENSITIVE_HEADERS = new Set([
  'set-cookie',
  'location',
  'content-type',
  'content-length',
  'transfer-encoding',
  'content-security-policy',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'x-xss-protection',
  'refresh',
  'link',
  'cookie',
  'host',
  'authorization',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-original-url',
  'x-rewrite-url',
  'content-disposition',
  'cache-control',
  'connection',
  'upgrade',
  'x-frame-options',
  'strict-transport-security',
]);
const URL_FIELDS = [
  'url',
  'uri',
  'redirect',
  'return',
  'next',
  'location',
  'callback',
  'continue',
  'dest',
  'goto',
  'target',
];

interface Hit {
  score: number;
  at: number;
  why: string;
}

/** Positions just after each line break (raw or as an escape residue). */
function lineStarts(s: string): { at: number; next: number }[] {
  const out: { at: number; next: number }[] = [];
  const lower = s.toLowerCase();
  for (let i = 0; i < s.length && out.length < MAX_BREAKS; i++) {
    const c = s.charCodeAt(i);
    let len = 0;
    if (c === 13 || c === 10) len = 1;
    else if (c === 92 && (lower[i + 1] === 'r' || lower[i + 1] === 'n')) len = 2;
    else if (c === 37 && (lower.startsWith('0d', i + 1) || lower.startsWith('0a', i + 1))) len = 3;
    else if (c === 92 && (lower.startsWith('u000d', i + 1) || lower.startsWith('u000a', i + 1))) len = 6;
    if (len === 0) continue;
    // swallow the rest of a CRLF pair in the same spelling
    let j = i + len;
    while (j < s.length && j - i < 12) {
      const d = s.charCodeAt(j);
      if (d === 13 || d === 10) j++;
      else if (d === 92 && (lower[j + 1] === 'r' || lower[j + 1] === 'n')) j += 2;
      else if (d === 37 && (lower.startsWith('0d', j + 1) || lower.startsWith('0a', j + 1))) j += 3;
      else break;
    }
    out.push({ at: i, next: j });
    i = j - 1;
  }
  return out;
}

/** `Name: value` at `i`: returns the lower-case header name or undefined. */
function headerName(s: string, i: number): string | undefined {
  let j = i;
  while (j < s.length && j - i <= 40) {
    const c = s.charCodeAt(j) | 0x20;
    if ((c >= 97 && c <= 122) || (s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) || s.charCodeAt(j) === 45)
      j++;
    else break;
  }
  if (j - i < 2 || s.charCodeAt(j) !== 58) return undefined;
  return s.slice(i, j).toLowerCase();
}

/**
 * Prefilter: every line break `lineStarts` recognises begins with CR, LF, `\\` or `%`. A value
 * without any of the four has no break, so `analyze` finds nothing (one pass, no allocation).
 */
const LINE_BREAK_START = /[\r\n\\%]/;
export function mayHaveLineBreak(s: string): boolean {
  return LINE_BREAK_START.test(s);
}

function analyze(input: InspectedValue): Hit | undefined {
  const s = input.value.length > MAX_SCAN ? input.value.slice(0, MAX_SCAN) : input.value;
  const breaks = lineStarts(s);
  if (breaks.length === 0) return undefined;
  const loc = (input.location ?? '').toLowerCase();
  const headerBound =
    input.source === 'header' ||
    input.source === 'cookie' ||
    input.source === 'query' ||
    input.source === 'path' ||
    input.source === 'key' ||
    input.profile === 'url' ||
    URL_FIELDS.some((f) => loc.endsWith(f) || loc.includes(`.${f}`));
  const prose = input.profile === 'free-text' || input.profile === 'llm-message' || input.profile === 'code';
  let best: Hit | undefined;
  const hit = (score: number, at: number, why: string): void => {
    if (best === undefined || score > best.score) best = { score, at, why };
  };
  for (const b of breaks) {
    let i = b.next;
    while (i < s.length && i - b.next < 4 && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
    const rest = s.slice(i, i + 16).toLowerCase();
    if (rest.startsWith('http/1.') || rest.startsWith('http/2')) {
      hit(0.9, b.at, 'a second HTTP response (response splitting)');
      continue;
    }
    if (
      /^(get|post|head|put|delete|options|patch|connect|trace) +\S/.test(rest) &&
      /http\/\d/i.test(s.slice(i, i + 300))
    ) {
      hit(0.85, b.at, 'a second HTTP request line (request smuggling)');
      continue;
    }
    // an indented line continues the previous header (obs-fold) and is how code, YAML and prose
    // lay out `key: value` pairs; outside values bound for a header or redirect (where a lenient
    // server might trim it), a new header must start at the line's first character
    if (!headerBound && i > b.next) continue;
    const name = headerName(s, i);
    if (name !== undefined) {
      const sensitive = SENSITIVE_HEADERS.has(name);
      // `Name:` followed by nothing or by another break is not a usable header
      const after = s
        .slice(i + name.length + 1, i + name.length + 12)
        .replace(/^(\s|%20)+/i, '')
        .toLowerCase();
      const empty = after.length === 0 || /^(%0[ad]|\\[rn]|[\r\n])/.test(after);
      let score: number;
      if (sensitive) score = headerBound ? 0.9 : prose ? 0.55 : 0.75;
      else if (name.startsWith('x-') || name.includes('-')) score = headerBound ? 0.75 : prose ? 0.3 : 0.45;
      // `Note: …`, `Subject: …`, `Browser: …` on a new line is how people write multi-line text;
      // a plain name counts only in a value bound for a header or redirect, at any paranoia
      else score = headerBound ? 0.65 : 0.2;
      if (empty) score = Math.min(score, 0.45);
      hit(score, b.at, `line break then header ${name}:`);
      continue;
    }
    // CRLF CRLF then markup: a body injected after the headers
    if (
      headerBound &&
      b.next - b.at >= 2 &&
      (rest.startsWith('<html') || rest.startsWith('<script') || rest.startsWith('<!doctype'))
    ) {
      hit(0.8, b.at, 'empty line then a body (response splitting)');
    }
  }
  // a query, cookie or header name never contains a line break; a body key can (chunk framing
  // or a newline-terminated form body read as one), and no server copies it into a header
  if (input.source === 'key' && !loc.startsWith('body') && /[\r\n]/.test(s))
    hit(0.6, breaks[0].at, 'line break in a name');
  return best;
}

export const headerInjectionDetector: ValueDetector = {
  kind: 'value',
  id: 'header-injection',
  category: 'injection',
  // Paranoia does not change what this detector reports: a line break then a header is either a
  // header injection where the value is bound for a header, or how people write text elsewhere.
  compile(_options: DetectorOptions): (input: InspectedValue) => Finding[] {
    return (input) => {
      if (input.value.length < 4 || !mayHaveLineBreak(input.value)) return [];
      const best = analyze(input);
      if (best === undefined || best.score < REPORT) return [];
      return [
        {
          category: 'injection',
          subtype: 'header-injection',
          detector: 'header-injection',
          severity: best.score < 0.5 ? 'low' : best.score >= 0.8 ? 'high' : 'medium',
          score: toEngineScore(best.score),
          location: input.location,
          fragment: input.value.slice(best.at, best.at + 120),
          message: `Header injection: ${best.why}`,
        },
      ];
    };
  },
};
