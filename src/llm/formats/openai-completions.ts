import { openAiChunk, openAiErrorEvent, openAiUsage } from './openai-chat.js';
import { type FormatAdapter, isObject, type LlmRequest, type TextSegment } from './types.js';

// Legacy Completions: `prompt` is a string or an array of strings (token arrays carry no text).
function parseRequest(body: unknown): LlmRequest | undefined {
  if (!isObject(body) || body.messages !== undefined || body.prompt === undefined) return undefined;
  const segments: TextSegment[] = [];
  if (typeof body.prompt === 'string')
    segments.push({ text: body.prompt, provenance: 'user', path: ['prompt'] });
  else if (Array.isArray(body.prompt))
    body.prompt.forEach((p, i) => {
      if (typeof p === 'string') segments.push({ text: p, provenance: 'user', path: ['prompt', i] });
    });
  else return undefined;
  return {
    format: 'openai-completions',
    model: typeof body.model === 'string' ? body.model : undefined,
    stream: body.stream === true,
    messageCount: segments.length,
    segments,
    toolDefinitions: [],
    toolCalls: [],
    maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined,
    maxTokensPath: ['max_tokens'],
    system: [],
    streamUsageRequested: isObject(body.stream_options) && body.stream_options.include_usage === true,
  };
}

export const openAiCompletions: FormatAdapter = {
  id: 'openai-completions',
  parseRequest,
  parseResponse(body) {
    if (!isObject(body) || !Array.isArray(body.choices)) return undefined;
    const segments: TextSegment[] = [];
    body.choices.forEach((c, i) => {
      if (isObject(c) && typeof c.text === 'string')
        segments.push({ text: c.text, provenance: 'assistant', path: ['choices', i, 'text'] });
    });
    return { segments, toolCalls: [], usage: openAiUsage(body) };
  },
  stream: {
    read(json, ev) {
      const { piece, choice: c } = openAiChunk(json, ev);
      if (c && typeof c.text === 'string' && c.text.length > 0)
        piece.text = {
          channel: String(typeof c.index === 'number' ? c.index : 0),
          value: c.text,
          path: ['choices', 0, 'text'],
        };
      return piece;
    },
    errorEvent: openAiErrorEvent,
  },
};
