import type { OperationInfo } from '../operation.js';
import { findUndeclared, type UndeclaredProperty } from './walk.js';

// Mass-assignment guard (OWASP API3:2023, property level): on write operations, a request body
// may only carry properties its schema declares and does not mark readOnly — at every nesting
// level and whatever `additionalProperties` says, because frameworks bind undeclared fields
// (`role`, `isAdmin`, `owner_id`) straight onto models. Objects whose schema declares no
// properties at all (free-form objects, typed maps) are not judged key by key.

export const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);
export const MASS_ASSIGNMENT_EXTENSION = 'x-palisade-mass-assignment';

/** Whether the guard applies to this operation (write method, not opted out). */
export function massAssignmentApplies(info: OperationInfo, optOut: ReadonlySet<string>): boolean {
  if (!WRITE_METHODS.has(info.method)) return false;
  if (info.extensions[MASS_ASSIGNMENT_EXTENSION] === 'allow') return false;
  if (info.operationId && optOut.has(info.operationId)) return false;
  return !optOut.has(`${info.method} ${info.template}`);
}

export interface MassAssignmentResult {
  /** The first few offending properties (`body.role`, `body.profile.verified`). */
  found: UndeclaredProperty[];
  count: number;
}

export function checkMassAssignment(body: unknown, schema: unknown): MassAssignmentResult {
  return findUndeclared(body, schema, 'body', { forbid: 'readOnly', remove: false, limit: 5 });
}
