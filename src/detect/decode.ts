// Decoding variants of one value: what the application (or a browser, a shell, a second decoder)
// might turn it into. Detectors look at every variant, so an attack hidden behind %-encoding,
// entities, escapes, overlong UTF-8, fullwidth forms or base64 is still seen.
//
// All scanners here are hand-written and linear; the work is bounded by a budget shared by all
// values of one request, and nothing throws (a failing step just yields fewer variants).

/** Characters of decoding work still allowed for this request. Mutated as work is done. */
export interface DecodeBudget {
  remaining: number;
}

export function createDecodeBudget(chars = 1_000_000): DecodeBudget {
  return { remaining: chars };
}

/** Decode rounds at most (URL/HTML/JS decoding repeated until stable). */
const MAX_ROUNDS = 4;
/** Shortest value tried as base64. */
const MIN_BASE64 = 8;
/** Longest value tried as base64. */
const MAX_BASE64 = 64 * 1024;

const UNLIMITED: DecodeBudget = { remaining: Number.POSITIVE_INFINITY };

function spend(budget: DecodeBudget, n: number): boolean {
  if (budget.remaining < n) {
    budget.remaining = 0;
    return false;
  }
  budget.remaining -= n;
  return true;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/**
 * Decodes a run of percent-decoded bytes as UTF-8, leniently: overlong forms (`%c0%ae` → `.`,
 * `%e0%80%ae` → `.`) decode to their code point as old decoders did; bytes that form no
 * sequence are kept in their `%XX` text form so a further round leaves them alone.
 */
function utf8Lenient(bytes: number[]): string {
  let out = '';
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b0 = bytes[i];
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    }
    let need = 0;
    let cp = 0;
    if (b0 >= 0xc0 && b0 <= 0xdf) {
      need = 1;
      cp = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      cp = b0 & 0x0f;
    } else if (b0 >= 0xf0 && b0 <= 0xf7) {
      need = 3;
      cp = b0 & 0x07;
    }
    let ok = need > 0 && i + need < n;
    if (ok) {
      for (let k = 1; k <= need; k++) {
        const b = bytes[i + k];
        if (b === undefined || (b & 0xc0) !== 0x80) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (b & 0x3f);
      }
    }
    if (ok && cp <= 0x10ffff) {
      out += String.fromCodePoint(cp);
      i += need + 1;
    } else {
      out += `%${b0.toString(16).toUpperCase().padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** One round of percent-decoding: `%XX` (UTF-8, overlong-tolerant) and `%uXXXX`. Never throws. */
export function percentDecode(s: string, plusAsSpace = false): string {
  if (s.indexOf('%') === -1 && !(plusAsSpace && s.indexOf('+') !== -1)) return s;
  let out = '';
  let bytes: number[] | undefined;
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 37 && i + 2 < n) {
      const u = s.charCodeAt(i + 1);
      if ((u | 0x20) === 117 && i + 5 < n) {
        const h1 = hexVal(s.charCodeAt(i + 2));
        const h2 = hexVal(s.charCodeAt(i + 3));
        const h3 = hexVal(s.charCodeAt(i + 4));
        const h4 = hexVal(s.charCodeAt(i + 5));
        if ((h1 | h2 | h3 | h4) >= 0) {
          if (bytes) {
            out += utf8Lenient(bytes);
            bytes = undefined;
          }
          out += String.fromCharCode((h1 << 12) | (h2 << 8) | (h3 << 4) | h4);
          i += 6;
          continue;
        }
      }
      const a = hexVal(u);
      const b = i + 2 < n ? hexVal(s.charCodeAt(i + 2)) : -1;
      if (a >= 0 && b >= 0) {
        (bytes ??= []).push((a << 4) | b);
        i += 3;
        continue;
      }
    }
    if (bytes) {
      out += utf8Lenient(bytes);
      bytes = undefined;
    }
    out += plusAsSpace && c === 43 ? ' ' : s[i];
    i++;
  }
  if (bytes) out += utf8Lenient(bytes);
  return out;
}

// Named entities worth knowing for attacks (HTML5 names; matched case-insensitively).
const NAMED_ENTITIES: Record<string, string> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  sol: '/',
  bsol: '\\',
  colon: ':',
  semi: ';',
  lpar: '(',
  rpar: ')',
  equals: '=',
  tab: '\t',
  newline: '\n',
  nbsp: '\u00a0',
  excl: '!',
  num: '#',
  dollar: '$',
  percnt: '%',
  plus: '+',
  comma: ',',
  period: '.',
  quest: '?',
  commat: '@',
  lsqb: '[',
  rsqb: ']',
  lbrack: '[',
  rbrack: ']',
  lcub: '{',
  rcub: '}',
  lbrace: '{',
  rbrace: '}',
  verbar: '|',
  vert: '|',
  grave: '`',
  ast: '*',
  midast: '*',
  lowbar: '_',
  hat: '^',
  dash: '-',
  hyphen: '-',
};
/** Legacy names a browser decodes without the semicolon. */
const SEMICOLON_OPTIONAL = new Set(['lt', 'gt', 'amp', 'quot', 'nbsp']);

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** HTML character references: named subset, decimal and hex, with or without `;`. */
export function htmlDecode(s: string): string {
  let amp = s.indexOf('&');
  if (amp === -1) return s;
  let out = '';
  let last = 0;
  const n = s.length;
  while (amp !== -1) {
    let i = amp + 1;
    let decoded: string | undefined;
    if (s.charCodeAt(i) === 35 /* # */) {
      i++;
      let cp = 0;
      let digits = 0;
      if ((s.charCodeAt(i) | 0x20) === 120 /* x */) {
        i++;
        while (i < n && digits < 8) {
          const h = hexVal(s.charCodeAt(i));
          if (h < 0) break;
          cp = cp * 16 + h;
          i++;
          digits++;
        }
      } else {
        while (i < n && digits < 10) {
          const c = s.charCodeAt(i);
          if (c < 48 || c > 57) break;
          cp = cp * 10 + (c - 48);
          i++;
          digits++;
        }
      }
      if (digits > 0) {
        // Out-of-range references decode to U+FFFD in browsers; nothing to gain from them.
        decoded = cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
        if (s.charCodeAt(i) === 59) i++;
      }
    } else {
      let j = i;
      while (j < n && j - i < 12 && isAlnum(s.charCodeAt(j))) j++;
      if (j > i) {
        const name = s.slice(i, j).toLowerCase();
        const v = NAMED_ENTITIES[name];
        if (v !== undefined) {
          if (s.charCodeAt(j) === 59) {
            decoded = v;
            i = j + 1;
          } else if (SEMICOLON_OPTIONAL.has(name)) {
            decoded = v;
            i = j;
          }
        }
        if (decoded === undefined) {
          // Browsers take a legacy name that is a prefix of a longer run: `&ltscript` → `<script`.
          for (const legacy of SEMICOLON_OPTIONAL) {
            if (name.startsWith(legacy)) {
              decoded = NAMED_ENTITIES[legacy];
              i += legacy.length;
              break;
            }
          }
        }
      }
    }
    if (decoded !== undefined) {
      out += s.slice(last, amp) + decoded;
      last = i;
    }
    amp = s.indexOf('&', decoded !== undefined ? i : amp + 1);
  }
  return last === 0 ? s : out + s.slice(last);
}

/** JavaScript/JSON escapes: `\uXXXX`, `\u{X…}`, `\xXX`. Other backslashes stay. */
export function jsUnescape(s: string): string {
  let bs = s.indexOf('\\');
  if (bs === -1) return s;
  let out = '';
  let last = 0;
  const n = s.length;
  while (bs !== -1) {
    const k = s.charCodeAt(bs + 1) | 0x20;
    let decoded: string | undefined;
    let end = bs;
    if (k === 117 /* u */) {
      if (s.charCodeAt(bs + 2) === 123 /* { */) {
        let cp = 0;
        let i = bs + 3;
        let digits = 0;
        while (i < n && digits < 6) {
          const h = hexVal(s.charCodeAt(i));
          if (h < 0) break;
          cp = cp * 16 + h;
          i++;
          digits++;
        }
        if (digits > 0 && s.charCodeAt(i) === 125 && cp <= 0x10ffff) {
          decoded = String.fromCodePoint(cp);
          end = i + 1;
        }
      } else if (bs + 5 < n) {
        const h1 = hexVal(s.charCodeAt(bs + 2));
        const h2 = hexVal(s.charCodeAt(bs + 3));
        const h3 = hexVal(s.charCodeAt(bs + 4));
        const h4 = hexVal(s.charCodeAt(bs + 5));
        if ((h1 | h2 | h3 | h4) >= 0) {
          decoded = String.fromCharCode((h1 << 12) | (h2 << 8) | (h3 << 4) | h4);
          end = bs + 6;
        }
      }
    } else if (k === 120 /* x */ && bs + 3 < n) {
      const h1 = hexVal(s.charCodeAt(bs + 2));
      const h2 = hexVal(s.charCodeAt(bs + 3));
      if ((h1 | h2) >= 0) {
        decoded = String.fromCharCode((h1 << 4) | h2);
        end = bs + 4;
      }
    }
    if (decoded !== undefined) {
      out += s.slice(last, bs) + decoded;
      last = end;
      bs = s.indexOf('\\', end);
    } else {
      bs = s.indexOf('\\', bs + 1);
    }
  }
  return last === 0 ? s : out + s.slice(last);
}

function isInvisible(c: number): boolean {
  return (
    c === 0xad ||
    c === 0x180e ||
    (c >= 0x200b && c <= 0x200f) ||
    (c >= 0x2060 && c <= 0x2064) ||
    c === 0xfeff ||
    (c >= 0xfe00 && c <= 0xfe0f)
  );
}

/** NFKC (fullwidth `＜` → `<`, ligatures, compatibility forms) without invisible characters. */
export function unicodeFold(s: string): string {
  let folded = s.normalize('NFKC');
  let hasInvisible = false;
  for (let i = 0; i < folded.length; i++) {
    if (isInvisible(folded.charCodeAt(i))) {
      hasInvisible = true;
      break;
    }
  }
  if (hasInvisible) {
    let out = '';
    for (let i = 0; i < folded.length; i++) {
      const c = folded.charCodeAt(i);
      if (!isInvisible(c)) out += folded[i];
    }
    folded = out;
  }
  return folded;
}

function isBase64Char(c: number): boolean {
  return isAlnum(c) || c === 43 || c === 47 || c === 45 || c === 95;
}

// base64 alphabet (standard and URL-safe, as Buffer decodes both) → 6-bit value, -1 elsewhere.
const B64 = new Int8Array(128).fill(-1);
for (let i = 0; i < 26; i++) {
  B64[65 + i] = i;
  B64[97 + i] = 26 + i;
}
for (let i = 0; i < 10; i++) B64[48 + i] = 52 + i;
B64[43] = 62;
B64[45] = 62;
B64[47] = 63;
B64[95] = 63;

/** Reused output of the base64 fast path (synchronous use only; MAX_BASE64 chars → ¾ bytes). */
let scratch: Buffer | undefined;

/** A byte that makes `base64Text` reject: a control character other than tab/LF/CR, or DEL. */
function badAsciiByte(b: number): boolean {
  return (b < 32 && b !== 9 && b !== 10 && b !== 13) || b === 0x7f;
}

/**
 * Decodes `s[0, end)` (base64 characters only, `end % 4 !== 1`) into the scratch buffer, stopping
 * at the first byte that settles the answer. Returns the byte count n when every byte is printable
 * ASCII, -1 when the text is certainly rejected, -2 - n when non-ASCII bytes need the UTF-8
 * decoder (the n bytes are in the scratch buffer).
 * A control byte always decodes to a control character, and 0xC0, 0xC1, 0xF5–0xFF never start
 * or continue a UTF-8 sequence (they decode to U+FFFD): both are rejections either way.
 */
function base64Ascii(s: string, end: number): number {
  const need = (end >> 2) * 3 + 2;
  if (!scratch || scratch.length < need) scratch = Buffer.allocUnsafe(Math.max(need, 4096));
  const out = scratch;
  let n = 0;
  let nonAscii = false;
  const full = end - (end & 3);
  for (let i = 0; i < end; i += 4) {
    const a = B64[s.charCodeAt(i)];
    const b = B64[s.charCodeAt(i + 1)];
    const bytes = i < full ? 3 : (end & 3) - 1;
    const c = bytes >= 2 ? B64[s.charCodeAt(i + 2)] : 0;
    const d = bytes >= 3 ? B64[s.charCodeAt(i + 3)] : 0;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    for (let k = 0; k < bytes; k++) {
      const byte = (v >> (16 - 8 * k)) & 0xff;
      if (byte < 0x80) {
        if (badAsciiByte(byte)) return -1;
      } else {
        if (byte === 0xc0 || byte === 0xc1 || byte >= 0xf5) return -1;
        nonAscii = true;
      }
      out[n++] = byte;
    }
  }
  return nonAscii ? -2 - n : n;
}

/** The text a base64 (standard or URL-safe) value decodes to, when that text is printable. */
export function base64Text(s: string): string | undefined {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61 /* = */) end--;
  // (no base64 text is 1 mod 4 characters long: rejected before reading them)
  if (end < MIN_BASE64 || end > MAX_BASE64 || s.length - end > 2 || end % 4 === 1) return undefined;
  let upper = false;
  let lower = false;
  let digit = false;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!isBase64Char(c)) return undefined;
    if (c >= 65 && c <= 90) upper = true;
    else if (c >= 97 && c <= 122) lower = true;
    else digit = true;
  }
  // Plain words and numbers are not base64 worth decoding.
  if (!(upper && lower) && !(digit && (upper || lower))) return undefined;
  // Fast path: decode without allocating and stop at the first disqualifying byte (most ids,
  // hashes and tokens decode to binary). Printable ASCII reads the same as Latin-1 and UTF-8.
  const fast = base64Ascii(s, end);
  if (fast === -1) return undefined;
  if (fast >= 0) return fast === 0 ? undefined : (scratch as Buffer).toString('latin1', 0, fast);
  const text = (scratch as Buffer).toString('utf8', 0, -2 - fast);
  if (text.length === 0) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f || c === 0xfffd) return undefined;
  }
  return text;
}

function addVariant(out: string[], v: string): void {
  if (!out.includes(v)) out.push(v);
}

// One pass over a value classifies it (see scanValue): bits of VALUE_FLAGS.
/** `%`, `&` or `\\`: URL/HTML/JS decoding may change the value. */
export const HAS_ESCAPE = 1;
/** `+`: may stand for a space. */
export const HAS_PLUS = 2;
/** A character ≥ U+0080: Unicode folding may change the value. */
export const HAS_NON_ASCII = 4;
/** Only base64 characters and `=` (the value may be base64 text). */
export const BASE64_CHARS = 8;
/** Only letters, digits, `_`, `-`, space and tab. */
export const WORDS_ONLY = 16;

/** scanValue's flags of each ASCII character (triggers.ts folds them into its own table). */
export const CHAR_FLAGS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  let f = 0;
  if (c === 37 || c === 38 || c === 92) f |= HAS_ESCAPE;
  if (c === 43) f |= HAS_PLUS;
  if (isBase64Char(c) || c === 61) f |= BASE64_CHARS;
  if (isAlnum(c) || c === 95 || c === 45 || c === 32 || c === 9) f |= WORDS_ONLY;
  CHAR_FLAGS[c] = f;
}
/** Flags scanValue keeps only when every character has them. */
export const ALL_OF = BASE64_CHARS | WORDS_ONLY;
/** Flags scanValue keeps when any character has them (non-ASCII characters set HAS_NON_ASCII). */
export const ANY_OF = HAS_ESCAPE | HAS_PLUS | HAS_NON_ASCII;

/**
 * Classifies a value in one pass: the union of HAS_ESCAPE, HAS_PLUS and HAS_NON_ASCII over its
 * characters, and BASE64_CHARS / WORDS_ONLY when every character has them.
 */
export function scanValue(value: string): number {
  let any = 0;
  let all = ALL_OF;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 128) {
      const f = CHAR_FLAGS[c];
      any |= f;
      all &= f;
    } else {
      any |= HAS_NON_ASCII;
      all = 0;
    }
  }
  return (any & ANY_OF) | all;
}

/** False when no decoder can yield a variant of a value with these flags (the value is its only variant). */
export function mayDecode(value: string, flags: number): boolean {
  return (
    (flags & (HAS_ESCAPE | HAS_PLUS | HAS_NON_ASCII)) !== 0 ||
    ((flags & BASE64_CHARS) !== 0 && value.length >= MIN_BASE64)
  );
}

/**
 * The distinct strings worth inspecting for one value, the value itself first: repeated
 * URL/HTML/JS decoding (up to 4 rounds, stopping when stable), then Unicode folding of each,
 * then base64 text of the value and of its URL-decoded form. Bounded by `budget`; never throws.
 */
export function decodeVariants(value: string, budget: DecodeBudget = UNLIMITED): string[] {
  const out: string[] = [];
  decodeVariantsInto(value, scanValue(value), budget, out);
  return out;
}

/**
 * decodeVariants into a caller's array (emptied first), for a value already classified by
 * scanValue: the engine reuses one array for all values of a request.
 */
export function decodeVariantsInto(value: string, flags: number, budget: DecodeBudget, out: string[]): void {
  out.length = 0;
  out.push(value);
  const special = (flags & HAS_ESCAPE) !== 0;
  const nonAscii = (flags & HAS_NON_ASCII) !== 0;
  const hasPlus = (flags & HAS_PLUS) !== 0;
  const base64Like = (flags & BASE64_CHARS) !== 0 && value.length >= MIN_BASE64;
  if (!special && !nonAscii && !base64Like && !hasPlus) return;
  try {
    let cur = value;
    if (special) {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        if (!spend(budget, cur.length)) break;
        let next = percentDecode(cur);
        next = htmlDecode(next);
        next = jsUnescape(next);
        if (next === cur) break;
        addVariant(out, next);
        cur = next;
      }
    }
    // `+` as a space (form encoding) where the value was not form-decoded (paths, raw bodies).
    const last = out[out.length - 1];
    if (hasPlus && last.indexOf(' ') === -1 && spend(budget, last.length)) {
      addVariant(out, last.replace(/\+/g, ' '));
    }
    const decodedCount = out.length;
    for (let k = 0; k < decodedCount; k++) {
      const v = out[k];
      if ((k > 0 || nonAscii) && hasNonAscii(v) && spend(budget, v.length)) {
        const folded = unicodeFold(v);
        if (folded !== v) addVariant(out, folded);
      }
    }
    if (base64Like && spend(budget, value.length)) {
      const text = base64Text(value);
      if (text !== undefined) addDecoded(out, text, budget);
    }
    if (out.length > 1 && out[1] !== value) {
      const t = out[1].trim();
      if (t !== value && t.length >= MIN_BASE64 && spend(budget, t.length)) {
        const text = base64Text(t);
        if (text !== undefined) addDecoded(out, text, budget);
      }
    }
  } catch {
    // A decoder failing on odd input only means fewer variants.
  }
}

/**
 * A base64 payload and, when it holds escapes, the payload unescaped once: encoders are stacked
 * (`\u0077hile(true)` in base64), and one round keeps the work bounded.
 */
function addDecoded(out: string[], text: string, budget: DecodeBudget): void {
  addVariant(out, text);
  if ((scanValue(text) & HAS_ESCAPE) !== 0 && spend(budget, text.length)) {
    const next = jsUnescape(htmlDecode(percentDecode(text)));
    if (next !== text) addVariant(out, next);
  }
}

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 128) return true;
  return false;
}
