// Measures the LLM guard's detectors on the shared corpora and writes bench/results/llm-detection.json.
//
// (a) held-back: the committed models/prompt-guard.json was trained WITHOUT the test split
//     (stratified by category+label, seed DEFAULT_SEED); we measure it on that split. The eval
//     also retrains on the train split in-process and checks the weights hash matches the
//     committed model (determinism / provenance check).
// (b) leave-one-source-out: for each prompts-dev `category` family, a model is retrained
//     in-process without that family and measured on all of its rows (the honest number).
// Plus: FPR on the benign coding requests and code answers of code-prompts-dev.jsonl (scanned as
// user text; as assistant history at paranoia 1 they are not scanned at all), indirect injection
// on the held-back instructions of indirect-dev.jsonl, output leaks with the overlap detector.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findInstructionDisclosure } from '../src/llm/leak/disclosure.js';
import { findSecretLeak, findVerbatimOverlap } from '../src/llm/leak/overlap.js';
import { hashHead, loadDefaultModel, type PromptGuardModel } from '../src/llm/prompt-guard/classifier.js';
import { compilePromptGuard } from '../src/llm/prompt-guard/detector.js';
import type { Provenance } from '../src/llm/prompt-guard/index.js';
import {
  DEFAULT_SEED,
  loadBenign,
  loadDocs,
  loadPrompts,
  prepareExamples,
  readJsonl,
  splitDocs,
  splitPrompts,
  trainFromExamples,
} from '../src/llm/prompt-guard/train.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = path.resolve(repoRoot, '..', 'shared', 'corpus');
const THRESHOLD = 0.5;
const quick = process.argv.includes('--quick');

interface Rates {
  n: number;
  positives: number;
  negatives: number;
  tp: number;
  fp: number;
  tpr: number | null;
  fpr: number | null;
  balancedAccuracy: number | null;
}

function rates(items: Array<{ y: boolean; p: boolean }>): Rates {
  let tp = 0;
  let fp = 0;
  let pos = 0;
  let neg = 0;
  for (const it of items) {
    if (it.y) {
      pos++;
      if (it.p) tp++;
    } else {
      neg++;
      if (it.p) fp++;
    }
  }
  const tpr = pos ? tp / pos : null;
  const fpr = neg ? fp / neg : null;
  const ba = tpr !== null && fpr !== null ? (tpr + (1 - fpr)) / 2 : null;
  const r4 = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 10000);
  return {
    n: items.length,
    positives: pos,
    negatives: neg,
    tp,
    fp,
    tpr: r4(tpr),
    fpr: r4(fpr),
    balancedAccuracy: r4(ba),
  };
}

const pct = (x: number | null) => (x === null ? '   —  ' : `${(x * 100).toFixed(1).padStart(5)}%`);

function main(): void {
  const started = Date.now();
  const allPrompts = loadPrompts(corpusDir);
  const prompts = splitPrompts(allPrompts, DEFAULT_SEED);
  const docs = splitDocs(loadDocs(corpusDir), DEFAULT_SEED);
  const benign = loadBenign(path.join(repoRoot, 'data', 'prompt-guard-benign.jsonl'));
  const committed = loadDefaultModel();
  const guard = compilePromptGuard({ threshold: THRESHOLD }, committed);
  const scan = (g: typeof guard, text: string, prov: Provenance) => g.scan(text, prov).score >= THRESHOLD;

  // Reproduction check: retrain on the same train split, compare hashes of the float weights.
  const cache = new Map();
  const ex = prepareExamples({ prompts: prompts.train, docs: docs.train, benign }, cache);
  const retrained = trainFromExamples(ex, DEFAULT_SEED);
  const committedHashes = committed.meta.headHashes as Record<string, string> | undefined;
  const reproduced =
    committedHashes !== undefined &&
    (['prompt', 'document', 'jailbreak'] as const).every(
      (h) => committedHashes[h] === hashHead(retrained.heads[h]),
    );

  // (a) held-back split.
  const heldItems = prompts.test.map((r) => ({ y: r.label !== 'benign', p: scan(guard, r.text, 'user'), r }));
  const heldBack = rates(heldItems);
  const byCategory: Record<string, Rates> = {};
  for (const cat of [...new Set(prompts.test.map((r) => r.category))].sort()) {
    byCategory[cat] = rates(heldItems.filter((i) => i.r.category === cat));
  }
  const heldBenign = rates(heldItems.filter((i) => !i.y));

  // (b) leave-one-source-out.
  const families = [...new Set(allPrompts.map((r) => r.family))].sort();
  const losoItems: Array<{ y: boolean; p: boolean }> = [];
  const loso: Record<string, Rates> = {};
  for (const fam of families) {
    const trainRows = allPrompts.filter((r) => r.family !== fam);
    const exF = prepareExamples({ prompts: trainRows, docs: docs.train, benign }, cache);
    const m: PromptGuardModel = trainFromExamples(exF, DEFAULT_SEED);
    const g = compilePromptGuard({ threshold: THRESHOLD }, m);
    const items = allPrompts
      .filter((r) => r.family === fam)
      .map((r) => ({ y: r.label !== 'benign', p: scan(g, r.text, 'user') }));
    loso[fam] = rates(items);
    losoItems.push(...items);
  }
  const losoAll = rates(losoItems);

  // Code prompts (measurement only, never trained on).
  type CodeRow = { instruction: string; output: string };
  let codeRows = readJsonl<CodeRow>(path.join(corpusDir, 'llm', 'code-prompts-dev.jsonl'));
  if (quick) codeRows = codeRows.slice(0, 500);
  const codeInstr = rates(codeRows.map((r) => ({ y: false, p: scan(guard, r.instruction, 'user') })));
  const codeOut = rates(codeRows.map((r) => ({ y: false, p: scan(guard, r.output, 'user') })));
  const codeOutAssistant = rates(codeRows.map((r) => ({ y: false, p: scan(guard, r.output, 'assistant') })));
  const codeCombined = rates([
    ...codeRows.map((r) => ({ y: false, p: scan(guard, r.instruction, 'user') })),
    ...codeRows.map((r) => ({ y: false, p: scan(guard, r.output, 'user') })),
  ]);

  // Indirect injection, held-back instructions.
  const indirectItems = docs.test.map((d) => ({ y: d.attack, p: scan(guard, d.document, 'document'), d }));
  const indirect = rates(indirectItems);
  const indirectByPosition: Record<string, Rates> = {};
  for (const pos of ['start', 'middle', 'end']) {
    indirectByPosition[pos] = rates(indirectItems.filter((i) => !i.y || i.d.position === pos));
  }
  const indirectByTask: Record<string, Rates> = {};
  for (const t of [...new Set(docs.test.map((d) => d.task))].sort()) {
    indirectByTask[t] = rates(indirectItems.filter((i) => i.d.task === t));
  }

  // Output leaks: verbatim overlap of the secret in the output.
  type LeakRow = { secret: string; llm_output: string; leaks_secret: boolean };
  const leakRows = readJsonl<LeakRow>(path.join(corpusDir, 'llm', 'output-leaks-dev.jsonl'));
  const leaks = rates(
    leakRows.map((r) => ({
      y: r.leaks_secret,
      p: findVerbatimOverlap(r.llm_output, r.secret, { minChars: 20 }) !== undefined,
    })),
  );
  const broadHits = leakRows.map(
    (r) => findSecretLeak(r.llm_output, r.secret, { minChars: 20 }) !== undefined,
  );
  const leaksBroad = rates(leakRows.map((r, i) => ({ y: r.leaks_secret, p: broadHits[i]! })));

  // What the gateway's output checks flag together: the secret in any form, or an announcement of
  // the model's own instructions (a paraphrased system-prompt leak; reported, not blocked, by default).
  // The dataset labels only the access code, so an instruction disclosure without it counts as FP.
  const leaksWithDisclosure = rates(
    leakRows.map((r, i) => ({
      y: r.leaks_secret,
      p: broadHits[i]! || findInstructionDisclosure(r.llm_output) !== undefined,
    })),
  );
  const disclosureOnCode = rates(
    codeRows.flatMap((r) => [
      { y: false, p: findInstructionDisclosure(r.output) !== undefined },
      { y: false, p: findInstructionDisclosure(r.instruction) !== undefined },
    ]),
  );

  const result = {
    generatedAt: new Date().toISOString(),
    threshold: THRESHOLD,
    seed: DEFAULT_SEED,
    quick,
    committedModelReproducedFromTrainSplit: reproduced,
    promptInjection: {
      heldBack: { ...heldBack, note: 'committed model, trained without this split', byCategory },
      heldBackBenignFpr: heldBenign.fpr,
      leaveOneSourceOut: { pooled: losoAll, byFamily: loso, note: 'retrained in-process per family' },
    },
    codePrompts: {
      rows: codeRows.length,
      instructionsAsUser: codeInstr,
      answersAsUser: codeOut,
      answersAsAssistantParanoia1: codeOutAssistant,
      combinedAsUser: codeCombined,
    },
    indirect: {
      ...indirect,
      note: 'held-back split grouped by injected instruction (unseen instructions), provenance document',
      byPosition: indirectByPosition,
      byTask: indirectByTask,
    },
    outputLeaks: {
      ...leaks,
      detector:
        'findVerbatimOverlap, minChars 20 (whole secret when shorter), secrets < 4 chars never matched',
    },
    outputLeaksBroad: { ...leaksBroad, detector: 'findSecretLeak (verbatim, rot13, reversed, tokens)' },
    outputLeaksWithDisclosure: {
      ...leaksWithDisclosure,
      detector: 'findSecretLeak or findInstructionDisclosure',
      note: 'labels mark the access code only: an output disclosing its instructions without it counts as a false positive',
    },
    instructionDisclosureOnCodePrompts: disclosureOnCode,
    elapsedMs: Date.now() - started,
  };
  mkdirSync(path.join(repoRoot, 'bench', 'results'), { recursive: true });
  writeFileSync(
    path.join(repoRoot, 'bench', 'results', 'llm-detection.json'),
    `${JSON.stringify(result, null, 2)}\n`,
  );

  const row = (name: string, r: Rates) =>
    `${name.padEnd(44)} ${String(r.n).padStart(5)}  TPR ${pct(r.tpr)}  FPR ${pct(r.fpr)}  BA ${pct(r.balancedAccuracy)}`;
  const lines = [
    `prompt-guard evaluation (threshold ${THRESHOLD}, seed ${DEFAULT_SEED}${quick ? ', QUICK' : ''})`,
    `committed model reproduced from train split: ${reproduced ? 'yes' : 'NO'}`,
    row('(a) held-back prompts (user)', heldBack),
    ...Object.entries(byCategory).map(([k, v]) => row(`    ${k}`, v)),
    row('(b) leave-one-source-out, pooled', losoAll),
    ...Object.entries(loso).map(([k, v]) => row(`    without ${k}`, v)),
    row('code-prompts instructions (user)', codeInstr),
    row('code-prompts answers (user)', codeOut),
    row('code-prompts answers (assistant, paranoia 1)', codeOutAssistant),
    row('indirect, held-back instructions (document)', indirect),
    ...Object.entries(indirectByPosition).map(([k, v]) => row(`    position ${k}`, v)),
    ...Object.entries(indirectByTask).map(([k, v]) => row(`    task ${k}`, v)),
    row('output leaks (verbatim overlap)', leaks),
    row('output leaks (findSecretLeak, broader)', leaksBroad),
    row('output leaks (+ instruction disclosure)', leaksWithDisclosure),
    row('instruction disclosure, code prompts', disclosureOnCode),
    `elapsed ${((Date.now() - started) / 1000).toFixed(1)} s → bench/results/llm-detection.json`,
  ];
  console.log(lines.join('\n'));
}

main();
