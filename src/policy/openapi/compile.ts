import type { OperationInfo } from '../operation.js';
import { massAssignmentApplies } from './mass-assignment.js';
import { Router } from './match.js';
import type { LoadedSpec, SpecOperation } from './types.js';
import { AjvPool, type CompiledBody, compileBody, compileParamGroup, type ParamGroup } from './validate.js';

/** Everything the per-request code needs for one operation, built once at load. */
export interface CompiledOperation {
  spec: SpecOperation;
  info: OperationInfo;
  /** `GET /users/{id}` */
  key: string;
  path: ParamGroup;
  query: ParamGroup;
  header: ParamGroup;
  cookie: ParamGroup;
  body?: CompiledBody;
  /** The mass-assignment guard applies (write method, not opted out). */
  massAssignment: boolean;
}

export interface CompiledModel {
  spec: LoadedSpec;
  router: Router<CompiledOperation>;
  /** Base paths, longest first. */
  basePaths: string[];
  /** Some operation declares a request body. */
  anyBody: boolean;
  operations: CompiledOperation[];
}

export class OperationCompileError extends Error {
  override name = 'OperationCompileError';
}

export function compileModel(
  spec: LoadedSpec,
  options: { massAssignmentOptOut?: Iterable<string> } = {},
): CompiledModel {
  const pool = new AjvPool(spec.dialect);
  const optOut = new Set(options.massAssignmentOptOut ?? []);
  const router = new Router<CompiledOperation>();
  const operations: CompiledOperation[] = [];
  for (const op of spec.operations) {
    const key = `${op.info.method} ${op.info.template}`;
    let compiled: CompiledOperation;
    try {
      compiled = {
        spec: op,
        info: op.info,
        key,
        path: compileParamGroup(pool, 'path', op.parameters),
        query: compileParamGroup(pool, 'query', op.parameters),
        header: compileParamGroup(pool, 'header', op.parameters),
        cookie: compileParamGroup(pool, 'cookie', op.parameters),
        massAssignment: massAssignmentApplies(op.info, optOut),
      };
      const body = compileBody(pool, op);
      if (body) compiled.body = body;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new OperationCompileError(`${key}: schema does not compile: ${message.slice(0, 300)}`);
    }
    router.add(op.info.method, op.info.template, compiled);
    operations.push(compiled);
  }
  return {
    spec,
    router,
    basePaths: [...spec.basePaths].sort((a, b) => b.length - a.length),
    anyBody: operations.some((o) => o.body !== undefined),
    operations,
  };
}
