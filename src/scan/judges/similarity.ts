// Response comparison: token-shingle similarity, used by differential checks (boolean SQLi,
// BOLA, shadow endpoints against a catch-all 404, LLM answers).

const MAX_TOKENS = 4000;

export function tokens(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length && out.length < MAX_TOKENS; i++) {
    const c = text.charCodeAt(i);
    const word = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
    if (word) cur += text[i].toLowerCase();
    else if (cur) {
      out.push(cur);
      cur = '';
    }
  }
  if (cur && out.length < MAX_TOKENS) out.push(cur);
  return out;
}

export function shingles(text: string, n = 3): Set<string> {
  const t = tokens(text);
  const out = new Set<string>();
  if (t.length < n) {
    if (t.length) out.add(t.join(' '));
    return out;
  }
  for (let i = 0; i + n <= t.length; i++) out.add(t.slice(i, i + n).join(' '));
  return out;
}

/** Jaccard similarity of word 3-shingles, in [0, 1]; two empty texts are identical. */
export function similarity(a: string, b: string, n = 3): number {
  if (a === b) return 1;
  const sa = shingles(a, n);
  const sb = shingles(b, n);
  if (sa.size === 0 && sb.size === 0) return 1;
  let inter = 0;
  for (const s of sa) if (sb.has(s)) inter++;
  return inter / (sa.size + sb.size - inter);
}

/** Removes the given random markers so that responses echoing them compare equal. */
export function stripMarkers(text: string, markers: string[]): string {
  let out = text;
  for (const m of markers) if (m) out = out.split(m).join('');
  return out;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Number of items in a list response: a top-level array or the largest array property. */
export function itemCount(json: unknown): number | undefined {
  if (Array.isArray(json)) return json.length;
  if (json && typeof json === 'object') {
    let best: number | undefined;
    for (const v of Object.values(json as Record<string, unknown>)) {
      if (Array.isArray(v) && (best === undefined || v.length > best)) best = v.length;
    }
    return best;
  }
  return undefined;
}

const DENIAL_WORDS = [
  'unauthorized',
  'unauthorised',
  'forbidden',
  'access denied',
  'permission denied',
  'not allowed',
  'not authorized',
  'authentication required',
  'login required',
  'invalid token',
  'missing token',
];

/** A 2xx answer whose body says "denied" (some APIs answer 200 with an error object). */
export function looksDenied(body: string): boolean {
  const head = body.slice(0, 600).toLowerCase();
  return DENIAL_WORDS.some((w) => head.includes(w));
}

export function randomToken(len = 8): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}
