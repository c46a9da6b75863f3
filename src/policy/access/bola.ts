// Object-level access control (BOLA): a rule binds a request value (path, query, body or header
// parameter) to an identity field; every occurrence of the value must equal the field (or be one of
// its values, for list claims) unless the caller holds an exempt role. `?owner=me&owner=victim`
// is checked value by value, so parameter pollution does not slip through.
import type { Identity } from '../../core/identity.js';
import type { RequestContext } from '../../gateway/phase.js';
import { identityField, readClaim } from '../auth/identity.js';
import { type CompiledPattern, compilePattern, matchPattern } from './pattern.js';
import type { Denial, RequestView } from './view.js';

export interface BolaRuleConfig {
  method?: string | string[];
  path?: string;
  param: string;
  claim: string;
  unlessRole?: string | string[];
}

interface CompiledRule {
  pattern?: CompiledPattern;
  methods?: Set<string>;
  location: 'path' | 'query' | 'body' | 'header';
  name: string;
  claim: string;
  exempt: string[];
  source: string;
}

export interface BolaControl {
  readonly needsBody: boolean;
  check(ctx: RequestContext, view: RequestView, identity: Identity | undefined): Denial | undefined;
}

/** Throws Error("rules.N.…: message") for rules that cannot work. */
export function compileBola(rules: BolaRuleConfig[]): BolaControl {
  const compiled: CompiledRule[] = rules.map((r, i) => {
    const dot = r.param.indexOf('.');
    const location = r.param.slice(0, dot) as CompiledRule['location'];
    const name = r.param.slice(dot + 1);
    const pattern = r.path ? compilePattern({ method: r.method, path: r.path }) : undefined;
    if (location === 'path' && pattern && !pattern.params.includes(name)) {
      throw new Error(`rules.${i}.param: path ${r.path} has no {${name}} segment`);
    }
    const methods =
      !pattern && r.method
        ? new Set((Array.isArray(r.method) ? r.method : [r.method]).map((m) => m.toUpperCase()))
        : undefined;
    return {
      pattern,
      methods,
      location,
      name: location === 'header' ? name.toLowerCase() : name,
      claim: r.claim,
      exempt: r.unlessRole === undefined ? [] : Array.isArray(r.unlessRole) ? r.unlessRole : [r.unlessRole],
      source: `bola rule ${i} (${r.param} = ${r.claim})`,
    };
  });
  const needsBody = compiled.some((r) => r.location === 'body');

  function values(
    ctx: RequestContext,
    view: RequestView,
    rule: CompiledRule,
    captures: Record<string, string>,
  ): string[] {
    switch (rule.location) {
      case 'path': {
        const v = captures[rule.name] ?? view.matched?.pathParams[rule.name];
        return v === undefined ? [] : [v];
      }
      case 'query':
        return ctx.query.getAll(rule.name);
      case 'header': {
        const h = ctx.headers[rule.name];
        return h === undefined ? [] : Array.isArray(h) ? h : [h];
      }
      case 'body': {
        const body = ctx.json();
        if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
        const v = readClaim(body as Record<string, unknown>, rule.name);
        const items = Array.isArray(v) ? v : [v];
        return items
          .filter((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)))
          .map(String);
      }
    }
  }

  return {
    needsBody,
    check(ctx, view, identity) {
      for (const rule of compiled) {
        let captures: Record<string, string> = {};
        if (rule.pattern) {
          const m = matchPattern(rule.pattern, view.method, view.segments);
          if (!m) continue;
          captures = m;
        } else if (rule.methods && !rule.methods.has(view.method)) continue;
        const found = values(ctx, view, rule, captures);
        if (found.length === 0) continue;
        if (!identity) {
          return {
            finding: {
              category: 'authentication',
              subtype: 'missing-auth',
              detector: 'bola',
              severity: 'medium',
              score: 1,
              message: `object owner check needs an identity (${rule.source})`,
            },
            verdict: { status: 401, code: 'PAL_ERR_UNAUTHENTICATED' },
          };
        }
        if (rule.exempt.some((role) => identity.roles.includes(role))) continue;
        const expected = identityField(identity, rule.claim);
        const allowed = expected === undefined ? [] : Array.isArray(expected) ? expected : [expected];
        const bad = found.find((v) => !allowed.includes(v));
        if (bad !== undefined) {
          return {
            finding: {
              category: 'broken-access-control',
              subtype: 'bola',
              detector: 'bola',
              severity: 'high',
              score: 1,
              location: `${rule.location}.${rule.name}`,
              message: `${rule.location}.${rule.name} names an object the caller does not own (${rule.source})`,
            },
            verdict: {
              status: 403,
              code: 'PAL_ERR_FORBIDDEN',
              details: { location: `${rule.location}.${rule.name}` },
            },
          };
        }
      }
      return undefined;
    },
  };
}
