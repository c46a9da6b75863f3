import { z } from 'zod';
import { modeSchema } from '../common.js';

// Owned by the LLM guard (src/llm). Every control has its own mode; when it sets none it inherits
// the route's llm.mode, then route.mode, then config.mode.

export const LLM_FORMATS = [
  'openai-chat',
  'openai-responses',
  'openai-completions',
  'openai-embeddings',
  'anthropic-messages',
] as const;

export const PII_KINDS = [
  'email',
  'phone',
  'card',
  'iban',
  'us-ssn',
  'uk-nino',
  'ip',
  'aws-access-key',
  'github-token',
  'slack-token',
  'stripe-key',
  'openai-key',
  'anthropic-key',
  'google-api-key',
  'jwt',
  'private-key',
  'high-entropy',
] as const;

/** Kinds that are secrets (keys, tokens) rather than personal data. */
export const SECRET_KIND_IDS = [
  'aws-access-key',
  'github-token',
  'slack-token',
  'stripe-key',
  'openai-key',
  'anthropic-key',
  'google-api-key',
  'jwt',
  'private-key',
  'high-entropy',
] as const;
const PII_KINDS_DEFAULT = ['email', 'phone', 'card', 'iban', 'us-ssn', 'uk-nino'] as const;

const positiveInt = () => z.number().int().positive();
const piiKindSchema = z.enum(PII_KINDS);

const budgetLimitsSchema = z
  .object({
    tokensPerMinute: positiveInt().optional().describe('Prompt + completion tokens per minute'),
    tokensPerDay: positiveInt().optional().describe('Prompt + completion tokens per UTC day'),
    requestsPerMinute: positiveInt().optional().describe('Requests per minute'),
  })
  .describe('Limits for one key; a limit left out is not enforced');

const promptInjectionSchema = z
  .object({
    mode: modeSchema.optional().describe('Mode of the prompt-injection check (defaults to the llm mode)'),
    threshold: z.number().min(0).max(1).default(0.5).describe('Score at or above which a message is flagged'),
    paranoia: z
      .union([z.literal(1), z.literal(2), z.literal(3)])
      .optional()
      .describe('1-3; higher scans more provenances and flags weaker signals (defaults to detect.paranoia)'),
    external: z
      .object({
        url: z.url({ protocol: /^https?$/ }).describe('Classifier endpoint: POST {"text"} → {"score": 0..1}'),
        timeout: z
          .number()
          .int()
          .positive()
          .default(300)
          .describe('Milliseconds before the call is given up'),
        failOpen: z
          .boolean()
          .default(false)
          .describe('On failure: true = treat as clean, false = as injection'),
      })
      .optional()
      .describe('Optional external classifier consulted in addition to the built-in layers'),
  })
  .prefault({})
  .describe('Direct (user) and indirect (tool results, documents) prompt injection');

const piiSchema = z
  .object({
    mode: modeSchema
      .optional()
      .describe('Mode of the PII/secret check on prompts (defaults to the llm mode)'),
    action: z
      .enum(['block', 'mask', 'pseudonymise'])
      .default('mask')
      .describe(
        'In block mode: refuse the request, replace values by [KIND] (mask), or by stable placeholders restored in the response (pseudonymise)',
      ),
    kinds: z
      .array(piiKindSchema)
      .default([...PII_KINDS_DEFAULT, ...SECRET_KIND_IDS])
      .describe('Kinds of personal data and secrets looked for in user text'),
  })
  .prefault({})
  .describe('Personal data and secrets in prompts');

const budgetsSchema = z
  .object({
    mode: modeSchema.optional().describe('Mode of the budgets (defaults to the llm mode)'),
    identity: budgetLimitsSchema.optional().describe('Per identity (subject; client IP when anonymous)'),
    apiKey: budgetLimitsSchema
      .optional()
      .describe('Per API key (key id, or a hash of the bearer / x-api-key)'),
    encoding: z
      .enum(['cl100k_base', 'o200k_base'])
      .default('o200k_base')
      .describe('Tokenizer used to count prompt tokens before the provider reports usage'),
  })
  .prefault({})
  .describe('Token and request budgets');

const toolsSchema = z
  .object({
    mode: modeSchema.optional().describe('Mode of the tool controls (defaults to the llm mode)'),
    allow: z
      .array(z.string().min(1))
      .optional()
      .describe('Tools/functions that may be declared and called; absent = any'),
    allowByRole: z
      .record(z.string(), z.array(z.string().min(1)))
      .default({})
      .describe('Extra tools allowed to identities holding a role'),
    schemas: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .default({})
      .describe('Trusted JSON Schemas for tool arguments, by tool name (override client-declared ones)'),
    validateArguments: z
      .boolean()
      .default(true)
      .describe('Validate tool-call arguments (history and responses) against the declared schema'),
  })
  .prefault({})
  .describe('Excessive agency: which tools the model may use, with which arguments');

const outputSchema = z
  .object({
    mode: modeSchema.optional().describe('Mode of the output checks (defaults to the llm mode)'),
    canary: z
      .boolean()
      .default(false)
      .describe('Insert a per-request canary token into the system prompt and watch for it'),
    systemPromptLeak: z
      .boolean()
      .default(true)
      .describe('Flag output that repeats the system prompt verbatim'),
    instructionDisclosure: z
      .enum(['off', 'report', 'block'])
      .default('report')
      .describe(
        'Output that announces its own instructions ("my instructions are…"), a paraphrased system-prompt leak: report as an event, or block in block mode',
      ),
    secrets: z
      .enum(['off', 'mask', 'block'])
      .default('mask')
      .describe('Secrets (API keys, private keys, tokens) in output: mask or block'),
    pii: z.enum(['off', 'mask', 'block']).default('off').describe('Personal data in output: mask or block'),
    piiKinds: z
      .array(piiKindSchema)
      .default([...PII_KINDS_DEFAULT])
      .describe('PII kinds looked for in output'),
    markdownExfiltration: z
      .object({
        enabled: z.boolean().default(true),
        allowHosts: z
          .array(z.string())
          .default([])
          .describe('Hosts markdown images and data-carrying links may point at (exact, or *.example.com)'),
      })
      .prefault({})
      .describe('Markdown images/links that send data to other hosts'),
    html: z
      .boolean()
      .default(false)
      .describe('Flag HTML/script in output (for routes whose client renders it)'),
    maxToolArgumentBytes: positiveInt().default(65536).describe('Largest streamed tool-call argument kept'),
  })
  .prefault({})
  .describe('Checks on model output, streamed and not');

export const llmRouteSchema = z
  .object({
    mode: modeSchema
      .optional()
      .describe('Default mode of every LLM control on this route (defaults to route.mode)'),
    format: z
      .enum(['auto', ...LLM_FORMATS])
      .default('auto')
      .describe('API shape; auto = detected from path and body'),
    unknownShape: z
      .enum(['pass', 'refuse'])
      .optional()
      .describe('What to do with a body that matches no known shape (defaults to llm.unknownShape)'),
    promptInjection: promptInjectionSchema,
    pii: piiSchema,
    budgets: budgetsSchema,
    maxTokensCap: positiveInt()
      .optional()
      .describe('Largest max_tokens allowed; inserted when the client sets none'),
    models: z.array(z.string().min(1)).optional().describe('Models that may be requested; absent = any'),
    maxMessages: positiveInt().optional().describe('Most messages in one request'),
    maxPromptChars: positiveInt().optional().describe('Most characters of text in one request'),
    tools: toolsSchema,
    output: outputSchema,
  })
  .describe('LLM guard on this route (the route carries an LLM API)');

export const llmGlobalSchema = z
  .object({
    unknownShape: z
      .enum(['pass', 'refuse'])
      .default('pass')
      .describe('Default for bodies on LLM routes that match no known API shape'),
  })
  .describe('LLM guard defaults');

export type LlmRouteConfig = z.infer<typeof llmRouteSchema>;
export type LlmGlobalConfig = z.infer<typeof llmGlobalSchema>;
export type LlmFormat = (typeof LLM_FORMATS)[number];
export type PiiKind = (typeof PII_KINDS)[number];
