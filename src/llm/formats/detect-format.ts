import type { LlmFormat } from '../../config/sections/llm.js';
import { anthropicMessages } from './anthropic-messages.js';
import { openAiEmbeddings } from './embeddings.js';
import { openAiChat } from './openai-chat.js';
import { openAiCompletions } from './openai-completions.js';
import { openAiResponses } from './openai-responses.js';
import { type FormatAdapter, isObject } from './types.js';

export const ADAPTERS: Record<LlmFormat, FormatAdapter> = {
  'openai-chat': openAiChat,
  'openai-responses': openAiResponses,
  'openai-completions': openAiCompletions,
  'openai-embeddings': openAiEmbeddings,
  'anthropic-messages': anthropicMessages,
};

/** The format a path names, by its last segments (any prefix such as /openai/v1 is fine). */
export function formatFromPath(path: string): LlmFormat | undefined {
  const p = path.endsWith('/') ? path.slice(0, -1) : path;
  if (p.endsWith('/chat/completions')) return 'openai-chat';
  if (p.endsWith('/responses')) return 'openai-responses';
  if (p.endsWith('/completions')) return 'openai-completions';
  if (p.endsWith('/embeddings')) return 'openai-embeddings';
  if (p.endsWith('/messages')) return 'anthropic-messages';
  return undefined;
}

/** The format a body's shape suggests when the path does not say. */
export function formatFromBody(body: unknown, headers?: Record<string, unknown>): LlmFormat | undefined {
  if (!isObject(body)) return undefined;
  if (Array.isArray(body.messages)) {
    const anthropicHints =
      headers?.['anthropic-version'] !== undefined ||
      body.system !== undefined ||
      (typeof body.model === 'string' && body.model.startsWith('claude'));
    return anthropicHints ? 'anthropic-messages' : 'openai-chat';
  }
  if (body.prompt !== undefined) return 'openai-completions';
  if (body.input !== undefined) {
    const embeddingModel = typeof body.model === 'string' && body.model.includes('embed');
    const itemList = Array.isArray(body.input) && body.input.some(isObject);
    if (!embeddingModel && (itemList || body.instructions !== undefined || body.tools !== undefined))
      return 'openai-responses';
    return embeddingModel ? 'openai-embeddings' : 'openai-responses';
  }
  return undefined;
}

/** The route's format, or the one detected from path then body. */
export function detectFormat(
  configured: LlmFormat | 'auto',
  path: string,
  body: unknown,
  headers?: Record<string, unknown>,
): LlmFormat | undefined {
  if (configured !== 'auto') return configured;
  return formatFromPath(path) ?? formatFromBody(body, headers);
}
