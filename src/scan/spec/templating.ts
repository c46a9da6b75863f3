import type { ParamSpec } from '../types.js';

/** Turns concrete path segments that look like identifiers into `{id}` templates. */
export function templatePath(path: string): { template: string; values: Record<string, string> } {
  const values: Record<string, string> = {};
  const segs = path.split('/');
  let n = 0;
  const out = segs.map((seg, i) => {
    if (seg === '') return seg;
    if (seg.startsWith(':') && seg.length > 1) return `{${seg.slice(1)}}`;
    if (seg.startsWith('{{') && seg.endsWith('}}')) return `{${seg.slice(2, -2)}}`;
    if (seg.startsWith('{') && seg.endsWith('}')) return seg;
    const looksId =
      /^\d+$/.test(seg) ||
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(seg) ||
      /^[0-9a-f]{24}$/i.test(seg);
    if (!looksId) return seg;
    const prev = segs[i - 1] ?? '';
    const base = prev.replace(/s$/, '').replace(/[^A-Za-z0-9]/g, '') || 'id';
    const name = n === 0 && base === 'id' ? 'id' : `${base}Id`;
    n++;
    values[name] = seg;
    return `{${name}}`;
  });
  return { template: out.join('/') || '/', values };
}

/** Parameters seen in a recorded request: templated path segments and query values. */
export function observedParams(
  pathValues: Record<string, string>,
  query: Record<string, string>,
): ParamSpec[] {
  const params: ParamSpec[] = Object.entries(pathValues).map(([name, v]) => ({
    name,
    in: 'path',
    required: true,
    schema: /^\d+$/.test(v) ? { type: 'integer' } : { type: 'string' },
    example: /^\d+$/.test(v) ? Number(v) : v,
  }));
  for (const [name, v] of Object.entries(query)) {
    params.push({ name, in: 'query', required: false, schema: { type: 'string' }, example: v });
  }
  return params;
}
