import type { RouteConfig } from '../config/schema.js';

export interface Routable {
  config: RouteConfig;
}

function hostMatches(pattern: string | undefined, host: string): boolean {
  if (!pattern) return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}

function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return path === p || (path.startsWith(p) && path.charCodeAt(p.length) === 47) /* / */;
}

/** Routes ordered most specific first: a host beats no host, a longer prefix beats a shorter one. */
export class Router<R extends Routable> {
  private readonly routes: R[];
  /** No route matches on host: the Host header need not be normalised per request. */
  private readonly anyHost: boolean;
  constructor(routes: R[]) {
    this.routes = [...routes].sort((a, b) => {
      const hostA = a.config.match.host ? 1 : 0;
      const hostB = b.config.match.host ? 1 : 0;
      if (hostA !== hostB) return hostB - hostA;
      return b.config.match.pathPrefix.length - a.config.match.pathPrefix.length;
    });
    this.anyHost = this.routes.some((r) => r.config.match.host);
  }

  match(hostHeader: string | undefined, path: string): R | undefined {
    const host = this.anyHost ? (hostHeader ?? '').toLowerCase().replace(/:\d+$/, '') : '';
    for (const route of this.routes) {
      if (hostMatches(route.config.match.host, host) && prefixMatches(route.config.match.pathPrefix, path))
        return route;
    }
    return undefined;
  }
}
