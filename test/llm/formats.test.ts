import { describe, expect, it } from 'vitest';
import { anthropicMessages } from '../../src/llm/formats/anthropic-messages.js';
import {
  ADAPTERS,
  detectFormat,
  formatFromBody,
  formatFromPath,
} from '../../src/llm/formats/detect-format.js';
import { openAiEmbeddings } from '../../src/llm/formats/embeddings.js';
import { openAiChat } from '../../src/llm/formats/openai-chat.js';
import { openAiCompletions } from '../../src/llm/formats/openai-completions.js';
import { openAiResponses } from '../../src/llm/formats/openai-responses.js';
import { locationOf, patchJson } from '../../src/llm/formats/types.js';

describe('OpenAI chat', () => {
  const body = {
    model: 'gpt-4o',
    max_tokens: 50,
    stream: true,
    stream_options: { include_usage: true },
    messages: [
      { role: 'developer', content: 'Be terse.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Hi' },
          { type: 'image_url', image_url: { url: 'x' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }],
      },
      { role: 'tool', tool_call_id: 'a', content: 'result text' },
    ],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
  };

  it('keeps role and provenance of every text, tools and calls', () => {
    const r = openAiChat.parseRequest(body)!;
    expect(r.segments.map((s) => [s.provenance, s.text])).toEqual([
      ['system', 'Be terse.'],
      ['user', 'Hi'],
      ['tool', 'result text'],
    ]);
    expect(locationOf(r.segments[1].path)).toBe('body.$.messages[1].content[0].text');
    expect(r.toolDefinitions).toEqual([{ name: 'f', schema: { type: 'object' }, path: ['tools', 0] }]);
    expect(r.toolCalls[0]).toMatchObject({ name: 'f', arguments: '{"x":1}' });
    expect(r).toMatchObject({
      model: 'gpt-4o',
      stream: true,
      maxTokens: 50,
      messageCount: 4,
      streamUsageRequested: true,
    });
    expect(r.system).toHaveLength(1);
  });

  it('rejects malformed shapes without throwing', () => {
    for (const bad of [
      null,
      42,
      'text',
      {},
      { messages: 'hi' },
      { messages: [null] },
      { messages: [{ role: 'wizard', content: 'x' }] },
      { messages: [{ role: 'user', content: 7 }] },
      { messages: [], tools: 'all' },
    ])
      expect(openAiChat.parseRequest(bad)).toBeUndefined();
  });

  it('reads responses and stream chunks', () => {
    const res = openAiChat.parseResponse({
      choices: [{ message: { content: 'ok', tool_calls: [{ function: { name: 'g', arguments: '{}' } }] } }],
      usage: { prompt_tokens: 3, completion_tokens: 4 },
    })!;
    expect(res.segments[0].text).toBe('ok');
    expect(res.toolCalls[0].name).toBe('g');
    expect(res.usage).toEqual({ inputTokens: 3, outputTokens: 4 });
    const piece = openAiChat.stream!.read(
      { choices: [{ index: 0, delta: { content: 'Hel' } }] },
      { raw: Buffer.alloc(0), data: '{}' },
    );
    expect(piece.text).toEqual({ channel: '0', value: 'Hel', path: ['choices', 0, 'delta', 'content'] });
    const usage = openAiChat.stream!.read(
      { choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } },
      { raw: Buffer.alloc(0), data: '{}' },
    );
    expect(usage).toMatchObject({ usageOnly: true, usage: { inputTokens: 1, outputTokens: 2 } });
    expect(openAiChat.stream!.read(undefined, { raw: Buffer.alloc(0), data: '[DONE]' }).final).toBe(true);
  });
});

describe('OpenAI Responses, Completions, Embeddings', () => {
  it('parses Responses input items with provenance', () => {
    const r = openAiResponses.parseRequest({
      model: 'gpt-4.1',
      instructions: 'System words',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'question' }] },
        { type: 'function_call', call_id: 'c', name: 'lookup', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c', output: 'tool says' },
      ],
      tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' } }],
      max_output_tokens: 10,
    })!;
    expect(r.segments.map((s) => s.provenance)).toEqual(['system', 'user', 'tool']);
    expect(r.toolCalls[0].name).toBe('lookup');
    expect(r.toolDefinitions[0].name).toBe('lookup');
    expect(r.maxTokensPath).toEqual(['max_output_tokens']);
    expect(openAiResponses.parseRequest({ input: [{ role: 'alien', content: 'x' }] })).toBeUndefined();
    const res = openAiResponses.parseResponse({
      output: [{ type: 'message', content: [{ type: 'output_text', text: 'answer' }] }],
      usage: { input_tokens: 5, output_tokens: 6 },
    })!;
    expect(res.segments[0].text).toBe('answer');
    expect(res.usage).toEqual({ inputTokens: 5, outputTokens: 6 });
  });

  it('parses legacy completions and embeddings', () => {
    expect(openAiCompletions.parseRequest({ model: 'x', prompt: ['a', 'b'] })!.segments).toHaveLength(2);
    expect(openAiCompletions.parseRequest({ prompt: { a: 1 } })).toBeUndefined();
    const e = openAiEmbeddings.parseRequest({
      model: 'text-embedding-3-small',
      input: ['doc one', [1, 2, 3]],
    })!;
    expect(e.segments.map((s) => s.text)).toEqual(['doc one']);
    expect(e.maxTokensPath).toBeUndefined();
    expect(openAiEmbeddings.parseRequest({ input: [{}] })).toBeUndefined();
  });
});

describe('Anthropic messages', () => {
  it('separates system, user, tool_result and document text', () => {
    const r = anthropicMessages.parseRequest({
      model: 'claude-x',
      max_tokens: 100,
      system: [{ type: 'text', text: 'sys' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'u' },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'doc body' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'search', input: { q: 1 } }] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'found' }] }],
        },
      ],
      tools: [{ name: 'search', input_schema: { type: 'object' } }],
    })!;
    expect(r.segments.map((s) => [s.provenance, s.text])).toEqual([
      ['system', 'sys'],
      ['user', 'u'],
      ['document', 'doc body'],
      ['tool', 'found'],
    ]);
    expect(r.toolCalls[0]).toMatchObject({ name: 'search', arguments: { q: 1 } });
    expect(anthropicMessages.parseRequest({ messages: [{ role: 'system', content: 'x' }] })).toBeUndefined();
  });

  it('reads stream events including usage', () => {
    const ev = { raw: Buffer.alloc(0), data: '' };
    const read = anthropicMessages.stream!.read;
    expect(
      read({ type: 'message_start', message: { usage: { input_tokens: 9, output_tokens: 1 } } }, ev).usage,
    ).toEqual({
      inputTokens: 9,
      outputTokens: 1,
    });
    expect(
      read({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'hi' } }, ev).text,
    ).toEqual({
      channel: '1',
      value: 'hi',
      path: ['delta', 'text'],
    });
    expect(read({ type: 'message_delta', usage: { output_tokens: 30 } }, ev).usage).toEqual({
      outputTokens: 30,
    });
    expect(
      read({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', name: 'x' } }, ev)
        .toolStart,
    ).toEqual({
      key: '2',
      name: 'x',
    });
    expect(read({ type: 'message_stop' }, ev).final).toBe(true);
  });
});

describe('format detection', () => {
  it('detects from the path, then the body', () => {
    expect(formatFromPath('/openai/v1/chat/completions')).toBe('openai-chat');
    expect(formatFromPath('/v1/completions')).toBe('openai-completions');
    expect(formatFromPath('/v1/messages')).toBe('anthropic-messages');
    expect(formatFromPath('/v1/responses/')).toBe('openai-responses');
    expect(formatFromPath('/v1/embeddings')).toBe('openai-embeddings');
    expect(formatFromPath('/v1/models')).toBeUndefined();
    expect(formatFromBody({ model: 'claude-3', messages: [] })).toBe('anthropic-messages');
    expect(formatFromBody({ messages: [] })).toBe('openai-chat');
    expect(formatFromBody({ prompt: 'x' })).toBe('openai-completions');
    expect(formatFromBody({ model: 'text-embedding-3', input: 'x' })).toBe('openai-embeddings');
    expect(formatFromBody({ input: [{ role: 'user', content: 'x' }] })).toBe('openai-responses');
    expect(formatFromBody([1, 2])).toBeUndefined();
    expect(detectFormat('anthropic-messages', '/v1/chat/completions', {})).toBe('anthropic-messages');
    expect(Object.keys(ADAPTERS)).toHaveLength(5);
  });

  it('never throws on arbitrary JSON', () => {
    const odd = [
      [],
      {},
      { messages: [{ role: 'user', content: [null, 1, { text: 5 }] }] },
      { input: null },
      { prompt: null },
    ];
    for (const body of odd)
      for (const a of Object.values(ADAPTERS)) {
        expect(() => a.parseRequest(body)).not.toThrow();
        expect(() => a.parseResponse(body)).not.toThrow();
      }
  });

  it('patches a copy, leaving the parsed original alone', () => {
    const orig = { messages: [{ content: 'a' }] };
    const copy = patchJson(orig, [
      { path: ['messages', 0, 'content'], value: 'b' },
      { path: ['max_tokens'], value: 5 },
    ]);
    expect(copy).toEqual({ messages: [{ content: 'b' }], max_tokens: 5 });
    expect(orig.messages[0].content).toBe('a');
  });
});
