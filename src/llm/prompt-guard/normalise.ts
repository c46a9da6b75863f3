// Layer 1: normalisation. Everything here is a single linear pass over bounded input.
//
// - strips and counts invisible / format characters (zero-width, bidi controls, the Unicode tag
//   block); tag characters that spell ASCII are decoded so the hidden text can be scanned too;
// - NFKC (full-width and compatibility forms → ASCII);
// - `fold`: lower case, diacritics removed, Cyrillic/Greek look-alikes → Latin, whitespace collapsed;
// - `skeleton`: `fold` plus leetspeak (1→i, 3→e, 4→a, 0→o, 5→s, 7→t, @→a, $→s) and l→i, used
//   only by the heuristic cue matcher (its lexicon goes through the same function);
// - `decodeSegments`: base64 / hex runs that decode to readable text, and a rot13 view (bounded).

export interface Normalised {
  /** NFKC text without invisible characters. */
  text: string;
  /** How many invisible / format characters were removed. */
  invisible: number;
  /** ASCII smuggled in Unicode tag characters (U+E0020–U+E007E), decoded; '' when none. */
  tagText: string;
}

/** True for the zero-width, bidi-control, word-joiner and tag characters we strip. */
export function isInvisible(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    cp === 0xfeff ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    (cp >= 0xe0000 && cp <= 0xe007f) ||
    cp === 0x00ad ||
    cp === 0x180e ||
    cp === 0x034f
  );
}

export function normalise(input: string): Normalised {
  let invisible = 0;
  let tagText = '';
  let out = '';
  let start = 0;
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    let cp = c;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = input.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    if (isInvisible(cp)) {
      if (i > start) out += input.slice(start, i);
      invisible++;
      if (cp >= 0xe0020 && cp <= 0xe007e) tagText += String.fromCharCode(cp - 0xe0000);
      start = i + width;
    }
    i += width - 1;
  }
  if (start === 0) out = input;
  else if (start < n) out += input.slice(start);
  // NFKC only when there is something outside ASCII (cheap test first).
  let ascii = true;
  for (let i = 0; i < out.length; i++) {
    if (out.charCodeAt(i) > 0x7e) {
      ascii = false;
      break;
    }
  }
  return { text: ascii ? out : out.normalize('NFKC'), invisible, tagText };
}

// Look-alikes that NFKC leaves alone. Cyrillic and Greek letters that render like Latin ones.
const HOMOGLYPHS: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ɡ: 'g',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  γ: 'y',
  ı: 'i',
  ß: 'ss',
};

const foldCache = new Map<number, string>();
function foldChar(c: number): string {
  const hit = foldCache.get(c);
  if (hit !== undefined) return hit;
  const lower = String.fromCharCode(c).toLowerCase();
  let r = HOMOGLYPHS[lower];
  if (r === undefined) {
    // Drop combining marks after canonical decomposition (é → e).
    const d = lower.normalize('NFD');
    r = '';
    for (let i = 0; i < d.length; i++) {
      const k = d.charCodeAt(i);
      if (k < 0x300 || k > 0x36f) r += d[i];
    }
  }
  if (foldCache.size < 4096) foldCache.set(c, r);
  return r;
}

/**
 * Lower case, diacritics and look-alikes folded, runs of whitespace → one space, trimmed.
 * Linear: built-in lower-casing, one callback per non-ASCII character, one whitespace pass.
 */
export function fold(text: string): string {
  let s = text.toLowerCase();
  if (NON_ASCII.test(s)) s = s.replace(NON_ASCII_G, (ch) => foldChar(ch.charCodeAt(0)));
  return s.replace(WHITESPACE_G, ' ').trim();
}
const NON_ASCII = /[^\x00-\x7f]/;
const NON_ASCII_G = /[^\x00-\x7f]/g;
const WHITESPACE_G = /\s+/g;

const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'i',
  l: 'i',
};

const skeletonCache = new Map<string, string>();

/** Leet / l→i folding of one word; applied to text words and to the cue lexicon alike. */
export function skeletonWord(word: string): string {
  const hit = skeletonCache.get(word);
  if (hit !== undefined) return hit;
  let plain = true;
  for (let i = 0; i < word.length; i++) {
    if (LEET[word[i]!] !== undefined) {
      plain = false;
      break;
    }
  }
  if (plain) return word;
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const ch = word[i]!;
    out += LEET[ch] ?? ch;
  }
  if (word.length <= 32) {
    if (skeletonCache.size >= 50_000) skeletonCache.clear();
    skeletonCache.set(word, out);
  }
  return out;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 64 || c === 36 || c > 127;
}

/**
 * Words of folded text for cue matching: letters and digits (plus @ and $ inside a word) form a
 * word; a word with at least one letter gets leet folding; runs of ≥ 4 one-letter words
 * ("i g n o r e") are joined. Bounded by `maxWords`.
 */
export function skeletonWords(folded: string, maxWords = 50_000): string[] {
  const words: string[] = [];
  let i = 0;
  const n = folded.length;
  while (i < n && words.length < maxWords) {
    const c = folded.charCodeAt(i);
    if (!isWordChar(c) && !(c === 33 || c === 124)) {
      i++;
      continue;
    }
    let j = i;
    while (j < n) {
      const d = folded.charCodeAt(j);
      // '!' and '|' only count as letters inside a word.
      if (
        isWordChar(d) ||
        ((d === 33 || d === 124) && j > i && j + 1 < n && isWordChar(folded.charCodeAt(j + 1)))
      )
        j++;
      else break;
    }
    if (j === i) {
      i++;
      continue;
    }
    const raw = folded.slice(i, j);
    let hasLetter = false;
    for (let k = 0; k < raw.length; k++) {
      const d = raw.charCodeAt(k);
      if ((d >= 97 && d <= 122) || d > 127) {
        hasLetter = true;
        break;
      }
    }
    words.push(hasLetter ? skeletonWord(raw) : raw);
    i = j;
  }
  // Join spelled-out words: i g n o r e → ignore.
  const joined: string[] = [];
  let k = 0;
  while (k < words.length) {
    let m = k;
    while (m < words.length && words[m]!.length === 1) m++;
    if (m - k >= 4) {
      joined.push(words.slice(k, m).join(''));
      k = m;
    } else {
      joined.push(words[k]!);
      k++;
    }
  }
  return joined;
}

export function rot13(text: string, maxChars: number): string {
  const n = Math.min(text.length, maxChars);
  let out = '';
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) out += String.fromCharCode(((c - 97 + 13) % 26) + 97);
    else if (c >= 65 && c <= 90) out += String.fromCharCode(((c - 65 + 13) % 26) + 65);
    else out += text[i];
  }
  return out;
}

export interface DecodedSegment {
  encoding: 'base64' | 'hex';
  text: string;
}

const B64 = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=')
  B64[ch.charCodeAt(0)] = 1;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Mostly printable text with some letters and spaces: what an encoded instruction decodes to. */
export function isReadable(s: string): boolean {
  if (s.length < 8) return false;
  let printable = 0;
  let letters = 0;
  let spaces = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 10 || c === 13 || c === 9) printable++;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
    if (c === 32) spaces++;
  }
  return printable / s.length > 0.95 && letters / s.length > 0.6 && spaces > 0;
}

/**
 * Finds base64 and hex runs (≥ 16 chars) and keeps those that decode to readable text.
 * At most `maxSegments` segments and `maxChars` characters of encoded input are decoded.
 */
export function decodeSegments(text: string, maxSegments = 8, maxChars = 16_384): DecodedSegment[] {
  const out: DecodedSegment[] = [];
  let budget = maxChars;
  const n = text.length;
  let i = 0;
  while (i < n && out.length < maxSegments && budget > 0) {
    const c = text.charCodeAt(i);
    if (c >= 128 || B64[c] === 0) {
      i++;
      continue;
    }
    let j = i;
    let allHex = true;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d < 128 && B64[d] === 1) {
        if (allHex && !isHex(d)) allHex = false;
        j++;
      } else break;
    }
    const len = j - i;
    if (len >= 16) {
      const run = text.slice(i, i + Math.min(len, budget));
      budget -= run.length;
      if (allHex && run.length % 2 === 0) {
        const decoded = Buffer.from(run, 'hex').toString('latin1');
        if (isReadable(decoded)) out.push({ encoding: 'hex', text: decoded });
      } else {
        const decoded = Buffer.from(
          run.replace(/[-_]/g, (m) => (m === '-' ? '+' : '/')),
          'base64',
        ).toString('latin1');
        if (isReadable(decoded)) out.push({ encoding: 'base64', text: decoded });
      }
    }
    i = j;
  }
  return out;
}
