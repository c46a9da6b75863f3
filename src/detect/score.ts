import type { Severity } from '../core/taxonomy.js';

/**
 * The grammar detectors decide themselves (profile and paranoia included) and emit only what they
 * judge reportable (internal score ≥ 0.5). The reported score maps that decision range [0.5, 1]
 * onto [0.7, 1], so an emitted finding passes the detect phase at every paranoia level (its
 * default thresholds are 0.7 / 0.5 / 0.3), while the order between findings is kept.
 */
export function reportedScore(internal: number): number {
  return Math.min(1, 0.7 + (internal - 0.5) * 0.6);
}

/** Severity of a grammar detector's internal score. */
export function severityOf(score: number): Severity {
  if (score >= 0.85) return 'critical';
  if (score >= 0.7) return 'high';
  return 'medium';
}
