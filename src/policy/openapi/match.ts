// A compiled router: method + path → operation, with path parameters. Built once per route.
//
// Templates are split into segments; each segment is a literal (`users`), a whole parameter
// (`{id}`) or a mixed segment (`{name}.{ext}`, `report-{year}`). At every segment the router tries
// literals first, then mixed segments, then whole parameters, backtracking when a branch fails —
// so `/users/me` wins over `/users/{id}`, and the most specific template that has the requested
// method is chosen. Requests are split on raw `/` and each segment is percent-decoded once, so
// an encoded slash stays inside its parameter. Dot segments and empty segments never match.

export const MAX_SEGMENTS = 64;

interface MixedPart {
  literal?: string;
  param?: boolean;
}

interface Terminal<T> {
  template: string;
  paramNames: string[];
  methods: Map<string, T>;
}

interface Node<T> {
  literal: Map<string, Node<T>>;
  mixed: { shape: string; parts: MixedPart[]; node: Node<T> }[];
  param?: Node<T>;
  terminal?: Terminal<T>;
}

const newNode = <T>(): Node<T> => ({ literal: new Map(), mixed: [] });

export interface RouteMatch<T> {
  value: T;
  template: string;
  params: Record<string, string>;
}

export type MatchResult<T> =
  | ({ kind: 'match' } & RouteMatch<T>)
  /** The path exists in the document but not with this method. */
  | { kind: 'method-not-allowed'; template: string }
  | { kind: 'no-path' };

/** Splits a template segment into literal and parameter parts; returns the names too. */
function parseSegment(segment: string): { parts: MixedPart[]; names: string[] } {
  const parts: MixedPart[] = [];
  const names: string[] = [];
  let i = 0;
  while (i < segment.length) {
    const open = segment.indexOf('{', i);
    if (open === -1) {
      parts.push({ literal: segment.slice(i) });
      break;
    }
    const close = segment.indexOf('}', open);
    if (close === -1) {
      parts.push({ literal: segment.slice(i) });
      break;
    }
    if (open > i) parts.push({ literal: segment.slice(i, open) });
    parts.push({ param: true });
    names.push(segment.slice(open + 1, close));
    i = close + 1;
  }
  return { parts, names };
}

/**
 * Matches a mixed segment: literal parts are found left to right at their first occurrence
 * (a parameter takes the shortest text before the next literal; the last one takes the rest).
 * Parameters must be non-empty. Linear in the segment length.
 */
function matchMixed(parts: MixedPart[], text: string, captures: string[]): boolean {
  let pos = 0;
  const start = captures.length;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    if (part.literal !== undefined) {
      if (!text.startsWith(part.literal, pos)) return fail(captures, start);
      pos += part.literal.length;
      continue;
    }
    const next = parts[p + 1];
    let end: number;
    if (next?.literal !== undefined) {
      end = text.indexOf(next.literal, pos + 1);
      if (end === -1) return fail(captures, start);
    } else end = text.length;
    if (end <= pos) return fail(captures, start);
    captures.push(text.slice(pos, end));
    pos = end;
  }
  return pos === text.length || fail(captures, start);
}

function fail(captures: string[], start: number): false {
  captures.length = start;
  return false;
}

function decodeSegment(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export class Router<T> {
  private readonly root: Node<T> = newNode();
  private size = 0;

  get operationCount(): number {
    return this.size;
  }

  add(method: string, template: string, value: T): void {
    const segments = splitTemplate(template);
    let node = this.root;
    const paramNames: string[] = [];
    for (const segment of segments) {
      const { parts, names } = parseSegment(segment);
      if (names.length === 0) {
        let next = node.literal.get(segment);
        if (!next) node.literal.set(segment, (next = newNode()));
        node = next;
      } else if (parts.length === 1) {
        node.param ??= newNode();
        node = node.param;
      } else {
        const shape = parts.map((p) => (p.param ? '{}' : p.literal)).join('');
        let entry = node.mixed.find((m) => m.shape === shape);
        if (!entry) {
          entry = { shape, parts, node: newNode() };
          node.mixed.push(entry);
          // More literal text first: `{id}.json` before `{id}.{ext}`.
          node.mixed.sort((a, b) => literalLength(b.parts) - literalLength(a.parts));
        }
        node = entry.node;
      }
      paramNames.push(...names);
    }
    node.terminal ??= { template, paramNames, methods: new Map() };
    const key = method.toUpperCase();
    if (!node.terminal.methods.has(key)) this.size++;
    node.terminal.methods.set(key, value);
  }

  /** `path` is the raw (not yet decoded) path, without query, relative to the base path. */
  match(method: string, path: string): MatchResult<T> {
    const segments = splitRequestPath(path);
    if (!segments) return { kind: 'no-path' };
    const wanted = method.toUpperCase();
    let pathOnly: Terminal<T> | undefined;
    const captures: string[] = [];
    let result: RouteMatch<T> | undefined;
    const visit = (node: Node<T>, i: number): boolean => {
      if (i === segments.length) {
        const t = node.terminal;
        if (!t) return false;
        const value = t.methods.get(wanted) ?? (wanted === 'HEAD' ? t.methods.get('GET') : undefined);
        if (value === undefined) {
          pathOnly ??= t;
          return false;
        }
        const params: Record<string, string> = {};
        t.paramNames.forEach((name, k) => {
          params[name] = captures[k];
        });
        result = { value, template: t.template, params };
        return true;
      }
      const seg = segments[i];
      const lit = node.literal.get(seg);
      if (lit && visit(lit, i + 1)) return true;
      for (const m of node.mixed) {
        const mark = captures.length;
        if (matchMixed(m.parts, seg, captures)) {
          if (visit(m.node, i + 1)) return true;
          captures.length = mark;
        }
      }
      if (node.param && seg.length > 0) {
        captures.push(seg);
        if (visit(node.param, i + 1)) return true;
        captures.pop();
      }
      return false;
    };
    visit(this.root, 0);
    if (result) return { kind: 'match', ...result };
    if (pathOnly) return { kind: 'method-not-allowed', template: (pathOnly as Terminal<T>).template };
    return { kind: 'no-path' };
  }
}

function literalLength(parts: MixedPart[]): number {
  let n = 0;
  for (const p of parts) n += p.literal?.length ?? 0;
  return n;
}

function splitTemplate(template: string): string[] {
  const segments = template.split('/').slice(1);
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  if (segments.length === 1 && segments[0] === '') return [];
  return segments;
}

/** Splits and decodes a request path; undefined when it cannot match any template. */
export function splitRequestPath(path: string): string[] | undefined {
  if (!path.startsWith('/')) return undefined;
  const raw = path.split('/', MAX_SEGMENTS + 2).slice(1);
  if (raw.length > MAX_SEGMENTS) return undefined;
  // One trailing slash is tolerated: `/users/` is `/users`.
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  if (raw.length === 1 && raw[0] === '') return [];
  const out: string[] = [];
  for (const r of raw) {
    const seg = decodeSegment(r);
    if (seg === '' || seg === '.' || seg === '..') return undefined;
    out.push(seg);
  }
  return out;
}

/**
 * Removes the first matching base path (longest first); undefined when none applies.
 * `''` in the list means "no prefix".
 */
export function stripBasePath(path: string, basePaths: readonly string[]): string | undefined {
  for (const base of basePaths) {
    if (base === '') return path;
    if (path === base) return '/';
    if (path.startsWith(base) && path[base.length] === '/') return path.slice(base.length);
  }
  return undefined;
}
