import type { ApiModel, ScanOperation, ScanRequest, Schema } from '../types.js';
import { mergeAllOf, sampleValue } from './schema-sample.js';

/** The editable parts of a request; checks mutate a copy and render it again. */
export interface RequestParts {
  path: Record<string, string>;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  cookies: Record<string, string>;
  body: unknown;
  mediaType?: string;
}

const SKIP_HEADER_PARAMS = new Set(['content-type', 'accept', 'content-length', 'host', 'authorization']);

export function cloneParts(p: RequestParts): RequestParts {
  return {
    path: { ...p.path },
    query: structuredClone(p.query),
    headers: { ...p.headers },
    cookies: { ...p.cookies },
    body: p.body === undefined ? undefined : structuredClone(p.body),
    mediaType: p.mediaType,
  };
}

function norm(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function singular(s: string): string {
  if (s.endsWith('ies')) return `${s.slice(0, -3)}y`;
  if (s.endsWith('ses')) return s.slice(0, -2);
  if (s.endsWith('s')) return s.slice(0, -1);
  return s;
}

/** The collection segment a path parameter belongs to: `/notes/{id}` → `notes`. */
export function resourceOf(path: string, param?: string): string | undefined {
  const segs = path.split('/').filter(Boolean);
  let idx = segs.length;
  if (param) idx = segs.indexOf(`{${param}}`);
  for (let i = idx - 1; i >= 0; i--) if (!segs[i].startsWith('{')) return norm(segs[i]);
  return undefined;
}

/**
 * Identifiers learnt from responses (created and listed objects), used to fill path parameters
 * so that requests reach real objects instead of 404s.
 */
export class ChainStore {
  private byResource = new Map<string, unknown[]>();
  private byName = new Map<string, unknown[]>();
  /** Values that came from objects identity A created (not merely listed). */
  private created = new Set<unknown>();
  private readonly paramNames: Set<string>;

  /** `paramNames`: path parameter names of the API, learnt wherever they appear as JSON keys. */
  constructor(paramNames: Iterable<string> = []) {
    this.paramNames = new Set([...paramNames].map(norm));
  }

  /** True when the value identifies an object created during the scan by identity A. */
  isCreated(value: unknown): boolean {
    return this.created.has(value) || this.created.has(String(value));
  }

  /** Remembers scalar fields of a successful create request (`{book_title: …}` names the object). */
  learnRequest(op: ScanOperation, status: number, body: unknown): void {
    if (
      status < 200 ||
      status >= 300 ||
      op.method !== 'POST' ||
      !body ||
      typeof body !== 'object' ||
      Array.isArray(body)
    )
      return;
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      const n = norm(k);
      if (this.paramNames.has(n) && (typeof v === 'string' || typeof v === 'number')) {
        this.add(this.byName, n, v);
        this.created.add(v);
      }
    }
  }

  private add(map: Map<string, unknown[]>, key: string, value: unknown): void {
    if (value === null || value === undefined || value === '') return;
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const list = map.get(key) ?? [];
    if (!list.includes(value)) list.unshift(value);
    if (list.length > 10) list.length = 10;
    map.set(key, list);
  }

  learn(op: ScanOperation, status: number, json: unknown): void {
    if (status < 200 || status >= 300 || json === undefined) return;
    const collection = op.path.endsWith('}') ? undefined : resourceOf(op.path);
    const topItems: unknown[] = [];
    if (Array.isArray(json)) topItems.push(...json.slice(0, 5));
    else if (json && typeof json === 'object') {
      topItems.push(json);
      for (const v of Object.values(json as Record<string, unknown>)) {
        if (Array.isArray(v)) topItems.push(...v.slice(0, 5));
        else if (v && typeof v === 'object' && 'id' in (v as object)) topItems.push(v);
      }
    }
    if (collection) {
      for (const item of topItems) {
        if (item && typeof item === 'object' && !Array.isArray(item)) {
          const o = item as Record<string, unknown>;
          const id = o.id ?? o._id ?? o.uuid ?? o[`${singular(collection)}id`];
          this.add(this.byResource, collection, id);
          this.add(this.byResource, singular(collection), id);
          if (op.method === 'POST' && id !== undefined && item === json) this.created.add(id);
        }
      }
    }
    let budget = 300;
    const walk = (v: unknown, depth: number) => {
      if (budget-- <= 0 || depth > 4 || !v || typeof v !== 'object') return;
      if (Array.isArray(v)) {
        for (const x of v.slice(0, 5)) walk(x, depth + 1);
        return;
      }
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (
          /id$/i.test(k) ||
          k === '_id' ||
          k === 'uuid' ||
          k === 'slug' ||
          k === 'name' ||
          k === 'username' ||
          this.paramNames.has(norm(k))
        )
          this.add(this.byName, norm(k), x);
        walk(x, depth + 1);
      }
    };
    walk(json, 0);
  }

  resolve(op: ScanOperation, param: string): unknown {
    const res = resourceOf(op.path, param);
    const candidates: unknown[][] = [];
    const p = norm(param);
    if (res) {
      if (p === 'id' || p === `${singular(res)}id` || p === `${res}id` || p === 'uuid' || p === 'key') {
        candidates.push(this.byResource.get(res) ?? []);
        candidates.push(this.byResource.get(singular(res)) ?? []);
      }
    }
    candidates.push(this.byName.get(p) ?? []);
    if (p.endsWith('id') && p.length > 2) candidates.push(this.byResource.get(p.slice(0, -2)) ?? []);
    for (const list of candidates) if (list.length) return list[0];
    return undefined;
  }

  /** Every identifier known for the resource of `param` (newest first). */
  known(op: ScanOperation, param: string): unknown[] {
    const res = resourceOf(op.path, param);
    return res ? [...(this.byResource.get(res) ?? [])] : [];
  }
}

function coerce(value: unknown, schema: Schema): unknown {
  const t = mergeAllOf(schema ?? {}).type;
  if ((t === 'integer' || t === 'number') && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))
    return Number(value);
  return value;
}

export class RequestBuilder {
  readonly origin: string;
  readonly basePath: string;

  constructor(
    readonly api: ApiModel,
    target: string,
  ) {
    const u = new URL(target);
    this.origin = u.origin;
    const targetPath = u.pathname.replace(/\/+$/, '');
    // a target with a path wins over the description's server path
    this.basePath = targetPath || api.basePath;
  }

  /** A valid request for the operation from examples, defaults and schemas. */
  parts(op: ScanOperation, store?: ChainStore): RequestParts {
    const parts: RequestParts = { path: {}, query: {}, headers: {}, cookies: {}, body: undefined };
    for (const p of op.params) {
      if (p.in === 'path') {
        const chained = store?.resolve(op, p.name);
        const v = chained ?? p.example ?? sampleValue(p.schema, { name: p.name });
        parts.path[p.name] = String(coerce(v, p.schema) ?? '1');
        continue;
      }
      const sample = op.sample?.query?.[p.name];
      const v = sample ?? p.example ?? sampleValue(p.schema, { name: p.name });
      if (p.in === 'query') parts.query[p.name] = v;
      else if (p.in === 'header') {
        if (
          !SKIP_HEADER_PARAMS.has(p.name.toLowerCase()) &&
          !this.api.authHeaderNames.includes(p.name.toLowerCase())
        )
          parts.headers[p.name] = String(v);
      } else if (p.in === 'cookie') parts.cookies[p.name] = String(v);
    }
    if (op.sample?.headers) Object.assign(parts.headers, op.sample.headers);
    if (op.body) {
      parts.mediaType = op.body.mediaType;
      parts.body =
        op.body.example !== undefined ? structuredClone(op.body.example) : sampleValue(op.body.schema);
    }
    return parts;
  }

  url(op: ScanOperation, parts: RequestParts, pathOverride?: string): string {
    let path = pathOverride ?? op.path;
    for (const [name, value] of Object.entries(parts.path)) {
      path = path.split(`{${name}}`).join(encodeURIComponent(value));
    }
    const qs = serializeQuery(parts.query);
    return `${this.origin}${this.basePath}${path}${qs ? `?${qs}` : ''}`;
  }

  render(op: ScanOperation, parts: RequestParts, identityHeaders: Record<string, string> = {}): ScanRequest {
    const headers: Record<string, string> = {
      'user-agent': 'palisade-scan',
      accept: 'application/json, */*;q=0.5',
    };
    Object.assign(headers, lowerKeys(parts.headers));
    const cookies = Object.entries(parts.cookies).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
    Object.assign(headers, lowerKeys(identityHeaders));
    if (cookies.length) headers.cookie = [headers.cookie, ...cookies].filter(Boolean).join('; ');
    let body: string | undefined;
    if (parts.body !== undefined) {
      const mt = parts.mediaType ?? 'application/json';
      headers['content-type'] = /multipart/i.test(mt)
        ? `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`
        : mt;
      body = serializeBody(parts.body, mt);
    }
    return { method: op.method, url: this.url(op, parts), headers, body };
  }
}

export function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

export function serializeQuery(query: Record<string, unknown>): string {
  const sp: string[] = [];
  const enc = encodeURIComponent;
  const put = (key: string, v: unknown, depth: number) => {
    if (v === undefined) return;
    if (Array.isArray(v)) for (const x of v) put(key, x, depth + 1);
    else if (v && typeof v === 'object' && depth < 4) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) put(`${key}[${k}]`, x, depth + 1);
    } else
      sp.push(`${enc(key).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${enc(v === null ? '' : String(v))}`);
  };
  for (const [k, v] of Object.entries(query)) put(k, v, 0);
  return sp.join('&');
}

function xmlOf(v: unknown, name: string, depth: number): string {
  if (depth > 8) return '';
  if (Array.isArray(v)) return v.map((x) => xmlOf(x, name, depth + 1)).join('');
  if (v && typeof v === 'object') {
    const inner = Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => xmlOf(x, k, depth + 1))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  const text = String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;');
  return `<${name}>${text}</${name}>`;
}

export const MULTIPART_BOUNDARY = '----palisade-scan-boundary';

function multipartOf(body: unknown): string {
  const fields =
    body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : { value: body };
  const parts = Object.entries(fields).map(([k, v]) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    const isFile = /file|upload|attachment|image|document/i.test(k);
    const disposition = `form-data; name="${k.replace(/"/g, '')}"${isFile ? `; filename="${k.replace(/"/g, '')}.txt"` : ''}`;
    return `--${MULTIPART_BOUNDARY}\r\ncontent-disposition: ${disposition}\r\n${isFile ? 'content-type: text/plain\r\n' : ''}\r\n${text}\r\n`;
  });
  return `${parts.join('')}--${MULTIPART_BOUNDARY}--\r\n`;
}

export function serializeBody(body: unknown, mediaType: string): string {
  if (typeof body === 'string' && !/json/i.test(mediaType)) return body;
  if (/json/i.test(mediaType)) return JSON.stringify(body);
  if (/x-www-form-urlencoded/i.test(mediaType) && body && typeof body === 'object') {
    return serializeQuery(body as Record<string, unknown>);
  }
  if (/xml/i.test(mediaType)) return `<?xml version="1.0"?>${xmlOf(body, 'root', 0)}`;
  if (/multipart/i.test(mediaType)) return multipartOf(body);
  return typeof body === 'string' ? body : JSON.stringify(body);
}
