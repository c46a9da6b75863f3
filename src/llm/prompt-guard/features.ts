// Layer 3 features: hashed character 3–5-grams of the folded text, hashed word unigrams and
// bigrams of the skeleton words, each group L2-normalised, plus a few dense features (the
// heuristic cue strengths and a length bucket). Shared by training and inference.
import { CUE_NAMES, type CueScores } from './heuristics.js';
import { fold, skeletonWords } from './normalise.js';

export const DIM_BITS = 18;
export const DIM = 1 << DIM_BITS;
const MASK = DIM - 1;
/** Characters of folded text that feed the n-grams of one scored unit. */
export const MAX_FEATURE_CHARS = 8000;
const MAX_FEATURE_WORDS = 4000;
export const DENSE_NAMES = [...CUE_NAMES, 'logLength', 'codeSymbols'] as const;
export const DENSE_DIM = DENSE_NAMES.length;

/** Sparse feature vector: hashed indices (unique) with values, plus the dense part. */
export interface FeatureVector {
  idx: Int32Array;
  val: Float32Array;
  dense: Float32Array;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashString(s: string, seed: number): number {
  let h = (FNV_OFFSET ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Same as hashString(`${a} ${b}`, BIGRAM_SEED) without building the string. */
function hashPair(a: string, b: string): number {
  let h = (FNV_OFFSET ^ 0x7f4a7c15) >>> 0;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a.charCodeAt(i), FNV_PRIME);
  h = Math.imul(h ^ 32, FNV_PRIME);
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b.charCodeAt(i), FNV_PRIME);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Reusable accumulator: counts per bucket and the list of touched buckets. */
export class FeatureScratch {
  readonly counts = new Float32Array(DIM);
  readonly touched = new Int32Array(64 * 1024);
  n = 0;
  add(bucket: number, v: number): void {
    if (this.counts[bucket] === 0) {
      if (this.n >= this.touched.length) return; // bounded; inputs are capped before this
      this.touched[this.n++] = bucket;
    }
    this.counts[bucket] += v;
  }
  reset(): void {
    for (let i = 0; i < this.n; i++) this.counts[this.touched[i]!] = 0;
    this.n = 0;
  }
}

function addCharGrams(s: FeatureScratch, text: string): void {
  // ' ' + text + ' ' with n = 3..5; the hash chain makes each n distinct.
  const n = text.length + 2;
  const at = (i: number): number => (i === 0 || i === n - 1 ? 32 : text.charCodeAt(i - 1));
  for (let i = 0; i + 3 <= n; i++) {
    let h = FNV_OFFSET;
    h = Math.imul(h ^ at(i), FNV_PRIME);
    h = Math.imul(h ^ at(i + 1), FNV_PRIME);
    for (let k = 2; k < 5 && i + k < n; k++) {
      h = Math.imul(h ^ at(i + k), FNV_PRIME);
      s.add((h ^ (h >>> 15)) & MASK, 1);
    }
  }
}

/** Fills `scratch` with the hashed counts of one unit; returns where the word group starts. */
function accumulate(text: string, scratch: FeatureScratch, known?: string[]): number {
  scratch.reset();
  addCharGrams(scratch, text);
  const charEnd = scratch.n;
  const words = known ?? skeletonWords(text, MAX_FEATURE_WORDS);
  for (let i = 0; i < words.length; i++) {
    scratch.add(hashString(words[i]!, 0x9e3779b9) & MASK, 1);
    if (i + 1 < words.length) scratch.add(hashPair(words[i]!, words[i + 1]!) & MASK, 1);
  }
  return charEnd;
}

/** L2 norms (inverted) of the char and word groups. */
function groupNorms(scratch: FeatureScratch, charEnd: number): [number, number] {
  let charNorm = 0;
  let wordNorm = 0;
  for (let i = 0; i < scratch.n; i++) {
    const c = scratch.counts[scratch.touched[i]!]!;
    if (i < charEnd) charNorm += c * c;
    else wordNorm += c * c;
  }
  return [charNorm > 0 ? 1 / Math.sqrt(charNorm) : 0, wordNorm > 0 ? 1 / Math.sqrt(wordNorm) : 0];
}

function denseOf(folded: string, text: string, cues: CueScores): Float32Array {
  const dense = new Float32Array(DENSE_DIM);
  for (let k = 0; k < CUE_NAMES.length; k++) dense[k] = cues[CUE_NAMES[k]!];
  dense[CUE_NAMES.length] = Math.log1p(folded.length) / 10;
  dense[CUE_NAMES.length + 1] = codeSymbolDensity(text);
  return dense;
}

/**
 * Builds the feature vector of one unit of text. `folded` is `fold(normalised text)` (the caller
 * may already have it), `cues` the heuristic cue strengths of the same unit.
 */
export function extractFeatures(folded: string, cues: CueScores, scratch: FeatureScratch): FeatureVector {
  const text = folded.length > MAX_FEATURE_CHARS ? folded.slice(0, MAX_FEATURE_CHARS) : folded;
  const charEnd = accumulate(text, scratch);
  const [charNorm, wordNorm] = groupNorms(scratch, charEnd);
  const idx = new Int32Array(scratch.n);
  const val = new Float32Array(scratch.n);
  for (let i = 0; i < scratch.n; i++) {
    const b = scratch.touched[i]!;
    idx[i] = b;
    // A bucket first touched by char grams may also hold word counts; scale by its group.
    val[i] = scratch.counts[b]! * (i < charEnd ? charNorm : wordNorm);
  }
  return { idx, val, dense: denseOf(folded, text, cues) };
}

/** Same value as `logit(head, extractFeatures(...))` without materialising the vector. */
export function unitLogit(
  head: LinearHead,
  folded: string,
  cues: CueScores,
  scratch: FeatureScratch,
  words?: string[],
): number {
  const short = folded.length <= MAX_FEATURE_CHARS;
  const text = short ? folded : folded.slice(0, MAX_FEATURE_CHARS);
  // The cue scanner's words are the same list when the text was not cut.
  const known = short && words !== undefined && words.length <= MAX_FEATURE_WORDS ? words : undefined;
  const charEnd = accumulate(text, scratch, known);
  const [charNorm, wordNorm] = groupNorms(scratch, charEnd);
  let z = head.bias;
  for (let i = 0; i < scratch.n; i++) {
    const b = scratch.touched[i]!;
    z += head.weights[b]! * scratch.counts[b]! * (i < charEnd ? charNorm : wordNorm);
  }
  const dense = denseOf(folded, text, cues);
  for (let k = 0; k < dense.length; k++) z += head.dense[k]! * dense[k]!;
  return z;
}

/** Share of code punctuation ({}()[];=<>), scaled so that typical source code reaches ~1. */
function codeSymbolDensity(text: string): number {
  let k = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      c === 123 ||
      c === 125 ||
      c === 40 ||
      c === 41 ||
      c === 91 ||
      c === 93 ||
      c === 59 ||
      c === 61 ||
      c === 60 ||
      c === 62
    )
      k++;
  }
  return text.length ? Math.min(1, (k / text.length) * 8) : 0;
}

/** Convenience for training: fold + features. */
export function featuresOf(text: string, cues: CueScores, scratch: FeatureScratch): FeatureVector {
  return extractFeatures(fold(text), cues, scratch);
}

export interface LinearHead {
  weights: Float32Array;
  dense: Float32Array;
  bias: number;
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export function logit(head: LinearHead, f: FeatureVector): number {
  let z = head.bias;
  for (let i = 0; i < f.idx.length; i++) z += head.weights[f.idx[i]!]! * f.val[i]!;
  for (let k = 0; k < f.dense.length; k++) z += head.dense[k]! * f.dense[k]!;
  return z;
}
