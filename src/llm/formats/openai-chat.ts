import type { Provenance } from '../prompt-guard/index.js';
import {
  asUsage,
  type FormatAdapter,
  isObject,
  type JsonPath,
  type LlmRequest,
  type LlmResponse,
  type SseEvent,
  type StreamAdapter,
  type StreamPiece,
  type TextSegment,
  type ToolCall,
  type ToolDefinition,
  type Usage,
} from './types.js';

const ROLE_PROVENANCE: Record<string, Provenance> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
  tool: 'tool',
  function: 'tool',
};

/** Text of an OpenAI `content` (a string or an array of parts); pushes one segment per text. */
export function openAiContent(
  content: unknown,
  provenance: Provenance,
  path: JsonPath,
  out: TextSegment[],
): void {
  if (typeof content === 'string') out.push({ text: content, provenance, path });
  else if (Array.isArray(content))
    content.forEach((part, j) => {
      if (isObject(part) && typeof part.text === 'string')
        out.push({ text: part.text, provenance, path: [...path, j, 'text'] });
      else if (typeof part === 'string') out.push({ text: part, provenance, path: [...path, j] });
    });
}

/** `tools: [{type:'function', function:{name, parameters}}]` and legacy `functions: [{name, parameters}]`. */
export function openAiToolDefinitions(body: Record<string, unknown>): ToolDefinition[] | undefined {
  const out: ToolDefinition[] = [];
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return undefined;
    body.tools.forEach((t, i) => {
      if (!isObject(t)) return;
      const fn = isObject(t.function) ? t.function : t; // Responses API puts name at the top level
      const name = typeof fn.name === 'string' ? fn.name : typeof t.type === 'string' ? `${t.type}` : '';
      out.push({ name, schema: fn.parameters, path: ['tools', i] });
    });
  }
  if (Array.isArray(body.functions))
    body.functions.forEach((f, i) => {
      if (isObject(f) && typeof f.name === 'string')
        out.push({ name: f.name, schema: f.parameters, path: ['functions', i] });
    });
  return out;
}

function maxTokensOf(body: Record<string, unknown>): { value?: number; path: JsonPath } {
  if (typeof body.max_completion_tokens === 'number')
    return { value: body.max_completion_tokens, path: ['max_completion_tokens'] };
  if (typeof body.max_tokens === 'number') return { value: body.max_tokens, path: ['max_tokens'] };
  return { path: ['max_tokens'] };
}

function parseRequest(body: unknown): LlmRequest | undefined {
  if (!isObject(body) || !Array.isArray(body.messages)) return undefined;
  const segments: TextSegment[] = [];
  const toolCalls: ToolCall[] = [];
  for (let i = 0; i < body.messages.length; i++) {
    const m = body.messages[i];
    if (!isObject(m) || typeof m.role !== 'string') return undefined;
    const provenance = ROLE_PROVENANCE[m.role];
    if (!provenance) return undefined;
    if (
      m.content !== undefined &&
      m.content !== null &&
      typeof m.content !== 'string' &&
      !Array.isArray(m.content)
    )
      return undefined;
    openAiContent(m.content, provenance, ['messages', i, 'content'], segments);
    if (Array.isArray(m.tool_calls))
      m.tool_calls.forEach((c, j) => {
        if (isObject(c) && isObject(c.function) && typeof c.function.name === 'string')
          toolCalls.push({
            name: c.function.name,
            arguments: c.function.arguments,
            path: ['messages', i, 'tool_calls', j, 'function', 'arguments'],
          });
      });
    if (isObject(m.function_call) && typeof m.function_call.name === 'string')
      toolCalls.push({
        name: m.function_call.name,
        arguments: m.function_call.arguments,
        path: ['messages', i, 'function_call', 'arguments'],
      });
  }
  const toolDefinitions = openAiToolDefinitions(body);
  if (!toolDefinitions) return undefined;
  const max = maxTokensOf(body);
  return {
    format: 'openai-chat',
    model: typeof body.model === 'string' ? body.model : undefined,
    stream: body.stream === true,
    messageCount: body.messages.length,
    segments,
    toolDefinitions,
    toolCalls,
    maxTokens: max.value,
    maxTokensPath: max.path,
    system: segments.filter((s) => s.provenance === 'system'),
    streamUsageRequested: isObject(body.stream_options) && body.stream_options.include_usage === true,
  };
}

function parseResponse(body: unknown): LlmResponse | undefined {
  if (!isObject(body) || !Array.isArray(body.choices)) return undefined;
  const segments: TextSegment[] = [];
  const toolCalls: ToolCall[] = [];
  body.choices.forEach((c, i) => {
    if (!isObject(c) || !isObject(c.message)) return;
    openAiContent(c.message.content, 'assistant', ['choices', i, 'message', 'content'], segments);
    if (Array.isArray(c.message.tool_calls))
      c.message.tool_calls.forEach((t, j) => {
        if (isObject(t) && isObject(t.function) && typeof t.function.name === 'string')
          toolCalls.push({
            name: t.function.name,
            arguments: t.function.arguments,
            path: ['choices', i, 'message', 'tool_calls', j, 'function', 'arguments'],
          });
      });
    if (isObject(c.message.function_call) && typeof c.message.function_call.name === 'string')
      toolCalls.push({
        name: c.message.function_call.name,
        arguments: c.message.function_call.arguments,
        path: ['choices', i, 'message', 'function_call', 'arguments'],
      });
  });
  return { segments, toolCalls, usage: openAiUsage(body) };
}

/** `usage` with OpenAI's field names (chat, completions, embeddings). */
export function openAiUsage(body: Record<string, unknown>): Usage | undefined {
  return isObject(body.usage) ? asUsage(body.usage.prompt_tokens, body.usage.completion_tokens) : undefined;
}

/** The part of an OpenAI stream chunk every OpenAI format shares: [DONE], usage, no choices. */
export function openAiChunk(
  json: unknown,
  ev: SseEvent,
): { piece: StreamPiece; choice?: Record<string, unknown> } {
  if (ev.data === '[DONE]') return { piece: { final: true } };
  if (!isObject(json)) return { piece: {} };
  const usage = openAiUsage(json);
  const choices = Array.isArray(json.choices) ? json.choices : [];
  const piece: StreamPiece = {};
  if (usage) piece.usage = usage;
  if (choices.length === 0 && usage) piece.usageOnly = true;
  return { piece, choice: isObject(choices[0]) ? choices[0] : undefined };
}

/** `data: {"error":{...}}` then `data: [DONE]`, as OpenAI ends a failed stream. */
export function openAiErrorEvent(message: string, code: string): string {
  return `data: ${JSON.stringify({ error: { message, type: 'palisade_blocked', code } })}\n\ndata: [DONE]\n\n`;
}

export const openAiChatStream: StreamAdapter = {
  read(json, ev) {
    const { piece, choice: c } = openAiChunk(json, ev);
    if (c) {
      const index = typeof c.index === 'number' ? c.index : 0;
      const d = isObject(c.delta) ? c.delta : undefined;
      if (d && typeof d.content === 'string' && d.content.length > 0)
        piece.text = { channel: String(index), value: d.content, path: ['choices', 0, 'delta', 'content'] };
      const calls = d && Array.isArray(d.tool_calls) ? d.tool_calls : [];
      const call = calls[0];
      if (isObject(call) && isObject(call.function)) {
        const key = `${index}:${typeof call.index === 'number' ? call.index : 0}`;
        if (typeof call.function.name === 'string') piece.toolStart = { key, name: call.function.name };
        if (typeof call.function.arguments === 'string')
          piece.toolArgs = { key, delta: call.function.arguments };
      }
      if (d && isObject(d.function_call)) {
        const key = `${index}:fc`;
        if (typeof d.function_call.name === 'string') piece.toolStart = { key, name: d.function_call.name };
        if (typeof d.function_call.arguments === 'string')
          piece.toolArgs = { key, delta: d.function_call.arguments };
      }
    }
    return piece;
  },
  errorEvent: openAiErrorEvent,
};

export const openAiChat: FormatAdapter = {
  id: 'openai-chat',
  parseRequest,
  parseResponse,
  stream: openAiChatStream,
};
