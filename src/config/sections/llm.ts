import { z } from 'zod';

// Owned by the LLM guard (src/llm).
export const llmGlobalSchema = z.object({}).describe('LLM guard defaults');
export const llmRouteSchema = z.object({}).describe('LLM guard on this route');
