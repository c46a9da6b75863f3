import type { ApiModel, BodySpec, ParamSpec, ScanOperation, Schema } from '../types.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function basePathOf(api: any): string {
  if (typeof api.swagger === 'string') {
    const bp = typeof api.basePath === 'string' ? api.basePath : '';
    return bp === '/' ? '' : bp.replace(/\/+$/, '');
  }
  const server = Array.isArray(api.servers) ? api.servers[0] : undefined;
  if (!server || typeof server.url !== 'string') return '';
  let url: string = server.url;
  // substitute server variables with their defaults
  if (server.variables && typeof server.variables === 'object') {
    for (const [name, v] of Object.entries<any>(server.variables)) {
      url = url.split(`{${name}}`).join(String(v?.default ?? ''));
    }
  }
  let path = url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    try {
      path = new URL(url).pathname;
    } catch {
      path = '';
    }
  }
  path = path.replace(/\/+$/, '');
  return path.startsWith('/') ? path : path ? `/${path}` : '';
}

function firstJsonMedia(content: any): [string, any] | undefined {
  if (!content || typeof content !== 'object') return undefined;
  const entries = Object.entries<any>(content);
  const json = entries.find(([t]) => /json/i.test(t));
  return json ?? entries[0];
}

function exampleOf(media: any): unknown {
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  if (media.examples && typeof media.examples === 'object') {
    const first = Object.values<any>(media.examples)[0];
    if (first && typeof first === 'object' && 'value' in first) return first.value;
  }
  return undefined;
}

function swagger2Param(p: any): ParamSpec | undefined {
  if (p.in === 'body' || p.in === 'formData') return undefined;
  const { name, in: loc, required, description: _d, ...rest } = p;
  const schema: Schema = rest.schema ?? rest;
  return { name, in: loc, required: !!required || loc === 'path', schema, example: p['x-example'] };
}

function securityOf(api: any, op: any): { requiresAuth: boolean; scopes: string[] } {
  const sec = Array.isArray(op.security) ? op.security : Array.isArray(api.security) ? api.security : [];
  if (sec.length === 0) return { requiresAuth: false, scopes: [] };
  // an empty requirement object means "anonymous allowed"
  const anonymous = sec.some((req: any) => req && typeof req === 'object' && Object.keys(req).length === 0);
  const scopes = new Set<string>();
  for (const req of sec) {
    if (!req || typeof req !== 'object') continue;
    for (const list of Object.values<any>(req))
      if (Array.isArray(list)) for (const s of list) scopes.add(String(s));
  }
  return { requiresAuth: !anonymous, scopes: [...scopes] };
}

function authHeaderNames(api: any): string[] {
  const schemes = api.components?.securitySchemes ?? api.securityDefinitions ?? {};
  const names = new Set<string>(['authorization']);
  for (const s of Object.values<any>(schemes)) {
    if (s && s.type === 'apiKey' && s.in === 'header' && typeof s.name === 'string')
      names.add(s.name.toLowerCase());
  }
  return [...names];
}

export function readOpenApi(api: any, source: string): ApiModel {
  const swagger2 = typeof api.swagger === 'string';
  const operations: ScanOperation[] = [];
  for (const [path, item] of Object.entries<any>(api.paths ?? {})) {
    if (!item || typeof item !== 'object') continue;
    const shared: any[] = Array.isArray(item.parameters) ? item.parameters : [];
    for (const m of METHODS) {
      const op = item[m];
      if (!op || typeof op !== 'object') continue;
      const rawParams: any[] = [...shared];
      for (const p of Array.isArray(op.parameters) ? op.parameters : []) {
        const i = rawParams.findIndex((q) => q?.name === p?.name && q?.in === p?.in);
        if (i >= 0) rawParams[i] = p;
        else rawParams.push(p);
      }
      const params: ParamSpec[] = [];
      let body: BodySpec | undefined;
      if (swagger2) {
        const consumes: string[] = op.consumes ?? api.consumes ?? ['application/json'];
        const form = rawParams.filter((p) => p?.in === 'formData');
        for (const p of rawParams) {
          if (!p || typeof p !== 'object') continue;
          if (p.in === 'body') {
            body = {
              mediaType: consumes.find((c) => /json/.test(c)) ?? consumes[0] ?? 'application/json',
              schema: p.schema ?? {},
              example: p['x-example'],
              required: !!p.required,
            };
          } else {
            const sp = swagger2Param(p);
            if (sp) params.push(sp);
          }
        }
        if (!body && form.length > 0) {
          const properties: Record<string, Schema> = {};
          const required: string[] = [];
          for (const f of form) {
            const { name, in: _in, required: req, ...rest } = f;
            properties[name] = rest;
            if (req) required.push(name);
          }
          body = {
            mediaType: consumes.find((c) => /form/.test(c)) ?? 'application/x-www-form-urlencoded',
            schema: { type: 'object', properties, required },
            required: required.length > 0,
          };
        }
      } else {
        for (const p of rawParams) {
          if (!p || typeof p !== 'object' || !p.name || !p.in) continue;
          let schema: Schema = p.schema ?? {};
          if (!p.schema && p.content) schema = firstJsonMedia(p.content)?.[1]?.schema ?? {};
          params.push({
            name: p.name,
            in: p.in,
            required: !!p.required || p.in === 'path',
            schema,
            example:
              p.example ?? (p.examples ? (Object.values<any>(p.examples)[0]?.value as unknown) : undefined),
          });
        }
        const rb = op.requestBody;
        if (rb && typeof rb === 'object') {
          const media = firstJsonMedia(rb.content);
          if (media) {
            body = {
              mediaType: media[0],
              schema: media[1]?.schema ?? {},
              example: exampleOf(media[1]),
              required: !!rb.required,
            };
          }
        }
      }
      const responses: Record<string, Schema | undefined> = {};
      for (const [code, r] of Object.entries<any>(op.responses ?? {})) {
        responses[code] = swagger2 ? r?.schema : firstJsonMedia(r?.content)?.[1]?.schema;
      }
      const sec = securityOf(api, op);
      const method = m.toUpperCase();
      operations.push({
        key: `${method} ${path}`,
        method,
        path,
        operationId: typeof op.operationId === 'string' ? op.operationId : undefined,
        summary: typeof op.summary === 'string' ? op.summary : undefined,
        tags: Array.isArray(op.tags) ? op.tags.map(String) : [],
        deprecated: op.deprecated === true,
        params,
        body,
        requiresAuth: sec.requiresAuth,
        scopes: sec.scopes,
        responses,
      });
    }
  }
  return {
    title: String(api.info?.title ?? 'API'),
    source,
    format: swagger2 ? 'swagger-2' : 'openapi-3',
    basePath: basePathOf(api),
    operations,
    authHeaderNames: authHeaderNames(api),
  };
}
