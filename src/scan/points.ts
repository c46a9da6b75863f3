import { cloneParts, type RequestParts } from './builder/request.js';
import type { ScanOperation } from './types.js';

/** A place in a request where a check puts its payload. */
export interface InjectionPoint {
  /** e.g. `query.q`, `path.id`, `body.user.name` */
  label: string;
  source: 'query' | 'path' | 'header' | 'body';
  name: string;
  original: unknown;
  /** A copy of `parts` with the value at this point replaced. */
  with(parts: RequestParts, value: unknown): RequestParts;
}

const MAX_POINTS = 10;

function setAt(obj: any, path: (string | number)[], value: unknown): void {
  let cur = obj;
  for (let i = 0; i < path.length - 1; i++) cur = cur[path[i]];
  cur[path[path.length - 1]] = value;
}

/** Injection points of an operation: query, path and header parameters and JSON/form leaves. */
export function injectionPoints(
  _op: ScanOperation,
  parts: RequestParts,
  opts: { path?: boolean } = {},
): InjectionPoint[] {
  const out: InjectionPoint[] = [];
  for (const [name, v] of Object.entries(parts.query)) {
    if (typeof v === 'object' && v !== null) continue;
    out.push({
      label: `query.${name}`,
      source: 'query',
      name,
      original: v,
      with: (p, value) => {
        const c = cloneParts(p);
        c.query[name] = value;
        return c;
      },
    });
  }
  if (opts.path !== false) {
    for (const [name, v] of Object.entries(parts.path)) {
      out.push({
        label: `path.${name}`,
        source: 'path',
        name,
        original: v,
        with: (p, value) => {
          const c = cloneParts(p);
          c.path[name] = String(value);
          return c;
        },
      });
    }
  }
  for (const [name, v] of Object.entries(parts.headers)) {
    out.push({
      label: `header.${name}`,
      source: 'header',
      name,
      original: v,
      with: (p, value) => {
        const c = cloneParts(p);
        c.headers[name] = String(value);
        return c;
      },
    });
  }
  if (parts.body && typeof parts.body === 'object') {
    let budget = 200;
    const walk = (v: unknown, path: (string | number)[], depth: number) => {
      if (budget-- <= 0 || depth > 5) return;
      if (Array.isArray(v)) {
        if (v.length) walk(v[0], [...path, 0], depth + 1);
        return;
      }
      if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, [...path, k], depth + 1);
        return;
      }
      if (typeof v === 'boolean' || path.length === 0) return;
      const name = String([...path].reverse().find((s) => typeof s === 'string') ?? 'value');
      const frozen = [...path];
      out.push({
        label: `body.${frozen.join('.')}`,
        source: 'body',
        name,
        original: v,
        with: (p, value) => {
          const c = cloneParts(p);
          setAt(c.body, frozen, value);
          return c;
        },
      });
    };
    walk(parts.body, [], 0);
  }
  // strings first: they are the usual sinks
  out.sort((a, b) => Number(typeof b.original === 'string') - Number(typeof a.original === 'string'));
  return out.slice(0, MAX_POINTS);
}
