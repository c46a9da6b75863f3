// Extraction: the values of one request that an application may act on, each with its location,
// source and content profile. Compiled per route; bounded in count, depth and bytes; never throws.
import type { Finding } from '../core/findings.js';
import { percentDecode } from './decode.js';
import { walkJson } from './extract/json.js';
import { walkMultipart } from './extract/multipart.js';
import type { Sink } from './extract/sink.js';
import { walkXml } from './extract/xml.js';
import { formatLocation, globMatch, isLlmPath, type LocationRules } from './profiles.js';
import { DETECTOR_BIT } from './registry.js';
import { finishScan } from './triggers.js';
import type { InspectedValue, ValueSource } from './types.js';

/** What extraction needs from a request (a RequestContext has all of it). */
export interface ExtractRequest {
  method: string;
  /** Raw request target (path + query). */
  url: string;
  /** Header name/value pairs exactly as received (duplicates included). */
  rawHeaders: readonly string[];
  body?: Buffer;
}

export interface ExtractedValue extends InspectedValue {
  /** Detectors allowed to look at this value (bits of DETECTOR_BIT). */
  mask: number;
  /** triggers.ts `scanForEngine(value)` when extraction computed it on the way (the engine's pass is then spared). */
  scan: number | undefined;
}

export interface Extraction {
  values: ExtractedValue[];
  /** Findings of the extraction itself (deep nesting, inspection cut short). */
  findings: Finding[];
  /** The body was declared JSON (and only JSON) and does not parse. */
  malformedJson: boolean;
}

export interface ExtractLimits {
  maxValues: number;
  maxDepth: number;
  maxBytes: number;
  maxValueLength: number;
  multipartFileBytes: number;
  reportTruncation: boolean;
}

export interface ExtractorOptions {
  limits: ExtractLimits;
  /** Header names (lower-case) or globs to inspect, and to skip. */
  headers: { include: readonly string[]; exclude: readonly string[] };
  inspectBody: boolean;
  /** Rules for ordinary requests. */
  rules: LocationRules;
  /** Rules for LLM API requests (used when `llm` is 'always', or 'auto' and the path looks like one). */
  llmRules: LocationRules;
  llm: 'always' | 'auto';
}

export type Extractor = (req: ExtractRequest) => Extraction;

/** Never inspected: credentials (a finding would carry their fragments) and hop-by-hop headers. */
const NEVER_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'host',
  'content-length',
  'content-type',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-amz-security-token',
  'x-request-id',
  // Structured standard headers: their grammar leaves no room for a payload an application acts on.
  'accept',
  'accept-encoding',
  'accept-language',
  'accept-charset',
  'accept-datetime',
  'cache-control',
  'pragma',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'if-range',
  'range',
  'date',
  'dnt',
  'expect',
  'max-forwards',
  'upgrade-insecure-requests',
  'priority',
  'traceparent',
  'tracestate',
]);
const NEVER_PREFIXES = ['sec-', 'content-', 'access-control-request-'];
const SECRET_WORDS = ['token', 'secret', 'password', 'passwd', 'api-key', 'apikey', 'session', 'signature'];

const OVERLAP = 256;
const MAX_NAME = 256;
const XXE_ONLY = DETECTOR_BIT.xxe;

type BodyKind = 'json' | 'form' | 'multipart' | 'xml' | 'text';

interface ContentType {
  kind: BodyKind | 'binary';
  boundary?: string;
  charset?: string;
}

export function parseContentType(value: string): ContentType {
  const parts = value.split(';');
  const mime = parts[0].trim().toLowerCase();
  let boundary: string | undefined;
  let charset: string | undefined;
  for (let i = 1; i < parts.length; i++) {
    const eq = parts[i].indexOf('=');
    if (eq === -1) continue;
    const k = parts[i].slice(0, eq).trim().toLowerCase();
    let v = parts[i].slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    if (k === 'boundary') boundary = v;
    else if (k === 'charset') charset = v.toLowerCase();
  }
  const slash = mime.indexOf('/');
  const sub = slash === -1 ? mime : mime.slice(slash + 1);
  let kind: ContentType['kind'];
  if (sub === 'json' || sub.endsWith('+json') || sub === 'x-ndjson' || sub === 'jsonl') kind = 'json';
  else if (sub === 'x-www-form-urlencoded') kind = 'form';
  else if (mime.startsWith('multipart/')) kind = 'multipart';
  else if (sub === 'xml' || sub.endsWith('+xml')) kind = 'xml';
  else if (mime.startsWith('text/') || mime === 'application/graphql' || mime === 'application/javascript')
    kind = 'text';
  else if (
    mime.startsWith('image/') ||
    mime.startsWith('audio/') ||
    mime.startsWith('video/') ||
    mime.startsWith('font/') ||
    mime === 'application/octet-stream' ||
    mime === 'application/pdf' ||
    mime === 'application/zip' ||
    mime === 'application/gzip' ||
    mime === 'application/x-protobuf' ||
    mime === 'application/grpc'
  )
    kind = 'binary';
  else kind = 'text';
  return { kind, boundary, charset };
}

/** Parsed Content-Type values (the same few strings arrive on every request); bounded. */
const CONTENT_TYPES = new Map<string, Readonly<ContentType>>();

function contentTypeOf(value: string): Readonly<ContentType> {
  let ct = CONTENT_TYPES.get(value);
  if (ct === undefined) {
    ct = Object.freeze(parseContentType(value));
    if (CONTENT_TYPES.size < 256 && value.length <= 256) CONTENT_TYPES.set(value, ct);
  }
  return ct;
}

/** Guesses a body's kind from its first bytes (no or ambiguous Content-Type). */
export function sniffBody(text: string): BodyKind {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t'))
    i++;
  const c = text[i];
  if (c === '{' || c === '[') return 'json';
  if (c === '<') return 'xml';
  if (text.startsWith('--') && text.indexOf('\n') > 2) return 'multipart';
  return text.includes('=') ? 'form' : 'text';
}

function decodeBody(body: Buffer, charset: string | undefined): string {
  if (charset && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
    try {
      return new TextDecoder(charset).decode(body);
    } catch {
      // Unknown charset: read as UTF-8, as most servers would.
    }
  }
  return body.toString('utf8');
}

class Collector implements Sink {
  readonly values: ExtractedValue[] = [];
  bytes = 0;
  truncated = false;
  deep = false;

  constructor(
    private readonly limits: ExtractLimits,
    private readonly rules: LocationRules,
  ) {}

  full(): boolean {
    return this.truncated;
  }

  tooDeep(): void {
    this.deep = true;
  }

  add(
    segs: (string | number)[],
    value: string,
    source: ValueSource,
    onlyMask?: number,
    at?: string | (() => string),
    scan?: number,
  ): void {
    if (value.length === 0 || this.truncated) return;
    // A key made of letters, digits, `_` and `-` carries nothing most detectors look for, except
    // the names that reach an object's prototype (see isPrototypeKey) and code: a serialized Java
    // object or a gadget class name fits in a parameter or cookie name (`rO0ABXNy…=x`), so plain
    // names of six characters or more still go to code-injection, whose gate is one cheap pass.
    // JSON keys are the API's own field names (`$` in the location): skipped.
    if (source === 'key' && isPlainName(value) && !isPrototypeKey(value)) {
      if (value.length < 6 || segs.includes('$')) return;
      onlyMask = onlyMask === undefined ? CODE_ONLY : onlyMask & CODE_ONLY;
    }
    const cls = this.rules.classify(segs);
    if (cls.expandJson) {
      const base = [...segs, '$'];
      if (walkJson(value, base, this, this.limits.maxDepth) === 'ok') return;
    }
    const mask = onlyMask === undefined ? cls.mask : cls.mask & onlyMask;
    if (mask === 0) return;
    const location = at === undefined ? formatLocation(segs) : typeof at === 'string' ? at : at();
    const max = this.limits.maxValueLength;
    if (value.length <= max) {
      this.push({
        value,
        location,
        source,
        profile: cls.profile,
        mask,
        scan: scan === undefined ? undefined : finishScan(value, scan),
      });
      return;
    }
    // Long values: overlapping windows, so an attack after padding is still seen.
    for (let start = 0; start < value.length && !this.truncated; start += max - OVERLAP) {
      this.push({
        value: value.slice(start, start + max),
        location,
        source,
        profile: cls.profile,
        mask,
        scan: undefined,
      });
      if (start + max >= value.length) break;
    }
  }

  private push(v: ExtractedValue): void {
    if (this.values.length >= this.limits.maxValues || this.bytes + v.value.length > this.limits.maxBytes) {
      this.truncated = true;
      return;
    }
    this.bytes += v.value.length;
    this.values.push(v);
  }
}

const CODE_ONLY = DETECTOR_BIT['code-injection'];

function isPlainName(s: string): boolean {
  if (s.length > 64) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45)) {
      return false;
    }
  }
  return true;
}

/**
 * `__proto__`, `constructor` and `prototype` are plain names, but a merge or path-set of the
 * parsed body through them (`{"__proto__": {"isAdmin": true}}`, `constructor.prototype`) writes
 * to every object's prototype: prototype pollution. Property names are case-sensitive, so only
 * the exact names count; `__proto__` also inside a longer name, since setters and ORMs that split
 * names on `__` (`a__proto__b` as a path `a.proto.b`, Django-style lookups) exist and no ordinary
 * field is named so.
 */
function isPrototypeKey(s: string): boolean {
  return s === 'constructor' || s === 'prototype' || s.includes('__proto__');
}

function clip(name: string): string {
  return name.length > MAX_NAME ? name.slice(0, MAX_NAME) : name;
}

/** `a=1&b=2` pairs, each decoded once (`+` is a space), repeated keys kept. */
function addPairs(text: string, kind: 'query' | 'body', sink: Collector): void {
  let start = 0;
  while (start <= text.length && !sink.full()) {
    let amp = text.indexOf('&', start);
    if (amp === -1) amp = text.length;
    const pair = text.slice(start, amp);
    start = amp + 1;
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const key = clip(percentDecode(rawKey, true));
    const value = eq === -1 ? '' : percentDecode(pair.slice(eq + 1), true);
    const segs = [kind, key];
    sink.add(segs, key, 'key');
    sink.add(segs, value, kind);
  }
}

function nameMatcher(names: readonly string[]): (name: string) => boolean {
  const exact = new Set<string>();
  const globs: string[] = [];
  for (const n of names) {
    if (n.includes('*')) globs.push(n);
    else exact.add(n);
  }
  return (name) => exact.has(name) || globs.some((g) => globMatch(g, name));
}

function compileHeaderFilter(spec: ExtractorOptions['headers']): (name: string) => boolean {
  const included = nameMatcher(spec.include);
  const excluded = nameMatcher(spec.exclude);
  const cache = new Map<string, boolean>();
  const decide = (name: string) => {
    if (NEVER_HEADERS.has(name) || excluded(name) || !included(name)) return false;
    for (const p of NEVER_PREFIXES) if (name.startsWith(p)) return false;
    for (const w of SECRET_WORDS) if (name.includes(w)) return false;
    return true;
  };
  return (name) => {
    let v = cache.get(name);
    if (v === undefined) {
      v = decide(name);
      if (cache.size < 512) cache.set(name, v);
    }
    return v;
  };
}

function splitTarget(url: string): { path: string; query: string } {
  let target = url;
  // Absolute-form (`http://host/path`): drop scheme and authority.
  const scheme = target.indexOf('://');
  if (scheme !== -1 && scheme < 10 && !target.startsWith('/')) {
    const slash = target.indexOf('/', scheme + 3);
    target = slash === -1 ? '/' : target.slice(slash);
  }
  const hash = target.indexOf('#');
  if (hash !== -1) target = target.slice(0, hash);
  const q = target.indexOf('?');
  return q === -1 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

const PLAIN_SEGMENT = /^[\w.~-]*$/;

export function compileExtractor(opts: ExtractorOptions): Extractor {
  const headerAllowed = compileHeaderFilter(opts.headers);
  const { limits } = opts;

  return (req) => {
    const { path, query } = splitTarget(req.url);
    const rules = opts.llm === 'always' || isLlmPath(path) ? opts.llmRules : opts.rules;
    const sink = new Collector(limits, rules);
    let malformedJson = false;
    try {
      // Path: the whole decoded path (traversal spans segments), and each unusual segment.
      if (path.length > 1) {
        const decoded = percentDecode(path);
        sink.add(['path'], decoded, 'path');
        const parts = decoded.split('/');
        let index = 0;
        for (const part of parts) {
          if (part.length === 0) continue;
          if (!PLAIN_SEGMENT.test(part)) sink.add(['path', index], part, 'path');
          index++;
        }
      }
      if (query.length > 0) addPairs(query, 'query', sink);

      // Headers and cookies, duplicates included.
      const contentTypes: string[] = [];
      const raw = req.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const name = raw[i].toLowerCase();
        const value = raw[i + 1];
        if (name === 'content-type') contentTypes.push(value);
        else if (name === 'cookie') addCookies(value, sink);
        else if (headerAllowed(name)) sink.add(['header', name], value, 'header');
      }

      const body = req.body;
      if (opts.inspectBody && body && body.length > 0) {
        malformedJson = extractBody(body, contentTypes, sink, limits);
      }
    } catch {
      // Extraction is best effort; what was collected is inspected.
    }

    const findings: Finding[] = [];
    if (sink.deep) {
      findings.push({
        category: 'resource-consumption',
        subtype: 'deep-nesting',
        detector: 'extract',
        severity: 'medium',
        score: 1,
        location: 'body',
        message: `Body nested deeper than ${limits.maxDepth} levels`,
      });
    }
    if (sink.truncated && limits.reportTruncation) {
      findings.push({
        category: 'resource-consumption',
        subtype: 'oversized-payload',
        detector: 'extract',
        severity: 'medium',
        score: 1,
        message: `Inspection limit reached (${limits.maxValues} values or ${limits.maxBytes} bytes)`,
      });
    }
    return { values: sink.values, findings, malformedJson };
  };
}

function addCookies(header: string, sink: Collector): void {
  for (const part of header.split(';')) {
    if (sink.full()) return;
    const eq = part.indexOf('=');
    const name = clip((eq === -1 ? part : part.slice(0, eq)).trim());
    if (name.length === 0) continue;
    const value = eq === -1 ? '' : percentDecode(part.slice(eq + 1).trim());
    const segs = ['cookie', name];
    sink.add(segs, name, 'key');
    sink.add(segs, value, 'cookie');
  }
}

/** Returns true when a body declared JSON does not parse. */
function extractBody(body: Buffer, contentTypes: string[], sink: Collector, limits: ExtractLimits): boolean {
  const declared = contentTypes.map(contentTypeOf);
  const kinds = new Set<BodyKind>();
  let boundary: string | undefined;
  let charset: string | undefined;
  for (const ct of declared) {
    if (ct.kind !== 'binary') kinds.add(ct.kind);
    boundary ??= ct.boundary;
    charset ??= ct.charset;
  }
  const slice = body.length > limits.maxBytes ? body.subarray(0, limits.maxBytes) : body;
  if (slice !== body) sink.truncated = true;
  const text = decodeBody(slice, charset);
  // No Content-Type, or several that disagree: the application may parse it either way.
  const ambiguous = declared.length !== 1;
  if (declared.length === 0 || (ambiguous && declared.length > 0)) kinds.add(sniffBody(text));
  const strictJson = declared.length === 1 && declared[0].kind === 'json';
  let malformed = false;
  for (const kind of kinds) {
    switch (kind) {
      case 'json': {
        const outcome = walkJson(text, ['body', '$'], sink, limits.maxDepth);
        if (outcome === 'malformed') {
          if (strictJson) malformed = true;
          // Whatever the application makes of it, the raw text is inspected too.
          sink.add(['body'], text, 'body');
        }
        break;
      }
      case 'form':
        addPairs(text.replace(/\r?\n$/, ''), 'body', sink);
        break;
      case 'multipart':
        walkMultipart(slice, { boundary, fileBytes: limits.multipartFileBytes }, sink);
        break;
      case 'xml':
        sink.add(['body'], text, 'body', XXE_ONLY);
        walkXml(text, sink, limits.maxDepth);
        break;
      case 'text': {
        // Text that is really XML still reaches an XML parser somewhere: give xxe the raw document.
        const t = text.trimStart();
        if (t.startsWith('<?xml') || t.startsWith('<!DOCTYPE')) sink.add(['body'], text, 'body', XXE_ONLY);
        sink.add(['body'], text, 'body');
        break;
      }
    }
  }
  return malformed;
}
