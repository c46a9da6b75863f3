// Builds the Identity from verified claims and forwards it upstream in trusted headers.
import type { Identity } from '../../core/identity.js';
import type { RequestContext } from '../../gateway/phase.js';

export interface ClaimMapping {
  subject: string | string[];
  roles: string | string[];
  scopes: string | string[];
  tenant: string | string[];
  email: string | string[];
  emailVerified: string | string[];
}

export interface ForwardHeaders {
  subject: string;
  roles: string;
  scopes: string;
  tenant: string;
  email: string;
  method: string;
}

const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

/** Reads a dotted claim path (`realm_access.roles`); an exact key with dots wins (`https://x/roles`). */
export function readClaim(claims: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let cur: unknown = claims;
  for (const part of path.split('.')) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function firstClaim(claims: Record<string, unknown>, paths: string | string[]): unknown {
  for (const p of list(paths)) {
    const v = readClaim(claims, p);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

/** Claims holding lists: arrays of strings, or space/comma separated strings. Bounded to 256 items. */
function stringList(value: unknown): string[] {
  const out: string[] = [];
  const push = (s: string) => {
    for (const part of s.split(/[\s,]+/)) if (part && out.length < 256) out.push(part);
  };
  if (typeof value === 'string') push(value);
  else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') push(v);
  return out;
}

function mergedList(claims: Record<string, unknown>, paths: string | string[]): string[] {
  const out = new Set<string>();
  for (const p of list(paths)) for (const v of stringList(readClaim(claims, p))) out.add(v);
  return [...out];
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export interface BuildOptions {
  method: Identity['method'];
  mapping: ClaimMapping;
  /** False when the issuer is not trusted for roles, groups and tenant: those are dropped. */
  trustRoles: boolean;
  credentialId?: string;
}

export interface BuiltIdentity {
  identity: Identity;
  /** Roles the token claimed but that were not honoured (untrusted issuer). */
  droppedRoles: string[];
}

export function identityFromClaims(
  claims: Record<string, unknown>,
  opts: BuildOptions,
): BuiltIdentity | undefined {
  const subject = str(firstClaim(claims, opts.mapping.subject));
  if (!subject) return undefined;
  const roles = mergedList(claims, opts.mapping.roles);
  const verified = firstClaim(claims, opts.mapping.emailVerified);
  const identity: Identity = {
    subject,
    method: opts.method,
    roles: opts.trustRoles ? roles : [],
    scopes: mergedList(claims, opts.mapping.scopes),
    tenant: opts.trustRoles ? str(firstClaim(claims, opts.mapping.tenant)) : undefined,
    email: str(firstClaim(claims, opts.mapping.email)),
    // Only a real boolean true (or the string "true" some IdPs send) counts as verified.
    emailVerified: verified === true || verified === 'true',
    issuer: str(claims.iss),
    credentialId: str(claims.jti) ?? opts.credentialId,
    claims,
  };
  return { identity, droppedRoles: opts.trustRoles ? [] : roles };
}

/** Header values: visible ASCII only, bounded. Anything else is dropped rather than mangled. */
function safeValue(value: string): string | undefined {
  if (value.length === 0 || value.length > 1024) return undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return undefined;
  }
  return value;
}

function safeList(items: string[]): string | undefined {
  const ok = items.filter((i) => !i.includes(',') && safeValue(i) !== undefined);
  return ok.length > 0 ? safeValue(ok.join(',')) : undefined;
}

/** Removes client-sent identity headers; always done, even when authentication is off. */
export function stripIdentityHeaders(ctx: RequestContext, headers: ForwardHeaders): void {
  for (const name of Object.values(headers)) {
    const lower = name.toLowerCase();
    ctx.stripHeaders.add(lower);
    ctx.upstreamHeaders.delete(lower);
  }
}

/** Sets the verified identity on the upstream request. */
export function forwardIdentity(ctx: RequestContext, identity: Identity, headers: ForwardHeaders): void {
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined) ctx.upstreamHeaders.set(name.toLowerCase(), value);
  };
  set(headers.subject, safeValue(identity.subject));
  set(headers.roles, safeList(identity.roles));
  set(headers.scopes, safeList(identity.scopes));
  set(headers.tenant, identity.tenant ? safeValue(identity.tenant) : undefined);
  set(headers.email, identity.email && identity.emailVerified ? safeValue(identity.email) : undefined);
  set(headers.method, identity.method);
}

/** The value of an identity field named in BOLA rules: sub/subject, tenant, email, roles, or a claim path. */
export function identityField(identity: Identity, name: string): string | string[] | undefined {
  switch (name) {
    case 'sub':
    case 'subject':
      return identity.subject;
    case 'tenant':
      return identity.tenant;
    case 'email':
      return identity.emailVerified ? identity.email : undefined;
    case 'roles':
      return identity.roles;
    default: {
      const v = readClaim(identity.claims, name);
      if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
      return str(v);
    }
  }
}
