// Trains the prompt-guard classifier and writes models/prompt-guard.json.
// Data: the TRAIN split of shared/corpus/llm/prompts-dev.jsonl and indirect-dev.jsonl (the
// held-back split of each is never used here; bench/eval-llm.ts measures on it) plus our own
// benign rows in data/prompt-guard-benign.jsonl. Fixed seed: the output is byte-identical run to run.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashHead, serialiseModel } from '../src/llm/prompt-guard/classifier.js';
import {
  DEFAULT_SEED,
  loadBenign,
  loadDocs,
  loadPrompts,
  splitDocs,
  splitPrompts,
  trainModel,
} from '../src/llm/prompt-guard/train.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = path.resolve(repoRoot, '..', 'shared', 'corpus');

function main(): void {
  const started = Date.now();
  const prompts = splitPrompts(loadPrompts(corpusDir), DEFAULT_SEED);
  const docs = splitDocs(loadDocs(corpusDir), DEFAULT_SEED);
  const benign = loadBenign(path.join(repoRoot, 'data', 'prompt-guard-benign.jsonl'));
  const model = trainModel({ prompts: prompts.train, docs: docs.train, benign }, DEFAULT_SEED, {
    trainedOn: {
      prompts: `prompts-dev.jsonl train split (${prompts.train.length} of ${prompts.train.length + prompts.test.length} rows; stratified 80/20 by category+label, seed ${DEFAULT_SEED})`,
      indirect: `indirect-dev.jsonl train split (${docs.train.length} of ${docs.train.length + docs.test.length} rows; grouped by injected instruction, 80/20, seed ${DEFAULT_SEED})`,
      benign: `data/prompt-guard-benign.jsonl (${benign.length} rows, written for this project)`,
    },
  });
  model.meta.headHashes = {
    prompt: hashHead(model.heads.prompt),
    document: hashHead(model.heads.document),
    jailbreak: hashHead(model.heads.jailbreak),
  };
  const json = serialiseModel(model);
  const out = path.join(repoRoot, 'models', 'prompt-guard.json');
  writeFileSync(out, json);
  const sha = createHash('sha256').update(json).digest('hex');
  console.log(
    `wrote ${path.relative(repoRoot, out)} (${(json.length / 1024 / 1024).toFixed(2)} MB, sha256 ${sha.slice(0, 16)}) in ${Date.now() - started} ms`,
  );
}

main();
