import type { IncomingMessage } from 'node:http';
import type { Finding, Mode } from '../core/findings.js';
import type { BlockVerdict, RecordedFinding, RequestContext, Verdict } from './phase.js';

const JSON_UNSET = Symbol('unset');

export interface ContextInit {
  id: string;
  routeName: string;
  clientIp: string;
  req: IncomingMessage;
  blockStatus: number;
}

/** Decodes the path once; malformed escapes are kept as they are for detectors to see. */
function decodePath(rawPath: string): string {
  if (!rawPath.includes('%')) return rawPath;
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}

export class GatewayRequestContext implements RequestContext {
  readonly id: string;
  readonly receivedAt = Date.now();
  /** Monotonic start, for sub-millisecond durations. */
  readonly startedAt = performance.now();
  readonly routeName: string;
  readonly method: string;
  readonly url: string;
  readonly path: string;
  private parsedQuery?: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly rawHeaders: readonly string[];
  readonly httpVersion: string;
  readonly clientIp: string;
  readonly findings: RecordedFinding[] = [];
  readonly upstreamHeaders = new Map<string, string>();
  readonly stripHeaders = new Set<string>();
  readonly state = new Map<string, unknown>();
  body?: Buffer;
  upstreamBody?: Buffer;
  identity?: RequestContext['identity'];
  operation?: string;
  pathTemplate?: string;
  /** Stops the upstream exchange (set by forward); the gateway fires it when the client leaves early. */
  upstreamCancel?: { abort(): void };
  private parsedJson: unknown = JSON_UNSET;
  private readonly blockStatus: number;

  constructor(init: ContextInit) {
    this.id = init.id;
    this.routeName = init.routeName;
    this.clientIp = init.clientIp;
    this.method = init.req.method ?? 'GET';
    this.url = init.req.url ?? '/';
    const q = this.url.indexOf('?');
    this.path = decodePath(q === -1 ? this.url : this.url.slice(0, q));
    this.headers = init.req.headers;
    this.rawHeaders = init.req.rawHeaders;
    this.httpVersion = init.req.httpVersion;
    this.blockStatus = init.blockStatus;
  }

  /** Parsed on first use: most phases never look at the query. */
  get query(): URLSearchParams {
    if (!this.parsedQuery) {
      const q = this.url.indexOf('?');
      this.parsedQuery = new URLSearchParams(q === -1 ? '' : this.url.slice(q + 1));
    }
    return this.parsedQuery;
  }

  json(): unknown {
    if (this.parsedJson !== JSON_UNSET) return this.parsedJson;
    this.parsedJson = undefined;
    const type = this.headers['content-type'] ?? '';
    if (this.body && this.body.length > 0 && /[/+]json\b/i.test(type)) {
      try {
        this.parsedJson = JSON.parse(this.body.toString('utf8'));
      } catch {
        this.parsedJson = undefined;
      }
    }
    return this.parsedJson;
  }

  report(finding: Finding, mode: Mode, verdict?: Partial<Omit<BlockVerdict, 'action'>>): Verdict {
    if (mode === 'off') return undefined;
    this.findings.push({ ...finding, mode });
    if (mode !== 'block') return undefined;
    return {
      action: 'block',
      status: verdict?.status ?? this.blockStatus,
      code: verdict?.code ?? 'PAL_ERR_BLOCKED',
      finding,
      ...(verdict?.message ? { message: verdict.message } : {}),
      ...(verdict?.headers ? { headers: verdict.headers } : {}),
      ...(verdict?.details ? { details: verdict.details } : {}),
    };
  }
}
