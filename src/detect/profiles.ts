// Content profiles and location rules: which kind of content a value carries (from the route's
// config, the OpenAPI schema, or the shape of an LLM API request) and which detectors may look
// at it. Patterns are compiled once per route; matching is linear in the location's length.
import { ALL_DETECTORS_MASK, DETECTOR_IDS, type DetectorId, detectorMask } from './registry.js';
import type { ContentProfile } from './types.js';

/** A location as segments: a kind (`query`, `body`, …), names, and numbers for array indexes. */
export type Segments = readonly (string | number)[];

/** Detectors that may look at a value of each profile. */
export const PROFILE_DETECTORS: { readonly [P in ContentProfile]: readonly DetectorId[] } = {
  // Every registered detector, so a new one is on by default where nothing says otherwise.
  generic: DETECTOR_IDS,
  identifier: DETECTOR_IDS,
  'free-text': [
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
  ],
  url: [
    'sqli',
    'xss',
    'cmdi',
    'path-traversal',
    'ssrf',
    'ssti',
    'header-injection',
    'log4shell',
    'code-injection',
  ],
  // Code is expected to look like code: only payloads that attack the gateway's own neighbours.
  code: ['log4shell'],
  markup: ['sqli', 'xss', 'cmdi', 'path-traversal', 'ssrf', 'ssti', 'xxe', 'log4shell', 'code-injection'],
  // Text for a model: the LLM guard judges it; SQL/shell/XSS signatures would flag every coding question.
  'llm-message': ['log4shell'],
};

const PROFILE_MASK = Object.fromEntries(
  Object.entries(PROFILE_DETECTORS).map(([p, ids]) => [p, detectorMask(ids)]),
) as { [P in ContentProfile]: number };

export function profileMask(profile: ContentProfile): number {
  return PROFILE_MASK[profile];
}

// ---------------------------------------------------------------------------------------------
// Location patterns

type PatternSeg =
  | { t: 'lit'; v: string | number }
  | { t: 'glob'; v: string }
  | { t: 'any' }
  | { t: 'index' }
  | { t: 'deep' };

export interface LocationPattern {
  source: string;
  segs: PatternSeg[];
  /** Position of `**`, or -1. */
  deep: number;
}

function nameSeg(v: string): PatternSeg {
  if (v === '*') return { t: 'any' };
  if (v === '**') return { t: 'deep' };
  return v.includes('*') ? { t: 'glob', v } : { t: 'lit', v };
}

/**
 * Parses a location glob: `query.q`, `header.x-*`, `cookie.*`, `path[2]`, `body` (the raw body),
 * `body.field` (form/multipart), `body./order/item/@id` (XML), `body.$.a.b[2]`, `body.$.items[*].text`,
 * `body.$['odd.key']`, `body.$.**`. `*` matches one segment (or part of a name), `**` any number
 * of segments (once per pattern). Returns an error message for a bad pattern.
 */
export function parseLocationPattern(source: string): LocationPattern | string {
  const p = source.trim();
  if (p === '**') return { source, segs: [{ t: 'deep' }], deep: 0 };
  let k = 0;
  while (k < p.length && p[k] !== '.' && p[k] !== '[') k++;
  const kind = p.slice(0, k);
  if (!['path', 'query', 'header', 'cookie', 'body', '*'].includes(kind)) {
    return `location must start with path, query, header, cookie, body or *, got "${kind}"`;
  }
  const segs: PatternSeg[] = [kind === '*' ? { t: 'any' } : { t: 'lit', v: kind }];
  const rest = p.slice(k);
  if (rest === '') {
    // just the kind
  } else if (kind === 'body' && rest.startsWith('.$')) {
    segs.push({ t: 'lit', v: '$' });
    let i = 2;
    while (i < rest.length) {
      if (rest[i] === '.') {
        let j = i + 1;
        while (j < rest.length && rest[j] !== '.' && rest[j] !== '[') j++;
        const name = rest.slice(i + 1, j);
        if (name === '') return `empty segment in "${source}"`;
        segs.push(nameSeg(name));
        i = j;
      } else if (rest[i] === '[') {
        const close = rest.indexOf(']', i);
        if (close === -1) return `unclosed [ in "${source}"`;
        const inner = rest.slice(i + 1, close);
        if (inner === '*') segs.push({ t: 'index' });
        else if (/^\d+$/.test(inner)) segs.push({ t: 'lit', v: Number(inner) });
        else if (inner.length >= 2 && (inner[0] === "'" || inner[0] === '"') && inner.endsWith(inner[0])) {
          segs.push({ t: 'lit', v: inner.slice(1, -1) });
        } else return `bad index [${inner}] in "${source}"`;
        i = close + 1;
      } else return `unexpected "${rest[i]}" in "${source}"`;
    }
  } else if (rest.startsWith('[') && rest.endsWith(']')) {
    const inner = rest.slice(1, -1);
    if (inner === '*') segs.push({ t: 'index' });
    else if (/^\d+$/.test(inner)) segs.push({ t: 'lit', v: Number(inner) });
    else return `bad index [${inner}] in "${source}"`;
  } else if (rest.startsWith('.') && rest.length > 1) {
    const name = rest.slice(1);
    segs.push(nameSeg(kind === 'header' ? name.toLowerCase() : name));
  } else return `bad location "${source}"`;
  const deeps = segs.filter((s) => s.t === 'deep').length;
  if (deeps > 1) return `at most one ** per location pattern ("${source}")`;
  return { source, segs, deep: segs.findIndex((s) => s.t === 'deep') };
}

/** `*` inside a name: classic two-pointer wildcard match (no regex, no blow-up). */
export function globMatch(pattern: string, text: string): boolean {
  let pi = 0;
  let si = 0;
  let star = -1;
  let mark = 0;
  while (si < text.length) {
    if (pi < pattern.length && pattern.charCodeAt(pi) === text.charCodeAt(si) && pattern[pi] !== '*') {
      pi++;
      si++;
    } else if (pi < pattern.length && pattern[pi] === '*') {
      star = pi++;
      mark = si;
    } else if (star !== -1) {
      pi = star + 1;
      si = ++mark;
    } else return false;
  }
  while (pi < pattern.length && pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

function segMatch(p: PatternSeg, s: string | number): boolean {
  switch (p.t) {
    case 'lit':
      return p.v === s;
    case 'any':
      return true;
    case 'index':
      return typeof s === 'number';
    case 'glob':
      return typeof s === 'string' && globMatch(p.v, s);
    default:
      return false;
  }
}

export function matchLocation(pattern: LocationPattern, segs: Segments): boolean {
  const p = pattern.segs;
  if (pattern.deep === -1) {
    if (p.length !== segs.length) return false;
    for (let i = 0; i < p.length; i++) if (!segMatch(p[i], segs[i])) return false;
    return true;
  }
  const before = pattern.deep;
  const after = p.length - before - 1;
  if (segs.length < before + after) return false;
  for (let i = 0; i < before; i++) if (!segMatch(p[i], segs[i])) return false;
  for (let i = 0; i < after; i++) {
    if (!segMatch(p[p.length - 1 - i], segs[segs.length - 1 - i])) return false;
  }
  return true;
}

const SIMPLE_NAME = /^[A-Za-z_$][\w$-]*$/;

/** SIMPLE_NAME.test(s) as a character scan. */
function isSimpleName(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36) continue;
    if (i > 0 && ((c >= 48 && c <= 57) || c === 45)) continue;
    return false;
  }
  return true;
}

/** One segment after the first, printed (`.name`, `[2]`, `['odd key']` in JSON locations). */
export function formatSegment(s: string | number, json: boolean): string {
  if (typeof s === 'number') return `[${s}]`;
  if (!json || s === '$' || isSimpleName(s)) return `.${s}`;
  return `['${s.replace(/'/g, "\\'")}']`;
}

/** The printed form of a location: `query.id`, `body.$.messages[1].content`, `path[2]`. */
export function formatLocation(segs: Segments): string {
  let out = String(segs[0]);
  const json = segs[1] === '$';
  for (let i = 1; i < segs.length; i++) out += formatSegment(segs[i], json);
  return out;
}

// ---------------------------------------------------------------------------------------------
// LLM API request shapes (OpenAI chat/completions/responses/embeddings, Anthropic messages)

/** Paths that carry an LLM API request even on routes without `llm` settings. */
const LLM_PATH_SUFFIXES = [
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/responses',
  '/v1/messages',
  '/v1/embeddings',
  '/chat/completions',
];

export function isLlmPath(path: string): boolean {
  const q = path.indexOf('?');
  let p = q === -1 ? path : path.slice(0, q);
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return LLM_PATH_SUFFIXES.some((s) => p.endsWith(s));
}

/** Message text: judged by the LLM guard, not by SQL/shell/XSS signatures. */
const LLM_MESSAGE_PATTERNS = [
  'body.$.messages[*].content',
  'body.$.messages[*].content[*].text',
  'body.$.messages[*].content[*].content',
  'body.$.messages[*].content[*].content[*].text',
  'body.$.messages[*].reasoning_content',
  'body.$.messages[*].refusal',
  'body.$.system',
  'body.$.system[*].text',
  'body.$.prompt',
  'body.$.prompt[*]',
  'body.$.suffix',
  'body.$.input',
  'body.$.input[*]',
  'body.$.input[*].content',
  'body.$.input[*].content[*].text',
  'body.$.input[*].output',
  'body.$.instructions',
  'body.$.tools.**.description',
  'body.$.functions.**.description',
];
/** JSON documents inside JSON strings: tool-call arguments, parsed and inspected normally. */
const LLM_JSON_STRING_PATTERNS = [
  'body.$.messages[*].tool_calls[*].function.arguments',
  'body.$.messages[*].function_call.arguments',
  'body.$.input[*].arguments',
];
const LLM_URL_PATTERNS = [
  'body.$.messages[*].content[*].image_url.url',
  'body.$.messages[*].content[*].source.url',
];

// ---------------------------------------------------------------------------------------------
// Compiled rules for one route

export interface Classification {
  profile: ContentProfile;
  /** Detectors allowed on the value (bits of DETECTOR_BIT). */
  mask: number;
  /** The value is a JSON document in a string (tool-call arguments): parse and walk it. */
  expandJson: boolean;
}

export interface LocationRules {
  classify(segs: Segments): Classification;
  /** No rules at all: every value is `generic` with every detector. */
  readonly trivial: boolean;
}

export interface RuleInput {
  /** Route config: location glob → profile. Wins over everything else. */
  profiles?: Record<string, ContentProfile>;
  /** From the OpenAPI description (format uri → url, uuid → identifier, `x-palisade-content`). */
  schemaProfiles?: Record<string, ContentProfile>;
  exclusions?: readonly { location: string; detectors?: readonly DetectorId[] }[];
  /**
   * LLM request-shape rules: `guard` = message text is `llm-message` and tool-call arguments are
   * parsed; `args` = only the tool-call arguments rule (message text inspected like any value).
   */
  llm: 'off' | 'args' | 'guard';
}

interface ProfileRule {
  pattern: LocationPattern;
  profile: ContentProfile;
}

/** Thrown for a bad pattern; `key` is the config key path below the route (for ConfigError). */
export class PatternError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

function compile(source: string, key: string): LocationPattern {
  const p = parseLocationPattern(source);
  if (typeof p === 'string') throw new PatternError(key, p);
  return p;
}

const GENERIC: Classification = Object.freeze({
  profile: 'generic',
  mask: PROFILE_MASK.generic,
  expandJson: false,
}) as Classification;

export function compileLocationRules(input: RuleInput): LocationRules {
  const rules: ProfileRule[] = [];
  for (const [glob, profile] of Object.entries(input.profiles ?? {})) {
    rules.push({ pattern: compile(glob, `detect.profiles.${glob}`), profile });
  }
  for (const [glob, profile] of Object.entries(input.schemaProfiles ?? {})) {
    rules.push({ pattern: compile(glob, `openapi:${glob}`), profile });
  }
  const jsonStrings: LocationPattern[] = [];
  if (input.llm !== 'off') {
    for (const g of LLM_URL_PATTERNS) rules.push({ pattern: compile(g, g), profile: 'url' });
    if (input.llm === 'guard') {
      for (const g of LLM_MESSAGE_PATTERNS) rules.push({ pattern: compile(g, g), profile: 'llm-message' });
    }
    for (const g of LLM_JSON_STRING_PATTERNS) jsonStrings.push(compile(g, g));
  }
  const exclusions = (input.exclusions ?? []).map((e, i) => ({
    pattern: compile(e.location, `detect.exclusions.${i}.location`),
    mask: e.detectors ? detectorMask(e.detectors) : ALL_DETECTORS_MASK,
  }));
  const trivial = rules.length === 0 && jsonStrings.length === 0 && exclusions.length === 0;
  if (trivial) return { trivial, classify: () => GENERIC };
  return {
    trivial,
    classify(segs) {
      let profile: ContentProfile = 'generic';
      for (const r of rules) {
        if (matchLocation(r.pattern, segs)) {
          profile = r.profile;
          break;
        }
      }
      let mask = PROFILE_MASK[profile];
      for (const e of exclusions) if (matchLocation(e.pattern, segs)) mask &= ~e.mask;
      let expandJson = false;
      for (const p of jsonStrings) {
        if (matchLocation(p, segs)) {
          expandJson = true;
          break;
        }
      }
      if (profile === 'generic' && mask === PROFILE_MASK.generic && !expandJson) return GENERIC;
      return { profile, mask, expandJson };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// OpenAPI → profiles (pure; the OpenAPI loader calls it with a dereferenced operation)

interface SchemaLike {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaLike>;
  items?: SchemaLike;
  'x-palisade-content'?: string;
  allOf?: SchemaLike[];
}

const URL_FORMATS = new Set(['uri', 'url', 'uri-reference', 'iri', 'iri-reference', 'uri-template']);
const IDENTIFIER_FORMATS = new Set([
  'uuid',
  'int32',
  'int64',
  'date',
  'date-time',
  'time',
  'email',
  'ipv4',
  'ipv6',
  'hostname',
  'byte',
]);

/** The profile a JSON Schema implies, if any. */
export function profileForSchema(schema: SchemaLike | undefined): ContentProfile | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const explicit = schema['x-palisade-content'];
  if (typeof explicit === 'string' && (Object.keys(PROFILE_MASK) as string[]).includes(explicit)) {
    return explicit as ContentProfile;
  }
  if (schema.format && URL_FORMATS.has(schema.format)) return 'url';
  if (schema.format && IDENTIFIER_FORMATS.has(schema.format)) return 'identifier';
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 0 && types.every((t) => t === 'integer' || t === 'number' || t === 'boolean')) {
    return 'identifier';
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return 'identifier';
  return undefined;
}

interface OperationLike {
  parameters?: { name?: string; in?: string; schema?: SchemaLike }[];
  requestBody?: { content?: Record<string, { schema?: SchemaLike }> };
}

/**
 * Location glob → profile for one dereferenced OpenAPI operation: parameters by `in`, JSON and
 * form body properties by path (`body.$.a.b`, arrays as `[*]`). Bounded depth; cycles are cut.
 */
export function profilesFromOperation(op: OperationLike): Record<string, ContentProfile> {
  const out: Record<string, ContentProfile> = {};
  for (const param of op.parameters ?? []) {
    const where = param.in === 'path' ? undefined : param.in;
    const profile = profileForSchema(param.schema);
    if (!profile || !param.name || !where || !['query', 'header', 'cookie'].includes(where)) continue;
    out[`${where}.${where === 'header' ? param.name.toLowerCase() : param.name}`] = profile;
  }
  const seen = new Set<SchemaLike>();
  const walk = (schema: SchemaLike | undefined, at: string, depth: number, json: boolean) => {
    if (!schema || typeof schema !== 'object' || depth > 12 || seen.has(schema)) return;
    seen.add(schema);
    const profile = profileForSchema(schema);
    if (profile && at !== 'body.$') out[at] = profile;
    for (const part of schema.allOf ?? []) walk(part, at, depth + 1, json);
    for (const [name, sub] of Object.entries(schema.properties ?? {})) {
      const key = json ? (SIMPLE_NAME.test(name) ? `${at}.${name}` : `${at}['${name}']`) : `body.${name}`;
      walk(sub, key, depth + 1, json);
    }
    if (schema.items && json) walk(schema.items, `${at}[*]`, depth + 1, json);
    seen.delete(schema);
  };
  for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
    const json = /json/i.test(type);
    const form = /x-www-form-urlencoded|multipart\/form-data/i.test(type);
    if (json || form) walk(media.schema, 'body.$', 0, json);
  }
  return out;
}
