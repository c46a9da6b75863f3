import type { Provenance } from '../prompt-guard/index.js';
import { openAiToolDefinitions } from './openai-chat.js';
import {
  asUsage,
  type FormatAdapter,
  isObject,
  type LlmRequest,
  type LlmResponse,
  type StreamPiece,
  sseEvent,
  type TextSegment,
  type ToolCall,
} from './types.js';

// OpenAI Responses API: `instructions` + `input` (a string or a list of items: messages,
// function_call, function_call_output, …); output items in `output`.
const ROLE_PROVENANCE: Record<string, Provenance> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
};

function parseRequest(body: unknown): LlmRequest | undefined {
  if (!isObject(body) || body.input === undefined || body.messages !== undefined) return undefined;
  const segments: TextSegment[] = [];
  const toolCalls: ToolCall[] = [];
  if (typeof body.instructions === 'string')
    segments.push({ text: body.instructions, provenance: 'system', path: ['instructions'] });
  let count = 1;
  if (typeof body.input === 'string')
    segments.push({ text: body.input, provenance: 'user', path: ['input'] });
  else if (Array.isArray(body.input)) {
    count = body.input.length;
    for (let i = 0; i < body.input.length; i++) {
      const item = body.input[i];
      if (!isObject(item)) return undefined;
      const type = typeof item.type === 'string' ? item.type : 'message';
      if (type === 'message' && typeof item.role === 'string') {
        const provenance = ROLE_PROVENANCE[item.role];
        if (!provenance) return undefined;
        if (typeof item.content === 'string')
          segments.push({ text: item.content, provenance, path: ['input', i, 'content'] });
        else if (Array.isArray(item.content))
          item.content.forEach((part, j) => {
            if (isObject(part) && typeof part.text === 'string')
              segments.push({ text: part.text, provenance, path: ['input', i, 'content', j, 'text'] });
          });
      } else if (type === 'function_call' && typeof item.name === 'string') {
        toolCalls.push({ name: item.name, arguments: item.arguments, path: ['input', i, 'arguments'] });
      } else if (type === 'function_call_output' && typeof item.output === 'string') {
        segments.push({ text: item.output, provenance: 'tool', path: ['input', i, 'output'] });
      } else if (type === 'message') return undefined;
    }
  } else return undefined;
  const toolDefinitions = openAiToolDefinitions(body);
  if (!toolDefinitions) return undefined;
  return {
    format: 'openai-responses',
    model: typeof body.model === 'string' ? body.model : undefined,
    stream: body.stream === true,
    messageCount: count,
    segments,
    toolDefinitions,
    toolCalls,
    maxTokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : undefined,
    maxTokensPath: ['max_output_tokens'],
    system: segments.filter((s) => s.provenance === 'system'),
  };
}

function parseResponse(body: unknown): LlmResponse | undefined {
  if (!isObject(body) || !Array.isArray(body.output)) return undefined;
  const segments: TextSegment[] = [];
  const toolCalls: ToolCall[] = [];
  body.output.forEach((item, i) => {
    if (!isObject(item)) return;
    if (item.type === 'message' && Array.isArray(item.content))
      item.content.forEach((part, j) => {
        if (isObject(part) && typeof part.text === 'string')
          segments.push({
            text: part.text,
            provenance: 'assistant',
            path: ['output', i, 'content', j, 'text'],
          });
      });
    else if (item.type === 'function_call' && typeof item.name === 'string')
      toolCalls.push({ name: item.name, arguments: item.arguments, path: ['output', i, 'arguments'] });
  });
  const usage = isObject(body.usage) ? asUsage(body.usage.input_tokens, body.usage.output_tokens) : undefined;
  return { segments, toolCalls, usage };
}

function read(json: unknown): StreamPiece {
  if (!isObject(json) || typeof json.type !== 'string') return {};
  const key = String(json.item_id ?? json.output_index ?? 0);
  switch (json.type) {
    case 'response.output_text.delta':
      return typeof json.delta === 'string' && json.delta.length > 0
        ? {
            text: {
              channel: `${json.output_index ?? 0}:${json.content_index ?? 0}`,
              value: json.delta,
              path: ['delta'],
            },
          }
        : {};
    case 'response.output_item.added': {
      const item = json.item;
      if (isObject(item) && item.type === 'function_call' && typeof item.name === 'string')
        return { toolStart: { key: String(item.id ?? json.output_index ?? 0), name: item.name } };
      return {};
    }
    case 'response.function_call_arguments.delta':
      return typeof json.delta === 'string' ? { toolArgs: { key, delta: json.delta } } : {};
    case 'response.completed':
    case 'response.incomplete':
    case 'response.failed': {
      const r = isObject(json.response) ? json.response : {};
      const usage = isObject(r.usage) ? asUsage(r.usage.input_tokens, r.usage.output_tokens) : undefined;
      return usage ? { final: true, usage } : { final: true };
    }
    default:
      return {};
  }
}

export const openAiResponses: FormatAdapter = {
  id: 'openai-responses',
  parseRequest,
  parseResponse,
  stream: {
    read,
    errorEvent: (message, code) => sseEvent({ type: 'error', code, message, param: null }, 'error'),
  },
};
