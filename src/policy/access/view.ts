// What identity controls know about a request, computed once per request by the phases.
import type { Finding } from '../../core/findings.js';
import type { BlockVerdict, RequestContext } from '../../gateway/phase.js';
import { type MatchedOperation, OPERATION_STATE_KEY } from '../operation.js';
import { requestSegments } from './pattern.js';

export interface RequestView {
  method: string;
  segments: string[];
  /** The OpenAPI operation, when policy-A's identify phase matched one. */
  matched?: MatchedOperation;
}

const VIEW_KEY = 'identity.view';

export function requestView(ctx: RequestContext): RequestView {
  const cached = ctx.state.get(VIEW_KEY) as RequestView | undefined;
  if (cached) return cached;
  const view: RequestView = {
    method: ctx.method.toUpperCase(),
    segments: requestSegments(ctx.path),
    matched: ctx.state.get(OPERATION_STATE_KEY) as MatchedOperation | undefined,
  };
  ctx.state.set(VIEW_KEY, view);
  return view;
}

/** A control's negative answer: the finding and how the block should look. */
export interface Denial {
  finding: Finding;
  verdict: Partial<Omit<BlockVerdict, 'action' | 'finding'>>;
}

/** Reads an `x-palisade-*` extension as a list of strings. */
export function extensionList(view: RequestView, name: string): string[] | undefined {
  const v = view.matched?.op.extensions[name];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return undefined;
}

/** True when `x-palisade` (string or list) or `x-palisade-<flag>: true` marks the operation. */
export function extensionFlag(view: RequestView, flag: string): boolean {
  const ext = view.matched?.op.extensions;
  if (!ext) return false;
  if (ext[`x-palisade-${flag}`] === true) return true;
  const v = ext['x-palisade'];
  if (v === flag) return true;
  if (Array.isArray(v) && v.includes(flag)) return true;
  if (v && typeof v === 'object' && !Array.isArray(v) && (v as Record<string, unknown>)[flag] === true)
    return true;
  return false;
}
