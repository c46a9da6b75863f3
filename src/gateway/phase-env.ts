import type { Logger } from 'pino';
import type { PalisadeConfig, RouteConfig } from '../config/schema.js';
import type { SharedState } from '../store/shared-state.js';
import type { PhaseSet } from './phase.js';

export interface AdminRequest {
  method: string;
  path: string;
  /** Named segments from the registered pattern, e.g. `/deny-list/:id` → { id }. */
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}
export interface AdminResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw bytes (e.g. a PNG QR code); `body` is ignored when set. */
  raw?: Buffer;
}
export type AdminHandler = (req: AdminRequest) => Promise<AdminResponse>;

/** What a subsystem gets when it compiles its phases for a route. Built once per config load. */
export interface PhaseEnv {
  config: PalisadeConfig;
  /** Folder of the config file: relative paths in the config resolve against it. */
  baseDir: string;
  logger: Logger;
  state: SharedState;
  /** Registers an admin API endpoint (behind the admin token) under `/api/...`. */
  registerAdminRoute(method: string, pattern: string, handler: AdminHandler): void;
  /** Runs work off the request path (weak-secret checks, JWKS refresh); errors are logged. */
  background(name: string, task: () => Promise<void>): void;
}

/**
 * A subsystem's contribution to one route's pipeline. Throws ConfigError (with key paths such as
 * `routes.2.policy.openapi`) when the route's settings cannot be compiled; `index` is the route's
 * position in config.routes, for those paths.
 */
export type PhaseFactory = (route: RouteConfig, index: number, env: PhaseEnv) => PhaseSet | Promise<PhaseSet>;
