// Shared by bench/eval-detect.ts, bench/detect-speed.ts and bench/crs-compare.sh: turns corpus rows
// into requests and runs them through the detect phase exactly as the gateway would (config
// parsed by the real schema, phase built by createDetectPhases, a RequestContext per request).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { configSchema } from '../../src/config/schema.js';
import type { Finding, Mode } from '../../src/core/findings.js';
import { createDetectPhases } from '../../src/detect/phase.js';
import type { PhaseEnv } from '../../src/gateway/phase-env.js';
import type {
  BlockVerdict,
  RecordedFinding,
  RequestContext,
  RequestPhase,
  Verdict,
} from '../../src/gateway/phase.js';
import { MemorySharedState } from '../../src/store/shared-state.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const corpusDir = path.resolve(repoRoot, '..', 'shared', 'corpus');

/** A request as the benchmarks describe it. */
export interface BenchRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body?: Buffer;
}

export class BenchContext implements RequestContext {
  readonly id = 'bench';
  readonly receivedAt = Date.now();
  readonly routeName = 'bench';
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string>;
  readonly rawHeaders: string[];
  readonly httpVersion = '1.1';
  readonly clientIp = '127.0.0.1';
  readonly findings: RecordedFinding[] = [];
  readonly upstreamHeaders = new Map<string, string>();
  readonly stripHeaders = new Set<string>();
  readonly state = new Map<string, unknown>();
  body?: Buffer;
  operation?: string;

  constructor(req: BenchRequest) {
    this.method = req.method;
    this.url = req.url;
    const q = req.url.indexOf('?');
    this.path = q === -1 ? req.url : req.url.slice(0, q);
    this.query = new URLSearchParams(q === -1 ? '' : req.url.slice(q + 1));
    this.rawHeaders = req.headers.flat();
    this.headers = {};
    for (const [k, v] of req.headers) this.headers[k.toLowerCase()] ??= v;
    this.body = req.body;
  }

  json(): unknown {
    return undefined;
  }

  report(finding: Finding, mode: Mode, verdict?: Partial<Omit<BlockVerdict, 'action'>>): Verdict {
    if (mode === 'off') return undefined;
    this.findings.push({ ...finding, mode });
    if (mode !== 'block') return undefined;
    return {
      action: 'block',
      status: verdict?.status ?? 403,
      code: verdict?.code ?? 'PAL_ERR_BLOCKED',
      finding,
    };
  }
}

export function benchEnv(config: ReturnType<typeof configSchema.parse>): PhaseEnv {
  return {
    config,
    baseDir: repoRoot,
    logger: pino({ level: 'silent' }),
    state: new MemorySharedState(),
    registerAdminRoute: () => {},
    background: () => {},
  };
}

/** The detect phase of a one-route config; `route` is merged into the route (raw, as YAML). */
export async function detectPhase(
  paranoia: 1 | 2 | 3,
  route: Record<string, unknown> = {},
): Promise<RequestPhase | undefined> {
  const config = configSchema.parse({
    mode: 'block',
    upstreams: { app: { targets: ['http://127.0.0.1:9'] } },
    routes: [{ name: 'bench', upstream: 'app', ...route, detect: { paranoia, ...(route.detect as object) } }],
  });
  const set = await createDetectPhases(config.routes[0], 0, benchEnv(config));
  return set.request?.find((p) => p.name === 'detect');
}

export interface RunResult {
  blocked: boolean;
  status?: number;
  findings: RecordedFinding[];
}

export function runPhase(phase: RequestPhase | undefined, req: BenchRequest): RunResult {
  const ctx = new BenchContext(req);
  if (!phase) return { blocked: false, findings: [] };
  const verdict = phase.run(ctx) as Verdict;
  return { blocked: verdict?.action === 'block', status: verdict?.status, findings: ctx.findings };
}

// -------------------------------------------------------------------------------------------
// Corpus readers (rows stay in memory; nothing is written back)

export interface ParamRow {
  payload: string;
  attackType: string;
}

/** RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export function loadHttpParams(): ParamRow[] {
  const rows = parseCsv(readFileSync(path.join(corpusDir, 'waf', 'httpparams-train.csv'), 'utf8'));
  return rows.slice(1).map((r) => ({ payload: r[0], attackType: r[2] }));
}

/** One parameter value as a GET query parameter. */
export function paramRequest(payload: string): BenchRequest {
  return {
    method: 'GET',
    url: `/search?q=${encodeURIComponent(payload)}`,
    headers: [
      ['Host', 'localhost'],
      ['User-Agent', 'Mozilla/5.0'],
    ],
  };
}

/**
 * CRS rule id → paranoia level, read from a local CRS rules folder (the Debian package's, when
 * installed). Tests of rule ids it does not list (CRS v4 additions) are left out of the split.
 */
export function crsRuleParanoia(dir = '/usr/share/modsecurity-crs/rules'): Map<number, number> {
  const out = new Map<number, number>();
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.conf'));
  } catch {
    return out;
  }
  for (const f of files) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    for (const chunk of text.split(/\nSec(?:Rule|Action)\b/)) {
      const id = /\bid:'?(\d{6})/.exec(chunk);
      const pl = /paranoia-level\/(\d)/.exec(chunk);
      if (id && pl) out.set(Number(id[1]), Number(pl[1]));
    }
  }
  return out;
}

export interface CrsRow {
  rule_id: number;
  kind: 'positive' | 'negative' | 'other';
  method: string | null;
  uri: string | null;
  headers: Record<string, string> | null;
  data: string | null;
  encoded_request: string | null;
  desc?: string | null;
}

/**
 * A positive stage CRS's own test describes as a known or expected false positive of its rule
 * (`O'keefe's`, a JWT in Authorization): kept in the raw rate, left out of the "labels as CRS
 * describes them" rate.
 */
export function documentedFalsePositive(row: CrsRow): boolean {
  return row.kind === 'positive' && /false positive/i.test(row.desc ?? '');
}

export function loadCrs(): CrsRow[] {
  return readFileSync(path.join(corpusDir, 'waf', 'crs-regression.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as CrsRow);
}

/** go-ftw's defaults: GET, `/`, the test's headers and data as the body. */
export function crsRequest(row: CrsRow): BenchRequest {
  if (row.encoded_request) return parseRawRequest(Buffer.from(row.encoded_request, 'base64'));
  const headers = Object.entries(row.headers ?? {}).map(([k, v]) => [k, String(v)] as [string, string]);
  const data = row.data ?? undefined;
  return {
    method: row.method ?? 'GET',
    url: row.uri ?? '/',
    headers,
    body: data !== undefined ? Buffer.from(data, 'latin1') : undefined,
  };
}

/** A raw HTTP/1.1 request (request line, headers, body; chunked bodies are de-chunked). */
export function parseRawRequest(raw: Buffer): BenchRequest {
  const text = raw.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  const head = (headEnd === -1 ? text : text.slice(0, headEnd)).split('\r\n');
  const [method = 'GET', url = '/'] = head[0].split(' ');
  const headers: [string, string][] = [];
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  let body = headEnd === -1 ? Buffer.alloc(0) : raw.subarray(headEnd + 4);
  if (headers.some(([k, v]) => k.toLowerCase() === 'transfer-encoding' && /chunked/i.test(v))) {
    const parts: Buffer[] = [];
    let at = 0;
    const s = body.toString('latin1');
    for (let guard = 0; guard < 1000; guard++) {
      const eol = s.indexOf('\r\n', at);
      if (eol === -1) break;
      const size = Number.parseInt(s.slice(at, eol), 16);
      if (!(size > 0)) break;
      parts.push(body.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  }
  return { method, url, headers, body: body.length > 0 ? body : undefined };
}

/** CSIC 2010 lines: `get http://host/path?query` (URL-decoded), POST bodies after the `?`. */
export function loadCsic(): BenchRequest[] {
  const lines = readFileSync(path.join(corpusDir, 'waf', 'csic2010-normal-part.txt'), 'latin1').split('\n');
  const out: BenchRequest[] = [];
  for (const line of lines) {
    const sp = line.indexOf(' ');
    if (sp === -1) continue;
    const method = line.slice(0, sp).toUpperCase();
    const target = line
      .slice(sp + 1)
      .trim()
      .replace(/^https?:\/\/[^/]+/, '');
    const q = target.indexOf('?');
    const headers: [string, string][] = [
      ['Host', 'localhost:8080'],
      ['User-Agent', 'Mozilla/5.0 (compatible; Konqueror/3.5; Linux)'],
    ];
    if (method === 'POST' && q !== -1) {
      headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
      out.push({
        method,
        url: reencode(target.slice(0, q)),
        headers,
        body: Buffer.from(reencode(target.slice(q + 1)), 'utf8'),
      });
    } else out.push({ method, url: reencode(target), headers });
  }
  return out;
}

/** The corpus is URL-decoded once; encode again what a client would (`%`, spaces, non-ASCII). */
function reencode(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 37 || c <= 32 || c >= 127 || ch === '"' || ch === '<' || ch === '>' || ch === '`') {
      out += encodeURIComponent(ch).replace(/%20/g, '+');
    } else out += ch;
  }
  return out;
}

export interface CodePromptRow {
  instruction: string;
  output: string;
}

export function loadCodePrompts(): CodePromptRow[] {
  return readFileSync(path.join(corpusDir, 'llm', 'code-prompts-dev.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as CodePromptRow);
}

function chatRequest(body: unknown): BenchRequest {
  return {
    method: 'POST',
    url: '/v1/chat/completions',
    headers: [
      ['Host', 'localhost'],
      ['Content-Type', 'application/json'],
      ['User-Agent', 'OpenAI/Python 1.54.0'],
    ],
    body: Buffer.from(JSON.stringify(body), 'utf8'),
  };
}

/** The coding request as the user turn. */
export function userTurnRequest(row: CodePromptRow): BenchRequest {
  return chatRequest({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are a helpful coding assistant.' },
      { role: 'user', content: row.instruction },
    ],
    temperature: 0.2,
  });
}

/** The code answer as an assistant turn in the history, followed by a new user turn. */
export function assistantTurnRequest(row: CodePromptRow): BenchRequest {
  return chatRequest({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'user', content: row.instruction },
      { role: 'assistant', content: row.output },
      { role: 'user', content: [{ type: 'text', text: 'Thanks. Can you explain it line by line?' }] },
    ],
  });
}
