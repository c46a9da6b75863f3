import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorCode } from '../core/errors.js';
import type { Finding, Mode } from '../core/findings.js';
import type { Identity } from '../core/identity.js';

/** The fixed order every request walks (STYLE.md). Phases of one name run in registration order. */
export const PHASE_ORDER = [
  'identify',
  'deny-list',
  'rate-limit',
  'authenticate',
  'authorize',
  'validate',
  'detect',
  'forward',
  'inspect-response',
  'record',
] as const;
export type PhaseName = (typeof PHASE_ORDER)[number];
export type RequestPhaseName = Exclude<PhaseName, 'forward' | 'inspect-response' | 'record'>;

/** A decision to stop the request. Only the gateway adapter turns it into an HTTP response. */
export interface BlockVerdict {
  action: 'block';
  status: number;
  code: ErrorCode;
  message?: string;
  finding?: Finding;
  headers?: Record<string, string>;
  /** Extra JSON fields merged into the error body (e.g. which budget ran out, a failing location). */
  details?: Record<string, unknown>;
  /**
   * For a block decided mid-stream, after the response head was sent: bytes to write before the
   * stream ends (e.g. an error event in the provider's SSE format). Ignored otherwise.
   */
  streamTail?: Buffer;
}
export type Verdict = BlockVerdict | undefined;

export type RecordedFinding = Finding & {
  mode: Mode;
};

/** What a request phase sees and may change. One per request; never shared. */
export interface RequestContext {
  readonly id: string;
  readonly receivedAt: number;
  readonly routeName: string;
  readonly method: string;
  /** Raw request target as received (path + query). */
  readonly url: string;
  /** Decoded-once path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Name/value pairs exactly as received, for protocol checks. */
  readonly rawHeaders: readonly string[];
  readonly httpVersion: string;
  readonly clientIp: string;
  /** The request body; present only when a phase of this route declared `needsBody`. */
  body?: Buffer;
  identity?: Identity;
  /** Set by the OpenAPI phase when the request matches an operation: `GET /users/{id}`. */
  operation?: string;
  pathTemplate?: string;
  /** Everything reported so far, with the mode it was reported under. */
  readonly findings: RecordedFinding[];
  /** Headers to add to / override on the upstream request (lower-case names). */
  readonly upstreamHeaders: Map<string, string>;
  /** Header names to strip from the upstream request (lower-case). */
  readonly stripHeaders: Set<string>;
  /** A replacement body for the upstream request (e.g. masked PII, inserted max_tokens). */
  upstreamBody?: Buffer;
  /** Per-subsystem scratch space, keyed by subsystem name. */
  readonly state: Map<string, unknown>;
  /** Parsed JSON body, parsed once; `undefined` when there is no body or it is not JSON. */
  json(): unknown;
  /**
   * Record a finding under a mode. Returns a 403 block verdict when mode is `block`,
   * otherwise undefined (monitor records what block would have done; off records nothing).
   */
  report(finding: Finding, mode: Mode, verdict?: Partial<Omit<BlockVerdict, 'action'>>): Verdict;
}

export interface RequestPhase {
  name: RequestPhaseName;
  /** True when this phase reads ctx.body; the gateway then buffers it up to the route limit. */
  needsBody: boolean;
  run(ctx: RequestContext): Verdict | Promise<Verdict>;
}

export interface ResponseHead {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/** Sees the response body chunk by chunk; returns the bytes to forward (possibly rewritten). */
export interface ChunkInspector {
  push(chunk: Buffer): Buffer | BlockVerdict;
  end(): Buffer | BlockVerdict;
}

export interface ResponsePhase {
  name: 'inspect-response';
  /**
   * `none`: headers only. `stream`: chunk inspector, adds no buffering. `full`: the whole body
   * (buffered up to the route's response limit; larger bodies are streamed and flagged).
   */
  body: 'none' | 'stream' | 'full';
  /** For `full`/`stream` phases: whether this response is wanted at all (e.g. only JSON). Default yes. */
  wantsBody?(ctx: RequestContext, head: ResponseHead): boolean;
  /** May rewrite response headers in place. */
  onHeaders?(ctx: RequestContext, head: ResponseHead): Verdict;
  createInspector?(ctx: RequestContext, head: ResponseHead): ChunkInspector | undefined;
  onBody?(ctx: RequestContext, head: ResponseHead, body: Buffer): Buffer | BlockVerdict;
}

export interface PhaseSet {
  request?: RequestPhase[];
  response?: ResponsePhase[];
}
