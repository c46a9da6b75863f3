import { asUsage, type FormatAdapter, isObject, type LlmRequest, type TextSegment } from './types.js';

// Embeddings: `input` is a string, an array of strings, or token arrays (no text to inspect).
function parseRequest(body: unknown): LlmRequest | undefined {
  if (!isObject(body) || body.input === undefined || body.messages !== undefined) return undefined;
  const segments: TextSegment[] = [];
  if (typeof body.input === 'string')
    segments.push({ text: body.input, provenance: 'document', path: ['input'] });
  else if (Array.isArray(body.input)) {
    for (let i = 0; i < body.input.length; i++) {
      const p = body.input[i];
      if (typeof p === 'string') segments.push({ text: p, provenance: 'document', path: ['input', i] });
      else if (!Array.isArray(p) && typeof p !== 'number') return undefined;
    }
  } else return undefined;
  return {
    format: 'openai-embeddings',
    model: typeof body.model === 'string' ? body.model : undefined,
    stream: false,
    messageCount: Array.isArray(body.input) ? body.input.length : 1,
    segments,
    toolDefinitions: [],
    toolCalls: [],
    system: [],
  };
}

export const openAiEmbeddings: FormatAdapter = {
  id: 'openai-embeddings',
  parseRequest,
  parseResponse(body) {
    if (!isObject(body) || !Array.isArray(body.data)) return undefined;
    const usage = isObject(body.usage) ? asUsage(body.usage.prompt_tokens, 0) : undefined;
    return { segments: [], toolCalls: [], usage };
  },
};
