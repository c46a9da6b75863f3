// Which operations need a fresh second factor: configured patterns, `x-palisade-risk: high` on the
// OpenAPI operation, or built-in defaults. Built-ins look at the method and path segments only
// (the OpenAPI template when known, else the request path):
//   - DELETE on a collection (last segment is not an id)
//   - writes to credential segments (password, credentials, api-keys, mfa, 2fa, totp)
//   - writes to role/permission segments
//   - POST to job/command segments (jobs, commands, exec, execute, run, tasks, scripts, shell)
//   - writes to model load/import segments (models/*/load, models/import, models/pull …)
//   - writes under an `admin` segment
import type { PatternList } from '../access/pattern.js';
import type { RequestView } from '../access/view.js';

const CREDENTIAL = new Set([
  'password',
  'passwords',
  'change-password',
  'reset-password',
  'set-password',
  'credentials',
  'credential',
  'api-keys',
  'apikeys',
  'api-key',
  'mfa',
  '2fa',
  'totp',
]);
const ROLES = new Set(['roles', 'role', 'permissions', 'grants', 'privileges']);
const JOBS = new Set(['jobs', 'commands', 'command', 'exec', 'execute', 'run', 'tasks', 'scripts', 'shell']);
const MODEL_ACTION = new Set(['load', 'import', 'pull', 'upload', 'install']);
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A segment that names one object: a template variable, a number, a UUID or a long hex/opaque id. */
export function looksLikeId(segment: string): boolean {
  if (segment.startsWith('{') && segment.endsWith('}')) return true;
  if (/^\d+$/.test(segment)) return true;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment)) return true;
  if (segment.length >= 8 && /^[0-9a-f]+$/i.test(segment)) return true;
  return segment.length >= 16 && /^[A-Za-z0-9_-]+$/.test(segment) && /\d/.test(segment);
}

export function builtInRisk(method: string, segments: readonly string[]): string | undefined {
  if (!WRITES.has(method)) return undefined;
  const lower = segments.map((s) => s.toLowerCase());
  const last = lower[lower.length - 1];
  if (method === 'DELETE' && last !== undefined && !looksLikeId(segments[segments.length - 1]))
    return 'DELETE on a collection';
  if (lower.some((s) => CREDENTIAL.has(s))) return 'credential change';
  if (lower.some((s) => ROLES.has(s))) return 'role or permission change';
  if (method === 'POST' && lower.some((s) => JOBS.has(s))) return 'job or command submission';
  const models = lower.indexOf('models');
  if (models !== -1 && lower.slice(models + 1).some((s) => MODEL_ACTION.has(s)))
    return 'model load or import';
  if (lower.includes('admin')) return 'admin function';
  return undefined;
}

export interface RiskOptions {
  operations: PatternList;
  exempt: PatternList;
  builtIn: boolean;
}

/** Why this request needs step-up, or undefined. */
export function riskReason(view: RequestView, opts: RiskOptions): string | undefined {
  if (!opts.exempt.empty && opts.exempt.matches(view.method, view.segments)) return undefined;
  const risk = view.matched?.op.extensions['x-palisade-risk'];
  if (risk === 'low' || risk === 'none') return undefined;
  if (risk === 'high' || risk === 'critical') return `x-palisade-risk: ${risk}`;
  const hit = opts.operations.first(view.method, view.segments);
  if (hit) return `step-up rule ${hit.pattern.source}`;
  if (!opts.builtIn) return undefined;
  const template = view.matched?.op.template;
  const segments = template ? template.split('/').filter(Boolean) : view.segments;
  const why = builtInRisk(view.method, segments);
  return why ? `built-in: ${why}` : undefined;
}
