// Which detectors can possibly report on a string, from one pass over its characters: the engine
// skips the others. Two kinds of rules, both necessary conditions of the detectors themselves,
// so skipping never changes a finding:
// - characters (NEEDS): a detector whose prefilter needs one of a few characters is skipped on a
//   string without any of them;
// - inert shapes: a UUID or an ISO 8601 date/time holds nothing any detector reports, and a
//   decimal number only what SSRF reports (`2130706433` is 127.0.0.1).
// test/detect/triggers.test.ts checks both claims against every detector of the registry on
// generated values (fast-check), so a detector that starts firing on new characters or shapes
// fails that test instead of being silently skipped.
//
// A detector not listed in NEEDS runs on every other string (the safe default for new detectors):
// sqli, cmdi, ssrf, xss (`new function`) and path-traversal (`etcpasswd`, `id_rsa`) can all fire
// on letters alone.
import { ALL_OF, ANY_OF, CHAR_FLAGS, HAS_NON_ASCII } from './decode.js';
import { ALL_DETECTORS_MASK, DETECTOR_BIT, type DetectorId } from './registry.js';

/**
 * Detectors that report nothing on a string holding none of these ASCII characters (any
 * non-ASCII character enables every detector: U+0130 and U+212A lower-case to ASCII letters).
 * - log4shell: a lookup starts with `$` (`${`, `$&`, `$\`, `$%`).
 * - header-injection: a line break is CR, LF, or starts with `\` or `%` (`\r\n`, `%0d%0a`).
 * - xxe: nothing is judged without `!` or `:` (`<!ENTITY`, `xi:include`, `schemaLocation`).
 * - ssti: every opener holds `{`, `<`, `[`, `_`, `(`, `$` or `.` (`{{`, `<%`, `[[`, `__`, `#set(`,
 *   `$class`, `freemarker.`).
 * - nosqli: `$`, `;`, `this.` or `sleep(` in the value — or `[$` in its location (see below).
 * - ldap-injection: a filter break-out closes a parenthesis it did not open.
 */
const NEEDS: Partial<Record<DetectorId, string>> = {
  log4shell: '$',
  'header-injection': '\r\n\\%',
  xxe: '!:',
  ssti: '{<[_($.',
  nosqli: '$;.(',
  'ldap-injection': ')',
};

/** nosqli also judges any value whose location names an operator (`user[$ne]=1`). */
export const LOCATION_NOSQLI = DETECTOR_BIT.nosqli;

/**
 * What may report on a decimal number: SSRF (an IPv4 address as one integer) and SQLi (integers
 * one past 2^31 / 2^32 / 2^63 / 2^64, which overflow integer parsers).
 */
const NUMBER_MASK = DETECTOR_BIT.ssrf | DETECTOR_BIT.sqli;

let conditional = 0;
for (const id of Object.keys(NEEDS) as DetectorId[]) conditional |= DETECTOR_BIT[id];
/** Detectors that run whatever the characters. */
const ALWAYS = ALL_DETECTORS_MASK & ~conditional;

const CHAR_MASK = new Int32Array(128).fill(ALWAYS);
for (const [id, chars] of Object.entries(NEEDS) as [DetectorId, string][]) {
  for (let i = 0; i < chars.length; i++) CHAR_MASK[chars.charCodeAt(i)] |= DETECTOR_BIT[id];
}

// ---------------------------------------------------------------------------------------------
// Shapes. Hand-written, anchored, linear; each reads a bounded prefix of the string.

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
}

/** `3f2b8c1e-9a4d-4e6f-8b21-7c5d0e9f1a23` (any case, any version). */
export function isUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!isHex(c)) return false;
  }
  return true;
}

function digits(s: string, at: number, n: number): boolean {
  if (at + n > s.length) return false;
  for (let i = at; i < at + n; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/**
 * ISO 8601 / RFC 3339 as APIs write it: `2025-11-26`, then optionally `T` or a space,
 * `hh:mm`, `:ss`, `.f{1,9}`, then `Z` or `±hh[:]mm`.
 */
export function isIsoDate(s: string): boolean {
  const n = s.length;
  if (n < 10 || n > 35) return false;
  if (!digits(s, 0, 4) || s.charCodeAt(4) !== 45 || !digits(s, 5, 2) || s.charCodeAt(7) !== 45) return false;
  if (!digits(s, 8, 2)) return false;
  if (n === 10) return true;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return false;
  if (!digits(s, 11, 2) || s.charCodeAt(13) !== 58 || !digits(s, 14, 2)) return false;
  let i = 16;
  if (s.charCodeAt(i) === 58) {
    if (!digits(s, i + 1, 2)) return false;
    i += 3;
    if (s.charCodeAt(i) === 46) {
      let k = i + 1;
      while (k < n && k - i <= 9 && isDigit(s.charCodeAt(k))) k++;
      if (k === i + 1) return false;
      i = k;
    }
  }
  if (i === n) return true;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) return i + 1 === n;
  if (z !== 43 && z !== 45) return false;
  if (!digits(s, i + 1, 2)) return false;
  i += 3;
  if (s.charCodeAt(i) === 58) i++;
  return digits(s, i, 2) && i + 2 === n;
}

/** `42`, `-7`, `3.14`, `-0.5`: at most 32 digits each side of one dot. */
export function isDecimal(s: string): boolean {
  const n = s.length;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  const start = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  if (i === start || i - start > 32) return false;
  if (i === n) return true;
  if (s.charCodeAt(i) !== 46) return false;
  const frac = ++i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  return i === n && i > frac && i - frac <= 32;
}

/** Detectors allowed on a string of one of the inert shapes; -1 when it has none. */
function shapeMask(s: string): number {
  const c = s.charCodeAt(0);
  if (isDigit(c) || c === 45) {
    if (isDecimal(s)) return NUMBER_MASK;
    if (isIsoDate(s)) return 0;
  }
  return isHex(c) && isUuid(s) ? 0 : -1;
}

// ---------------------------------------------------------------------------------------------

/** Bits of scanValue's flags (decode.ts) in the low byte, then the detector mask. */
const DETECTOR_SHIFT = 8;
const SCAN = new Int32Array(128);
for (let c = 0; c < 128; c++) SCAN[c] = CHAR_FLAGS[c] | (CHAR_MASK[c] << DETECTOR_SHIFT);

/** scanForEngine's value of each ASCII character, for walkers that fold the scan into their own pass. */
export const ENGINE_SCAN: Readonly<Int32Array> = SCAN;
/** scanForEngine's value of any non-ASCII character. */
export const ENGINE_SCAN_NON_ASCII = HAS_NON_ASCII | (ALL_DETECTORS_MASK << DETECTOR_SHIFT);
/** Where scanForEngine's intersection of ENGINE_SCAN starts. */
export const ENGINE_SCAN_ALL = ALL_OF;

/**
 * One pass over a value for the engine: scanValue's flags (`& 0xff`) and, shifted by 8, the
 * detectors that may report on the value itself (see `detectorsOf`). The location rule is the
 * caller's: `| LOCATION_NOSQLI` when the location contains `[$`.
 */
export function scanForEngine(s: string): number {
  let any = 0;
  let all = ALL_OF;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      const f = SCAN[c];
      any |= f;
      all &= f;
    } else {
      any |= ENGINE_SCAN_NON_ASCII;
      all = 0;
    }
  }
  return finishScan(s, (any & ~ALL_OF) | all);
}

/**
 * scanForEngine(s) from a walker's own pass over the characters of `s`: `raw` is
 * `(any & ~ENGINE_SCAN_ALL) | all`, where `any` is the union of ENGINE_SCAN over them (a non-ASCII
 * character counts as ENGINE_SCAN_NON_ASCII) and `all` their intersection starting from
 * ENGINE_SCAN_ALL (a non-ASCII character empties it). Spares the engine its pass.
 */
export function finishScan(s: string, raw: number): number {
  let detectors = s.length === 0 ? ALWAYS : raw >>> DETECTOR_SHIFT;
  if (s.length <= 36 && s.length > 0 && (raw & HAS_NON_ASCII) === 0) {
    const shape = shapeMask(s);
    if (shape !== -1) detectors &= shape;
  }
  return (raw & (ANY_OF | ALL_OF)) | (detectors << DETECTOR_SHIFT);
}

/** The detector mask of scanForEngine's result. */
export function detectorsOf(scan: number): number {
  return scan >>> DETECTOR_SHIFT;
}

/** Mask of the detectors that may report on `s` (a value or a decoded variant), before the location rule. */
export function detectorsFor(s: string): number {
  return scanForEngine(s) >>> DETECTOR_SHIFT;
}

/** The characters a listed detector needs (tests derive their generators from it). */
export function neededChars(id: DetectorId): string | undefined {
  return NEEDS[id];
}
