import {
  asUsage,
  type FormatAdapter,
  isObject,
  type JsonPath,
  type LlmRequest,
  type LlmResponse,
  type StreamPiece,
  sseEvent,
  type TextSegment,
  type ToolCall,
  type ToolDefinition,
} from './types.js';
import type { Provenance } from '../prompt-guard/index.js';

// Anthropic Messages: `system` (string or text blocks), `messages` of user/assistant turns whose
// content is a string or blocks (text, image, document, tool_use, tool_result).

function blocks(
  content: unknown,
  provenance: Provenance,
  path: JsonPath,
  segs: TextSegment[],
  calls: ToolCall[],
): boolean {
  if (typeof content === 'string') {
    segs.push({ text: content, provenance, path });
    return true;
  }
  if (!Array.isArray(content)) return false;
  content.forEach((b, j) => {
    if (!isObject(b)) return;
    const p = [...path, j];
    if (b.type === 'text' && typeof b.text === 'string')
      segs.push({ text: b.text, provenance, path: [...p, 'text'] });
    else if (b.type === 'tool_use' && typeof b.name === 'string')
      calls.push({ name: b.name, arguments: b.input, path: [...p, 'input'] });
    else if (b.type === 'tool_result') blocks(b.content, 'tool', [...p, 'content'], segs, calls);
    else if (b.type === 'document' && isObject(b.source)) {
      if (typeof b.source.data === 'string' && b.source.type === 'text')
        segs.push({ text: b.source.data, provenance: 'document', path: [...p, 'source', 'data'] });
      else if (b.source.type === 'content')
        blocks(b.source.content, 'document', [...p, 'source', 'content'], segs, calls);
    }
  });
  return true;
}

function parseRequest(body: unknown): LlmRequest | undefined {
  if (!isObject(body) || !Array.isArray(body.messages)) return undefined;
  const segments: TextSegment[] = [];
  const toolCalls: ToolCall[] = [];
  if (body.system !== undefined && !blocks(body.system, 'system', ['system'], segments, toolCalls))
    return undefined;
  for (let i = 0; i < body.messages.length; i++) {
    const m = body.messages[i];
    if (!isObject(m) || (m.role !== 'user' && m.role !== 'assistant')) return undefined;
    if (!blocks(m.content, m.role, ['messages', i, 'content'], segments, toolCalls)) return undefined;
  }
  const toolDefinitions: ToolDefinition[] = [];
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return undefined;
    body.tools.forEach((t, i) => {
      if (isObject(t))
        toolDefinitions.push({
          name: String(t.name ?? t.type ?? ''),
          schema: t.input_schema,
          path: ['tools', i],
        });
    });
  }
  return {
    format: 'anthropic-messages',
    model: typeof body.model === 'string' ? body.model : undefined,
    stream: body.stream === true,
    messageCount: body.messages.length,
    segments,
    toolDefinitions,
    toolCalls,
    maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined,
    maxTokensPath: ['max_tokens'],
    system: segments.filter((s) => s.provenance === 'system'),
  };
}

function parseResponse(body: unknown): LlmResponse | undefined {
  if (!isObject(body) || !Array.isArray(body.content)) return undefined;
  const segments: TextSegment[] = [];
  const toolCalls: ToolCall[] = [];
  blocks(body.content, 'assistant', ['content'], segments, toolCalls);
  const usage = isObject(body.usage) ? asUsage(body.usage.input_tokens, body.usage.output_tokens) : undefined;
  return { segments, toolCalls, usage };
}

function read(json: unknown): StreamPiece {
  if (!isObject(json) || typeof json.type !== 'string') return {};
  const key = String(json.index ?? 0);
  switch (json.type) {
    case 'message_start': {
      const m = isObject(json.message) ? json.message : {};
      const usage = isObject(m.usage) ? asUsage(m.usage.input_tokens, m.usage.output_tokens) : undefined;
      return usage ? { usage } : {};
    }
    case 'content_block_start': {
      const b = json.content_block;
      if (isObject(b) && b.type === 'tool_use' && typeof b.name === 'string')
        return { toolStart: { key, name: b.name } };
      if (isObject(b) && b.type === 'text' && typeof b.text === 'string' && b.text.length > 0)
        return { text: { channel: key, value: b.text, path: ['content_block', 'text'] } };
      return {};
    }
    case 'content_block_delta': {
      const d = json.delta;
      if (isObject(d) && d.type === 'text_delta' && typeof d.text === 'string' && d.text.length > 0)
        return { text: { channel: key, value: d.text, path: ['delta', 'text'] } };
      if (isObject(d) && d.type === 'input_json_delta' && typeof d.partial_json === 'string')
        return { toolArgs: { key, delta: d.partial_json } };
      return {};
    }
    case 'message_delta': {
      // Anthropic reports the cumulative output tokens here; input tokens came with message_start.
      const u = isObject(json.usage) ? json.usage : undefined;
      return u && typeof u.output_tokens === 'number' ? { usage: { outputTokens: u.output_tokens } } : {};
    }
    case 'message_stop':
      return { final: true };
    default:
      return {};
  }
}

export const anthropicMessages: FormatAdapter = {
  id: 'anthropic-messages',
  parseRequest,
  parseResponse,
  stream: {
    read,
    errorEvent: (message, code) =>
      sseEvent(
        { type: 'error', error: { type: 'palisade_blocked', message: `${message} (${code})` } },
        'error',
      ),
  },
};
