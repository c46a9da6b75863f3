import { createHmac } from 'node:crypto';
import { b64url, type Jwt, jwtOf } from '../../auth.js';
import type { Check, CheckContext, OpState } from '../../context.js';
import { isSuccess, looksDenied, similarity } from '../../judges/similarity.js';
import type { Exchange } from '../../types.js';
import { okBaseline } from '../util.js';
import { COMMON_JWT_SECRETS } from './secrets-list.js';

const HMAC: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

export function crackSecret(jwt: Jwt): string | undefined {
  const algo = HMAC[String(jwt.header.alg).toUpperCase()];
  if (!algo) return undefined;
  for (const secret of COMMON_JWT_SECRETS) {
    if (createHmac(algo, secret).update(jwt.signingInput).digest('base64url') === jwt.signature)
      return secret;
  }
  return undefined;
}

export function forge(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret?: string,
  alg = 'HS256',
): string {
  const h = b64url(JSON.stringify(header));
  const p = b64url(JSON.stringify(payload));
  if (secret === undefined) return `${h}.${p}.`;
  const sig = createHmac(HMAC[alg] ?? 'sha256', secret)
    .update(`${h}.${p}`)
    .digest('base64url');
  return `${h}.${p}.${sig}`;
}

interface Probe {
  state: OpState;
  /** A fresh answer to the genuine token. */
  ref: Exchange;
  send(token: string): Promise<Exchange>;
}

/** An authenticated GET that needs the token: answers A, refuses anonymous and a garbage token. */
async function findProbe(
  ctx: CheckContext,
  header: string,
  prefix: string,
  suffix: string,
): Promise<Probe | undefined> {
  const candidates = ctx.ops
    .filter((s) => s.op.method === 'GET' && okBaseline(s) && s.as === 'A')
    .sort((a, b) => Number(b.op.requiresAuth) - Number(a.op.requiresAuth))
    .slice(0, 12);
  for (const state of candidates) {
    const anon = await ctx.send(state, state.parts, 'anon');
    if (isSuccess(anon.response.status) && !looksDenied(anon.response.body)) continue;
    const send = (token: string) =>
      ctx.send(state, state.parts, 'A', {
        identityHeaders: { ...ctx.identities.A!.headers, [header]: `${prefix}${token}${suffix}` },
      });
    const ref = await ctx.send(state, state.parts, 'A');
    if (!isSuccess(ref.response.status)) continue;
    return { state, send, ref };
  }
  return undefined;
}

function accepted(ex: Exchange, probe: Probe): boolean {
  return (
    isSuccess(ex.response.status) &&
    !looksDenied(ex.response.body) &&
    similarity(ex.response.body, probe.ref.response.body) > 0.6
  );
}

export const jwtCheck: Check = {
  id: 'jwt',
  category: 'authentication',
  title: 'JWT handling: alg none, unverified signature, expiry, weak HMAC secret',
  priority: 88,
  async run(ctx) {
    const tok = jwtOf(ctx.identities.A);
    if (!tok) return;
    const { jwt, header, prefix, suffix } = tok;
    const common = { check: 'jwt', operation: '*', location: `header.${header}` } as const;
    const now = Math.floor(Date.now() / 1000);

    // offline: no expiry and weak secret
    if (jwt.payload.exp === undefined) {
      const fake: Exchange = ctx.ops.find((s) => s.baseline)?.baseline ?? {
        request: { method: 'GET', url: ctx.builder.origin, headers: {} },
        response: { status: 0, headers: {}, body: '', elapsedMs: 0 },
      };
      ctx.report({
        threat: { category: 'session-password', subtype: 'session-no-expiry' },
        ...common,
        severity: 'medium',
        confidence: 0.9,
        title: 'Access token without expiry',
        description: `The JWT used by identity A has no "exp" claim (claims: ${Object.keys(jwt.payload).join(', ')}): a stolen token stays valid forever.`,
        exchange: fake,
        remediation:
          'Issue short-lived access tokens (exp of minutes to an hour) and refresh them; reject tokens without exp.',
        cwe: 613,
      });
    }

    const probe = await findProbe(ctx, header, prefix, suffix);
    const secret = crackSecret(jwt);
    if (secret !== undefined) {
      // confirm by forging a new token with the cracked secret (differently shaped: new claims)
      const forged = forge(
        jwt.header,
        { ...jwt.payload, iat: now, palisade: 'forged' },
        secret,
        String(jwt.header.alg),
      );
      const ex = probe ? await probe.send(forged) : undefined;
      if (!probe || (ex && accepted(ex, probe))) {
        ctx.report({
          threat: { category: 'weak-secrets-crypto', subtype: 'weak-jwt-secret' },
          ...common,
          severity: 'critical',
          confidence: probe ? 0.98 : 0.85,
          title: 'JWT signed with a guessable HMAC secret',
          description: `The ${String(jwt.header.alg)} secret of the API's tokens is "${secret.slice(0, 2)}…" (from a list of common secrets)${probe ? '; a token forged with it was accepted' : ''}. Anyone can mint tokens for any user.`,
          exchange: ex ?? probe?.state.baseline ?? ctx.ops[0].baseline!,
          remediation:
            'Use a random secret of at least 256 bits from a secret manager (or asymmetric keys), and rotate it.',
          cwe: 521,
        });
      }
      if (probe && jwt.payload.exp !== undefined) {
        const expired = forge(
          jwt.header,
          { ...jwt.payload, iat: now - 7200, exp: now - 3600 },
          secret,
          String(jwt.header.alg),
        );
        const exE = await probe.send(expired);
        const expired2 = forge(
          jwt.header,
          { ...jwt.payload, iat: now - 90_000, exp: now - 86_400 },
          secret,
          String(jwt.header.alg),
        );
        if (accepted(exE, probe) && accepted(await probe.send(expired2), probe)) {
          ctx.report({
            threat: { category: 'authentication', subtype: 'jwt-expired-accepted' },
            ...common,
            severity: 'high',
            confidence: 0.9,
            title: 'Expired JWT accepted',
            description: 'Tokens whose "exp" lies an hour and a day in the past were accepted.',
            exchange: exE,
            remediation: 'Validate exp (and nbf) on every request with a small clock skew.',
            cwe: 613,
          });
        }
      }
    }
    if (!probe) return;

    // alg none
    const noneTok = forge({ ...jwt.header, alg: 'none' }, jwt.payload);
    const exNone = await probe.send(noneTok);
    if (accepted(exNone, probe)) {
      const noneTok2 = forge({ typ: 'JWT', alg: 'None' }, { ...jwt.payload, iat: now });
      if (accepted(await probe.send(noneTok2), probe)) {
        ctx.report({
          threat: { category: 'authentication', subtype: 'jwt-alg-none' },
          ...common,
          severity: 'critical',
          confidence: 0.95,
          title: 'Unsigned JWT (alg "none") accepted',
          description: `${probe.state.op.key} accepted a token with alg "none" and no signature, and again with alg "None" and changed claims.`,
          exchange: exNone,
          remediation:
            'Verify tokens with a fixed allow-list of algorithms (never "none") and the expected key.',
          cwe: 347,
        });
        return;
      }
    }
    // signature not verified: same header and payload, corrupted signature; then changed payload
    const sig = jwt.signature;
    if (sig.length > 4) {
      const flipped = `${jwt.signingInput}.${sig.slice(0, -4)}${sig.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
      const exBad = await probe.send(flipped);
      if (accepted(exBad, probe)) {
        const tampered = `${b64url(JSON.stringify(jwt.header))}.${b64url(JSON.stringify({ ...jwt.payload, palisade: now }))}.${sig}`;
        const exT = await probe.send(tampered);
        if (accepted(exT, probe)) {
          ctx.report({
            threat: { category: 'authentication', subtype: 'jwt-signature-not-verified' },
            ...common,
            severity: 'critical',
            confidence: 0.95,
            title: 'JWT signature not verified',
            description: `${probe.state.op.key} accepted the token with a corrupted signature and with a modified payload.`,
            exchange: exBad,
            remediation: 'Verify the signature of every token before reading its claims.',
            cwe: 347,
          });
        }
      }
    }
  },
};
