// Threat categories and subtypes, mirrored from shared/taxonomy.yaml (a test keeps them in sync).
// Events, findings and reports must only use these ids.
export const TAXONOMY = {
  injection: [
    'sqli',
    'nosqli',
    'cmdi',
    'ssti',
    'xxe',
    'code-injection',
    'path-traversal',
    'ldap-injection',
    'header-injection',
  ],
  authentication: [
    'missing-auth',
    'jwt-alg-none',
    'jwt-signature-not-verified',
    'jwt-expired-accepted',
    'jwt-key-confusion',
    'credential-stuffing',
    'oauth-flow-bypass',
  ],
  'cross-site': ['xss-reflected', 'xss-stored', 'cors-misconfig', 'csrf', 'open-redirect'],
  'api-leak': [
    'secret-in-response',
    'pii-in-response',
    'excessive-data-exposure',
    'verbose-error',
    'debug-endpoint',
  ],
  'broken-access-control': ['bola', 'bfla', 'unauthenticated-admin-function', 'tenant-isolation'],
  authorization: [
    'mass-assignment',
    'privilege-escalation',
    'role-from-untrusted-claim',
    'domain-matching-bypass',
  ],
  'resource-consumption': [
    'no-rate-limit',
    'oversized-payload',
    'unbounded-pagination',
    'llm-token-budget',
    'redos',
    'deep-nesting',
  ],
  'weak-secrets-crypto': [
    'weak-jwt-secret',
    'default-credentials',
    'weak-password-hash',
    'plaintext-transport',
    'secret-in-url',
  ],
  'session-password': [
    'password-change-without-verification',
    'account-takeover',
    'user-enumeration',
    'brute-force',
    'session-no-expiry',
    'session-not-revoked',
  ],
  ssrf: ['ssrf-internal', 'ssrf-cloud-metadata', 'ssrf-blind'],
  'llm-prompt-injection': ['direct', 'indirect', 'jailbreak', 'encoded-payload', 'invisible-characters'],
  'llm-sensitive-disclosure': ['system-prompt-leak', 'pii-in-prompt', 'pii-in-output', 'secret-in-output'],
  'llm-improper-output': ['markdown-image-exfiltration', 'html-in-output', 'link-injection'],
  'llm-excessive-agency': ['tool-not-allowed', 'tool-argument-violation'],
  inventory: [
    'shadow-endpoint',
    'zombie-endpoint',
    'undocumented-parameter',
    'security-misconfiguration',
    'missing-security-headers',
  ],
} as const;

export type Taxonomy = typeof TAXONOMY;
export type CategoryId = keyof Taxonomy;
export type SubtypeOf<C extends CategoryId> = Taxonomy[C][number];

/** A category together with one of its own subtypes; mismatches are compile errors. */
export type Threat = { [C in CategoryId]: { category: C; subtype: SubtypeOf<C> } }[CategoryId];

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORY_IDS = Object.keys(TAXONOMY) as CategoryId[];

export function isThreat(category: string, subtype: string): boolean {
  const subtypes = (TAXONOMY as Record<string, readonly string[]>)[category];
  return subtypes?.includes(subtype) ?? false;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity];
}
