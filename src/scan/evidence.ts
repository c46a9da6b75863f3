import type { Evidence, ScanRequest, ScanResponse } from './types.js';

const REQ_BODY_MAX = 2000;
const RES_BODY_MAX = 1500;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Identity header values are replaced by environment variable references. */
export type SecretMap = Map<string, string>;

function envName(secret: string, secrets: SecretMap): string | undefined {
  return secrets.get(secret);
}

export function curlOf(req: ScanRequest, secrets: SecretMap = new Map()): string {
  const parts = ['curl', '-i', '-X', req.method, shellQuote(req.url)];
  for (const [k, v] of Object.entries(req.headers)) {
    if (k === 'user-agent' || k === 'content-length') continue;
    const env = envName(v, secrets);
    parts.push('-H', env ? `"${k}: $${env}"` : shellQuote(`${k}: ${v}`));
  }
  if (req.body !== undefined) parts.push('--data-raw', shellQuote(req.body));
  return parts.join(' ');
}

export function redactHeaders(h: Record<string, string>, secrets: SecretMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    const env = envName(v, secrets);
    out[k] = env ? `<$${env}>` : v;
  }
  return out;
}

export function requestText(req: ScanRequest, secrets: SecretMap = new Map()): string {
  const u = new URL(req.url);
  const lines = [`${req.method} ${u.pathname}${u.search} HTTP/1.1`, `host: ${u.host}`];
  for (const [k, v] of Object.entries(redactHeaders(req.headers, secrets))) lines.push(`${k}: ${v}`);
  let text = lines.join('\n');
  if (req.body !== undefined) {
    const body =
      req.body.length > REQ_BODY_MAX
        ? `${req.body.slice(0, REQ_BODY_MAX)}… (${req.body.length} bytes)`
        : req.body;
    text += `\n\n${body}`;
  }
  return text;
}

/** Status line, a few headers and a body excerpt centred on `focus` when given. */
export function responseExcerpt(res: ScanResponse, focus?: string): string {
  if (res.status === 0) return `(no response: ${res.error ?? 'error'})`;
  const keep = [
    'content-type',
    'access-control-allow-origin',
    'access-control-allow-credentials',
    'location',
  ];
  const lines = [`HTTP/1.1 ${res.status}`];
  for (const k of keep) if (res.headers[k]) lines.push(`${k}: ${res.headers[k]}`);
  let body = res.body;
  if (body.length > RES_BODY_MAX) {
    let start = 0;
    if (focus) {
      const at = body.indexOf(focus);
      if (at > RES_BODY_MAX / 2) start = at - Math.floor(RES_BODY_MAX / 3);
    }
    body = `${start > 0 ? '…' : ''}${body.slice(start, start + RES_BODY_MAX)}…`;
  }
  return `${lines.join('\n')}\n\n${body}`;
}

export function evidenceOf(
  req: ScanRequest,
  res: ScanResponse,
  secrets: SecretMap = new Map(),
  focus?: string,
): Evidence {
  return {
    request: requestText(req, secrets),
    response: responseExcerpt(res, focus),
    curl: curlOf(req, secrets),
  };
}
