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

/** Splits the request target once; a target that is not origin-form yields path '/'. */
function splitTarget(url: string): { path: string; query: URLSearchParams } {
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  let path = rawPath;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    // Keep the raw form: detectors see malformed escapes as they are.
  }
  return { path, query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)) };
}

export class GatewayRequestContext implements RequestContext {
  readonly id: string;
  readonly receivedAt = Date.now();
  readonly routeName: string;
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
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
  private parsedJson: unknown = JSON_UNSET;
  private readonly blockStatus: number;

  constructor(init: ContextInit) {
    this.id = init.id;
    this.routeName = init.routeName;
    this.clientIp = init.clientIp;
    this.method = init.req.method ?? 'GET';
    this.url = init.req.url ?? '/';
    const { path, query } = splitTarget(this.url);
    this.path = path;
    this.query = query;
    this.headers = init.req.headers;
    this.rawHeaders = init.req.rawHeaders;
    this.httpVersion = init.req.httpVersion;
    this.blockStatus = init.blockStatus;
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
