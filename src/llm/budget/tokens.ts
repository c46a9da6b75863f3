import type { Tiktoken } from 'js-tiktoken/lite';

// Token counting with js-tiktoken. Each encoder's rank table (a few MB) loads once, on first use
// (or ahead of time via `preloadEncoder`). BPE on one long piece without spaces costs quadratic
// time in js-tiktoken (10,000 letters: seconds), so runs of more than LONG_RUN non-space characters
// are estimated at one token per two characters (an over-estimate: safe for budgets).

export type EncodingName = 'cl100k_base' | 'o200k_base';

const LONG_RUN = 64;
const encoders = new Map<EncodingName, Promise<Tiktoken>>();

export function preloadEncoder(name: EncodingName): Promise<Tiktoken> {
  let enc = encoders.get(name);
  if (!enc) {
    enc = (async () => {
      const { Tiktoken } = await import('js-tiktoken/lite');
      const ranks =
        name === 'cl100k_base'
          ? (await import('js-tiktoken/ranks/cl100k_base')).default
          : (await import('js-tiktoken/ranks/o200k_base')).default;
      return new Tiktoken(ranks);
    })();
    encoders.set(name, enc);
  }
  return enc;
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** Tokens in `text` (special-token strings count as plain text, never throw). */
export function countWith(enc: Tiktoken, text: string): number {
  let total = 0;
  let from = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (isSpace(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const s = i;
    while (i < n && !isSpace(text.charCodeAt(i))) i++;
    if (i - s > LONG_RUN) {
      if (s > from) total += enc.encode(text.slice(from, s), [], []).length;
      total += Math.ceil((i - s) / 2);
      from = i;
    }
  }
  if (from < n) total += enc.encode(text.slice(from), [], []).length;
  return total;
}

export async function countTokens(name: EncodingName, text: string): Promise<number> {
  return countWith(await preloadEncoder(name), text);
}
