import type { Severity, Threat } from '../core/taxonomy.js';

/** A JSON Schema as found in an API description (already dereferenced). */
export type Schema = Record<string, any>;

export type ParamLocation = 'path' | 'query' | 'header' | 'cookie';

export interface ParamSpec {
  name: string;
  in: ParamLocation;
  required: boolean;
  schema: Schema;
  example?: unknown;
}

export interface BodySpec {
  mediaType: string;
  schema: Schema;
  example?: unknown;
  required: boolean;
}

/** One operation of the API under test, whatever format it was described in. */
export interface ScanOperation {
  /** `METHOD /path/{template}` exactly as in the description. */
  key: string;
  method: string;
  path: string;
  operationId?: string;
  summary?: string;
  tags: string[];
  deprecated: boolean;
  params: ParamSpec[];
  body?: BodySpec;
  /** True when the description asks for credentials on this operation. */
  requiresAuth: boolean;
  /** OAuth scopes or role names the description lists for this operation. */
  scopes: string[];
  /** Declared response schemas by status code (first JSON media type). */
  responses: Record<string, Schema | undefined>;
  /** Recorded example request (Postman/HAR inputs). */
  sample?: { query?: Record<string, string>; headers?: Record<string, string>; body?: string };
}

export interface ApiModel {
  title: string;
  /** Where the description came from (file path or URL), used as the SARIF artifact. */
  source: string;
  format: 'openapi-3' | 'swagger-2' | 'postman' | 'har';
  /** Path prefix from servers/basePath, '' when none. */
  basePath: string;
  operations: ScanOperation[];
  /** Names of the description's security schemes that carry credentials in headers. */
  authHeaderNames: string[];
}

export interface ScanRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ScanResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from sending to the full (bounded) body. */
  elapsedMs: number;
  /** Parsed JSON when the body is JSON; undefined otherwise. */
  json?: unknown;
  /** Set when no response came back (timeout, connection error). */
  error?: string;
}

export interface Exchange {
  request: ScanRequest;
  response: ScanResponse;
}

export interface Evidence {
  request: string;
  response: string;
  curl: string;
}

export type ScanFinding = Threat & {
  /** Stable fingerprint (category, subtype, operation, location). */
  id: string;
  check: string;
  severity: Severity;
  /** Confidence in [0, 1]. */
  confidence: number;
  operation: string;
  /** Parameter or place the weakness was shown in, e.g. `query.q`, `body.url`. */
  location?: string;
  title: string;
  description: string;
  evidence: Evidence;
  remediation: string;
  cwe?: number;
  /** Set when a --baseline file already listed this finding. */
  baselined?: boolean;
};

export interface ScanSummary {
  total: number;
  new: number;
  bySeverity: Record<Severity, number>;
  byCategory: Record<string, number>;
  operations: number;
  requests: number;
  checksRun: string[];
  checksSkipped: { check: string; reason: string }[];
  budgetExhausted: boolean;
}

export interface ScanReport {
  tool: { name: 'palisade-scan'; version: string };
  schemaVersion: 1;
  target: string;
  spec: string;
  startedAt: string;
  /** Wall time of the scan in seconds. */
  duration: number;
  summary: ScanSummary;
  findings: ScanFinding[];
  /** Operations scanned (`METHOD /path`), for per-operation reports; not part of the JSON report. */
  operationKeys?: string[];
}
