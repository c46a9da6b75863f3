/**
 * NoSQL (MongoDB) operator injection in one value. The engine passes object keys as values with
 * source `key`, so `{"password": {"$ne": null}}` arrives as the key `$ne`; query syntax
 * (`user[$ne]=x`) arrives as a key `user[$ne]` or a location ending in `[$ne]`. Operator-shaped
 * JSON inside a string (`filter={"$gt": ""}`) and JavaScript meant for `$where`
 * (`this.password.match(`, `sleep(`, `';return true`) are found in values.
 */
import type { Finding } from '../core/findings.js';
import type { DetectorOptions, InspectedValue, Paranoia, ValueDetector } from './types.js';

const MAX_SCAN = 64 * 1024;
/** Lowest internal strength reported (0.5 on the engine's scale). */
const REPORT = 0.35;
/**
 * Internal strengths put 0.5 at "fires at paranoia 1"; the engine compares against 0.7 / 0.5 / 0.3
 * (detect.thresholds). This maps 0.5 to 0.7 and 0.35 to 0.5, monotonically.
 */
const toEngineScore = (s: number): number =>
  Math.round(Math.min(1, s >= 0.5 ? 0.7 + 0.6 * (s - 0.5) : 0.7 - (4 / 3) * (0.5 - s)) * 100) / 100;

/** Operators that run code or reach other collections. */
const CODE_OPERATORS = new Set([
  '$where',
  '$function',
  '$accumulator',
  '$expr',
  '$lookup',
  '$unionwith',
  '$out',
  '$merge',
  '$graphlookup',
]);
/** Query operators that change what a login or lookup matches. */
const QUERY_OPERATORS = new Set([
  '$ne',
  '$eq',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$regex',
  '$exists',
  '$or',
  '$and',
  '$nor',
  '$not',
  '$elemmatch',
  '$all',
  '$size',
  '$mod',
  '$text',
  '$jsonschema',
  '$options',
  '$where',
  '$comment',
  '$match',
  '$group',
  '$project',
  '$set',
  '$unset',
  '$rename',
  '$inc',
  '$push',
  '$pull',
  '$addtoset',
  '$sample',
]);

interface Hit {
  score: number;
  at: number;
  why: string;
}

function operatorScore(op: string): number {
  const o = op.toLowerCase();
  if (CODE_OPERATORS.has(o)) return 0.9;
  if (QUERY_OPERATORS.has(o)) return 0.8;
  return 0;
}

/** Reads `$name` at `i` (letters only). */
function readOperator(s: string, i: number): string {
  let j = i + 1;
  while (j < s.length && j - i < 24) {
    const c = s.charCodeAt(j) | 0x20;
    if (c < 97 || c > 122) break;
    j++;
  }
  return s.slice(i, j);
}

/** `user[$ne]`, `a[b][$gt]`: query-string operator syntax. */
function bracketOperator(s: string): { op: string; at: number } | undefined {
  let i = s.indexOf('[$');
  for (let n = 0; i >= 0 && n < 64; n++) {
    const op = readOperator(s, i + 1);
    if (s.charCodeAt(i + 1 + op.length) === 93 && operatorScore(op) > 0) return { op, at: i };
    i = s.indexOf('[$', i + 2);
  }
  return undefined;
}

/** JavaScript aimed at `$where`: `this.x.match(`, `sleep(`, `';return true`, `|| true`. */
function whereJs(s: string, paranoia: Paranoia): Hit | undefined {
  const lower = s.toLowerCase();
  const t = lower.indexOf('this.');
  if (t >= 0) {
    const rest = lower.slice(t, t + 120);
    if (/^this\.[a-z_$][\w$]*(\.(match|constructor|tostring|length)|\[|\s*(==|!=|>|<))/.test(rest)) {
      return { score: 0.75, at: t, why: '$where JavaScript on this.*' };
    }
  }
  for (const needle of [';return true', "';return", '";return', 'return true;', '; return true']) {
    const at = lower.indexOf(needle);
    if (at >= 0) {
      // the quote/semicolon shape of closing a string inside a $where function
      return { score: 0.75, at, why: 'JavaScript return in a string breakout' };
    }
  }
  const sl = lower.indexOf('sleep(');
  if (
    sl >= 0 &&
    (sl === 0 || !/[a-z_]/.test(lower[sl - 1])) &&
    /^sleep\(\s*\d{3,}/.test(lower.slice(sl, sl + 20))
  ) {
    // sleep(5000) in a value: a timing probe (SQL sleeps use seconds, Mongo's JS sleeps ms)
    return { score: paranoia >= 2 ? 0.65 : 0.55, at: sl, why: 'sleep() timing probe' };
  }
  return undefined;
}

/**
 * Prefilter, derived from `analyze`: every signal needs a `$` in the value (operator keys, `[$ne]`,
 * `{"$gt":`), `[$` in the location, or one of `$where`'s JavaScript shapes, which all contain
 * `this.`, `;` (the `return` breakouts) or `sleep(`. U+0130 and U+212A lower-case to ASCII
 * (and shift indices): a value holding one is passed on.
 */
export function mayBeNosqli(value: string, location: string | undefined): boolean {
  return location?.includes('[$') === true || NOSQLI_TRIGGER.test(value);
}

// (a regex: irregexp's scan of a long value beats a hand-written loop here, measured)
const NOSQLI_TRIGGER = /[$;\u0130\u212a]|this\.|sleep\(/i;

/**
 * What the engine may add to a detector's input (engine.ts): whether the location contains `[$`,
 * so that a value without a trigger is judged without reading its location.
 */
interface OperatorHint {
  operatorInLocation?: boolean;
}

function analyze(input: InspectedValue, paranoia: Paranoia): Hit | undefined {
  const v = input.value.length > MAX_SCAN ? input.value.slice(0, MAX_SCAN) : input.value;
  let best: Hit | undefined;
  const hit = (h: Hit | undefined): void => {
    if (h !== undefined && (best === undefined || h.score > best.score)) best = h;
  };
  const trimmed = v.trim();
  if (input.source === 'key' && trimmed.startsWith('$')) {
    const op = readOperator(trimmed, 0);
    const score = op.length === trimmed.length ? operatorScore(op) : 0;
    if (score > 0) hit({ score, at: 0, why: `operator key ${op}` });
  }
  const inKey = bracketOperator(v);
  if (inKey)
    hit({ score: operatorScore(inKey.op), at: inKey.at, why: `operator in query syntax ${inKey.op}` });
  // (bracketOperator needs `[$`: without it in the location, the location is not read)
  const inLocation =
    (input as OperatorHint).operatorInLocation === false || !input.location
      ? undefined
      : bracketOperator(input.location);
  if (inLocation)
    hit({ score: operatorScore(inLocation.op), at: 0, why: `operator in parameter name ${inLocation.op}` });
  // `{"$gt": ""}` inside a string value: quoted operator name followed by `:`
  let q = v.indexOf('$');
  for (let n = 0; q >= 0 && n < 256; n++) {
    const prev = q > 0 ? v.charCodeAt(q - 1) : 0;
    if (prev === 34 || prev === 39 || prev === 123 || prev === 32) {
      const op = readOperator(v, q);
      let k = q + op.length;
      if (v.charCodeAt(k) === prev && (prev === 34 || prev === 39)) k++;
      while (k < v.length && k - q < 40 && v.charCodeAt(k) <= 32) k++;
      const score = operatorScore(op);
      if (score > 0 && v.charCodeAt(k) === 58) hit({ score, at: q, why: `operator object ${op}` });
    }
    q = v.indexOf('$', q + 1);
  }
  if (input.profile !== 'code' && input.profile !== 'llm-message') hit(whereJs(v, paranoia));
  return best;
}

export const nosqliDetector: ValueDetector = {
  kind: 'value',
  id: 'nosqli',
  category: 'injection',
  compile(options: DetectorOptions): (input: InspectedValue) => Finding[] {
    const paranoia = options.paranoia;
    return (input) => {
      // the value's own triggers first: the location is read only when they say nothing
      if (input.value.length < 2 || !NOSQLI_TRIGGER.test(input.value)) {
        const hint = (input as OperatorHint).operatorInLocation;
        if (!(hint ?? input.location?.includes('[$') === true)) return [];
      }
      const best = analyze(input, paranoia);
      if (best === undefined || best.score < REPORT) return [];
      return [
        {
          category: 'injection',
          subtype: 'nosqli',
          detector: 'nosqli',
          severity: best.score < 0.5 ? 'low' : best.score >= 0.9 ? 'critical' : 'high',
          score: toEngineScore(best.score),
          location: input.location,
          fragment: input.value.slice(best.at, best.at + 120),
          message: `NoSQL injection: ${best.why}`,
        },
      ];
    };
  },
};
