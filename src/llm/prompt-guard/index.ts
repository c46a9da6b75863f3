// Public interface of the prompt-injection / jailbreak detector (layered; see detector.ts).
import type { Finding } from '../../core/findings.js';

export type Provenance = 'system' | 'user' | 'assistant' | 'tool' | 'document';

export interface PromptGuardOptions {
  /** Score at or above which a finding is reported. Default 0.5. */
  threshold?: number;
  /** 1–2: system/assistant text not scanned; 3: every provenance scanned. Default 1. */
  paranoia?: 1 | 2 | 3;
}

export interface PromptScanResult {
  /** 0..1, the maximum over the layers. */
  score: number;
  /** category 'llm-prompt-injection'; `location` is left for the caller. */
  findings: Finding[];
  /** Per-layer scores (heuristic, classifier, encoded, invisible…), each 0..1. */
  layers: Record<string, number>;
}

export interface PromptGuard {
  scan(text: string, provenance: Provenance): PromptScanResult;
}

export { compilePromptGuard } from './detector.js';
export { createExternalClassifier, type ExternalClassifierOptions } from './external.js';
