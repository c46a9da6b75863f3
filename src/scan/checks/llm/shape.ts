import { cloneParts, type RequestParts } from '../../builder/request.js';
import { mergeAllOf } from '../../builder/schema-sample.js';
import type { CheckContext, OpState } from '../../context.js';
import type { ScanOperation, Schema } from '../../types.js';
import { normKey, okBaseline, wordList } from '../util.js';

const LLM_PATH =
  /chat\/completions|\/completions$|\/v1\/messages$|\/messages$|\/responses$|\/chat$|\/generate$|\/ask$|\/prompt$|\/llm|\/assistant|\/inference/;
// words of LLM-serving operations beyond the OpenAI/Anthropic paths: agents and copilots,
// LangServe `…/invoke`, conversation turns, RAG question answering
const LLM_WORDS =
  / (chat|chatbot|chats|completion|completions|llm|llms|assistant|assistants|agent|agents|copilot|bot|prompt|prompts|inference|generate|generation|conversation|conversations|rag|ask|invoke|genai) /;
// user-text fields in priority order (normalised: `userMessage` → `usermessage`)
const PROMPT_KEYS = [
  'prompt',
  'input',
  'inputs',
  'query',
  'question',
  'message',
  'text',
  'usermessage',
  'userinput',
  'userprompt',
  'userquery',
  'inputtext',
  'prompttext',
  'humaninput',
  'chatinput',
  'utterance',
  'instruction',
  'content',
  'q',
];
const TOKEN_KEY =
  /^(max(imum)?(new|output|completion|response|generated|generation|answer)?tokens(tosample)?|numpredict|maxtokencount|tokenlimit|maxoutputlength)$/;
const MAX_DEPTH = 3;

// retrieved documents or tool results sent beside the question: the indirect-injection channel
const DOC_KEYS = new Set([
  'documents',
  'docs',
  'context',
  'contexts',
  'sources',
  'passages',
  'chunks',
  'attachments',
  'retrieveddocuments',
  'knowledge',
  'toolresults',
  'references',
]);

export type LlmShape = 'messages' | 'prompt' | 'contents';

export interface LlmShapeInfo {
  shape: LlmShape;
  /** Dotted label of the user-text place, e.g. `messages`, `prompt`, `input.question`. */
  field: string;
  path: string[];
  /** True when recognised by operation words and a nested or custom field, not a known API shape. */
  loose: boolean;
}

interface FieldPath {
  path: string[];
  /** 'string', 'array', 'object' or '' when unknown */
  kind: string;
}

/** Field paths of a request body (declared schema and built sample), at most three levels deep. */
export function bodyPaths(op: ScanOperation, body: unknown): FieldPath[] {
  const out = new Map<string, FieldPath>();
  let budget = 300;
  const add = (path: string[], kind: string) => {
    const key = path.join('.');
    const prev = out.get(key);
    if (!prev || (!prev.kind && kind)) out.set(key, { path, kind });
  };
  const walkSchema = (s0: Schema | undefined, path: string[]) => {
    if (!s0 || typeof s0 !== 'object' || path.length >= MAX_DEPTH || budget-- <= 0) return;
    const s = mergeAllOf(s0);
    const props: Record<string, Schema> = { ...(s.properties ?? {}) };
    for (const part of [...(s.oneOf ?? []), ...(s.anyOf ?? [])]) Object.assign(props, part?.properties ?? {});
    for (const [k, v] of Object.entries(props)) {
      const t = Array.isArray(v?.type) ? v.type.find((x: string) => x !== 'null') : v?.type;
      const kind = t === 'string' ? 'string' : t === 'array' ? 'array' : v?.properties ? 'object' : (t ?? '');
      add([...path, k], String(kind));
      if (kind === 'object') walkSchema(v, [...path, k]);
    }
  };
  const walkBody = (v: unknown, path: string[]) => {
    if (!v || typeof v !== 'object' || Array.isArray(v) || path.length >= MAX_DEPTH || budget-- <= 0) return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const kind =
        typeof x === 'string'
          ? 'string'
          : Array.isArray(x)
            ? 'array'
            : x && typeof x === 'object'
              ? 'object'
              : typeof x;
      add([...path, k], kind);
      walkBody(x, [...path, k]);
    }
  };
  walkSchema(op.body?.schema, []);
  walkBody(body, []);
  return [...out.values()];
}

export function llmShape(op: ScanOperation, parts: RequestParts): LlmShapeInfo | undefined {
  if (op.method !== 'POST') return undefined;
  const paths = bodyPaths(op, parts.body);
  const top = new Set(paths.filter((p) => p.path.length === 1).map((p) => p.path[0]));
  if (top.has('messages')) return { shape: 'messages', field: 'messages', path: ['messages'], loose: false };
  const byPath = LLM_PATH.test(op.path.toLowerCase());
  if (byPath) {
    const f = ['prompt', 'input', 'query', 'question', 'message', 'text'].find((x) => top.has(x));
    if (f) return { shape: 'prompt', field: f, path: [f], loose: false };
  }
  if (!byPath && !LLM_WORDS.test(wordList(op))) return undefined;
  // Gemini-style `contents: [{role, parts: [{text}]}]`
  if (
    top.has('contents') &&
    paths.some((p) => p.path.length === 1 && p.path[0] === 'contents' && p.kind === 'array')
  )
    return { shape: 'contents', field: 'contents', path: ['contents'], loose: false };
  // an envelope around the chat (`{input: {messages: […]}}`) or a user-text field under any name
  const nestedMessages = paths.find((p) => p.path[p.path.length - 1] === 'messages' && p.kind !== 'string');
  if (nestedMessages)
    return {
      shape: 'messages',
      field: nestedMessages.path.join('.'),
      path: nestedMessages.path,
      loose: true,
    };
  const candidates = paths.filter((p) => p.kind === 'string' || p.kind === '');
  for (const key of PROMPT_KEYS) {
    const hit = candidates
      .filter((p) => normKey(p.path[p.path.length - 1]) === key)
      .sort((a, b) => a.path.length - b.path.length)[0];
    if (hit) return { shape: 'prompt', field: hit.path.join('.'), path: hit.path, loose: true };
  }
  return undefined;
}

/** Where the operation takes an output-token limit (`max_tokens`, `config.maxOutputTokens`…), if declared. */
export function tokenLimitField(op: ScanOperation, parts: RequestParts): string[] | undefined {
  return bodyPaths(op, parts.body)
    .filter((p) => TOKEN_KEY.test(normKey(p.path[p.path.length - 1])))
    .sort((a, b) => a.path.length - b.path.length)[0]?.path;
}

/** A field for documents or tool results beside the user text (`input.documents`, `context`…). */
export function documentField(
  op: ScanOperation,
  parts: RequestParts,
): { path: string[]; kind: string } | undefined {
  const shape = llmShape(op, parts);
  if (shape?.shape !== 'prompt') return undefined;
  const parent = shape.path.slice(0, -1).join('.');
  const hits = bodyPaths(op, parts.body).filter(
    (p) => DOC_KEYS.has(normKey(p.path[p.path.length - 1])) && (p.kind === 'array' || p.kind === 'string'),
  );
  // a sibling of the user text first, then the shallowest
  hits.sort(
    (a, b) =>
      Number(b.path.slice(0, -1).join('.') === parent) - Number(a.path.slice(0, -1).join('.') === parent) ||
      a.path.length - b.path.length,
  );
  return hits[0];
}

function setPath(body: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = body;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (!next || typeof next !== 'object' || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
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

/**
 * A copy of the request carrying `text` as the user's message. `extra` keys are dotted paths
 * (`config.maxOutputTokens`) set in the body.
 */
export function withPrompt(state: OpState, text: string, extra: Record<string, unknown> = {}): RequestParts {
  const shape = llmShape(state.op, state.parts)!;
  const parts = cloneParts(state.parts);
  const body = (parts.body && typeof parts.body === 'object' ? parts.body : {}) as Record<string, unknown>;
  if (shape.shape === 'messages') {
    let old: unknown = body;
    for (const k of shape.path) old = (old as Record<string, unknown> | undefined)?.[k];
    const keepSystem = Array.isArray(old)
      ? (old as any[]).filter((m) => m && (m.role === 'system' || m.role === 'developer'))
      : [];
    setPath(body, shape.path, [...keepSystem, { role: 'user', content: text }]);
  } else if (shape.shape === 'contents') {
    body.contents = [{ role: 'user', parts: [{ text }] }];
  } else setPath(body, shape.path, text);
  if ('stream' in body) body.stream = false;
  for (const [k, v] of Object.entries(extra)) setPath(body, k.split('.'), v);
  parts.body = body;
  return parts;
}

/** A copy of the request asking `question` about `doc`, sent in the operation's document field. */
export function withDocument(state: OpState, question: string, doc: string): RequestParts | undefined {
  const field = documentField(state.op, state.parts);
  if (!field) return undefined;
  const parts = withPrompt(state, question);
  const body = parts.body as Record<string, unknown>;
  let sample: unknown = state.parts.body;
  for (const k of field.path) sample = (sample as Record<string, unknown> | undefined)?.[k];
  const first = Array.isArray(sample) ? sample[0] : undefined;
  let item: unknown = doc;
  if (first && typeof first === 'object' && !Array.isArray(first)) {
    // documents as objects: put the text where the object keeps its text
    const o = { ...(first as Record<string, unknown>) };
    const key =
      Object.keys(o).find((k) => /^(content|text|pagecontent|body|snippet|data)$/.test(normKey(k))) ??
      'content';
    o[key] = doc;
    item = o;
  }
  setPath(body, field.path, field.kind === 'string' ? doc : [item]);
  return parts;
}
