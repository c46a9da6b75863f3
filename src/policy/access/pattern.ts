// Request patterns from config: method(s) + a path glob, compiled once into segment matchers.
// `*` matches one segment, `**` any number (also none), `{name}` / `:name` one segment captured
// under that name. Literal segments match case-insensitively. Matching walks segments (no regex
// on attacker input); at most two `**` per pattern bound the work.

export type PatternInput = string | { method?: string | string[]; path: string };

type Segment = { kind: 'lit'; value: string } | { kind: 'one'; name?: string } | { kind: 'many' };

export interface CompiledPattern {
  readonly source: string;
  readonly methods?: ReadonlySet<string>;
  readonly segments: readonly Segment[];
  /** Names captured by `{name}` segments. */
  readonly params: readonly string[];
}

const METHOD_PREFIX = /^([A-Za-z]+(?:,[A-Za-z]+)*)\s+(\/\S*)$/;

export function splitPath(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('/')) if (part !== '') out.push(part);
  return out;
}

/**
 * Request path segments as an upstream would resolve them, so a rule cannot be stepped around:
 * empty segments dropped, `.` skipped, `..` removes the previous segment, and `;params` (matrix
 * parameters that Java servers strip) cut off. `/users/alice/../bob` is seen as `/users/bob`.
 */
export function requestSegments(path: string): string[] {
  const out: string[] = [];
  for (const raw of path.split('/')) {
    const semi = raw.indexOf(';');
    const part = semi === -1 ? raw : raw.slice(0, semi);
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}

export function compilePattern(input: PatternInput): CompiledPattern {
  let methods: string[] | undefined;
  let path: string;
  if (typeof input === 'string') {
    const m = METHOD_PREFIX.exec(input.trim());
    if (m) {
      methods = m[1].split(',');
      path = m[2];
    } else path = input.trim();
  } else {
    methods =
      input.method === undefined ? undefined : Array.isArray(input.method) ? input.method : [input.method];
    path = input.path;
  }
  if (!path.startsWith('/')) throw new Error(`pattern "${path}" must start with /`);
  const params: string[] = [];
  const segments: Segment[] = splitPath(path).map((part) => {
    if (part === '**') return { kind: 'many' };
    if (part === '*') return { kind: 'one' };
    if ((part.startsWith('{') && part.endsWith('}')) || part.startsWith(':')) {
      const name = part.startsWith(':') ? part.slice(1) : part.slice(1, -1);
      params.push(name);
      return { kind: 'one', name };
    }
    return { kind: 'lit', value: part.toLowerCase() };
  });
  if (segments.filter((s) => s.kind === 'many').length > 2)
    throw new Error(`pattern "${path}" has more than two **`);
  return {
    source: typeof input === 'string' ? input : `${methods?.join(',') ?? '*'} ${path}`,
    methods: methods ? new Set(methods.map((x) => x.toUpperCase())) : undefined,
    segments,
    params,
  };
}

/**
 * Matches a request; returns captured params (possibly empty) or undefined. `**` is handled by
 * trying each split point, but at most one `**` per pattern is expanded greedily per position, so
 * cost is O(segments × path segments).
 */
export function matchPattern(
  pattern: CompiledPattern,
  method: string,
  pathSegments: readonly string[],
): Record<string, string> | undefined {
  if (pattern.methods && !pattern.methods.has(method)) return undefined;
  const captured: Record<string, string> = {};
  return walk(pattern.segments, 0, pathSegments, 0, captured) ? captured : undefined;
}

function walk(
  segs: readonly Segment[],
  si: number,
  path: readonly string[],
  pi: number,
  captured: Record<string, string>,
): boolean {
  while (si < segs.length) {
    const seg = segs[si];
    if (seg.kind === 'many') {
      // Collapse consecutive `**` and try every remaining suffix (a pattern rarely has more than one).
      let next = si + 1;
      while (next < segs.length && segs[next].kind === 'many') next++;
      if (next === segs.length) return true;
      for (let k = pi; k <= path.length; k++) if (walk(segs, next, path, k, captured)) return true;
      return false;
    }
    if (pi >= path.length) return false;
    if (seg.kind === 'lit') {
      // Case-insensitive: some upstreams route /ADMIN like /admin; being wider is safe both for
      // protective rules and for public lists (a different-case path is the same or a 404).
      if (seg.value !== path[pi] && seg.value !== path[pi].toLowerCase()) return false;
    } else if (seg.name) captured[seg.name] = path[pi];
    si++;
    pi++;
  }
  return pi === path.length;
}

/** A list of compiled patterns; `first` returns the first that matches with its captures. */
export class PatternList {
  readonly patterns: CompiledPattern[];
  constructor(inputs: readonly PatternInput[]) {
    this.patterns = inputs.map(compilePattern);
  }
  get empty(): boolean {
    return this.patterns.length === 0;
  }
  first(
    method: string,
    segments: readonly string[],
  ): { pattern: CompiledPattern; params: Record<string, string> } | undefined {
    for (const pattern of this.patterns) {
      const params = matchPattern(pattern, method, segments);
      if (params) return { pattern, params };
    }
    return undefined;
  }
  matches(method: string, segments: readonly string[]): boolean {
    return this.first(method, segments) !== undefined;
  }
}
