// Function-level access control (BFLA) and IdP hygiene. Requirements come from three places and
// all must hold: the OpenAPI operation's security scopes (any alternative), `x-palisade-roles` /
// `x-palisade-scopes` extensions, and config rules `{ path: '/admin/**', roles: [admin] }`.
// IdP hygiene: roles from an issuer not trusted for roles were dropped when the identity was built;
// a rule that only those roles would satisfy reports authorization/role-from-untrusted-claim.
// E-mail-domain rules need email_verified === true and an exact domain (or *.domain) match;
// a near miss (unverified, or a look-alike such as corp.com.evil.io) reports domain-matching-bypass.
import type { Identity } from '../../core/identity.js';
import { compilePattern, matchPattern, type PatternInput } from './pattern.js';
import { type Denial, extensionList, type RequestView } from './view.js';

export interface AccessRuleConfig {
  method?: string | string[];
  path: string;
  roles?: string[];
  scopes?: string[];
  emailDomains?: string[];
}

export interface Requirement {
  source: string;
  /** Any one of these roles. */
  roles?: string[];
  /** All of these scopes. */
  scopes?: string[];
  /** Alternatives from OpenAPI: one alternative's scopes (as scopes or roles) must all be held. */
  alternatives?: string[][];
  emailDomains?: string[];
}

export interface AccessOptions {
  rules: AccessRuleConfig[];
  adminPaths: boolean;
  adminRoles: string[];
}

export interface AccessControl {
  requirements(view: RequestView): Requirement[];
  check(
    identity: Identity | undefined,
    requirements: Requirement[],
    droppedRoles: readonly string[],
  ): Denial | undefined;
}

export function compileAccess(opts: AccessOptions): AccessControl {
  const rules = opts.rules.map((r) => ({
    pattern: compilePattern({ method: r.method, path: r.path } as PatternInput),
    rule: r,
  }));

  function requirements(view: RequestView): Requirement[] {
    const out: Requirement[] = [];
    const op = view.matched?.op;
    if (op && op.security.length > 0) {
      const alternatives = op.security.map((req) => Object.values(req).flat());
      // An alternative without scopes is satisfied by any authenticated identity.
      if (!alternatives.some((a) => a.length === 0)) {
        out.push({ source: `OpenAPI security of ${op.method} ${op.template}`, alternatives });
      }
    }
    const extRoles = extensionList(view, 'x-palisade-roles');
    if (extRoles?.length) out.push({ source: 'x-palisade-roles', roles: extRoles });
    const extScopes = extensionList(view, 'x-palisade-scopes');
    if (extScopes?.length) out.push({ source: 'x-palisade-scopes', scopes: extScopes });
    for (const { pattern, rule } of rules) {
      if (!matchPattern(pattern, view.method, view.segments)) continue;
      out.push({
        source: `access rule ${pattern.source}`,
        roles: rule.roles,
        scopes: rule.scopes,
        emailDomains: rule.emailDomains,
      });
    }
    if (opts.adminPaths && view.segments.some((s) => s.toLowerCase() === 'admin')) {
      out.push({ source: 'built-in admin path', roles: opts.adminRoles });
    }
    return out;
  }

  function check(
    identity: Identity | undefined,
    reqs: Requirement[],
    droppedRoles: readonly string[],
  ): Denial | undefined {
    if (reqs.length === 0) return undefined;
    if (!identity) {
      const admin = reqs.some((r) => r.roles?.some((role) => opts.adminRoles.includes(role)));
      return {
        finding: {
          category: admin ? 'broken-access-control' : 'authentication',
          subtype: admin ? 'unauthenticated-admin-function' : 'missing-auth',
          detector: 'access-control',
          severity: admin ? 'high' : 'medium',
          score: 1,
          message: `no identity for an operation that requires one (${reqs[0].source})`,
        } as Denial['finding'],
        verdict: { status: 401, code: 'PAL_ERR_UNAUTHENTICATED' },
      };
    }
    const has = (x: string) => identity.roles.includes(x) || identity.scopes.includes(x);
    for (const r of reqs) {
      if (r.alternatives && !r.alternatives.some((alt) => alt.every(has))) {
        return forbidden('bfla', r, `needs one of: ${r.alternatives.map((a) => a.join('+')).join(' | ')}`, {
          requiredScopes: r.alternatives,
        });
      }
      if (r.roles && r.roles.length > 0 && !r.roles.some((role) => identity.roles.includes(role))) {
        if (r.roles.some((role) => droppedRoles.includes(role))) {
          return {
            finding: {
              category: 'authorization',
              subtype: 'role-from-untrusted-claim',
              detector: 'idp-hygiene',
              severity: 'high',
              score: 1,
              message: `role claim from issuer ${identity.issuer ?? '?'} is not trusted for roles (${r.source})`,
            },
            verdict: { status: 403, code: 'PAL_ERR_FORBIDDEN', details: { requiredRoles: r.roles } },
          };
        }
        return forbidden('bfla', r, `needs one of the roles: ${r.roles.join(', ')}`, {
          requiredRoles: r.roles,
        });
      }
      if (r.scopes && !r.scopes.every((s) => identity.scopes.includes(s))) {
        return forbidden('bfla', r, `needs the scopes: ${r.scopes.join(', ')}`, { requiredScopes: r.scopes });
      }
      if (r.emailDomains && r.emailDomains.length > 0) {
        const denial = checkEmailDomain(identity, r);
        if (denial) return denial;
      }
    }
    return undefined;
  }

  return { requirements, check };
}

function forbidden(subtype: 'bfla', r: Requirement, why: string, details: Record<string, unknown>): Denial {
  return {
    finding: {
      category: 'broken-access-control',
      subtype,
      detector: 'access-control',
      severity: 'high',
      score: 1,
      message: `${why} (${r.source})`,
    },
    verdict: { status: 403, code: 'PAL_ERR_FORBIDDEN', details },
  };
}

/** The domain part after the last `@`, lower-cased; undefined when the address is not plausible. */
export function emailDomain(email: string | undefined): string | undefined {
  if (!email || email.length > 320) return undefined;
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return undefined;
  return email.slice(at + 1).toLowerCase();
}

function domainAllowed(domain: string, allowed: string): boolean {
  const a = allowed.toLowerCase();
  if (a.startsWith('*.')) return domain.endsWith(a.slice(1)) && domain.length > a.length - 1;
  return domain === a;
}

function checkEmailDomain(identity: Identity, r: Requirement): Denial | undefined {
  const domains = r.emailDomains ?? [];
  const domain = emailDomain(identity.email);
  const matches = domain !== undefined && domains.some((d) => domainAllowed(domain, d));
  if (matches && identity.emailVerified === true) return undefined;
  // Near misses: the allowed name appears inside the address or as a label run of the domain.
  const email = (identity.email ?? '').toLowerCase();
  const lookAlike = domains.some((d) => email.includes(d.replace(/^\*\./, '').toLowerCase()));
  if (matches || lookAlike) {
    return {
      finding: {
        category: 'authorization',
        subtype: 'domain-matching-bypass',
        detector: 'idp-hygiene',
        severity: 'high',
        score: 1,
        message: matches
          ? `e-mail domain ${domain} is not verified (email_verified is not true) (${r.source})`
          : `e-mail address only resembles an allowed domain (${r.source})`,
      },
      verdict: {
        status: 403,
        code: 'PAL_ERR_FORBIDDEN',
        details: { requiredEmailDomains: domains, verified: true },
      },
    };
  }
  return forbidden('bfla', r, `needs a verified e-mail address in: ${domains.join(', ')}`, {
    requiredEmailDomains: domains,
  });
}
