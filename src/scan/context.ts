import { createHash } from 'node:crypto';
import type { CategoryId, Severity, Threat } from '../core/taxonomy.js';
import type { ChainStore, RequestBuilder, RequestParts } from './builder/request.js';
import type { CallbackServer } from './callback.js';
import { evidenceOf, type SecretMap } from './evidence.js';
import type { ScanClient } from './http.js';
import type { ApiModel, Exchange, ScanFinding, ScanOperation, ScanRequest } from './types.js';

export type IdentityName = 'A' | 'B' | 'admin' | 'anon';

export interface LoginFlow {
  operation: string;
  body: Record<string, unknown>;
  tokenPath: string;
  header: string;
  prefix: string;
}

export interface Identity {
  name: IdentityName;
  headers: Record<string, string>;
  login?: LoginFlow;
}

/** An operation with its valid request and the response recorded before any attack. */
export interface OpState {
  op: ScanOperation;
  parts: RequestParts;
  baseline?: Exchange;
  /** Identity the baseline was recorded with. */
  as: IdentityName;
}

export interface FindingInput {
  threat: Threat;
  check: string;
  severity: Severity;
  confidence: number;
  operation: string;
  location?: string;
  title: string;
  description: string;
  exchange: Exchange;
  focus?: string;
  remediation: string;
  cwe?: number;
}

export interface CheckContext {
  api: ApiModel;
  builder: RequestBuilder;
  client: ScanClient;
  store: ChainStore;
  identities: Partial<Record<IdentityName, Identity>> & { anon: Identity };
  ops: OpState[];
  callback: CallbackServer;
  allowDestructive: boolean;
  /** Usernames seen for identity A (login config, token claims, profile responses). */
  knownUsers: string[];
  /** Credentials of A when the config gave a login flow. */
  credentials?: { username: string; password: string; userField: string; passwordField: string };
  /** Median latency of baseline requests (ms), for time-based checks. */
  medianLatencyMs: number;
  /** Epoch ms after which the running check should wrap up (its share of the budget). */
  checkDeadline: number;
  /** All exchanges so far (bounded), for passive checks. */
  exchanges: { op: string; ex: Exchange }[];
  /** The answer to a random path that cannot exist (memoised): tells catch-all servers apart. */
  catchAll(): Promise<Exchange>;
  send(
    state: OpState | ScanOperation,
    parts: RequestParts,
    as?: IdentityName,
    extra?: SendExtra,
  ): Promise<Exchange>;
  sendRaw(op: string, req: ScanRequest, timeoutMs?: number): Promise<Exchange>;
  report(f: FindingInput): void;
  log(message: string): void;
}

export interface SendExtra {
  headers?: Record<string, string>;
  /** Replace identity headers entirely (for forged tokens). */
  identityHeaders?: Record<string, string>;
  timeoutMs?: number;
  rawBody?: string;
  contentType?: string;
}

/** One check: a generator of test requests with its own judge. */
export interface Check {
  id: string;
  category: CategoryId;
  title: string;
  /** Higher runs first. */
  priority: number;
  run(ctx: CheckContext): Promise<void>;
}

export function fingerprint(category: string, subtype: string, operation: string, location = ''): string {
  return createHash('sha256')
    .update(`${category}|${subtype}|${operation}|${location}`)
    .digest('hex')
    .slice(0, 24);
}

export function toFinding(f: FindingInput, secrets: SecretMap): ScanFinding {
  return {
    id: fingerprint(f.threat.category, f.threat.subtype, f.operation),
    ...f.threat,
    check: f.check,
    severity: f.severity,
    confidence: Math.round(Math.max(0, Math.min(1, f.confidence)) * 100) / 100,
    operation: f.operation,
    location: f.location,
    title: f.title,
    description: f.description,
    evidence: evidenceOf(f.exchange.request, f.exchange.response, secrets, f.focus),
    remediation: f.remediation,
    cwe: f.cwe,
  } as ScanFinding;
}

/** Text used to classify operations by purpose. */
export function opText(op: ScanOperation): string {
  return `${op.path} ${op.operationId ?? ''} ${op.summary ?? ''} ${op.tags.join(' ')}`.toLowerCase();
}

/** `application/json; charset=utf-8` → `json`; used to tell a real answer from a catch-all page. */
export function mediaFamily(contentType: string | undefined): string {
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('json')) return 'json';
  if (ct.includes('html')) return 'html';
  if (ct.includes('xml')) return 'xml';
  return ct.split(';')[0].trim();
}

export function isWrite(op: ScanOperation): boolean {
  return op.method === 'POST' || op.method === 'PUT' || op.method === 'PATCH';
}
