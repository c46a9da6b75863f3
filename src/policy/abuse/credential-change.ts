// Credential-change protection. A request that sets a password or other credential (configured
// operation, `x-palisade: credential-change`, or built in: a POST/PUT/PATCH whose body carries a
// new-password field, login operations excepted):
//   - without an identity: refused (session-password/account-takeover) unless it carries an
//     out-of-band proof (reset/activation token field) or the operation is allowed unauthenticated
//     (sign-up). `POST /reset-password {username, password}` is exactly the takeover this stops.
//   - with an identity: must target the caller's own account (path/body account parameter equal to
//     subject, e-mail or username claim) unless the caller has an admin role (else account-takeover),
//     and must be verified: a current-password field, or a step-up grant / one-time code (else
//     password-change-without-verification, answered like a step-up challenge).
import type { Identity } from '../../core/identity.js';
import type { RequestContext } from '../../gateway/phase.js';
import { readClaim } from '../auth/identity.js';
import { PatternList, type PatternInput } from '../access/pattern.js';
import { type Denial, extensionFlag, type RequestView } from '../access/view.js';
import { bodyFields, findField, firstField, mayHoldField } from './body.js';

export interface CredentialChangeConfig {
  operations: PatternInput[];
  builtIn: boolean;
  passwordFields: string[];
  currentPasswordFields: string[];
  proofFields: string[];
  accountParams: string[];
  allowUnauthenticated: PatternInput[];
  adminRoles: string[];
}

/** What the step-up control offers this check (absent when step-up is off on the route). */
export interface StepUpProbe {
  /** 'ok' when a grant exists or the request's code verified; otherwise why not. */
  check(ctx: RequestContext, identity: Identity): Promise<'ok' | 'missing' | 'invalid' | 'not-enrolled'>;
  challenge(reason: string, extra?: Record<string, unknown>): Denial['verdict'];
}

const WRITES = new Set(['POST', 'PUT', 'PATCH']);
/** Set in ctx.state when the request was classified as a credential change. */
export const CREDENTIAL_OP_KEY = 'identity.credential';

export class CredentialChangeGuard {
  private readonly operations: PatternList;
  private readonly allowUnauth: PatternList;
  private readonly accountParams: { location: string; name: string }[];

  constructor(private readonly cfg: CredentialChangeConfig) {
    this.operations = new PatternList(cfg.operations);
    this.allowUnauth = new PatternList(cfg.allowUnauthenticated);
    this.accountParams = cfg.accountParams.map((p) => {
      const dot = p.indexOf('.');
      return { location: p.slice(0, dot), name: p.slice(dot + 1) };
    });
  }

  /** Captured path params when a configured operation matched, else undefined when not a credential write. */
  private classify(ctx: RequestContext, view: RequestView): Record<string, string> | undefined {
    const hit = this.operations.first(view.method, view.segments);
    if (hit) return { ...view.matched?.pathParams, ...hit.params };
    if (extensionFlag(view, 'credential-change')) return { ...view.matched?.pathParams };
    if (!this.cfg.builtIn || !WRITES.has(view.method)) return undefined;
    if (!mayHoldField(ctx.body, this.cfg.passwordFields)) return undefined;
    return findField(bodyFields(ctx), this.cfg.passwordFields) !== undefined
      ? { ...view.matched?.pathParams }
      : undefined;
  }

  private target(ctx: RequestContext, params: Record<string, string>): string | undefined {
    const fields = bodyFields(ctx);
    for (const p of this.accountParams) {
      if (p.location === 'path' && params[p.name]) return params[p.name];
      if (p.location === 'body') {
        const v = firstField(fields, [p.name]);
        if (v !== undefined) return v;
      }
      if (p.location === 'query') {
        const v = ctx.query.get(p.name);
        if (v) return v;
      }
    }
    return undefined;
  }

  async check(
    ctx: RequestContext,
    view: RequestView,
    identity: Identity | undefined,
    stepUp: StepUpProbe | undefined,
    /** False on routes without auth providers: the upstream authenticates callers itself. */
    authConfigured = true,
  ): Promise<Denial | undefined> {
    const params = this.classify(ctx, view);
    if (!params) return undefined;
    ctx.state.set(CREDENTIAL_OP_KEY, true);
    const fields = bodyFields(ctx);

    if (!identity) {
      if (this.allowUnauth.matches(view.method, view.segments)) return undefined;
      if (firstField(fields, this.cfg.proofFields) !== undefined) return undefined;
      // Without auth providers the caller may well be authenticated by the upstream: refuse only a
      // write that names an account and proves nothing (no current password, no reset token).
      if (!authConfigured) {
        if (this.target(ctx, params) === undefined) return undefined;
        if (firstField(fields, this.cfg.currentPasswordFields) !== undefined) return undefined;
      }
      return takeover('unauthenticated request sets a credential without a reset or activation token', {
        requires: ['authentication', `or one of the fields: ${this.cfg.proofFields.join(', ')}`],
      });
    }

    const isAdmin = identity.roles.some((r) => this.cfg.adminRoles.includes(r));
    const target = this.target(ctx, params);
    if (target !== undefined && !isAdmin && !ownAccount(identity, target)) {
      return takeover("credential change targets another user's account");
    }

    if (firstField(fields, this.cfg.currentPasswordFields) !== undefined) return undefined;
    const probe = stepUp ? await stepUp.check(ctx, identity) : 'not-enrolled';
    if (probe === 'ok') return undefined;
    const needs = {
      requires: 'verification',
      acceptedProofs: [
        `a body field with the current password (${this.cfg.currentPasswordFields.join(', ')})`,
        ...(stepUp ? ['a step-up one-time code'] : []),
      ],
    };
    const finding: Denial['finding'] = {
      category: 'session-password',
      subtype: 'password-change-without-verification',
      detector: 'credential-change',
      severity: 'high',
      score: 1,
      message: 'credential change without the current password or a second factor',
    };
    if (stepUp && probe !== 'not-enrolled') {
      return { finding, verdict: stepUp.challenge('credential change', needs) };
    }
    return { finding, verdict: { status: 403, code: 'PAL_ERR_FORBIDDEN', details: needs } };
  }
}

function takeover(message: string, details?: Record<string, unknown>): Denial {
  return {
    finding: {
      category: 'session-password',
      subtype: 'account-takeover',
      detector: 'credential-change',
      severity: 'critical',
      score: 1,
      message,
    },
    verdict: { status: 403, code: 'PAL_ERR_FORBIDDEN', ...(details ? { details } : {}) },
  };
}

function ownAccount(identity: Identity, target: string): boolean {
  if (target === identity.subject) return true;
  if (identity.email && identity.emailVerified && target.toLowerCase() === identity.email.toLowerCase())
    return true;
  for (const claim of ['preferred_username', 'username', 'user_id', 'uid']) {
    const v = readClaim(identity.claims, claim);
    if ((typeof v === 'string' || typeof v === 'number') && String(v) === target) return true;
  }
  return false;
}
