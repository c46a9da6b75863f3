/**
 * Judgments the SQLi detector (../sqli.ts) makes on the raw text before lexing: the quote-operator
 * probes that folding would merge away, quote look-alikes some databases fold into a quote, and
 * whether a long value reads as prose (then judged as free text).
 */
import type { SqliAnalysis } from '../sqli.js';

const PROBE_OPERATORS = new Set([
  '=',
  '-',
  '+',
  '*',
  '&',
  '^',
  '|',
  '%',
  '<',
  '>',
  '<>',
  '!=',
  'like',
  'or',
  'and',
  '||',
  '!',
]);

/**
 * `'='`, `'-'`, `'LIKE'`, `"&"`: a quote, one operator, the same quote — the classic login-bypass
 * probes (`WHERE user = ''-''`). Folding would merge them away, so they are judged on the raw text.
 */
export function quoteOperatorProbe(value: string): SqliAnalysis | null {
  // a trailing newline (a form field or a pasted line) does not change the probe
  const text = value.length <= 10 ? value.trimEnd() : value;
  if (text.length < 2 || text.length > 8) return null;
  if (text.length <= 4 && mixedQuotes(text))
    return { score: 0.5, rule: 'mixed-quote-probe', context: '', offset: 0 };
  const q = text[0]!;
  if ((q !== "'" && q !== '"') || text[text.length - 1] !== q) return null;
  const inner = text.slice(1, -1).trim().toLowerCase();
  return PROBE_OPERATORS.has(inner)
    ? { score: 0.5, rule: 'quote-operator-probe', context: '', offset: 0 }
    : null;
}

/** `"'`, `'"\``: quotes of two kinds and nothing else, to learn which one breaks the query. */
function mixedQuotes(text: string): boolean {
  let kinds = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 39) kinds |= 1;
    else if (c === 34) kinds |= 2;
    else if (c === 96) kinds |= 4;
    else return false;
  }
  return kinds !== 1 && kinds !== 2 && kinds !== 4;
}

const SINGLE_LOOKALIKES = '\u2018\u2019\u00b4\u02bc\uff07\u2032';
const DOUBLE_LOOKALIKES = '\u201c\u201d\uff02\u2033';

export function hasQuoteLookalike(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xb4) continue;
    if (SINGLE_LOOKALIKES.includes(text[i]!) || DOUBLE_LOOKALIKES.includes(text[i]!)) return true;
  }
  return false;
}

export function foldQuoteLookalikes(text: string): string {
  let out = '';
  for (const ch of text) {
    if (SINGLE_LOOKALIKES.includes(ch)) out += "'";
    else if (DOUBLE_LOOKALIKES.includes(ch)) out += '"';
    else out += ch;
  }
  return out;
}

/**
 * Prose: at least 200 characters, 30 words, and letters and spaces make 85% of it. Injections are
 * dense with punctuation; padding one with prose only leaves the strong breakouts judged.
 */
export function looksLikeProse(text: string): boolean {
  const n = text.length;
  if (n < 200) return false;
  let plain = 0;
  let words = 0;
  let inWord = false;
  for (let i = 0; i < n; i++) {
    const raw = text.charCodeAt(i);
    const c = raw | 32;
    const letter = c >= 97 && c <= 122;
    if (letter || raw === 32 || raw === 10 || raw === 13 || raw === 9) plain++;
    if (letter && !inWord) words++;
    inWord = letter;
  }
  return words >= 30 && plain >= n * 0.85;
}
