// The layered detector. Score = max over layers (documented choice: each layer is calibrated to
// [0, 1] on its own, and the classifier already takes the heuristic cues as inputs, so the max
// keeps a strong single signal — a chat-template token, a decoded base64 override — from being
// averaged away):
//   invisible   – amount of invisible / tag-character smuggling
//   heuristic   – hand-written cues (heuristics.ts) on the normalised text and on tag-decoded text
//   classifier  – trained logistic regression (classifier.ts); user text: `prompt` head over the
//                 whole text and over windows of long text; documents: `document` head per segment
//   encoded     – base64 / hex / rot13 segments decoded and scanned by heuristics + classifier
// Work is capped: at most MAX_SCAN_CHARS of input are looked at (head and tail kept), and long
// text is scored in at most MAX_WINDOWS windows / MAX_SEGMENTS segments.
import type { Finding } from '../../core/findings.js';
import { type HeadName, loadDefaultModel, type PromptGuardModel } from './classifier.js';
import { extractFeatures, FeatureScratch, type FeatureVector, sigmoid, unitLogit } from './features.js';
import { type CueResult, type CueScores, mayHoldRot13, scanCues } from './heuristics.js';
import type { PromptGuard, PromptGuardOptions, PromptScanResult, Provenance } from './index.js';
import { decodeSegments, fold, normalise, rot13 } from './normalise.js';

export const DETECTOR_ID = 'prompt-guard';
/**
 * At most this much of an input is looked at: for longer input, the first and last quarter of
 * the budget and evenly spaced slices of the middle (see clampText).
 */
export const MAX_SCAN_CHARS = 128 * 1024;
const CLAMP_MIDDLE_SLICES = 8;
const WINDOW = 1500;
const STRIDE = 750;
const MAX_WINDOWS = 48;
const SEGMENT_MAX = 400;
const MAX_SEGMENTS = 256;

export interface Unit {
  folded: string;
  cues: CueResult;
  features: FeatureVector;
}

/** Normalised text → the scored unit (shared with the training script). */
export function analyseUnit(text: string, scratch: FeatureScratch): Unit {
  const folded = fold(text);
  const cues = scanCues(text, 0, folded);
  return { folded, cues, features: extractFeatures(folded, cues.scores, scratch) };
}

/** Evenly spread windows over long text (first and last always included). */
export function windows(text: string): string[] {
  if (text.length <= WINDOW * 1.5) return [text];
  const starts: number[] = [];
  for (let s = 0; s + WINDOW < text.length; s += STRIDE) starts.push(s);
  starts.push(text.length - WINDOW);
  const picked =
    starts.length <= MAX_WINDOWS
      ? starts
      : Array.from(
          { length: MAX_WINDOWS },
          (_, k) => starts[Math.round((k * (starts.length - 1)) / (MAX_WINDOWS - 1))]!,
        );
  return picked.map((s) => text.slice(s, s + WINDOW));
}

/**
 * Splits a document into lines; a long line is cut at sentence ends (". ", "? ", "! ", " | ")
 * into pieces of at most SEGMENT_MAX characters. Tiny segments are merged with the next.
 */
export function documentSegments(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  const n = text.length;
  while (start < n && out.length < MAX_SEGMENTS * 4) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    let s = start;
    while (s < end) {
      if (end - s <= SEGMENT_MAX) {
        out.push(text.slice(s, end));
        break;
      }
      // Last sentence end inside the budget, else a hard cut.
      let cut = -1;
      for (let k = s + SEGMENT_MAX; k > s + 40; k--) {
        const c = text.charCodeAt(k);
        const p = text.charCodeAt(k - 1);
        if (c === 32 && (p === 46 || p === 63 || p === 33 || p === 124)) {
          cut = k;
          break;
        }
      }
      if (cut < 0) cut = s + SEGMENT_MAX;
      out.push(text.slice(s, cut));
      s = cut;
    }
    start = end + 1;
  }
  const merged: string[] = [];
  let carry = '';
  for (const seg of out) {
    const t = seg.trim();
    if (t.length === 0) continue;
    carry = carry ? `${carry}\n${t}` : t;
    if (carry.length >= 24) {
      merged.push(carry);
      carry = '';
    }
  }
  if (carry) merged.push(carry);
  if (merged.length <= MAX_SEGMENTS) return merged;
  return Array.from(
    { length: MAX_SEGMENTS },
    (_, k) => merged[Math.round((k * (merged.length - 1)) / (MAX_SEGMENTS - 1))]!,
  );
}

const USER_CUE_WEIGHTS: CueScores = {
  override: 1,
  persona: 1,
  extraction: 1,
  template: 1,
  splitting: 1,
  newTask: 0.5,
  addressing: 0,
  contextSwitch: 1,
};
const DOC_CUE_WEIGHTS: CueScores = { ...USER_CUE_WEIGHTS, newTask: 0.8, addressing: 0.8 };

function cueScore(cues: CueScores, weights: CueScores): number {
  let p = 1;
  for (const k of Object.keys(weights) as Array<keyof CueScores>) p *= 1 - Math.min(1, cues[k] * weights[k]);
  return 1 - p;
}

function isScannedProvenance(p: Provenance, paranoia: number): boolean {
  return p === 'user' || p === 'tool' || p === 'document' || paranoia >= 3;
}

/** Invisible-character score: tag-block text or many zero-width characters is smuggling. */
function invisibleScore(count: number, tagText: string, length: number): number {
  if (tagText.replace(/\s/g, '').length >= 4) return 0.95;
  if (count === 0) return 0;
  const ratio = count / Math.max(1, length);
  if (count >= 16 || (count >= 4 && ratio > 0.02)) return 0.8;
  if (count >= 4) return 0.4;
  return 0.1;
}

/** Removes emoji / script joiners from the count: ZWJ/ZWNJ after a non-ASCII character is normal. */
function countSmuggling(raw: string): number {
  let count = 0;
  const n = Math.min(raw.length, MAX_SCAN_CHARS);
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x00ad) continue;
    if (c === 0x200c || c === 0x200d) {
      const prev = i > 0 ? raw.charCodeAt(i - 1) : 0;
      const next = i + 1 < n ? raw.charCodeAt(i + 1) : 0;
      if (prev > 0x7f && prev !== 0x200b && next > 0x7f) continue;
      count++;
    } else if (
      (c >= 0x200b && c <= 0x200f) ||
      (c >= 0x2060 && c <= 0x2064) ||
      c === 0xfeff ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) ||
      c === 0x00ad
    ) {
      if (c === 0xfeff && i === 0) continue; // a leading byte-order mark
      count++;
    } else if (c === 0xdb40) {
      count++; // high surrogate of the tag block U+E0000–U+E007F
    }
  }
  return count;
}

function clampText(text: string): string {
  if (text.length <= MAX_SCAN_CHARS) return text;
  const edge = MAX_SCAN_CHARS / 4;
  const slice = Math.floor((MAX_SCAN_CHARS - 2 * edge) / CLAMP_MIDDLE_SLICES);
  const parts = [text.slice(0, edge)];
  const span = text.length - 2 * edge - slice;
  for (let k = 0; k < CLAMP_MIDDLE_SLICES; k++) {
    const at = edge + Math.floor((span * (k + 0.5)) / CLAMP_MIDDLE_SLICES);
    parts.push(text.slice(at, at + slice));
  }
  parts.push(text.slice(text.length - edge));
  return parts.join('\n');
}

export interface LayerDetail {
  layers: Record<string, number>;
  jailbreak: number;
  bestFragment: string;
  encodedFragment: string;
}

export function compilePromptGuard(options: PromptGuardOptions = {}, model?: PromptGuardModel): PromptGuard {
  const threshold = options.threshold ?? 0.5;
  const paranoia = options.paranoia ?? 1;
  const m = model ?? loadDefaultModel();
  const scratch = new FeatureScratch();

  interface Best {
    folded: string;
    cues: CueResult;
  }

  const unitScore = (name: HeadName, folded: string, cues: CueResult): number =>
    sigmoid(unitLogit(m.heads[name], folded, cues.scores, scratch, cues.words));

  /** Heuristic + classifier over one stretch of normalised text. */
  function scoreText(
    text: string,
    doc: boolean,
  ): { heuristic: number; classifier: number; best?: Best; frag: string; folded: string } {
    const folded = fold(text);
    const cues = scanCues(text, 0, folded);
    const heuristic = cueScore(cues.scores, doc ? DOC_CUE_WEIGHTS : USER_CUE_WEIGHTS);
    let frag = '';
    if (heuristic > 0 && cues.hits.length > 0) {
      frag = cues.hits.reduce((a, b) => (b.strength > a.strength ? b : a)).fragment;
    }
    let classifier = 0;
    let best: Best | undefined;
    const consider = (name: HeadName, f: string, c: CueResult): number => {
      const v = unitScore(name, f, c);
      if (v > classifier) {
        classifier = v;
        best = { folded: f, cues: c };
      }
      return v;
    };
    if (doc) {
      for (const seg of documentSegments(text)) {
        const f = fold(seg);
        const v = consider('document', f, scanCues(seg, 0, f));
        if (v >= threshold && v >= classifier && heuristic < v) frag = seg;
      }
    } else {
      // The whole text (features see its first MAX_FEATURE_CHARS) and, for long text, windows.
      consider('prompt', folded, cues);
      if (text.length > WINDOW * 1.5) {
        for (const w of windows(text)) {
          const f = fold(w);
          consider('prompt', f, scanCues(w, 0, f));
        }
      }
    }
    if (!frag && best) frag = best.folded.slice(0, 120);
    return { heuristic, classifier, best, frag, folded };
  }

  function detail(raw: string, provenance: Provenance): LayerDetail {
    const doc = provenance === 'tool' || provenance === 'document';
    const clamped = clampText(raw);
    const n = normalise(clamped);
    const layers: Record<string, number> = {};
    layers.invisible = invisibleScore(countSmuggling(clamped), n.tagText, n.text.length);
    const main = scoreText(n.text, doc);
    layers.heuristic = main.heuristic;
    layers.classifier = main.classifier;
    let encoded = 0;
    let encodedFragment = '';
    // Hidden text: tag characters, base64/hex runs, a rot13 view.
    const hidden: string[] = [];
    if (n.tagText.length >= 4) hidden.push(n.tagText);
    for (const seg of decodeSegments(n.text)) hidden.push(seg.text);
    for (const h of hidden) {
      const s = scoreText(h, false);
      const v = Math.max(s.heuristic, s.classifier);
      if (v > encoded) {
        encoded = v;
        encodedFragment = s.frag;
      }
    }
    // rot13: only the cue layer, and only when a rot13 marker word is present.
    if (mayHoldRot13(main.folded)) {
      const r = scanCues(rot13(n.text, 8192));
      const rv = cueScore(r.scores, USER_CUE_WEIGHTS);
      if (rv > encoded && rv > main.heuristic) {
        encoded = rv;
        encodedFragment = r.hits[0]?.fragment ?? '';
      }
    }
    layers.encoded = encoded;
    const jailbreak =
      main.best && !doc && Math.max(main.heuristic, main.classifier) >= threshold
        ? unitScore('jailbreak', main.best.folded, main.best.cues)
        : 0;
    return { layers, jailbreak, bestFragment: main.frag, encodedFragment };
  }

  function scan(text: string, provenance: Provenance): PromptScanResult {
    if (typeof text !== 'string' || text.length === 0 || !isScannedProvenance(provenance, paranoia)) {
      return { score: 0, findings: [], layers: {} };
    }
    const d = detail(text, provenance);
    const { layers } = d;
    const score = Math.max(0, ...Object.values(layers));
    const findings: Finding[] = [];
    const doc = provenance === 'tool' || provenance === 'document';
    const main = Math.max(layers.heuristic ?? 0, layers.classifier ?? 0);
    const sev = (s: number): Finding['severity'] => (s >= 0.9 ? 'high' : 'medium');
    if (main >= threshold) {
      const subtype = doc ? 'indirect' : d.jailbreak >= 0.5 ? 'jailbreak' : 'direct';
      findings.push({
        category: 'llm-prompt-injection',
        subtype,
        detector: DETECTOR_ID,
        severity: sev(main),
        score: main,
        fragment: d.bestFragment.slice(0, 120),
        message: doc
          ? 'Instructions embedded in a document or tool result'
          : subtype === 'jailbreak'
            ? 'Jailbreak attempt in user input'
            : 'Prompt injection in user input',
      });
    }
    if ((layers.encoded ?? 0) >= threshold) {
      findings.push({
        category: 'llm-prompt-injection',
        subtype: 'encoded-payload',
        detector: DETECTOR_ID,
        severity: sev(layers.encoded!),
        score: layers.encoded!,
        fragment: d.encodedFragment.slice(0, 120),
        message: 'Encoded (base64/hex/rot13/tag characters) instructions',
      });
    }
    if ((layers.invisible ?? 0) >= threshold) {
      findings.push({
        category: 'llm-prompt-injection',
        subtype: 'invisible-characters',
        detector: DETECTOR_ID,
        severity: sev(layers.invisible!),
        score: layers.invisible!,
        message: 'Invisible or tag characters used to hide text',
      });
    }
    return { score: Math.min(1, score), findings, layers };
  }

  return { scan };
}
