import { type PiiKind, SECRET_KIND_IDS } from '../../config/sections/llm.js';
import { cardValid, entropy, IBAN_LENGTHS, ibanValid, ninoPrefixValid, ssnValid } from './checks.js';

// Hand-written linear scanners for personal data and secrets (no regexes on model or user text).
// Each scanner walks the text once; candidates are confirmed by checksums (Luhn, mod-97) or by the
// fixed shape of a key format.

export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
}

export const SECRET_KINDS: ReadonlySet<PiiKind> = new Set<PiiKind>(SECRET_KIND_IDS);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isAlnum = (c: number) => isDigit(c) || isUpper(c) || isLower(c);
/** Characters of API keys and tokens: letters, digits, `_` and `-`. */
const isKeyChar = (c: number) => isAlnum(c) || c === 95 || c === 45;
const isB64Char = (c: number) => isKeyChar(c) || c === 43 || c === 47 || c === 61;

type KeyBody = 'alnum' | 'upper-alnum' | 'key' | 'word';
interface KeyFormat {
  kind: PiiKind;
  prefix: string;
  body: KeyBody;
  min: number;
  max: number;
}

/** Well-known key formats; longer prefixes first so `sk-ant-` wins over `sk-`. */
const KEY_FORMATS: KeyFormat[] = [
  ...['AKIA', 'ASIA', 'AGPA', 'AIDA', 'AROA', 'ANPA', 'ANVA', 'AIPA'].map(
    (prefix): KeyFormat => ({ kind: 'aws-access-key', prefix, body: 'upper-alnum', min: 16, max: 16 }),
  ),
  { kind: 'github-token', prefix: 'github_pat_', body: 'word', min: 60, max: 255 },
  ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'].map(
    (prefix): KeyFormat => ({ kind: 'github-token', prefix, body: 'alnum', min: 36, max: 255 }),
  ),
  ...['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xoxs-', 'xoxe-'].map(
    (prefix): KeyFormat => ({ kind: 'slack-token', prefix, body: 'key', min: 10, max: 255 }),
  ),
  ...['sk_live_', 'rk_live_', 'sk_test_', 'rk_test_'].map(
    (prefix): KeyFormat => ({ kind: 'stripe-key', prefix, body: 'alnum', min: 16, max: 255 }),
  ),
  { kind: 'anthropic-key', prefix: 'sk-ant-', body: 'key', min: 32, max: 255 },
  ...['sk-proj-', 'sk-svcacct-', 'sk-admin-', 'sk-'].map(
    (prefix): KeyFormat => ({ kind: 'openai-key', prefix, body: 'key', min: 20, max: 255 }),
  ),
  { kind: 'google-api-key', prefix: 'AIza', body: 'key', min: 35, max: 35 },
];

const BODY_TEST: Record<KeyBody, (c: number) => boolean> = {
  alnum: isAlnum,
  'upper-alnum': (c) => isUpper(c) || isDigit(c),
  key: isKeyChar,
  word: (c) => isAlnum(c) || c === 95,
};

const SECRET_WORDS = ['key', 'token', 'secret', 'password', 'passwd', 'pwd', 'credential', 'auth', 'bearer'];

export type PiiScanner = (text: string) => PiiMatch[];

/** Builds a scanner for the given kinds; matches come back sorted and without overlaps. */
export function compilePiiScanner(kinds: readonly PiiKind[]): PiiScanner {
  const want = new Set(kinds);
  const formats = KEY_FORMATS.filter((f) => want.has(f.kind));
  const byFirst = new Map<number, KeyFormat[]>();
  for (const f of formats) {
    const c = f.prefix.charCodeAt(0);
    byFirst.set(c, [...(byFirst.get(c) ?? []), f]);
  }
  const digits = want.has('card') || want.has('phone') || want.has('us-ssn');
  return (text) => {
    const out: PiiMatch[] = [];
    if (want.has('email')) scanEmail(text, out);
    if (digits) scanDigitRuns(text, want, out);
    if (want.has('ip')) scanIpv4(text, out);
    if (want.has('iban') || want.has('uk-nino')) scanUpperIds(text, want, out);
    if (byFirst.size > 0 || want.has('jwt') || want.has('private-key') || want.has('high-entropy'))
      scanSecrets(text, byFirst, want, out);
    return dedupe(out);
  };
}

function dedupe(matches: PiiMatch[]): PiiMatch[] {
  if (matches.length < 2) return matches;
  matches.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PiiMatch[] = [];
  for (const m of matches) {
    const last = out[out.length - 1];
    if (last && m.start < last.end) continue;
    out.push(m);
  }
  return out;
}

const isLocalChar = (c: number) => isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
const isDomainChar = (c: number) => isAlnum(c) || c === 46 || c === 45;

function scanEmail(text: string, out: PiiMatch[]): void {
  let at = text.indexOf('@');
  while (at !== -1) {
    let s = at;
    while (s > 0 && at - s < 64 && isLocalChar(text.charCodeAt(s - 1))) s--;
    let e = at + 1;
    while (e < text.length && e - at < 254 && isDomainChar(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--; // trailing '.'
    const domain = text.slice(at + 1, e);
    const dot = domain.lastIndexOf('.');
    const tld = dot === -1 ? '' : domain.slice(dot + 1);
    if (s < at && dot > 0 && tld.length >= 2 && /^[A-Za-z]+$/.test(tld) && !domain.includes('..'))
      out.push({ kind: 'email', start: s, end: e });
    at = text.indexOf('@', Math.max(e, at + 1));
  }
}

/**
 * Runs of digit groups separated by single spaces or hyphens (`4111 1111 1111 1111`,
 * `123-45-6789`, `+44 20 7946 0958`, `(555) 123-4567`), judged as card, SSN or phone.
 */
function scanDigitRuns(text: string, want: Set<PiiKind>, out: PiiMatch[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const paren = c === 40 && i + 4 < n && isDigit(text.charCodeAt(i + 1)) && text.charCodeAt(i + 4) === 41;
    if (!isDigit(c) && !paren) {
      i++;
      continue;
    }
    const prev = i > 0 ? text.charCodeAt(i - 1) : 32;
    if (isAlnum(prev) || prev === 46 || prev === 95) {
      const from = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (i === from) i++;
      continue;
    }
    const start = i;
    const groups: number[] = [];
    let digits = '';
    let sep = -1;
    let mixedSep = false;
    if (paren) {
      let k = i + 1;
      while (k < i + 4 && isDigit(text.charCodeAt(k))) k++;
      if (k !== i + 4) {
        i++;
        continue;
      }
      digits += text.slice(i + 1, i + 4);
      groups.push(3);
      i += 5;
      if (text.charCodeAt(i) === 32) i++;
      sep = 45;
    }
    while (i < n) {
      const g = i;
      while (i < n && isDigit(text.charCodeAt(i)) && digits.length < 40) {
        digits += text[i];
        i++;
      }
      if (i === g) break;
      groups.push(i - g);
      const s = text.charCodeAt(i);
      if ((s === 32 || s === 45) && isDigit(text.charCodeAt(i + 1))) {
        if (sep !== -1 && sep !== s && !paren) mixedSep = true;
        if (!paren) sep = s;
        i++;
        continue;
      }
      break;
    }
    let end = i;
    // A run glued to letters or followed by a decimal part is not an identifier.
    const next = end < n ? text.charCodeAt(end) : 32;
    if (digits.length >= 40) {
      // Far too long for any identifier: skip the whole run, separators included.
      while (i < n && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 32 || text.charCodeAt(i) === 45))
        i++;
      continue;
    }
    if (isAlnum(next) || (next === 46 && isDigit(text.charCodeAt(end + 1)))) {
      while (i < n && (isAlnum(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i++;
      continue;
    }
    const plus = start > 0 && text.charCodeAt(start - 1) === 43;
    const kind = judgeDigits(digits, groups, plus, paren, mixedSep, want);
    if (kind) {
      const s = plus ? start - 1 : start;
      while (end > s && !isDigit(text.charCodeAt(end - 1))) end--;
      out.push({ kind, start: s, end });
    }
  }
}

function judgeDigits(
  digits: string,
  groups: number[],
  plus: boolean,
  paren: boolean,
  mixedSep: boolean,
  want: Set<PiiKind>,
): PiiKind | undefined {
  const shape = groups.join('-');
  if (plus) return want.has('phone') && digits.length >= 8 && digits.length <= 15 ? 'phone' : undefined;
  if (paren) return want.has('phone') && (shape === '3-3-4' || shape === '3-7') ? 'phone' : undefined;
  if (mixedSep) return undefined;
  if (want.has('card') && (groups.length === 1 || groups.every((g) => g >= 3)) && cardValid(digits))
    return 'card';
  if (want.has('us-ssn') && shape === '3-2-4' && ssnValid(digits)) return 'us-ssn';
  if (want.has('phone') && shape === '3-3-4') return 'phone';
  return undefined;
}

function scanIpv4(text: string, out: PiiMatch[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (
      !isDigit(text.charCodeAt(i)) ||
      (i > 0 && (isAlnum(text.charCodeAt(i - 1)) || text.charCodeAt(i - 1) === 46))
    ) {
      i++;
      continue;
    }
    const start = i;
    let octets = 0;
    let ok = true;
    while (octets < 4) {
      const g = i;
      while (i < n && isDigit(text.charCodeAt(i)) && i - g < 4) i++;
      const len = i - g;
      if (len === 0 || len > 3 || Number(text.slice(g, i)) > 255 || (len > 1 && text.charCodeAt(g) === 48)) {
        ok = false;
        break;
      }
      octets++;
      if (octets < 4) {
        if (text.charCodeAt(i) !== 46) {
          ok = false;
          break;
        }
        i++;
      }
    }
    const next = i < n ? text.charCodeAt(i) : 32;
    if (ok && !isAlnum(next) && !(next === 46 && isDigit(text.charCodeAt(i + 1))))
      out.push({ kind: 'ip', start, end: i });
    while (i < n && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i++;
    if (i === start) i++;
  }
}

/** IBANs (`DE89 3704 0044 0532 0130 00`) and UK NI numbers (`QQ 12 34 56 C`). */
function scanUpperIds(text: string, want: Set<PiiKind>, out: PiiMatch[]): void {
  const n = text.length;
  for (let i = 0; i + 3 < n; i++) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    if (!isUpper(a) || !isUpper(b) || (i > 0 && isAlnum(text.charCodeAt(i - 1)))) continue;
    if (want.has('iban') && isDigit(text.charCodeAt(i + 2)) && isDigit(text.charCodeAt(i + 3))) {
      const len = IBAN_LENGTHS[text.slice(i, i + 2)];
      if (len) {
        let k = i;
        let compact = '';
        while (k < n && compact.length < len) {
          const c = text.charCodeAt(k);
          if (isUpper(c) || isDigit(c)) {
            compact += text[k];
            k++;
          } else if (c === 32 && compact.length % 4 === 0 && k + 1 < n && isAlnum(text.charCodeAt(k + 1)))
            k++;
          else break;
        }
        if (compact.length === len && (k >= n || !isAlnum(text.charCodeAt(k))) && ibanValid(compact)) {
          out.push({ kind: 'iban', start: i, end: k });
          i = k - 1;
          continue;
        }
      }
    }
    if (want.has('uk-nino') && ninoPrefixValid(text[i], text[i + 1])) {
      let k = i + 2;
      let count = 0;
      while (k < n && count < 6) {
        const c = text.charCodeAt(k);
        if (isDigit(c)) {
          count++;
          k++;
        } else if (c === 32 && count % 2 === 0) k++;
        else break;
      }
      if (count !== 6) continue;
      if (text.charCodeAt(k) === 32) k++;
      const s = text.charCodeAt(k);
      if (s >= 65 && s <= 68 && (k + 1 >= n || !isAlnum(text.charCodeAt(k + 1)))) {
        out.push({ kind: 'uk-nino', start: i, end: k + 1 });
        i = k;
      }
    }
  }
}

function scanSecrets(
  text: string,
  byFirst: Map<number, KeyFormat[]>,
  want: Set<PiiKind>,
  out: PiiMatch[],
): void {
  const n = text.length;
  const jwt = want.has('jwt');
  const pem = want.has('private-key');
  const generic = want.has('high-entropy');
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (pem && c === 45 && text.startsWith('-----BEGIN ', i)) {
      const head = text.indexOf('-----', i + 11);
      if (head !== -1 && head - i < 80 && text.slice(i + 11, head).endsWith('PRIVATE KEY')) {
        const endMark = text.indexOf('-----END ', head + 5);
        const close = endMark === -1 ? -1 : text.indexOf('-----', endMark + 9);
        const stop = close === -1 ? Math.min(n, head + 5 + 16_384) : close + 5;
        out.push({ kind: 'private-key', start: i, end: stop });
        i = stop;
        continue;
      }
    }
    if (!isB64Char(c) || (i > 0 && isB64Char(text.charCodeAt(i - 1)))) {
      i++;
      continue;
    }
    // Start of a token: find where it ends.
    let e = i;
    while (e < n && isKeyChar(text.charCodeAt(e))) e++;
    let matched = false;
    for (const f of byFirst.get(c) ?? []) {
      if (!text.startsWith(f.prefix, i)) continue;
      let k = i + f.prefix.length;
      const test = BODY_TEST[f.body];
      while (k < n && test(text.charCodeAt(k)) && k - i - f.prefix.length <= f.max) k++;
      const len = k - i - f.prefix.length;
      if (len >= f.min && len <= f.max && (k >= n || !isKeyChar(text.charCodeAt(k)))) {
        out.push({ kind: f.kind, start: i, end: k });
        matched = true;
        e = k;
      }
      break;
    }
    if (!matched && jwt && c === 101 && text.startsWith('eyJ', i)) {
      const end = jwtEnd(text, i);
      if (end > 0) {
        out.push({ kind: 'jwt', start: i, end });
        matched = true;
        e = end;
      }
    }
    if (!matched && generic) {
      let g = i;
      while (g < n && isB64Char(text.charCodeAt(g)) && g - i <= 256) g++;
      const len = g - i;
      if (len >= 20 && len <= 256 && (g >= n || !isB64Char(text.charCodeAt(g))) && looksSecret(text, i, g)) {
        out.push({ kind: 'high-entropy', start: i, end: g });
        e = g;
      }
    }
    i = Math.max(e, i + 1);
  }
}

/** `header.payload.signature`, header and payload base64url JSON (`eyJ`). */
function jwtEnd(text: string, i: number): number {
  const n = text.length;
  let k = i;
  const part = () => {
    const s = k;
    while (k < n && (isAlnum(text.charCodeAt(k)) || text.charCodeAt(k) === 45 || text.charCodeAt(k) === 95))
      k++;
    return k - s;
  };
  if (part() < 10 || text.charCodeAt(k) !== 46) return -1;
  k++;
  if (!text.startsWith('eyJ', k) || part() < 10 || text.charCodeAt(k) !== 46) return -1;
  k++;
  part();
  return k;
}

/** A high-entropy token named as a secret just before it (`api_key = "…"`, `Bearer …`). */
function looksSecret(text: string, s: number, e: number): boolean {
  let upper = false;
  let lower = false;
  let digit = false;
  for (let k = s; k < e; k++) {
    const c = text.charCodeAt(k);
    if (isUpper(c)) upper = true;
    else if (isLower(c)) lower = true;
    else if (isDigit(c)) digit = true;
  }
  if (!(upper && lower && digit)) return false;
  const before = text.slice(Math.max(0, s - 32), s).toLowerCase();
  if (!SECRET_WORDS.some((w) => before.includes(w))) return false;
  return entropy(text.slice(s, e)) >= 4;
}
