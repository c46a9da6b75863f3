import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/llm/formats/sse.js';

const STREAM = [
  'event: message_start\ndata: {"type":"message_start","n":1}\n\n',
  ': keep-alive comment\n\n',
  'data: {"choices":[{"delta":{"content":"héllo 🌍"}}]}\r\n\r\n',
  'data: line one\ndata: line two\n\n',
  'event: ping\rdata: {}\r\r',
  'data: [DONE]\n\n',
].join('');

function parseAll(chunks: Buffer[]) {
  const p = new SseParser();
  const events = chunks.flatMap((c) => p.push(c));
  const last = p.end();
  if (last) events.push(last);
  return events;
}

describe('SseParser', () => {
  it('parses fields, multi-line data, comments and every line-end style', () => {
    const events = parseAll([Buffer.from(STREAM)]);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      undefined,
      undefined,
      undefined,
      'ping',
      undefined,
    ]);
    expect(events[2].data).toBe('{"choices":[{"delta":{"content":"héllo 🌍"}}]}');
    expect(events[3].data).toBe('line one\nline two');
    expect(events[5].data).toBe('[DONE]');
  });

  it('gives the same events and the same bytes however the stream is split', () => {
    const whole = Buffer.from(STREAM);
    const reference = parseAll([whole]).map((e) => ({ event: e.event, data: e.data }));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: whole.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          const sorted = [...cuts].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let from = 0;
          for (const c of sorted) {
            chunks.push(whole.subarray(from, c));
            from = c;
          }
          chunks.push(whole.subarray(from));
          const events = parseAll(chunks);
          expect(events.map((e) => ({ event: e.event, data: e.data }))).toEqual(reference);
          expect(Buffer.concat(events.map((e) => e.raw)).equals(whole)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps an unterminated last event for end()', () => {
    const p = new SseParser();
    expect(p.push(Buffer.from('data: a\n\ndata: b'))).toHaveLength(1);
    expect(p.end()?.data).toBe('b');
  });

  it('flags an event larger than its bound', () => {
    const p = new SseParser(64);
    p.push(Buffer.from(`data: ${'x'.repeat(100)}`));
    expect(p.overflow).toBe(true);
  });
});
