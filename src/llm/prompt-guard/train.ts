// Training data preparation and the training of all three heads. Used by
// scripts/train-prompt-guard.ts (committed model) and bench/eval-llm.ts (in-process retraining
// for leave-one-source-out). Deterministic for a given seed.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type HeadName,
  type PromptGuardModel,
  rng,
  shuffle,
  type TrainExample,
  trainHead,
} from './classifier.js';
import { analyseUnit, documentSegments } from './detector.js';
import { FeatureScratch } from './features.js';
import { normalise } from './normalise.js';

export type PromptLabel = 'benign' | 'injection' | 'jailbreak';

export interface PromptRow {
  id: string;
  text: string;
  label: PromptLabel;
  category: string;
  /** Origin family for leave-one-source-out: the category without its `:subset`. */
  family: string;
  source?: string;
}

export interface DocRow {
  id: string;
  /** Rows sharing a base document (clean + injected copy). */
  pairId: string;
  attack: boolean;
  document: string;
  instruction: string;
  task: string;
  position: string;
}

export interface BenignRow {
  text: string;
  kind: 'prompt' | 'document';
}

export function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as T);
}

export function familyOf(category: string): string {
  const i = category.indexOf(':');
  return i < 0 ? category : category.slice(0, i);
}

export function loadPrompts(corpusDir: string): PromptRow[] {
  type Raw = { id: string; text: string; label: PromptLabel; category: string; source_repo?: string };
  return readJsonl<Raw>(path.join(corpusDir, 'llm', 'prompts-dev.jsonl')).map((r) => ({
    id: r.id,
    text: r.text,
    label: r.label,
    category: r.category,
    family: familyOf(r.category),
    source: r.source_repo,
  }));
}

export function loadDocs(corpusDir: string): DocRow[] {
  type Raw = {
    id: string;
    is_attack: number;
    document: string;
    injected_instruction: string;
    task: string;
    position: string;
  };
  return readJsonl<Raw>(path.join(corpusDir, 'llm', 'indirect-dev.jsonl')).map((r) => ({
    id: r.id,
    pairId: r.id.replace(/-(clean|inj)$/, ''),
    attack: r.is_attack === 1,
    document: r.document,
    instruction: r.injected_instruction,
    task: r.task,
    position: r.position,
  }));
}

export function loadBenign(file: string): BenignRow[] {
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: the benign rows are part of the training data (see models/PROMPT-GUARD-CARD.md)`,
    );
  }
  return readJsonl<BenignRow>(file);
}

/** Stratified (by category and label) split with a fixed seed. */
export function splitPrompts(
  rows: PromptRow[],
  seed: number,
  testFraction = 0.2,
): { train: PromptRow[]; test: PromptRow[] } {
  const groups = new Map<string, PromptRow[]>();
  for (const r of rows) {
    const k = `${r.category}\u0000${r.label}`;
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const random = rng(seed);
  const train: PromptRow[] = [];
  const test: PromptRow[] = [];
  for (const k of [...groups.keys()].sort()) {
    const g = shuffle(groups.get(k)!, random);
    const nTest = Math.round(g.length * testFraction);
    test.push(...g.slice(0, nTest));
    train.push(...g.slice(nTest));
  }
  return { train, test };
}

/**
 * Indirect split grouped by injected instruction: the held-back instructions never appear in
 * training, and each injected document's clean twin goes to the same side.
 */
export function splitDocs(
  rows: DocRow[],
  seed: number,
  testFraction = 0.2,
): { train: DocRow[]; test: DocRow[] } {
  const instructions = [...new Set(rows.filter((r) => r.attack).map((r) => r.instruction))].sort();
  const random = rng(seed);
  const testInstr = new Set(
    shuffle(instructions, random).slice(0, Math.round(instructions.length * testFraction)),
  );
  const testPairs = new Set(
    rows.filter((r) => r.attack && testInstr.has(r.instruction)).map((r) => r.pairId),
  );
  const train: DocRow[] = [];
  const test: DocRow[] = [];
  for (const r of rows) (testPairs.has(r.pairId) ? test : train).push(r);
  return { train, test };
}

export interface TrainData {
  prompts: PromptRow[];
  docs: DocRow[];
  benign: BenignRow[];
}

const MAX_TRAIN_CHARS = 12_000;

function unitOf(text: string, scratch: FeatureScratch) {
  return analyseUnit(normalise(text.slice(0, MAX_TRAIN_CHARS)).text, scratch);
}

export interface PreparedExamples {
  prompt: TrainExample[];
  document: TrainExample[];
  jailbreak: TrainExample[];
}

/** Builds the examples of each head. Feature extraction dominates; callers may cache per row. */
/** Weight of our own benign prompts relative to corpus rows. */
export const BENIGN_WEIGHT = 1.5;

export function prepareExamples(
  data: TrainData,
  cache?: Map<string, TrainExample['f']>,
  benignWeight = BENIGN_WEIGHT,
): PreparedExamples {
  const scratch = new FeatureScratch();
  const feat = (text: string) => {
    const hit = cache?.get(text);
    if (hit) return hit;
    const f = unitOf(text, scratch).features;
    cache?.set(text, f);
    return f;
  };
  const prompt: TrainExample[] = [];
  const document: TrainExample[] = [];
  const jailbreak: TrainExample[] = [];
  for (const r of data.prompts) {
    const y = r.label === 'benign' ? 0 : 1;
    const f = feat(r.text);
    prompt.push({ f, y });
    if (y === 1) {
      jailbreak.push({ f, y: r.label === 'jailbreak' ? 1 : 0 });
      // An attack prompt pasted into a document is an indirect injection too.
      document.push({ f, y: 1, weight: 0.5 });
    }
  }
  for (const b of data.benign) {
    if (b.kind === 'prompt') prompt.push({ f: feat(b.text), y: 0, weight: benignWeight });
    else for (const seg of documentSegments(b.text)) document.push({ f: feat(seg), y: 0 });
  }
  const seenInstr = new Set<string>();
  for (const d of data.docs) {
    if (d.attack) {
      if (seenInstr.has(d.instruction)) continue;
      seenInstr.add(d.instruction);
      const segs = documentSegments(d.instruction);
      document.push({ f: feat(d.instruction), y: 1 });
      if (segs.length > 1) document.push({ f: feat(segs[0]!), y: 1 });
    } else {
      for (const seg of documentSegments(d.document)) document.push({ f: feat(seg), y: 0 });
    }
  }
  return { prompt, document, jailbreak };
}

export const DEFAULT_SEED = 20260126;

export function trainModel(
  data: TrainData,
  seed = DEFAULT_SEED,
  meta: Record<string, unknown> = {},
): PromptGuardModel {
  const ex = prepareExamples(data);
  return trainFromExamples(ex, seed, meta);
}

/** Hyper-parameters of the committed model (see the model card). */
export const TRAIN_OPTIONS = { epochs: 12, learningRate: 0.5, l2: 1e-5 };

export function trainFromExamples(
  ex: PreparedExamples,
  seed = DEFAULT_SEED,
  meta: Record<string, unknown> = {},
  options: Partial<typeof TRAIN_OPTIONS> = {},
): PromptGuardModel {
  const heads = {} as PromptGuardModel['heads'];
  const names: HeadName[] = ['prompt', 'document', 'jailbreak'];
  names.forEach((name, k) => {
    heads[name] = trainHead(ex[name], { ...TRAIN_OPTIONS, ...options, seed: seed + k });
  });
  return {
    heads,
    meta: {
      seed,
      examples: { prompt: ex.prompt.length, document: ex.document.length, jailbreak: ex.jailbreak.length },
      ...meta,
    },
  };
}
