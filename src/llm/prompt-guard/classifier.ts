// Layer 3: the trained linear classifier (logistic regression on hashed n-grams + cue features).
// Three heads share the feature space: `prompt` scores user turns, `document` scores segments of
// tool results and retrieved documents (where any embedded instruction is suspicious), and
// `jailbreak` tells a jailbreak (persona, role-play) from a plain injection once one is found.
// Training is plain TypeScript, AdaGrad with L2, deterministic for a given seed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  DENSE_DIM,
  DENSE_NAMES,
  DIM,
  DIM_BITS,
  type FeatureVector,
  type LinearHead,
  logit,
  sigmoid,
} from './features.js';

export const HEAD_NAMES = ['prompt', 'document', 'jailbreak'] as const;
export type HeadName = (typeof HEAD_NAMES)[number];

export interface PromptGuardModel {
  heads: Record<HeadName, LinearHead>;
  meta: Record<string, unknown>;
}

interface StoredHead {
  /** int16 weights, little endian, base64; weight = q * scale. */
  weights: string;
  scale: number;
  dense: number[];
  bias: number;
}
interface StoredModel {
  format: 'palisade-prompt-guard';
  version: 1;
  dimBits: number;
  denseNames: readonly string[];
  heads: Record<HeadName, StoredHead>;
  meta: Record<string, unknown>;
}

function quantise(head: LinearHead): StoredHead {
  let max = 0;
  for (let i = 0; i < head.weights.length; i++) max = Math.max(max, Math.abs(head.weights[i]!));
  const scale = max > 0 ? max / 32767 : 1;
  const q = new Int16Array(head.weights.length);
  for (let i = 0; i < q.length; i++) q[i] = Math.round(head.weights[i]! / scale);
  const buf = Buffer.from(q.buffer, q.byteOffset, q.byteLength);
  const round = (x: number): number => Math.round(x * 1e6) / 1e6;
  return {
    weights: buf.toString('base64'),
    scale,
    dense: Array.from(head.dense, round),
    bias: round(head.bias),
  };
}

function dequantise(h: StoredHead): LinearHead {
  const buf = Buffer.from(h.weights, 'base64');
  if (buf.length !== DIM * 2) throw new Error(`prompt-guard model: expected ${DIM} weights`);
  const weights = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) weights[i] = buf.readInt16LE(i * 2) * h.scale;
  if (h.dense.length !== DENSE_DIM) throw new Error('prompt-guard model: dense feature count mismatch');
  return { weights, dense: Float32Array.from(h.dense), bias: h.bias };
}

export function serialiseModel(model: PromptGuardModel): string {
  const stored: StoredModel = {
    format: 'palisade-prompt-guard',
    version: 1,
    dimBits: DIM_BITS,
    denseNames: DENSE_NAMES,
    heads: {
      prompt: quantise(model.heads.prompt),
      document: quantise(model.heads.document),
      jailbreak: quantise(model.heads.jailbreak),
    },
    meta: model.meta,
  };
  return `${JSON.stringify(stored, null, 1)}\n`;
}

export function parseModel(json: string): PromptGuardModel {
  const stored = JSON.parse(json) as StoredModel;
  if (stored.format !== 'palisade-prompt-guard' || stored.version !== 1 || stored.dimBits !== DIM_BITS) {
    throw new Error('prompt-guard model: unsupported format');
  }
  return {
    heads: {
      prompt: dequantise(stored.heads.prompt),
      document: dequantise(stored.heads.document),
      jailbreak: dequantise(stored.heads.jailbreak),
    },
    meta: stored.meta ?? {},
  };
}

/** The committed weights: models/prompt-guard.json at the repository root (also from dist/). */
export const DEFAULT_MODEL_URLS = [
  new URL('../../../models/prompt-guard.json', import.meta.url),
  new URL('../../../../models/prompt-guard.json', import.meta.url),
];

let cached: PromptGuardModel | undefined;
export function loadDefaultModel(): PromptGuardModel {
  if (cached) return cached;
  let lastError: unknown;
  for (const url of DEFAULT_MODEL_URLS) {
    try {
      cached = parseModel(readFileSync(url, 'utf8'));
      return cached;
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error('prompt-guard model not found (run `npm run train:prompt-guard`)', { cause: lastError });
}

export function predict(head: LinearHead, f: FeatureVector): number {
  return sigmoid(logit(head, f));
}

// ---------------------------------------------------------------------------------------------
// Training

export interface TrainExample {
  f: FeatureVector;
  /** 1 = attack, 0 = benign. */
  y: 0 | 1;
  /** Example weight (class balancing), default 1. */
  weight?: number;
}

export interface TrainOptions {
  seed: number;
  epochs?: number;
  learningRate?: number;
  l2?: number;
}

/** Small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Logistic regression, AdaGrad, lazy L2 (applied on touched weights), balanced classes. */
export function trainHead(examples: TrainExample[], o: TrainOptions): LinearHead {
  const epochs = o.epochs ?? 12;
  const lr = o.learningRate ?? 0.5;
  const l2 = o.l2 ?? 1e-5;
  const weights = new Float32Array(DIM);
  const g2 = new Float32Array(DIM);
  const dense = new Float32Array(DENSE_DIM);
  const g2d = new Float32Array(DENSE_DIM);
  let bias = 0;
  let g2b = 0;
  let pos = 0;
  for (const e of examples) pos += e.y;
  const neg = examples.length - pos;
  const wPos = pos > 0 ? examples.length / (2 * pos) : 1;
  const wNeg = neg > 0 ? examples.length / (2 * neg) : 1;
  const random = rng(o.seed);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const e of shuffle(examples, random)) {
      const p = predict({ weights, dense, bias }, e.f);
      const g = (p - e.y) * (e.y === 1 ? wPos : wNeg) * (e.weight ?? 1);
      for (let i = 0; i < e.f.idx.length; i++) {
        const j = e.f.idx[i]!;
        const gj = g * e.f.val[i]! + l2 * weights[j]!;
        g2[j] += gj * gj;
        weights[j] -= (lr * gj) / (Math.sqrt(g2[j]!) + 1e-8);
      }
      for (let k = 0; k < DENSE_DIM; k++) {
        const gk = g * e.f.dense[k]! + l2 * dense[k]!;
        g2d[k] += gk * gk;
        dense[k] -= (lr * gk) / (Math.sqrt(g2d[k]!) + 1e-8);
      }
      g2b += g * g;
      bias -= (lr * g) / (Math.sqrt(g2b) + 1e-8);
    }
  }
  return { weights, dense, bias };
}

export function hashHead(head: LinearHead): string {
  const h = createHash('sha256');
  h.update(Buffer.from(head.weights.buffer, head.weights.byteOffset, head.weights.byteLength));
  h.update(Buffer.from(head.dense.buffer, head.dense.byteOffset, head.dense.byteLength));
  h.update(String(head.bias));
  return h.digest('hex');
}
