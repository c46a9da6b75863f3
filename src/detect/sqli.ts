/**
 * SQL injection detector: lex the value into token classes, fold, and judge token-sequence shapes
 * in each quote context (as-is, inside '…', inside "…", and for structured profiles inside a
 * backtick identifier `…`). See src/detect/sqli/ for the lexer and judge.
 *
 * Scoring: each shape has a strength (0.85+ for breakouts with a tautology, UNION SELECT, stacked
 * statement, time/error/out-of-band function; 0.5–0.8 for weaker grammar; < 0.5 for probes). The
 * profile adjusts it (identifier +0.1; free-text/markup keep only strong breakouts; code keeps only
 * a quote closed then logic/UNION/truncation), paranoia adds 0.1 per level above 1 to any score
 * ≥ 0.3, and a finding is returned when the result is ≥ 0.5.
 *
 * Limits (what it cannot catch, by design):
 * - Only the first 64 KB and 512 tokens per quote context are judged; breakout shapes are
 *   anchored at the start of the value (the application wraps the whole value).
 * - Quotes escaped with a backslash (`\'`) are taken as closing quotes only in the quote contexts;
 *   the backtick context is tried only for generic / identifier / url values (prose and code use
 *   backticks for markup).
 * - A value that opens with `name=` (a separator the client encoded, split again by a backend that
 *   decodes twice) is also judged from after the `=` (values up to 4 KB).
 * - Prose (≥ 200 characters, ≥ 30 words, 85% letters and spaces) is judged as free text whatever
 *   its location: an article quoting `' or 1=1` is not an attack; prose padding around a payload
 *   therefore leaves only the strong breakouts judged.
 * - Fragments that are not injections by themselves (`ORder by`, `cast(`, `1=1`, `<=`, lone
 *   sample-database names such as `northwind`, `) AS x FROM`, bare function names `floor(`) are weak
 *   evidence: paranoia 2–3 flag some, paranoia 1 flags none. Probes that only make sense against a
 *   database do flag at paranoia 1: a server-fact call as the whole value (`database()`), MSSQL
 *   system databases (`msdb`), `if(1=` / `case when … then` conditionals, `) like (`, a quote then
 *   a cut-short `select x`, two strings compared with the last left open (`'a'='a`), full DDL
 *   clauses (`alter table t add …`), `exec master.…` and keywords glued together (`unionselect`). Lone literal comparisons with a SQL-only operator or the same
 *   literal on both sides (`7 like 7`, `'a' regexp 'a'`) flag from paranoia 2. Catalogue reads (`from information_schema.tables`), error-based
 *   derived tables (`from(select count(*),concat(…))x`), server facts inside string builders
 *   (`concat(0x7e,version())`) and MySQL version comments around keywords (`/*!50000select*\/`)
 *   are judged anywhere in the value at medium strength.
 * - A short value that is nothing but a piece of SQL (./sqli/fragment.ts) — a SQL function left open
 *   (`concat(`), a true comparison of literals (`1=1`, `11!=1`), an IN list, a null test (`IS NULL`),
 *   a clause cut short (`HAVING 1=`, `) when 1 then`, `from t where id=1`) — flags at paranoia 1;
 *   lone generic operators (`||`, `->`, `<>`), `order by` alone and sample-database names only from
 *   paranoia 2–3. Numbers that crash number parsers (2.2250738585072011e-308, `1e309`) flag at
 *   paranoia 1, integers one past 2^31/2^32/2^63/2^64 from paranoia 2 (./sqli/numbers.ts).
 * - Keywords cut by empty comments (`UN/**\/ION`, ./sqli/split-keyword.ts) are judged joined, in
 *   values up to 4 KB; the cut alone flags from paranoia 2.
 * - Second-order injection and injections split across several parameters are out of reach of a
 *   per-value detector.
 */
import type { Finding } from '../core/findings.js';
import { fold, lex, type Tok } from './sqli/lexer.js';
import { Judge, type Judged } from './sqli/judge.js';
import { isSystemTable } from './sqli/words.js';
import { bareFragment } from './sqli/fragment.js';
import { numberProbe } from './sqli/numbers.js';
import { quoteFragment, randomCase } from './sqli/quote-fragment.js';
import { sqliCannotMatch } from './sqli/prefilter.js';
import { joinSplitKeywords } from './sqli/split-keyword.js';
import {
  foldQuoteLookalikes,
  hasQuoteLookalike,
  looksLikeProse,
  quoteOperatorProbe,
} from './sqli/raw-text.js';
import type { ContentProfile, DetectorOptions, InspectedValue, Paranoia, ValueDetector } from './types.js';
import { reportedScore, severityOf } from './score.js';

/** Only the start of a value is inspected; an injection must break out early to work anyway. */
export const SQLI_MAX_INPUT = 64 * 1024;
/** Tokens judged per quote context. */
export const SQLI_MAX_TOKENS = 512;

type Context = '' | "'" | '"' | '`';

/** Shapes that count as a breakout even in code (a quote closed, then logic, UNION or truncation). */
const CODE_BREAKOUTS = new Set([
  'tautology',
  'logic-comparison',
  'logic-subquery',
  'logic-dangerous-function',
  'logic-operand-comment',
  'union-select',
  'quote-comment',
]);
type Origin = 'breakout' | 'anywhere';

interface Candidate extends Judged {
  ctx: Context;
  origin: Origin;
  prefix: 'quote' | 'num' | 'name' | 'none';
  offset: number;
}

export interface SqliAnalysis {
  score: number;
  rule: string;
  context: Context;
  offset: number;
}

function judgeContext(text: string, ctx: Context): Candidate | null {
  const { toks: raw, inlineComment, execComment, execKeyword, sciGlue } = lex(text, ctx, SQLI_MAX_TOKENS);
  const t: Tok[] = fold(raw);
  if (t.length === 0) return null;
  const judge = new Judge(t);
  let p = 0;
  let prefix: Candidate['prefix'];
  if (ctx !== '') {
    if (t[0]!.c !== 's' || t[0]!.closed !== true) return null;
    prefix = 'quote';
    p = 1;
  } else {
    const c = t[0]!.c;
    // a value that opens with a number or with `or`/`and` is an expression fragment
    if (c === '1' || c === '&') prefix = 'num';
    else if (c === 'n' || c === 'v' || c === 's') prefix = 'name';
    else prefix = 'none';
    if (prefix !== 'none' && c !== '&') p = 1;
  }
  while (t[p]?.c === ')') p++;
  let best: Candidate | null = null;
  const b = judge.tail(p, prefix);
  if (b !== null) best = { ...b, ctx, origin: 'breakout', prefix, offset: t[b.at]?.s ?? 0 };
  const a = judge.anywhere();
  if (a !== null && (best === null || a.score > best.score)) {
    best = { ...a, ctx, origin: 'anywhere', prefix, offset: t[a.at]?.s ?? 0 };
  }
  // the whole value is one piece of SQL (./sqli/fragment.ts)
  const f = ctx === '' ? bareFragment(text, raw, t, inlineComment) : quoteFragment(t);
  if (f !== null && (best === null || f.score > best.score))
    best = { ...f, ctx, origin: 'breakout', prefix, offset: t[f.at]?.s ?? 0 };
  if (best !== null && best.score >= 0.3) {
    let boost = 0;
    if (inlineComment || execComment) boost += 0.1;
    // `ORder by`, `cOnCaT(`: random case is how keyword filters are dodged
    if (randomCase(text, t)) boost += 0.1;
    for (const x of t) {
      if ((x.c === 'n' || x.c === 'f') && isSystemTable(x.w)) {
        boost += 0.1;
        break;
      }
      if (x.c === 'v' && x.w.startsWith('@@')) {
        boost += 0.05;
        break;
      }
    }
    best.score = Math.min(1, best.score + boost);
  }
  // `/*!50000select*/`, `/*!union*/`: MySQL version comments around keywords are evasion syntax
  if (execKeyword && (best === null || best.score < 0.6))
    best = {
      score: 0.6,
      rule: 'executable-comment-keyword',
      at: 0,
      ctx,
      origin: 'anywhere',
      prefix,
      offset: 0,
    };
  if (sciGlue && (best === null || best.score < 0.6))
    best = {
      score: 0.6,
      rule: 'scientific-notation-glue',
      at: 0,
      ctx,
      origin: 'anywhere',
      prefix,
      offset: 0,
    };
  return best;
}

function adjustForProfile(c: Candidate, profile: ContentProfile): number {
  switch (profile) {
    case 'code':
    case 'llm-message':
      // Code legitimately holds whole statements: only a clear breakout counts.
      if (c.origin !== 'breakout' || c.prefix !== 'quote' || !CODE_BREAKOUTS.has(c.rule)) return 0;
      return c.score - 0.05;
    case 'free-text':
    case 'markup':
      // prose and snippets pasted into it: only strong shapes count
      if (c.score >= 0.85 && (c.origin === 'breakout' || c.rule === 'union-select')) return c.score - 0.05;
      return c.score - 0.35;
    case 'identifier':
      return Math.min(1, c.score + 0.1);
    default:
      return c.score;
  }
}

/** Score a value without building a finding (used by tests and benchmarks). */
export function analyzeSqli(value: string, profile: ContentProfile, paranoia: Paranoia): SqliAnalysis | null {
  return analyzeSqliWith(value, profile, paranoia, true);
}

/** The same analysis without the prefilter: tests compare the two. */
export function analyzeSqliUnfiltered(
  value: string,
  profile: ContentProfile,
  paranoia: Paranoia,
): SqliAnalysis | null {
  return analyzeSqliWith(value, profile, paranoia, false);
}

/**
 * Where an embedded `name=` ends: a parameter name, then `=`, opening the value. Such values come
 * from separators the client encoded (`pay%3DAND…` arrives as one name) and that a backend decoding
 * twice splits again; the part after `=` is judged as a value of its own.
 */
const EMBEDDED_MAX = 4096;
const STRUCTURED: ReadonlySet<ContentProfile> = new Set<ContentProfile>(['generic', 'identifier', 'url']);

function embeddedValueStart(text: string): number {
  const n = Math.min(text.length, 64);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 61) return i > 0 && i + 1 < text.length ? i + 1 : -1;
    const word =
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      c === 95 ||
      (i > 0 && ((c >= 48 && c <= 57) || c === 45 || c === 46 || c === 91 || c === 93));
    if (!word) return -1;
  }
  return -1;
}

function analyzeSqliWith(
  value: string,
  profile: ContentProfile,
  paranoia: Paranoia,
  prefilter: boolean,
): SqliAnalysis | null {
  let whole = analyzeText(value, profile, paranoia, prefilter);
  // `UN/**/ION SEL/**/ECT`: keywords cut by empty comments are judged joined (./sqli/split-keyword.ts)
  const joined = value.length <= EMBEDDED_MAX ? joinSplitKeywords(value) : null;
  if (joined !== null) {
    const j = analyzeText(joined, profile, paranoia, prefilter);
    // the cut alone is evasion, on structured values only (code and prose keep their own reading)
    const floor = STRUCTURED.has(profile) ? 0.6 + 0.1 * (paranoia - 1) : 0;
    const score = Math.min(
      1,
      Math.max(floor, j === null ? 0 : j.score + (STRUCTURED.has(profile) ? 0.1 : 0)),
    );
    if (score > 0 && (whole === null || score > whole.score))
      whole = {
        score,
        rule: j !== null && j.score + 0.1 >= floor ? j.rule : 'comment-split-keyword',
        context: j?.context ?? '',
        offset: 0,
      };
  }
  // bounded: a name=value smuggled into one parameter is short; the whole value was judged anyway
  const at = value.length <= EMBEDDED_MAX ? embeddedValueStart(value) : -1;
  if (at < 0) return whole;
  const inner = analyzeText(value.slice(at), profile, paranoia, prefilter);
  if (inner === null || (whole !== null && whole.score >= inner.score)) return whole;
  return { ...inner, offset: inner.offset + at };
}

function analyzeText(
  value: string,
  profile: ContentProfile,
  paranoia: Paranoia,
  prefilter: boolean,
): SqliAnalysis | null {
  let text = value.length > SQLI_MAX_INPUT ? value.slice(0, SQLI_MAX_INPUT) : value;
  if (text.length < 2) return null;
  // numbers that crash number parsers (2.2250738585072011e-308, 1e309): nothing else to judge
  if (profile === 'generic' || profile === 'identifier' || profile === 'url') {
    const c0 = text.charCodeAt(0);
    const m = (c0 >= 48 && c0 <= 57) || c0 === 45 || c0 === 43 || c0 === 46 ? numberProbe(text) : null;
    if (m !== null) return { score: m.score + 0.1 * (paranoia - 1), rule: m.rule, context: '', offset: 0 };
  }
  // plain words, numbers, names, e-mails, most sentences: provably nothing to judge (./sqli/prefilter.ts)
  if (prefilter && sqliCannotMatch(text)) return null;
  // quote look-alikes (’ ‘ ´ ʼ ＇) that some databases and charsets fold into a quote
  if (hasQuoteLookalike(text)) text = foldQuoteLookalikes(text);
  let best: SqliAnalysis | null = null;
  // a long run of prose (a pasted article about SQL) is judged as free text whatever its location
  const prose = profile !== 'code' && profile !== 'llm-message' && looksLikeProse(text);
  const judgedAs = prose ? 'free-text' : profile;
  const probe =
    profile === 'generic' || profile === 'identifier' || profile === 'url' ? quoteOperatorProbe(text) : null;
  if (probe !== null)
    best = { ...probe, score: probe.score + 0.1 * (paranoia - 1) + (profile === 'identifier' ? 0.1 : 0) };
  const contexts: Context[] = [''];
  if (text.includes("'")) contexts.push("'");
  if (text.includes('"')) contexts.push('"');
  // a MySQL identifier the application wraps in backticks (`order by \`…\``): structured values only
  if (text.includes('`') && (profile === 'generic' || profile === 'identifier' || profile === 'url'))
    contexts.push('`');
  for (const ctx of contexts) {
    const c = judgeContext(text, ctx);
    if (c === null) continue;
    // a backtick closes an identifier: only clear shapes after it (`` `!1 `` is markup, not SQL)
    if (ctx === '`' && c.score < 0.6) continue;
    let score = Math.max(0, adjustForProfile(c, judgedAs));
    // prose quoting SQL stays quiet at every paranoia: the level raises weak shapes, not quotations
    if (score >= 0.3 && !prose) score = Math.min(1, score + 0.1 * (paranoia - 1));
    if (best === null || score > best.score) best = { score, rule: c.rule, context: ctx, offset: c.offset };
  }
  return best;
}

export const sqliDetector: ValueDetector = {
  kind: 'value',
  id: 'sqli',
  category: 'injection',
  compile(options: DetectorOptions): (input: InspectedValue) => Finding[] {
    const paranoia = options.paranoia;
    return (input: InspectedValue): Finding[] => {
      const a = analyzeSqli(input.value, input.profile, paranoia);
      if (a === null || a.score < 0.5) return [];
      const score = Math.round(reportedScore(a.score) * 100) / 100;
      const from = Math.max(0, a.offset - 16);
      return [
        {
          category: 'injection',
          subtype: 'sqli',
          detector: 'sqli',
          severity: severityOf(a.score),
          score,
          location: input.location,
          fragment: input.value.slice(from, from + 120),
          message: `SQL injection shape '${a.rule}'${a.context === '' ? '' : ` after a ${a.context} quote`}`,
        },
      ];
    };
  },
};
