import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding, Mode } from '../../src/core/findings.js';
import type { BlockVerdict } from '../../src/gateway/phase.js';
import { anthropicMessages } from '../../src/llm/formats/anthropic-messages.js';
import { openAiChat } from '../../src/llm/formats/openai-chat.js';
import { openAiResponses } from '../../src/llm/formats/openai-responses.js';
import type { FormatAdapter } from '../../src/llm/formats/types.js';
import { inspectBody, LlmStreamInspector, type OutputSession } from '../../src/llm/output/inspect.js';
import { compileHostAllowList, findActiveHtml, findMarkdownExfil } from '../../src/llm/output/markup.js';
import { type OutputHit, type OutputRules, TextScanner } from '../../src/llm/output/scanner.js';
import { compilePiiScanner, SECRET_KINDS } from '../../src/llm/pii/scan.js';
import { anthropicEvents, openAiEvents, pieces, streamedText } from './fake-upstreams.js';

const scanner = compilePiiScanner([...SECRET_KINDS, 'card', 'email']);
const PLACEHOLDER = '[CARD_1a2b3c4d]';
const CARD = '4111 1111 1111 1111';

function rules(extra: Partial<OutputRules> = {}): OutputRules {
  return {
    secrets: 'mask',
    pii: 'off',
    scanner,
    markdownAllowed: compileHostAllowList(['img.example.com', '*.trusted.org']),
    html: false,
    enforce: true,
    restore: new Map([[PLACEHOLDER, CARD]]),
    canary: 'pal-00112233aabbccdd',
    ...extra,
  };
}

/** Feeds pieces to a scanner, releasing whatever is safe after each piece, as the inspector does. */
function run(text: string[], r = rules()) {
  const sc = new TextScanner(r);
  const hits: OutputHit[] = [];
  let out = '';
  let sent = 0;
  for (const p of text) {
    sc.push(p, hits);
    if (sc.safe > sent) {
      out += sc.render(sent, sc.safe);
      sc.release(sc.safe);
      sent = sc.safe;
    }
  }
  sc.finish(hits);
  out += sc.render(sent, sc.end);
  return { out, hits, sc };
}

describe('TextScanner window', () => {
  it('restores a placeholder however it is split', () => {
    const text = `Your card ${PLACEHOLDER} is saved.`;
    for (let a = 1; a < text.length - 1; a++)
      for (const b of [a + 1, a + 3, a + 7])
        expect(run([text.slice(0, a), text.slice(a, b), text.slice(b)]).out).toBe(
          `Your card ${CARD} is saved.`,
        );
  });

  it('masks a key and strips the canary across arbitrary splits', () => {
    const text = 'key AKIAIOSFODNN7EXAMPLE then pal-00112233aabbccdd end';
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 12 }), (cuts) => {
        const sorted = [0, ...[...cuts].sort((x, y) => x - y), text.length];
        const parts = sorted.slice(1).map((c, i) => text.slice(sorted[i], c));
        const { out, hits } = run(parts);
        expect(out).toBe('key [AWS_ACCESS_KEY] then  end');
        expect(hits.map((h) => h.finding.subtype).sort()).toEqual(['secret-in-output', 'system-prompt-leak']);
      }),
      { numRuns: 200 },
    );
  });

  it('does not take its own placeholders for secrets', () => {
    const ph = '[AWS_ACCESS_KEY_1a2b3c4d]';
    const r = rules({ secrets: 'block', restore: new Map([[ph, 'AKIAIOSFODNN7EXAMPLE']]) });
    const { out, hits } = run(['the api key ', ph, ' works'], r);
    expect(out).toBe('the api key AKIAIOSFODNN7EXAMPLE works');
    expect(hits).toEqual([]);
  });

  it('holds back at most the last word of benign text', () => {
    const sc = new TextScanner(rules());
    const hits: OutputHit[] = [];
    sc.push('The weather in Oslo is', hits);
    expect(sc.safe).toBe('The weather in Oslo '.length);
    sc.push(' mild today.', hits);
    expect(sc.safe).toBe('The weather in Oslo is mild '.length);
    expect(hits).toEqual([]);
  });

  it('only reports in monitor mode (no rewriting of masks), but always strips the canary', () => {
    const { out, hits } = run(
      ['key AKIAIOSFODNN7EXAMPLE ', 'and pal-00112233aabbccdd.'],
      rules({ enforce: false }),
    );
    expect(out).toBe('key AKIAIOSFODNN7EXAMPLE and .');
    expect(hits).toHaveLength(2);
  });

  it('finds markdown exfiltration and active HTML', () => {
    const allowed = compileHostAllowList(['img.example.com', '*.trusted.org']);
    expect(findMarkdownExfil('![a](https://evil.test/p.png)', 0, allowed)[0].subtype).toBe(
      'markdown-image-exfiltration',
    );
    expect(findMarkdownExfil('![a](https://img.example.com/p.png?x=1)', 0, allowed)).toEqual([]);
    expect(findMarkdownExfil('![a](https://cdn.trusted.org/p.png)', 0, allowed)).toEqual([]);
    expect(findMarkdownExfil('[docs](https://python.org/doc)', 0, allowed)).toEqual([]);
    expect(
      findMarkdownExfil('[click](https://evil.test/c?data=c2VjcmV0IGNoYXQgaGlzdG9yeQ)', 0, allowed)[0]
        .subtype,
    ).toBe('link-injection');
    expect(findMarkdownExfil('text\n[ref]: https://evil.test/x.png\nmore', 0, allowed)).toHaveLength(1);
    expect(findActiveHtml('a <script>alert(1)</script>', 0)).toHaveLength(1);
    expect(findActiveHtml('<img src=x onerror=alert(1)>', 0).length).toBeGreaterThan(0);
    expect(findActiveHtml('use a < b and b > c, or <br>', 0)).toEqual([]);
  });
});

function session(
  adapter: FormatAdapter,
  found: { f: Finding; mode: Mode }[],
  extra: Partial<OutputSession> = {},
): OutputSession {
  return {
    adapter,
    rules: rules(),
    mode: 'block',
    toolMode: 'block',
    checkTool: (name) =>
      name === 'get_weather' ? undefined : { subtype: 'tool-not-allowed', tool: name, message: 'no' },
    report: (f, mode) => {
      found.push({ f, mode });
      return mode === 'block'
        ? { action: 'block', status: 502, code: 'PAL_ERR_UPSTREAM_RESPONSE', finding: f }
        : undefined;
    },
    dropUsageOnly: false,
    maxToolArgumentBytes: 1024,
    onUsage: () => {},
    markModified: () => {},
    ...extra,
  };
}

/** Pushes `events` through an inspector in chunks cut at `cuts`; returns forwarded bytes or the verdict. */
function stream(
  ins: LlmStreamInspector,
  whole: Buffer,
  cuts: number[],
): { out: string; verdict?: BlockVerdict } {
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < whole.length).sort((a, b) => a - b), whole.length];
  let out = '';
  for (let i = 1; i < bounds.length; i++) {
    const r = ins.push(whole.subarray(bounds[i - 1], bounds[i]));
    if (!Buffer.isBuffer(r)) return { out, verdict: r };
    out += r.toString('utf8');
  }
  const end = ins.end();
  if (!Buffer.isBuffer(end)) return { out, verdict: end };
  return { out: out + end.toString('utf8') };
}

const chatBody = (text: string) => ({ messages: [{ role: 'user', content: `say:${text}` }], stream: true });

describe('LlmStreamInspector', () => {
  it('forwards a benign stream byte for byte under any chunking', () => {
    const whole = Buffer.from(
      openAiEvents(chatBody('Plain answer, nothing special: 42 apples and 7 pears.')).join(''),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: whole.length - 1 }), { maxLength: 30 }),
        (cuts) => {
          const { out, verdict } = stream(new LlmStreamInspector(session(openAiChat, [])), whole, cuts);
          expect(verdict).toBeUndefined();
          expect(out).toBe(whole.toString('utf8'));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('restores placeholders in an Anthropic stream under any chunking', () => {
    const whole = Buffer.from(anthropicEvents(chatBody(`Card ${PLACEHOLDER} stored.`)).join(''));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: whole.length - 1 }), { maxLength: 30 }),
        (cuts) => {
          const { out } = stream(new LlmStreamInspector(session(anthropicMessages, [])), whole, cuts);
          expect(streamedText(out)).toBe(`Card ${CARD} stored.`);
          expect(out).toContain('event: message_stop');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('ends a blocked OpenAI stream with an error event and [DONE]', () => {
    const found: { f: Finding; mode: Mode }[] = [];
    const whole = Buffer.from(
      openAiEvents({
        messages: [{ role: 'user', content: 'say:See ![x](https://evil.test/a.png?q=1) ok' }],
        stream: true,
      }).join(''),
    );
    const { out, verdict } = stream(new LlmStreamInspector(session(openAiChat, found)), whole, [17, 90, 200]);
    expect(verdict?.code).toBe('PAL_ERR_UPSTREAM_RESPONSE');
    expect(out).not.toContain('evil.test');
    const tail = verdict!.streamTail!.toString('utf8');
    const [err, done] = tail.trimEnd().split('\n\n');
    expect(JSON.parse(err.slice(6)).error.code).toBe('PAL_ERR_UPSTREAM_RESPONSE');
    expect(done).toBe('data: [DONE]');
    expect(found[0].f.subtype).toBe('markdown-image-exfiltration');
  });

  it('ends a blocked Anthropic stream with event: error', () => {
    const whole = Buffer.from(
      anthropicEvents({
        messages: [{ role: 'user', content: 'call:run_shell:{"c":"ls"}' }],
        stream: true,
      }).join(''),
    );
    const { verdict } = stream(new LlmStreamInspector(session(anthropicMessages, [])), whole, []);
    const tail = verdict!.streamTail!.toString('utf8');
    expect(tail.startsWith('event: error\ndata: ')).toBe(true);
    const data = JSON.parse(tail.split('\n')[1].slice(6));
    expect(data).toMatchObject({ type: 'error', error: { type: 'palisade_blocked' } });
  });

  it('ends a blocked Responses stream with an error event', () => {
    const ev = (type: string, d: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...d })}\n\n`;
    const whole = Buffer.from(
      ev('response.output_text.delta', { output_index: 0, content_index: 0, delta: 'use ' }) +
        ev('response.output_text.delta', {
          output_index: 0,
          content_index: 0,
          delta: '<script>x</script> ',
        }) +
        ev('response.completed', { response: { usage: { input_tokens: 1, output_tokens: 2 } } }),
    );
    const s = session(openAiResponses, [], { rules: rules({ html: true }) });
    const { verdict } = stream(new LlmStreamInspector(s), whole, [30]);
    const data = JSON.parse(verdict!.streamTail!.toString('utf8').split('\n')[1].slice(6));
    expect(data).toMatchObject({ type: 'error', code: 'PAL_ERR_UPSTREAM_RESPONSE' });
  });

  it('validates streamed tool-call arguments when the response completes', () => {
    const found: { f: Finding; mode: Mode }[] = [];
    const bad = Buffer.from(
      openAiEvents({
        messages: [{ role: 'user', content: 'call:get_weather:{"city":"Oslo"}' }],
        stream: true,
      }).join(''),
    );
    const s = session(openAiChat, found, {
      checkTool: (name, args, complete) =>
        complete && typeof args === 'string' && args.includes('Oslo')
          ? { subtype: 'tool-argument-violation', tool: name, message: 'bad' }
          : undefined,
    });
    const { verdict } = stream(new LlmStreamInspector(s), bad, [50]);
    expect(verdict?.finding?.subtype).toBe('tool-argument-violation');
  });

  it('drops the usage chunk the guard asked for and reports usage', () => {
    let usage: unknown;
    const whole = Buffer.from(
      openAiEvents({ ...chatBody('hi'), stream_options: { include_usage: true } }).join(''),
    );
    const { out } = stream(
      new LlmStreamInspector(session(openAiChat, [], { dropUsageOnly: true, onUsage: (u) => (usage = u) })),
      whole,
      [],
    );
    expect(out).not.toContain('"usage"');
    expect(out).toContain('data: [DONE]');
    expect(usage).toEqual({ inputTokens: 12, outputTokens: 8 });
  });

  it('monitor mode reports without cutting the stream', () => {
    const found: { f: Finding; mode: Mode }[] = [];
    const whole = Buffer.from(openAiEvents(chatBody('See ![x](https://evil.test/a.png) ok')).join(''));
    const { out, verdict } = stream(
      new LlmStreamInspector(session(openAiChat, found, { mode: 'monitor' })),
      whole,
      [40],
    );
    expect(verdict).toBeUndefined();
    expect(out).toBe(whole.toString('utf8'));
    expect(found.map((x) => x.mode)).toEqual(['monitor']);
  });

  it('keeps the chunk delay to the held word', () => {
    const ins = new LlmStreamInspector(session(openAiChat, []));
    const events = openAiEvents(chatBody(pieces('one two three four five six', 4).join('')));
    let forwarded = 0;
    for (const [i, e] of events.entries()) {
      const out = ins.push(Buffer.from(e)) as Buffer;
      forwarded += out.length > 0 ? out.toString().split('\n\n').length - 1 : 0;
      if (i > 2) expect(i + 1 - forwarded).toBeLessThanOrEqual(3); // role chunk + at most the current word
    }
  });
});

describe('inspectBody (JSON)', () => {
  it('returns the same buffer when nothing changes, a rewritten one otherwise', () => {
    const clean = Buffer.from(JSON.stringify({ choices: [{ message: { content: 'All good.' } }] }));
    expect(inspectBody(session(openAiChat, []), clean)).toBe(clean);
    const secret = Buffer.from(
      JSON.stringify({
        choices: [{ message: { content: `key AKIAIOSFODNN7EXAMPLE, card ${PLACEHOLDER}` } }],
      }),
    );
    const out = inspectBody(session(openAiChat, []), secret) as Buffer;
    expect(JSON.parse(out.toString()).choices[0].message.content).toBe(`key [AWS_ACCESS_KEY], card ${CARD}`);
    expect(inspectBody(session(openAiChat, []), Buffer.from('not json'))).toEqual(Buffer.from('not json'));
  });

  it('blocks a tool call to a tool that is not allowed', () => {
    const body = Buffer.from(
      JSON.stringify({
        content: [{ type: 'tool_use', id: 't', name: 'transfer_money', input: { amount: 1e6 } }],
      }),
    );
    const v = inspectBody(session(anthropicMessages, []), body) as BlockVerdict;
    expect(v.action).toBe('block');
    expect(v.finding?.subtype).toBe('tool-not-allowed');
  });
});
