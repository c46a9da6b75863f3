// Verbatim-overlap leak detector: the longest common substring between a completion and a
// secret (system prompt, access code), after normalising both sides the same way — lower case,
// NFKC, whitespace and punctuation dropped — so "S e c r e t-Code" still matches "secretcode".
// A suffix automaton of the secret is built once (O(m)); the output is streamed through it
// (O(n)), so the same matcher works chunk by chunk on a streamed completion with O(1) carried
// state plus a short fragment window.

export interface OverlapMatch {
  /** Length of the match in normalised characters. */
  overlap: number;
  /** Share of the normalised secret that the match covers, 0..1. */
  coverage: number;
  /** The matching stretch of the output as it was written (≤ 120 chars). */
  fragment: string;
}

export interface OverlapOptions {
  /** A match must cover at least this many normalised characters (or the whole secret, when shorter). Default 20. */
  minChars?: number;
  /** Secrets shorter than this (normalised) are never matched: too many chance hits. Default 4. */
  minSecretChars?: number;
}

const MAX_SECRET_CHARS = 64 * 1024;
const FRAGMENT_WINDOW = 240;

function isKept(ch: string, code: number): boolean {
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 97 && code <= 122);
  return /[\p{L}\p{N}\p{S}]/u.test(ch);
}

/** Normalises one code point to zero or more kept characters. */
function normChar(cp: string): string {
  const code = cp.codePointAt(0)!;
  if (code < 128) {
    const lower = code >= 65 && code <= 90 ? code + 32 : code;
    return isKept('', lower) ? String.fromCharCode(lower) : '';
  }
  const n = cp.normalize('NFKC').toLowerCase();
  let out = '';
  for (const ch of n) if (isKept(ch, ch.codePointAt(0)!)) out += ch.length === 1 ? ch : ch;
  return out;
}

/** The normalised form used on both sides (exported for tests and callers that precompute). */
export function normaliseForOverlap(text: string): string {
  let out = '';
  for (const cp of text) out += normChar(cp);
  return out;
}

/** Suffix automaton over UTF-16 code units of the normalised secret. */
class SuffixAutomaton {
  private readonly next: Array<Map<number, number>> = [new Map()];
  private readonly link: number[] = [-1];
  private readonly len: number[] = [0];
  private last = 0;

  constructor(s: string) {
    for (let i = 0; i < s.length; i++) this.extend(s.charCodeAt(i));
  }

  private extend(c: number): void {
    const cur = this.len.length;
    this.len.push(this.len[this.last]! + 1);
    this.link.push(0);
    this.next.push(new Map());
    let p = this.last;
    while (p !== -1 && !this.next[p]!.has(c)) {
      this.next[p]!.set(c, cur);
      p = this.link[p]!;
    }
    if (p === -1) this.link[cur] = 0;
    else {
      const q = this.next[p]!.get(c)!;
      if (this.len[p]! + 1 === this.len[q]) this.link[cur] = q;
      else {
        const clone = this.len.length;
        this.len.push(this.len[p]! + 1);
        this.link.push(this.link[q]!);
        this.next.push(new Map(this.next[q]!));
        while (p !== -1 && this.next[p]!.get(c) === q) {
          this.next[p]!.set(c, clone);
          p = this.link[p]!;
        }
        this.link[q] = clone;
        this.link[cur] = clone;
      }
    }
    this.last = cur;
  }

  /** One matching step: from (state, length) reading c. */
  step(state: number, length: number, c: number): [number, number] {
    let v = state;
    let l = length;
    while (v !== 0 && !this.next[v]!.has(c)) {
      v = this.link[v]!;
      l = this.len[v]!;
    }
    const t = this.next[v]!.get(c);
    if (t === undefined) return [0, 0];
    return [t, l + 1];
  }
}

export interface OverlapTracker {
  /** Feeds the next chunk of output; returns a match when one reaches the threshold in this chunk. */
  push(chunk: string): OverlapMatch | undefined;
  /** Best match seen so far (whether or not it was reported). */
  best(): OverlapMatch | undefined;
}

/**
 * Streaming matcher. Keeps the automaton state, the current match length, a pending high
 * surrogate and the last FRAGMENT_WINDOW original characters with their normalised offsets.
 */
export function createOverlapTracker(secretText: string, opts: OverlapOptions = {}): OverlapTracker {
  const secret = normaliseForOverlap(secretText.slice(0, MAX_SECRET_CHARS));
  const minSecret = opts.minSecretChars ?? 4;
  const threshold = Math.min(opts.minChars ?? 20, secret.length);
  const usable = secret.length >= minSecret && threshold > 0;
  const sam = usable ? new SuffixAutomaton(secret) : undefined;
  let state = 0;
  let length = 0;
  let pending = '';
  // Original characters with the normalised position each one ends at (for fragments).
  let window = '';
  let windowEnds: number[] = [];
  let normPos = 0;
  let bestMatch: OverlapMatch | undefined;

  function fragmentFor(matchLen: number): string {
    // Walk back until the normalised start of the match is covered.
    const start = normPos - matchLen;
    let k = windowEnds.length - 1;
    while (k > 0 && windowEnds[k - 1]! > start) k--;
    return window.slice(k).trim().slice(0, 120);
  }

  function feedCp(cp: string): number {
    const n = normChar(cp);
    let maxLen = 0;
    for (let i = 0; i < n.length; i++) {
      [state, length] = sam!.step(state, length, n.charCodeAt(i));
      normPos++;
      if (length > maxLen) maxLen = length;
    }
    window += cp;
    for (let i = 0; i < cp.length; i++) windowEnds.push(normPos);
    if (window.length > FRAGMENT_WINDOW * 2) {
      window = window.slice(-FRAGMENT_WINDOW);
      windowEnds = windowEnds.slice(-FRAGMENT_WINDOW);
    }
    return maxLen;
  }

  return {
    push(chunk: string): OverlapMatch | undefined {
      if (!sam || chunk.length === 0) return undefined;
      let text = pending + chunk;
      pending = '';
      const lastCode = text.charCodeAt(text.length - 1);
      if (lastCode >= 0xd800 && lastCode <= 0xdbff) {
        pending = text.slice(-1);
        text = text.slice(0, -1);
      }
      let found: OverlapMatch | undefined;
      for (const cp of text) {
        const l = feedCp(cp);
        if (l >= threshold && (!found || l > found.overlap)) {
          found = { overlap: l, coverage: l / secret.length, fragment: fragmentFor(l) };
        }
      }
      if (found && (!bestMatch || found.overlap > bestMatch.overlap)) bestMatch = found;
      return found;
    },
    best: () => bestMatch,
  };
}

/**
 * Longest normalised overlap between `output` and `secretText`, when it reaches
 * `minChars` (default 20) or the whole secret (if shorter); undefined otherwise.
 */
export function findVerbatimOverlap(
  output: string,
  secretText: string,
  opts: OverlapOptions = {},
): OverlapMatch | undefined {
  const t = createOverlapTracker(secretText, opts);
  t.push(output);
  return t.best();
}

export type SecretLeakKind = 'verbatim' | 'rot13' | 'reversed' | 'tokens';

export interface SecretLeak {
  kind: SecretLeakKind;
  fragment: string;
}

function rot13(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) out += String.fromCharCode(((c - 97 + 13) % 26) + 97);
    else if (c >= 65 && c <= 90) out += String.fromCharCode(((c - 65 + 13) % 26) + 65);
    else out += s[i];
  }
  return out;
}

const MAX_TOKENS = 16;
const MAX_ANCHORS = 64;

/**
 * The secret's words (≥ 2 chars each, at least two of them) appearing in order, close together:
 * `tram=32` → `variable "tram" equal to "32"`. Tries at most MAX_ANCHORS start positions.
 */
function findTokensInOrder(output: string, secret: string): string | undefined {
  const tokens = secret
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length >= 2)
    .slice(0, MAX_TOKENS);
  if (tokens.length < 2) return undefined;
  const lower = output.toLowerCase();
  const maxSpan = 3 * secret.length + 20;
  let from = 0;
  for (let attempt = 0; attempt < MAX_ANCHORS; attempt++) {
    const start = lower.indexOf(tokens[0]!, from);
    if (start < 0) return undefined;
    let pos = start + tokens[0]!.length;
    let ok = true;
    for (let k = 1; k < tokens.length; k++) {
      const at = lower.indexOf(tokens[k]!, pos);
      if (at < 0) return undefined; // later anchors cannot do better
      if (at + tokens[k]!.length - start > maxSpan) {
        ok = false;
        break;
      }
      pos = at + tokens[k]!.length;
    }
    if (ok) return output.slice(start, pos).slice(0, 120);
    from = start + 1;
  }
  return undefined;
}

/**
 * Broader secret-leak check for whole outputs (not streaming): verbatim overlap as in
 * findVerbatimOverlap, the secret rot13-encoded or reversed, or its words in order close
 * together. Paraphrases and hints stay out of reach.
 */
export function findSecretLeak(
  output: string,
  secret: string,
  opts: OverlapOptions = {},
): SecretLeak | undefined {
  const verbatim = findVerbatimOverlap(output, secret, opts);
  if (verbatim) return { kind: 'verbatim', fragment: verbatim.fragment };
  const r = findVerbatimOverlap(output, rot13(secret), opts);
  if (r && normaliseForOverlap(rot13(secret)) !== normaliseForOverlap(secret))
    return { kind: 'rot13', fragment: r.fragment };
  const reversed = [...secret].reverse().join('');
  const v = findVerbatimOverlap(output, reversed, opts);
  if (v && normaliseForOverlap(reversed) !== normaliseForOverlap(secret))
    return { kind: 'reversed', fragment: v.fragment };
  const t = findTokensInOrder(output.length > 200_000 ? output.slice(0, 200_000) : output, secret);
  return t === undefined ? undefined : { kind: 'tokens', fragment: t };
}
