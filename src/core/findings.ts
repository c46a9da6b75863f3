import type { Severity, Threat } from './taxonomy.js';

/** Where in a request or response a value was found, e.g. `query.id`, `body.$.messages[1].content`. */
export type Location = string;

/**
 * What a detector or control reports. Pure data: a finding never decides the HTTP response,
 * the route's mode does (see gateway/verdict.ts).
 */
export type Finding = Threat & {
  /** Stable id of the detector or control that produced it (snake or kebab case). */
  detector: string;
  severity: Severity;
  /** Confidence/strength in [0, 1]; thresholds compare against it. */
  score: number;
  location?: Location;
  /** The matched fragment, short (≤ 120 chars); redacted before it is stored. */
  fragment?: string;
  message?: string;
};

export type Mode = 'off' | 'monitor' | 'block';
export const MODES = ['off', 'monitor', 'block'] as const;
