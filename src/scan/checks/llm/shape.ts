import { cloneParts, type RequestParts } from '../../builder/request.js';
import type { CheckContext, OpState } from '../../context.js';
import type { ScanOperation } from '../../types.js';
import { okBaseline, schemaFields } from '../util.js';

const LLM_PATH =
  /chat\/completions|\/completions$|\/v1\/messages$|\/messages$|\/responses$|\/chat$|\/generate$|\/ask$|\/prompt$|\/llm|\/assistant|\/inference/;
const PROMPT_FIELDS = ['prompt', 'input', 'query', 'question', 'message', 'text'];

export type LlmShape = 'messages' | 'prompt';

export function llmShape(
  op: ScanOperation,
  parts: RequestParts,
): { shape: LlmShape; field: string } | undefined {
  if (op.method !== 'POST') return undefined;
  const body = parts.body as Record<string, unknown> | undefined;
  const fields = new Set([...schemaFields(op), ...Object.keys(body && typeof body === 'object' ? body : {})]);
  if (fields.has('messages')) return { shape: 'messages', field: 'messages' };
  if (!LLM_PATH.test(op.path.toLowerCase())) return undefined;
  const f = PROMPT_FIELDS.find((x) => fields.has(x));
  return f ? { shape: 'prompt', field: f } : undefined;
}

const cache = new WeakMap<CheckContext, Promise<OpState[]>>();

/**
 * LLM-shaped operations that answer a plain user message (the schema-generated baseline may
 * have failed, e.g. with a `system`-only message list, so each is tried once with a greeting).
 */
export function llmOps(ctx: CheckContext): Promise<OpState[]> {
  let p = cache.get(ctx);
  if (!p) {
    p = (async () => {
      const out: OpState[] = [];
      for (const s of ctx.ops.filter((x) => x.baseline && llmShape(x.op, x.parts))) {
        if (okBaseline(s)) {
          out.push(s);
          continue;
        }
        const ex = await ctx.send(s, withPrompt(s, 'Hello! Please answer briefly.'), s.as, {
          timeoutMs: 60_000,
        });
        if (ex.response.status >= 200 && ex.response.status < 300)
          out.push({ ...s, parts: withPrompt(s, 'Hello!'), baseline: ex });
      }
      return out;
    })();
    cache.set(ctx, p);
  }
  return p;
}

/** A copy of the request carrying `text` as the user's message. */
export function withPrompt(state: OpState, text: string, extra: Record<string, unknown> = {}): RequestParts {
  const shape = llmShape(state.op, state.parts)!;
  const parts = cloneParts(state.parts);
  const body = (parts.body && typeof parts.body === 'object' ? parts.body : {}) as Record<string, unknown>;
  if (shape.shape === 'messages') {
    const keepSystem = Array.isArray(body.messages)
      ? (body.messages as any[]).filter((m) => m && (m.role === 'system' || m.role === 'developer'))
      : [];
    body.messages = [...keepSystem, { role: 'user', content: text }];
  } else body[shape.field] = text;
  if ('stream' in body) body.stream = false;
  Object.assign(body, extra);
  parts.body = body;
  return parts;
}
