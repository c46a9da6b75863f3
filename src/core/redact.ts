// Masks credentials and personal data in evidence before it is logged or stored. Inputs are
// short fragments (≤ a few hundred chars); every pattern is linear (no nested quantifiers).

const MASK = '****';

const RULES: [RegExp, (m: string, ...groups: string[]) => string][] = [
  // Authorization schemes.
  [
    /\b(bearer|basic|token|apikey)(\s+)[A-Za-z0-9._~+/=-]{4,}/gi,
    (_m, scheme, space) => `${scheme}${space}${MASK}`,
  ],
  // JSON web tokens.
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, () => `eyJ${MASK}`],
  // PEM private keys.
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[^-]*(-----END [A-Z ]*PRIVATE KEY-----)?/g,
    () => `-----PRIVATE KEY ${MASK}-----`,
  ],
  // Well-known key formats: keep the prefix, mask the rest.
  [
    /\b(AKIA|ASIA|ghp_|gho_|ghs_|ghu_|github_pat_|xox[abpors]-|sk_live_|rk_live_|sk-ant-|sk-proj-|sk-|AIza|glpat-|hf_)[A-Za-z0-9_-]{8,}/g,
    (_m, prefix) => `${prefix}${MASK}`,
  ],
  // key=value and "key": "value" pairs whose key names a secret.
  [
    /((?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|session|cookie|otp|authorization)["']?\s*[:=]\s*["']?)([^"'&\s,;}]{1,200})/gi,
    (_m, key) => `${key}${MASK}`,
  ],
  // Payment-card-like digit runs (13-19 digits, optional single separators): keep the last 4.
  [/\b\d(?:[ -]?\d){12,18}\b/g, (m) => (luhn(m) ? `${MASK}${m.replace(/\D/g, '').slice(-4)}` : m)],
  // Long opaque tokens with mixed letters and digits.
  [
    /\b[A-Za-z0-9+/_-]{32,}={0,2}/g,
    (m) => (/[0-9]/.test(m) && /[A-Za-z]/.test(m) ? `${m.slice(0, 4)}${MASK}` : m),
  ],
];

function luhn(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Redacts secrets and truncates to `max` characters. */
export function redact(text: string, max = 200): string {
  let out = text.length > max * 2 ? text.slice(0, max * 2) : text;
  for (const [pattern, replace] of RULES) out = out.replace(pattern, replace as (m: string) => string);
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

const SECRET_KEY = /pass|secret|token|key|credential|authorization|cookie|otp/i;

/** Deep copy of a config-like object with secret-looking values masked (for the admin API). */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  }
  if (typeof value === 'string' && SECRET_KEY.test(key) && !/file$|path$|header$/i.test(key)) return MASK;
  return value;
}
