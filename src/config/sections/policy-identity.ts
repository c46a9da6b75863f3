import { z } from 'zod';
import { durationSchema, modeSchema } from '../common.js';

// Owned by identity controls (src/policy/auth, access, stepup, abuse). Every control has a mode;
// when a route sets none it inherits route.mode, then config.mode (see src/policy/identity-phases.ts).

/** JWS algorithms Palisade accepts in an allow-list. `none` is deliberately absent. */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

const methodsSchema = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .describe('HTTP method(s) the pattern applies to; any method when absent');

/** A request pattern: method(s) + path glob (`*` one segment, `**` any, `{name}` captures one). */
export const patternSchema = z.union([
  z.string().describe('Path glob, any method; or "METHOD /path" (e.g. "DELETE /users/*")'),
  z.object({
    method: methodsSchema,
    path: z.string().startsWith('/').describe('Path glob: * = one segment, ** = any, {name} = named segment'),
  }),
]);

const claimPathSchema = z.union([z.string(), z.array(z.string())]);

const claimsSchema = z
  .object({
    subject: claimPathSchema.default('sub').describe('Claim(s) holding the subject (first present wins)'),
    roles: claimPathSchema
      .default(['roles', 'realm_access.roles', 'groups'])
      .describe('Claim(s) holding roles: an array or a space/comma separated string; dotted paths allowed'),
    scopes: claimPathSchema.default(['scope', 'scp']).describe('Claim(s) holding scopes'),
    tenant: claimPathSchema
      .default(['tenant', 'tenant_id', 'tid', 'org_id'])
      .describe('Claim(s) holding the tenant'),
    email: claimPathSchema.default('email').describe('Claim holding the e-mail address'),
    emailVerified: claimPathSchema.default('email_verified').describe('Claim saying the e-mail is verified'),
  })
  .prefault({});

const jwtProviderSchema = z.object({
  type: z.literal('jwt'),
  issuer: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('Accepted `iss` value(s)'),
  audience: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('Accepted `aud` value(s)'),
  algorithms: z
    .array(z.enum(JWT_ALGORITHMS))
    .min(1)
    .optional()
    .describe(
      'Allow-listed algorithms; defaults to the key family (HS256 for a secret, RS256/PS256 for RSA…)',
    ),
  jwksUrl: z.url().optional().describe('JWKS endpoint (keys are cached and refreshed)'),
  publicKeyFile: z
    .string()
    .optional()
    .describe('PEM public key or certificate (relative to the config file)'),
  jwk: z.record(z.string(), z.unknown()).optional().describe('One public JWK inline'),
  secret: z.string().optional().describe('HMAC secret; `${ENV_NAME}` is replaced from the environment'),
  clockSkew: durationSchema.default(30_000).describe('Tolerance for exp/nbf/iat'),
  requireExp: z.boolean().default(true).describe('Refuse tokens without `exp`'),
  maxTokenAge: durationSchema.optional().describe('Refuse tokens whose `iat` is older than this'),
  header: z.string().default('authorization').describe('Header carrying the token'),
  scheme: z.string().default('Bearer').describe('Auth scheme before the token ("" = raw header value)'),
  cookie: z.string().optional().describe('Cookie carrying the token when the header is absent'),
  roleIssuers: z
    .array(z.string())
    .optional()
    .describe('Issuers whose role/group/tenant claims are honoured (default: every accepted issuer)'),
  claims: claimsSchema.describe('Where identity fields come from in the token'),
  jwks: z
    .object({
      timeout: durationSchema.default(5_000).describe('JWKS fetch timeout'),
      cooldown: durationSchema.default(30_000).describe('Minimum time between refetches on an unknown kid'),
      cacheMaxAge: durationSchema.default(600_000).describe('How long fetched keys are trusted'),
    })
    .prefault({}),
});

const apiKeyProviderSchema = z.object({
  type: z.literal('apiKey'),
  header: z.string().default('x-api-key').describe('Header carrying the key'),
  query: z
    .string()
    .optional()
    .describe('Query parameter carrying the key (discouraged: keys end up in logs)'),
  keys: z
    .array(
      z.object({
        id: z.string().min(1).describe('Key id (shown in events, used by deny-lists and rate limits)'),
        hash: z.string().describe('sha256:<64 hex> or scrypt:<N>:<r>:<p>:<salt hex>:<key hex>'),
        subject: z.string().optional().describe('Subject the key authenticates as (default: the id)'),
        roles: z.array(z.string()).default([]),
        scopes: z.array(z.string()).default([]),
        tenant: z.string().optional(),
      }),
    )
    .default([]),
});

const basicProviderSchema = z.object({
  type: z.literal('basic'),
  realm: z.string().default('palisade'),
  users: z
    .array(
      z.object({
        username: z.string().min(1),
        hash: z.string().describe('scrypt:<N>:<r>:<p>:<salt hex>:<key hex> (see `hashSecret`)'),
        roles: z.array(z.string()).default([]),
        scopes: z.array(z.string()).default([]),
        tenant: z.string().optional(),
      }),
    )
    .default([]),
});

export const authProviderSchema = z.discriminatedUnion('type', [
  jwtProviderSchema,
  apiKeyProviderSchema,
  basicProviderSchema,
]);
export type AuthProviderConfig = z.infer<typeof authProviderSchema>;
export type JwtProviderConfig = z.infer<typeof jwtProviderSchema>;
export type ApiKeyProviderConfig = z.infer<typeof apiKeyProviderSchema>;
export type BasicProviderConfig = z.infer<typeof basicProviderSchema>;

const forwardHeadersSchema = z
  .object({
    subject: z.string().default('x-palisade-subject'),
    roles: z.string().default('x-palisade-roles'),
    scopes: z.string().default('x-palisade-scopes'),
    tenant: z.string().default('x-palisade-tenant'),
    email: z.string().default('x-palisade-email'),
    method: z.string().default('x-palisade-auth-method'),
  })
  .prefault({})
  .describe('Headers carrying the verified identity upstream; client-sent copies are always removed');

const rateRuleSchema = z.object({
  name: z
    .string()
    .regex(/^[\w.-]+$/)
    .optional()
    .describe('Rule name (events, bucket keys)'),
  match: z.array(patternSchema).optional().describe('Requests the rule counts (all when absent)'),
  by: z
    .array(z.enum(['client', 'identity', 'apiKey', 'operation']))
    .min(1)
    .default(['client'])
    .describe('Bucket key parts: client address, identity subject, API key, operation'),
  limit: z.number().int().positive().describe('Requests allowed per window'),
  window: durationSchema.describe('Window length'),
  block: durationSchema.optional().describe('Extra time a bucket stays closed after it overflows'),
});
export type RateRuleConfig = z.infer<typeof rateRuleSchema>;

const denyEntrySchema = z.object({
  type: z.enum(['jti', 'subject', 'token', 'tokenHash', 'ip', 'cidr']),
  value: z.string().min(1),
  reason: z.string().optional(),
  expires: durationSchema.optional().describe('Lifetime from startup (forever when absent)'),
});
export type DenyEntryConfig = z.infer<typeof denyEntrySchema>;

export const identityGlobalSchema = z.object({
  auth: z
    .object({
      providers: z
        .record(z.string().regex(/^[\w.-]+$/), authProviderSchema)
        .default({})
        .describe('Named credential verifiers; routes pick them by name'),
      forwardHeaders: forwardHeadersSchema,
      weakSecretCheck: z
        .boolean()
        .default(true)
        .describe('Test HMAC secrets and HS* tokens against common secrets'),
    })
    .prefault({})
    .describe('Authentication providers'),
  denyList: z
    .object({
      entries: z.array(denyEntrySchema).default([]).describe('Entries loaded at startup'),
      refreshInterval: durationSchema
        .default(5_000)
        .describe('How often CIDR entries are re-read from shared state'),
      maxEntries: z.number().int().positive().default(100_000),
    })
    .prefault({})
    .describe('Deny-list of tokens, subjects and client addresses (admin API: /api/deny-list)'),
  stepUp: z
    .object({
      issuer: z.string().default('Palisade').describe('Issuer shown in authenticator apps'),
      header: z.string().default('x-palisade-otp').describe('Header carrying the one-time code'),
      grantTtl: durationSchema.default(300_000).describe('How long a verified code unlocks risky operations'),
      window: z.number().int().min(0).max(2).default(1).describe('Accepted clock drift in 30 s steps'),
      maxFailures: z.number().int().positive().default(5).describe('Wrong codes before the factor is locked'),
      lockFor: durationSchema.default(900_000),
    })
    .prefault({})
    .describe('Step-up authentication with TOTP (admin API: /api/step-up)'),
  rateLimits: z.array(rateRuleSchema).default([]).describe('Rate limits applied on every route'),
});

const routeModeSchema = modeSchema
  .optional()
  .describe('Mode of this control (default: route mode, then global)');

export const identityRouteSchema = z.object({
  auth: z
    .object({
      mode: routeModeSchema,
      providers: z.array(z.string()).default([]).describe('Provider names tried in order; none = auth off'),
      public: z.array(patternSchema).default([]).describe('Operations that need no credentials'),
    })
    .prefault({}),
  denyList: z.object({ mode: routeModeSchema }).prefault({}),
  access: z
    .object({
      mode: routeModeSchema,
      rules: z
        .array(
          z.object({
            method: methodsSchema,
            path: z.string().startsWith('/'),
            roles: z.array(z.string()).optional().describe('Any one of these roles is required'),
            scopes: z.array(z.string()).optional().describe('All of these scopes are required'),
            emailDomains: z
              .array(z.string())
              .optional()
              .describe('A verified e-mail address in one of these domains is required'),
          }),
        )
        .default([])
        .describe('Function-level rules (BFLA); every matching rule must be satisfied'),
      adminPaths: z
        .boolean()
        .default(true)
        .describe('Paths with an `admin` segment need an admin role (routes with auth providers only)'),
      adminRoles: z.array(z.string()).default(['admin']),
    })
    .prefault({}),
  bola: z
    .object({
      mode: routeModeSchema,
      rules: z
        .array(
          z.object({
            method: methodsSchema,
            path: z.string().startsWith('/').optional().describe('Limit the rule to these paths'),
            param: z
              .string()
              .regex(
                /^(path|query|body|header)\.[\w.-]+$/,
                'expected path.NAME, query.NAME, body.NAME or header.NAME',
              )
              .describe('Request value naming the object owner, e.g. path.userId'),
            claim: z.string().describe('Identity field it must equal: sub, tenant, email or a claim path'),
            unlessRole: z
              .union([z.string(), z.array(z.string())])
              .optional()
              .describe('Roles exempt from the rule'),
          }),
        )
        .default([]),
    })
    .prefault({}),
  stepUp: z
    .object({
      mode: routeModeSchema,
      operations: z.array(patternSchema).default([]).describe('Operations that need a fresh second factor'),
      builtIn: z.boolean().default(true).describe('Also treat built-in risky operations as needing step-up'),
      exempt: z.array(patternSchema).default([]).describe('Never require step-up here'),
    })
    .prefault({}),
  login: z
    .object({
      mode: routeModeSchema,
      operations: z.array(patternSchema).default([]).describe('Login operations (also x-palisade: login)'),
      builtIn: z.boolean().default(true).describe('Treat POST …/login, /signin, /token, /sessions as login'),
      usernameFields: z.array(z.string()).default(['username', 'email', 'login', 'user']),
      passwordFields: z.array(z.string()).default(['password', 'pass', 'passwd']),
      failureStatuses: z.array(z.number().int()).default([400, 401, 403, 404, 422]),
      perUser: z
        .object({
          delayAfter: z.number().int().nonnegative().default(3),
          lockAfter: z.number().int().positive().default(10),
        })
        .prefault({}),
      perClient: z
        .object({
          delayAfter: z.number().int().nonnegative().default(10),
          lockAfter: z.number().int().positive().default(50),
        })
        .prefault({}),
      window: durationSchema.default(900_000).describe('Failures are counted over this window'),
      lockFor: durationSchema.default(900_000),
      baseDelay: durationSchema
        .default(250)
        .describe('First delay; doubles with each failure, capped by maxDelay'),
      maxDelay: durationSchema.default(4_000),
      stuffing: z
        .object({
          usernamesPerClient: z
            .number()
            .int()
            .positive()
            .default(20)
            .describe('Distinct usernames from one client'),
          usernamesPerPassword: z
            .number()
            .int()
            .positive()
            .default(5)
            .describe('Distinct usernames sharing one password'),
        })
        .prefault({}),
      uniformFailure: z
        .object({
          status: z.number().int().min(400).max(499).default(401),
          body: z
            .string()
            .default('{"error":"invalid_credentials","message":"Invalid username or password"}'),
          contentType: z.string().default('application/json'),
        })
        .prefault({})
        .describe('Every failed login is answered with exactly this'),
    })
    .prefault({}),
  credentialChange: z
    .object({
      mode: routeModeSchema,
      operations: z.array(patternSchema).default([]).describe('Operations that set credentials'),
      builtIn: z.boolean().default(true).describe('Also detect writes carrying a new-password field'),
      passwordFields: z
        .array(z.string())
        .default(['password', 'newPassword', 'new_password', 'newpassword', 'passwd', 'credential', 'pin']),
      currentPasswordFields: z
        .array(z.string())
        .default(['currentPassword', 'current_password', 'oldPassword', 'old_password', 'existingPassword']),
      proofFields: z
        .array(z.string())
        .default(['token', 'resetToken', 'reset_token', 'code', 'verificationCode', 'otp', 'activationToken'])
        .describe('Fields proving a reset/activation out of band (let unauthenticated resets through)'),
      accountParams: z
        .array(z.string())
        .default([
          'path.userId',
          'path.username',
          'path.user',
          'path.id',
          'body.username',
          'body.email',
          'body.userId',
        ])
        .describe('Where the targeted account is named'),
      allowUnauthenticated: z
        .array(patternSchema)
        .default([])
        .describe('e.g. sign-up, where no account exists yet'),
      adminRoles: z.array(z.string()).default(['admin']),
    })
    .prefault({}),
  rateLimits: z
    .object({
      mode: routeModeSchema,
      rules: z.array(rateRuleSchema).default([]),
    })
    .prefault({}),
});

export type IdentityGlobalConfig = z.infer<typeof identityGlobalSchema>;
export type IdentityRouteConfig = z.infer<typeof identityRouteSchema>;
