import type { Check } from '../context.js';
import { leaksCheck } from './api-leak/leaks.js';
import { jwtCheck } from './authentication/jwt.js';
import { missingAuthCheck } from './authentication/missing-auth.js';
import { massAssignmentCheck } from './authorization/mass-assignment.js';
import { bflaCheck } from './broken-access-control/bfla.js';
import { bolaCheck } from './broken-access-control/bola.js';
import { unauthenticatedFunctionCheck } from './broken-access-control/unauthenticated-function.js';
import { corsCheck } from './cross-site/cors.js';
import { securityHeadersCheck } from './cross-site/security-headers.js';
import { xssCheck } from './cross-site/xss.js';
import { cmdiCheck } from './injection/cmdi.js';
import { nosqliCheck } from './injection/nosqli.js';
import { pathTraversalCheck } from './injection/path-traversal.js';
import { sqliCheck } from './injection/sqli.js';
import { sstiCheck } from './injection/ssti.js';
import { xxeCheck } from './injection/xxe.js';
import { shadowCheck } from './inventory/shadow.js';
import { zombieCheck } from './inventory/zombie.js';
import { llmDisclosureCheck } from './llm/disclosure.js';
import { promptInjectionCheck } from './llm/prompt-injection.js';
import { tokenLimitCheck } from './llm/token-limit.js';
import { paginationCheck } from './resource-consumption/pagination.js';
import { payloadSizeCheck } from './resource-consumption/payload-size.js';
import { rateLimitCheck } from './resource-consumption/rate-limit.js';
import { lockoutCheck } from './session-password/lockout.js';
import { passwordChangeCheck } from './session-password/password-change.js';
import { resetCheck } from './session-password/reset.js';
import { userEnumerationCheck } from './session-password/user-enumeration.js';
import { ssrfCheck } from './ssrf/ssrf.js';
import { defaultCredentialsCheck } from './weak-secrets-crypto/default-credentials.js';
import { plaintextCheck } from './weak-secrets-crypto/plaintext.js';

export const CHECK_IDS = [
  'unauthenticated-function',
  'cmdi',
  'bola',
  'missing-auth',
  'bfla',
  'path-traversal',
  'jwt',
  'ssrf',
  'llm-prompt-injection',
  'llm-disclosure',
  'llm-token-limit',
  'mass-assignment',
  'sqli',
  'ssti',
  'nosqli',
  'xxe',
  'xss',
  'cors',
  'default-credentials',
  'user-enumeration',
  'pagination',
  'shadow-endpoints',
  'deprecated-operations',
  'security-headers',
  'payload-size',
  'rate-limit',
  'lockout',
  'password-change',
  'password-reset',
  'leaks',
  'plaintext',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** Every check, keyed by id: a missing or misspelt module is a compile error. */
const TABLE: Record<CheckId, Check> = {
  'unauthenticated-function': unauthenticatedFunctionCheck,
  cmdi: cmdiCheck,
  bola: bolaCheck,
  'missing-auth': missingAuthCheck,
  bfla: bflaCheck,
  'path-traversal': pathTraversalCheck,
  jwt: jwtCheck,
  ssrf: ssrfCheck,
  'llm-prompt-injection': promptInjectionCheck,
  'llm-disclosure': llmDisclosureCheck,
  'llm-token-limit': tokenLimitCheck,
  'mass-assignment': massAssignmentCheck,
  sqli: sqliCheck,
  ssti: sstiCheck,
  nosqli: nosqliCheck,
  xxe: xxeCheck,
  xss: xssCheck,
  cors: corsCheck,
  'default-credentials': defaultCredentialsCheck,
  'user-enumeration': userEnumerationCheck,
  pagination: paginationCheck,
  'shadow-endpoints': shadowCheck,
  'deprecated-operations': zombieCheck,
  'security-headers': securityHeadersCheck,
  'payload-size': payloadSizeCheck,
  'rate-limit': rateLimitCheck,
  lockout: lockoutCheck,
  'password-change': passwordChangeCheck,
  'password-reset': resetCheck,
  leaks: leaksCheck,
  plaintext: plaintextCheck,
};

for (const [id, check] of Object.entries(TABLE)) {
  if (check.id !== id) throw new Error(`check table entry ${id} holds check ${check.id}`);
}

export const CHECKS: Check[] = Object.values(TABLE).sort((a, b) => b.priority - a.priority);

/** Filters by check ids or category ids; unknown names are an error. */
export function selectChecks(all: Check[], include: string[] | undefined, exclude: string[]): Check[] {
  const known = new Set([...all.map((c) => c.id), ...all.map((c) => c.category)]);
  for (const n of [...(include ?? []), ...exclude]) {
    if (!known.has(n)) throw new UnknownCheckError(n);
  }
  return all.filter(
    (c) =>
      (!include || include.length === 0 || include.includes(c.id) || include.includes(c.category)) &&
      !exclude.includes(c.id) &&
      !exclude.includes(c.category),
  );
}

export class UnknownCheckError extends Error {
  constructor(readonly check: string) {
    super(`unknown check or category "${check}" (known: ${CHECK_IDS.join(', ')})`);
    this.name = 'UnknownCheckError';
  }
}
