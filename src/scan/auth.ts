import type { LoginConfig } from './config.js';
import type { Identity, IdentityName } from './context.js';
import type { ScanClient } from './http.js';
import type { ApiModel } from './types.js';

export interface Jwt {
  raw: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: string;
}

export function b64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

export function decodeJwt(token: string): Jwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 16_384) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (!header || typeof header !== 'object' || typeof header.alg !== 'string') return undefined;
    if (!payload || typeof payload !== 'object') return undefined;
    return { raw: token, header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: parts[2] };
  } catch {
    return undefined;
  }
}

/**
 * The first JWT in an identity's headers, with the header it travels in and the text around it
 * (`Bearer `, or the other cookies when it is a `Cookie: session=<jwt>; theme=dark` value).
 */
export function jwtOf(
  identity: Identity | undefined,
): { jwt: Jwt; header: string; prefix: string; suffix: string } | undefined {
  if (!identity) return undefined;
  for (const [name, value] of Object.entries(identity.headers)) {
    const m = /^(Bearer\s+|JWT\s+|Token\s+)?([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i.exec(
      value.trim(),
    );
    if (m) {
      const jwt = decodeJwt(m[2]);
      if (jwt) return { jwt, header: name, prefix: m[1] ?? '', suffix: '' };
      continue;
    }
    if (name.toLowerCase() !== 'cookie') continue;
    let at = 0;
    for (const pair of value.split(';')) {
      const eq = pair.indexOf('=');
      const start = at + eq + 1;
      at += pair.length + 1;
      if (eq < 0) continue;
      const v = pair.slice(eq + 1).trim();
      const jwt = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(v) ? decodeJwt(v) : undefined;
      if (!jwt) continue;
      const from = value.indexOf(v, start);
      return { jwt, header: name, prefix: value.slice(0, from), suffix: value.slice(from + v.length) };
    }
  }
  return undefined;
}

function dig(json: unknown, path: string): unknown {
  let cur = json;
  for (const key of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Runs a login flow and returns the header it yields. */
export async function login(
  api: ApiModel,
  target: string,
  basePath: string,
  client: ScanClient,
  flow: LoginConfig,
): Promise<Record<string, string>> {
  let method = 'POST';
  let path = flow.operation.trim();
  const sp = path.indexOf(' ');
  if (sp > 0) {
    method = path.slice(0, sp).toUpperCase();
    path = path.slice(sp + 1).trim();
  }
  const known = api.operations.find((o) => o.method === method && o.path === path);
  const mediaType = known?.body?.mediaType ?? 'application/json';
  const body = /form/.test(mediaType)
    ? new URLSearchParams(
        Object.entries(flow.body).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString()
    : JSON.stringify(flow.body);
  const url = new URL(target).origin + basePath + path;
  const res = await client.send({
    method,
    url,
    headers: { 'content-type': mediaType, accept: 'application/json' },
    body,
  });
  const token = dig(res.json, flow.tokenPath);
  if (res.status < 200 || res.status >= 300 || typeof token !== 'string' || !token) {
    throw new Error(
      `login flow ${method} ${path} failed (HTTP ${res.status || res.error}); no token at ${flow.tokenPath}`,
    );
  }
  return { [flow.header]: `${flow.prefix}${token}` };
}

export function identityFrom(name: IdentityName, headers: [string, string][]): Identity {
  const h: Record<string, string> = {};
  for (const [k, v] of headers) h[k] = v;
  return { name, headers: h };
}
