// Secrets, personal data and internals in responses. Linear scanners and anchored simple
// regexes only: response bodies are attacker-influenced.

export interface LeakMatch {
  kind: 'secret' | 'pii' | 'sensitive-field' | 'stack-trace' | 'sql-error';
  label: string;
  fragment: string;
}

const SECRET_PATTERNS: { label: string; re: RegExp }[] = [
  { label: 'AWS access key id', re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { label: 'private key', re: /-----BEGIN (RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----/ },
  { label: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{36}\b/ },
  { label: 'Slack token', re: /\bxox[baprs]-[A-Za-z0-9-]{10,72}\b/ },
  { label: 'Stripe secret key', re: /\b[sr]k_live_[A-Za-z0-9]{20,99}\b/ },
  { label: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { label: 'OpenAI API key', re: /\bsk-(proj-)?[A-Za-z0-9_-]{32,164}\b/ },
  { label: 'Anthropic API key', re: /\bsk-ant-[A-Za-z0-9_-]{32,128}\b/ },
  {
    label: 'database URL with password',
    re: /\b(postgres(ql)?|mysql|mongodb(\+srv)?|redis|amqp):\/\/[^\s:@/"']{1,64}:[^\s@/"']{1,64}@/,
  },
];

// compared after normalisation (`passwordHash`, `password-hash`, `PASSWORD_HASH` → `passwordhash`)
const SENSITIVE_FIELDS = new Set(
  [
    'password',
    'passwd',
    'password_hash',
    'passwordhash',
    'hashed_password',
    'pwd',
    'secret',
    'client_secret',
    'api_key',
    'apikey',
    'private_key',
    'secret_key',
    'aws_secret_access_key',
    'ssn',
    'social_security_number',
    'credit_card',
    'card_number',
    'cardnumber',
    'cvv',
    'cvc',
    'mfa_secret',
    'otp_secret',
    'totp_secret',
  ].map((k) => k.replace(/_/g, '')),
);

const STACK_MARKERS = [
  'traceback (most recent call last)',
  'exception in thread "',
  'at java.',
  'at org.springframework',
  'at system.',
  'at microsoft.',
  'node:internal/',
  '.js:',
  'stack trace:',
  'goroutine 1 [running]',
  'panic: ',
  'fatal error: ',
  'on line <b>',
];

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

/** Card numbers: runs of 13–19 digits (spaces/dashes allowed) that pass Luhn and a known prefix. */
export function findCards(text: string): string[] {
  const out: string[] = [];
  let run = '';
  let raw = '';
  const flush = () => {
    if (run.length >= 13 && run.length <= 19 && /^(4|5[1-5]|3[47]|6011|2[2-7])/.test(run) && luhnValid(run))
      out.push(raw.trim());
    run = '';
    raw = '';
  };
  for (let i = 0; i < text.length && out.length < 5; i++) {
    const c = text[i];
    if (c >= '0' && c <= '9') {
      run += c;
      raw += c;
    } else if ((c === ' ' || c === '-') && run.length > 0 && run.length < 19) raw += c;
    else flush();
  }
  flush();
  return out;
}

function isStackTrace(lower: string): string | undefined {
  for (const m of STACK_MARKERS) {
    const at = lower.indexOf(m);
    if (at < 0) continue;
    if (m === '.js:') {
      // "    at fn (/srv/app/x.js:12:7)" — require the "at " frame shape nearby
      const lineStart = lower.lastIndexOf('\n', at) + 1;
      const line = lower.slice(Math.max(lineStart, at - 200), at + 20);
      if (/\bat [^\n]{0,160}\.js:\d+:\d+/.test(line) || /\bat \/[^\s]{1,150}\.js:\d+/.test(line)) return m;
      continue;
    }
    if (m === 'at system.' || m === 'at java.') {
      if (lower.indexOf('exception', Math.max(0, at - 400)) >= 0) return m;
      continue;
    }
    return m;
  }
  return undefined;
}

function digitCount(s: string): number {
  let n = 0;
  for (const c of s) if (c >= '0' && c <= '9') n++;
  return n;
}

/** `****1234`, `xxxx-xxxx`, `[REDACTED]`, `null`… */
export function isMasked(s: string): boolean {
  let masks = 0;
  for (const c of s) if (c === '*' || c === '•' || c === '#') masks++;
  if (masks >= 3) return true;
  if (/x{4}/i.test(s)) return true;
  return /^(null|none|redacted|hidden|\[redacted\]|\[filtered\]|<redacted>)$/i.test(s.trim());
}

function normField(k: string): string {
  return k.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Walks JSON for keys that name secrets with a non-empty value (`ignore`: normalised names). */
export function sensitiveFields(json: unknown, ignore: Set<string> = new Set()): string[] {
  const found: string[] = [];
  let budget = 2000;
  const walk = (v: unknown, depth: number) => {
    if (budget-- <= 0 || depth > 8 || !v || typeof v !== 'object' || found.length >= 5) return;
    if (Array.isArray(v)) {
      for (const x of v.slice(0, 20)) walk(x, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const key = normField(k);
      if (SENSITIVE_FIELDS.has(key) && !ignore.has(key) && (typeof x === 'string' || typeof x === 'number')) {
        const s = String(x);
        if (
          s.length >= 3 &&
          !isMasked(s) &&
          !(/card|cvv|cvc/.test(key) && digitCount(s) < (key.includes('card') ? 12 : 3))
        )
          if (!found.includes(k)) found.push(k);
      }
      walk(x, depth + 1);
    }
  };
  walk(json, 0);
  return found;
}

export function findLeaks(
  body: string,
  json: unknown,
  opts: { ignoreFields?: Set<string> } = {},
): LeakMatch[] {
  const out: LeakMatch[] = [];
  const text = body.slice(0, 300_000);
  for (const p of SECRET_PATTERNS) {
    const m = p.re.exec(text);
    if (m) out.push({ kind: 'secret', label: p.label, fragment: m[0].slice(0, 24) });
  }
  for (const card of findCards(text)) out.push({ kind: 'pii', label: 'payment card number', fragment: card });
  if (json !== undefined) {
    for (const f of sensitiveFields(json, opts.ignoreFields)) {
      out.push({ kind: 'sensitive-field', label: `field "${f}"`, fragment: f });
    }
  }
  const st = isStackTrace(text.toLowerCase());
  if (st) out.push({ kind: 'stack-trace', label: 'stack trace', fragment: st });
  return out;
}
