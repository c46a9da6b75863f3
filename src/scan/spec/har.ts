import type { ApiModel, ScanOperation } from '../types.js';
import { inferSchema } from './postman.js';
import { observedParams, templatePath } from './templating.js';

/** Reads a HAR log: one operation per distinct method and templated path. */
export function readHar(doc: any, source: string): ApiModel {
  const operations: ScanOperation[] = [];
  const seen = new Set<string>();
  for (const entry of doc.log.entries as any[]) {
    const req = entry?.request;
    if (!req || typeof req.url !== 'string') continue;
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      continue;
    }
    const method = String(req.method ?? 'GET').toUpperCase();
    const { template, values } = templatePath(url.pathname);
    const key = `${method} ${template}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const headers: Record<string, string> = {};
    let requiresAuth = false;
    for (const h of Array.isArray(req.headers) ? req.headers : []) {
      const name = String(h?.name ?? '').toLowerCase();
      if (!name || name.startsWith(':')) continue;
      if (name === 'authorization' || name === 'cookie' || name === 'x-api-key') requiresAuth = true;
      else if (['content-type', 'accept'].includes(name)) headers[name] = String(h.value ?? '');
    }
    const params = observedParams(values, query);
    let body: ScanOperation['body'];
    const text: string | undefined = req.postData?.text;
    const mime = String(req.postData?.mimeType ?? '');
    if (typeof text === 'string' && text) {
      if (/json/i.test(mime)) {
        try {
          const parsed = JSON.parse(text);
          body = {
            mediaType: 'application/json',
            schema: inferSchema(parsed),
            example: parsed,
            required: true,
          };
        } catch {
          body = { mediaType: mime, schema: { type: 'string' }, example: text, required: true };
        }
      } else {
        body = { mediaType: mime || 'text/plain', schema: { type: 'string' }, example: text, required: true };
      }
    }
    operations.push({
      key,
      method,
      path: template,
      tags: [],
      deprecated: false,
      params,
      body,
      requiresAuth,
      scopes: [],
      responses: {},
      sample: { query, headers, body: text },
    });
  }
  return {
    title: 'HAR capture',
    source,
    format: 'har',
    basePath: '',
    operations,
    authHeaderNames: ['authorization', 'cookie', 'x-api-key'],
  };
}
