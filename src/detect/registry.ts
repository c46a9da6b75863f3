import { cmdiDetector } from './cmdi.js';
import { codeInjectionDetector } from './code-injection/index.js';
import { headerInjectionDetector } from './header-injection.js';
import { ldapInjectionDetector } from './ldap-injection.js';
import { log4shellDetector } from './log4shell.js';
import { nosqliDetector } from './nosqli.js';
import { pathTraversalDetector } from './path-traversal.js';
import { sqliDetector } from './sqli.js';
import { ssrfDetector } from './ssrf.js';
import { sstiDetector } from './ssti.js';
import type { ValueDetector } from './types.js';
import { xssDetector } from './xss.js';
import { xxeDetector } from './xxe.js';

/**
 * Every value detector, by id. The table's type is built from this list, so a detector missing
 * from the table is a compile error, and an object literal cannot hold one key twice.
 * (The protocol detector is a RequestDetector run by the gateway's own phase, not listed here.)
 */
export const DETECTOR_IDS = [
  'sqli',
  'xss',
  'cmdi',
  'path-traversal',
  'ssrf',
  'nosqli',
  'ssti',
  'xxe',
  'header-injection',
  'log4shell',
  'code-injection',
  'ldap-injection',
] as const;
export type DetectorId = (typeof DETECTOR_IDS)[number];

export const DETECTORS: { readonly [K in DetectorId]: ValueDetector } = Object.freeze({
  sqli: sqliDetector,
  xss: xssDetector,
  cmdi: cmdiDetector,
  'path-traversal': pathTraversalDetector,
  ssrf: ssrfDetector,
  nosqli: nosqliDetector,
  ssti: sstiDetector,
  xxe: xxeDetector,
  'header-injection': headerInjectionDetector,
  log4shell: log4shellDetector,
  'code-injection': codeInjectionDetector,
  'ldap-injection': ldapInjectionDetector,
});

/** Bit of a detector in the masks the engine uses (DETECTOR_IDS order). */
export const DETECTOR_BIT: { readonly [K in DetectorId]: number } = Object.freeze(
  Object.fromEntries(DETECTOR_IDS.map((id, i) => [id, 1 << i])) as { [K in DetectorId]: number },
);
export const ALL_DETECTORS_MASK = (1 << DETECTOR_IDS.length) - 1;

export function isDetectorId(id: string): id is DetectorId {
  return (DETECTOR_IDS as readonly string[]).includes(id);
}

/** Mask of a list of detector ids. */
export function detectorMask(ids: readonly DetectorId[]): number {
  let mask = 0;
  for (const id of ids) mask |= DETECTOR_BIT[id];
  return mask;
}
