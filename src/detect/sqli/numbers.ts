/**
 * Numbers judged by the SQLi detector: values that break number parsers rather than queries.
 * Bounded: at most 48 characters are read.
 */
import type { Judged } from './judge.js';

const r = (score: number, rule: string): Judged => ({ score, rule, at: 0 });

/**
 * Numbers that break number parsers rather than queries: 2.2250738585072011e-308 (next to the
 * smallest normal double; hangs PHP's and Java's string-to-double conversion, CVE-2010-4645 /
 * CVE-2010-4476) written any way, and decimal exponents past the double range (`1e309`). Integers
 * one past a 32/64-bit boundary (2^31, 2^32, 2^63, 2^64) overflow integer columns and parsers too,
 * but 4294967296 is also 4 GiB in bytes: paranoia 2.
 */
export function numberProbe(text: string): Judged | null {
  const n = text.length;
  if (n > 48) return null;
  let i = 0;
  if (text.charCodeAt(0) === 45 || text.charCodeAt(0) === 43) i = 1;
  let digits = '';
  let pointAt = -1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += text[i];
    else if (c === 46 && pointAt < 0) pointAt = digits.length;
    else break;
  }
  if (digits.length === 0) return null;
  let exp = 0;
  if (i < n) {
    if ((text.charCodeAt(i) | 32) !== 101) return null;
    i++;
    let sign = 1;
    if (text.charCodeAt(i) === 45 || text.charCodeAt(i) === 43) sign = text.charCodeAt(i++) === 45 ? -1 : 1;
    const from = i;
    while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57 && i - from < 6) i++;
    if (i === from || i < n) return null;
    exp = sign * Number(text.slice(from, i));
  } else if (pointAt < 0) return integerBoundary(text, digits);
  // the decimal exponent of the first significant digit
  const lead = digits.search(/[1-9]/);
  if (lead < 0) return null;
  const magnitude = (pointAt < 0 ? digits.length : pointAt) - lead - 1 + exp;
  if (magnitude > 308) return r(0.6, 'float-overflow');
  if (magnitude === -308 && digits.startsWith('2225073858507201', lead)) return r(0.6, 'float-denormal-dos');
  return null;
}

const BOUNDARIES = [31n, 32n, 63n, 64n].map((b) => 2n ** b);

function integerBoundary(text: string, digits: string): Judged | null {
  if (digits.length < 10 || digits.length > 21) return null;
  const v = BigInt(digits);
  const neg = text.charCodeAt(0) === 45;
  for (const b of BOUNDARIES) {
    // one past the largest value (2^31, 2^32) or below the smallest (-2^31 - 1)
    if ((!neg && v === b) || (neg && v === b + 1n)) return r(0.45, 'integer-overflow');
  }
  return null;
}
