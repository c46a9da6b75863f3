import type { ApiModel, ScanOperation } from '../types.js';
import { observedParams, templatePath } from './templating.js';

function inferSchema(value: unknown): Record<string, any> {
  if (value === null) return { nullable: true };
  if (Array.isArray(value)) return { type: 'array', items: value.length ? inferSchema(value[0]) : {} };
  if (typeof value === 'object') {
    const properties: Record<string, any> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) properties[k] = inferSchema(v);
    return { type: 'object', properties };
  }
  if (typeof value === 'number')
    return { type: Number.isInteger(value) ? 'integer' : 'number', example: value };
  if (typeof value === 'boolean') return { type: 'boolean', example: value };
  return { type: 'string', example: value };
}

export { inferSchema };

function urlPathOf(url: any): { path: string; query: Record<string, string> } {
  const query: Record<string, string> = {};
  if (url && typeof url === 'object') {
    const segs: string[] = Array.isArray(url.path) ? url.path.map((s: any) => String(s?.value ?? s)) : [];
    for (const q of Array.isArray(url.query) ? url.query : []) {
      if (q && !q.disabled && q.key) query[String(q.key)] = String(q.value ?? '');
    }
    if (segs.length) return { path: `/${segs.join('/')}`, query };
    if (typeof url.raw === 'string') return urlPathOf(url.raw);
  }
  if (typeof url === 'string') {
    let raw = url.replace(/^\{\{[^}]*\}\}/, '');
    raw = raw.replace(/^[a-z]+:\/\/[^/]*/i, '');
    const [p, qs] = raw.split('?', 2);
    if (qs) for (const [k, v] of new URLSearchParams(qs)) query[k] = v;
    return { path: p.startsWith('/') ? p : `/${p}`, query };
  }
  return { path: '/', query };
}

/** Reads a Postman collection v2.1 (folders are flattened). */
export function readPostman(doc: any, source: string): ApiModel {
  const operations: ScanOperation[] = [];
  const seen = new Set<string>();
  const walk = (items: any[], depth: number) => {
    if (depth > 20) return;
    for (const it of items) {
      if (!it || typeof it !== 'object') continue;
      if (Array.isArray(it.item)) {
        walk(it.item, depth + 1);
        continue;
      }
      const req = typeof it.request === 'string' ? { url: it.request, method: 'GET' } : it.request;
      if (!req) continue;
      const method = String(req.method ?? 'GET').toUpperCase();
      const { path, query } = urlPathOf(req.url);
      const { template, values } = templatePath(path);
      const key = `${method} ${template}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const headers: Record<string, string> = {};
      let requiresAuth = !!req.auth || !!doc.auth;
      for (const h of Array.isArray(req.header) ? req.header : []) {
        if (!h || h.disabled || !h.key) continue;
        if (String(h.key).toLowerCase() === 'authorization') requiresAuth = true;
        else headers[String(h.key)] = String(h.value ?? '');
      }
      const params = observedParams(values, query);
      let body: ScanOperation['body'];
      let rawBody: string | undefined;
      if (req.body?.mode === 'raw' && typeof req.body.raw === 'string') {
        rawBody = req.body.raw;
        try {
          const parsed = JSON.parse(rawBody!);
          body = {
            mediaType: 'application/json',
            schema: inferSchema(parsed),
            example: parsed,
            required: true,
          };
        } catch {
          body = { mediaType: 'text/plain', schema: { type: 'string' }, example: rawBody, required: true };
        }
      } else if (req.body?.mode === 'urlencoded' && Array.isArray(req.body.urlencoded)) {
        const obj: Record<string, string> = {};
        for (const f of req.body.urlencoded) if (f?.key) obj[f.key] = String(f.value ?? '');
        body = {
          mediaType: 'application/x-www-form-urlencoded',
          schema: inferSchema(obj),
          example: obj,
          required: true,
        };
      }
      operations.push({
        key,
        method,
        path: template,
        operationId: typeof it.name === 'string' ? it.name : undefined,
        summary: typeof it.name === 'string' ? it.name : undefined,
        tags: [],
        deprecated: false,
        params,
        body,
        requiresAuth,
        scopes: [],
        responses: {},
        sample: { query, headers, body: rawBody },
      });
    }
  };
  walk(doc.item, 0);
  return {
    title: String(doc.info?.name ?? 'Postman collection'),
    source,
    format: 'postman',
    basePath: '',
    operations,
    authHeaderNames: ['authorization'],
  };
}
