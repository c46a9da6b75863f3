import type { LlmFormat } from '../../config/sections/llm.js';
import type { Provenance } from '../prompt-guard/index.js';

export type { LlmFormat };
export type JsonPath = readonly (string | number)[];

/** One piece of text in a request or response, with who wrote it and where it sits in the JSON. */
export interface TextSegment {
  text: string;
  provenance: Provenance;
  path: JsonPath;
}

/** A tool/function the client declares to the model. */
export interface ToolDefinition {
  name: string;
  /** JSON Schema of the arguments, when the format carries one. */
  schema?: unknown;
  path: JsonPath;
}

/** A call of a tool by the model (in the request history or in a response). */
export interface ToolCall {
  name: string;
  /** Arguments as sent: a JSON string (OpenAI) or an object (Anthropic). */
  arguments: unknown;
  path: JsonPath;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** The parts of an LLM API request the guard needs; built once per request. */
export interface LlmRequest {
  format: LlmFormat;
  model?: string;
  stream: boolean;
  messageCount: number;
  segments: TextSegment[];
  toolDefinitions: ToolDefinition[];
  toolCalls: ToolCall[];
  /** The output cap the client asked for, when it set one. */
  maxTokens?: number;
  /** Where a max-tokens cap goes in this format (absent: the format has none, e.g. embeddings). */
  maxTokensPath?: JsonPath;
  /** The system prompt's text segments (where a canary can be appended). */
  system: TextSegment[];
  /** OpenAI chat/completions: the client asked for the final usage chunk itself. */
  streamUsageRequested?: boolean;
}

/** Text and tool calls in a non-streamed response. */
export interface LlmResponse {
  segments: TextSegment[];
  toolCalls: ToolCall[];
  usage?: Usage;
}

/** One server-sent event, with the exact bytes it arrived as. */
export interface SseEvent {
  raw: Buffer;
  event?: string;
  data: string;
}

/** What one streamed event carries, as far as the guard is concerned. */
export interface StreamPiece {
  /** Text delta, its channel (choice / content block) and where it sits in the event's JSON. */
  text?: { channel: string; value: string; path: JsonPath };
  /** A tool call starts (name known). */
  toolStart?: { key: string; name: string };
  /** A piece of a tool call's JSON arguments. */
  toolArgs?: { key: string; delta: string };
  usage?: Partial<Usage>;
  /** The event closes the response ([DONE], message_stop, response.completed, finish_reason). */
  final?: boolean;
  /** OpenAI: a chunk with no choices that only carries usage (dropped when the guard asked for it). */
  usageOnly?: boolean;
}

export interface StreamAdapter {
  read(json: unknown, event: SseEvent): StreamPiece;
  /** A well-formed error event (and stream end) in the provider's format. */
  errorEvent(message: string, code: string): string;
}

export interface FormatAdapter {
  id: LlmFormat;
  /** Undefined when the body does not have this format's shape. */
  parseRequest(body: unknown): LlmRequest | undefined;
  parseResponse(body: unknown): LlmResponse | undefined;
  stream?: StreamAdapter;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `body.$.messages[1].content` style location for findings. */
export function locationOf(path: JsonPath, root = 'body'): string {
  let out = `${root}.$`;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${p}`;
  return out;
}

/** Sets a value at a path inside a JSON tree (the tree must contain the path's parents). */
export function setAt(root: unknown, path: JsonPath, value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) node = node[path[i]] as Record<string | number, unknown>;
  node[path[path.length - 1]] = value;
}

/** Sets several values on a deep copy; the original tree is left as it was. */
export function patchJson(root: unknown, patches: readonly { path: JsonPath; value: unknown }[]): unknown {
  const copy = structuredClone(root);
  for (const p of patches) setAt(copy, p.path, p.value);
  return copy;
}

export function asUsage(input: unknown, output: unknown): Usage | undefined {
  const i = typeof input === 'number' ? input : 0;
  const o = typeof output === 'number' ? output : 0;
  return typeof input === 'number' || typeof output === 'number'
    ? { inputTokens: i, outputTokens: o }
    : undefined;
}

/** An SSE event whose `data` is JSON, re-serialized with the same event name. */
export function sseEvent(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}
