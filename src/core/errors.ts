// One catalogue of the errors Palisade answers with. Codes are stable API; a test checks every
// code is documented in docs/errors.md.
export const ERRORS = {
  PAL_ERR_BLOCKED: { status: 403, message: 'Request blocked by security policy' },
  PAL_ERR_BAD_REQUEST: { status: 400, message: 'Malformed request' },
  PAL_ERR_VALIDATION: { status: 400, message: 'Request does not match the API description' },
  PAL_ERR_UNAUTHENTICATED: { status: 401, message: 'Authentication required' },
  PAL_ERR_STEP_UP_REQUIRED: { status: 401, message: 'A fresh second factor is required for this operation' },
  PAL_ERR_FORBIDDEN: { status: 403, message: 'Not allowed for this identity' },
  PAL_ERR_NOT_FOUND: { status: 404, message: 'No route matches this request' },
  PAL_ERR_TIMEOUT_CLIENT: { status: 408, message: 'Client sent the request too slowly' },
  PAL_ERR_BODY_TOO_LARGE: { status: 413, message: 'Request body exceeds the route limit' },
  PAL_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Content type not accepted by this operation' },
  PAL_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests' },
  PAL_ERR_BUDGET_EXHAUSTED: { status: 429, message: 'Usage budget exhausted' },
  PAL_ERR_HEADERS_TOO_LARGE: { status: 431, message: 'Request headers too large' },
  PAL_ERR_INTERNAL: { status: 500, message: 'Internal gateway error' },
  PAL_ERR_UPSTREAM_UNAVAILABLE: { status: 502, message: 'Upstream unavailable' },
  PAL_ERR_UPSTREAM_RESPONSE: { status: 502, message: 'Upstream response rejected' },
  PAL_ERR_UPSTREAM_TIMEOUT: { status: 504, message: 'Upstream timed out' },
  PAL_ERR_UNAUTHORIZED_ADMIN: { status: 401, message: 'Admin token required' },
  PAL_ERR_SHUTTING_DOWN: { status: 503, message: 'Gateway is shutting down' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An error Palisade raises on purpose: carries a stable code, never internals. */
export class PalisadeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ERRORS[code].message, options);
    this.name = 'PalisadeError';
    this.code = code;
    this.status = ERRORS[code].status;
  }
}

/** A configuration problem: `path` is the dotted key path, printed as `path: message`. */
export class ConfigError extends Error {
  readonly issues: { path: string; message: string }[];
  constructor(issues: { path: string; message: string }[]) {
    super(issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
