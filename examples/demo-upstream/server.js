// The bundled demo upstream: a small, naive REST API and an OpenAI-compatible chat endpoint.
// It trusts its input the way many quickly-built AI back ends do; Palisade sits in front of it.
// It never reads outside its own folder: a path that escapes is answered with a fake
// /etc/passwd so the demo can show what an unprotected attack would have returned.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filesDir = join(here, 'files');

const users = [
  { id: 1, name: 'Ada Lovelace', email: 'ada@example.com', role: 'admin' },
  { id: 2, name: 'Alan Turing', email: 'alan@example.com', role: 'user' },
  { id: 3, name: 'Grace Hopper', email: 'grace@example.com', role: 'user' },
];
const models = [{ id: 'demo-1', object: 'model', owned_by: 'palisade-demo' }];

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch {
        resolve(undefined);
      }
    });
  });
}

function lastUserText(messages) {
  const user = [...(messages ?? [])].reverse().find((m) => m.role === 'user');
  if (!user) return '';
  if (typeof user.content === 'string') return user.content;
  return (user.content ?? []).map((p) => p.text ?? '').join(' ');
}

/** A deterministic "model": echoes what it was asked, so filters on the way back are visible. */
function complete(prompt) {
  return `Demo model here. You said: "${prompt.slice(0, 500)}". Here is a deterministic answer.`;
}

async function chat(req, res) {
  const body = await readJson(req);
  if (!body || !Array.isArray(body.messages))
    return json(res, 400, { error: { message: 'messages required' } });
  const answer = complete(lastUserText(body.messages));
  const promptTokens = Math.ceil(JSON.stringify(body.messages).length / 4);
  const completionTokens = Math.ceil(answer.length / 4);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const id = `chatcmpl-demo${Date.now()}`;
  const model = body.model ?? 'demo-1';
  if (!body.stream) {
    return json(res, 200, {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
      usage,
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const words = answer.split(/(?<= )/);
  const delay = Number(process.env.DEMO_STREAM_DELAY_MS ?? 5);
  const send = (obj) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
  for (const word of words) {
    send({
      id,
      object: 'chat.completion.chunk',
      model,
      choices: [{ index: 0, delta: { content: word }, finish_reason: null }],
    });
    await new Promise((r) => setTimeout(r, delay));
  }
  send({
    id,
    object: 'chat.completion.chunk',
    model,
    choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
  });
  if (body.stream_options?.include_usage)
    send({ id, object: 'chat.completion.chunk', model, choices: [], usage });
  res.end('data: [DONE]\n\n');
}

async function download(res, name) {
  const resolved = normalize(join(filesDir, name ?? ''));
  if (!resolved.startsWith(filesDir + '/')) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    return res.end('root:x:0:0:root:/root:/bin/bash\n(fake: this is what a traversal would have read)\n');
  }
  try {
    const data = await readFile(resolved);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
    res.end(data);
  } catch {
    json(res, 404, { error: 'no such file' });
  }
}

export function createDemoUpstream() {
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const p = url.pathname;
    if (p === '/healthz') return json(res, 200, { ok: true });
    if (p === '/api/users' && req.method === 'GET') {
      const limit = Number(url.searchParams.get('limit') ?? users.length);
      return json(res, 200, users.slice(0, limit));
    }
    const userMatch = /^\/api\/users\/(\d+)$/.exec(p);
    if (userMatch && req.method === 'GET') {
      const user = users.find((u) => u.id === Number(userMatch[1]));
      return user ? json(res, 200, user) : json(res, 404, { error: 'not found' });
    }
    if (p === '/api/search' && req.method === 'GET') {
      const q = url.searchParams.get('q') ?? '';
      // Naive: pretends to build SQL from the query string.
      return json(res, 200, {
        query: `SELECT * FROM users WHERE name LIKE '%${q}%'`,
        results: users.filter((u) => u.name.includes(q)),
      });
    }
    if (p === '/api/login' && req.method === 'POST') {
      const body = await readJson(req);
      const ok = body?.username === 'ada' && body?.password === 'correct horse battery staple';
      return ok
        ? json(res, 200, { token: 'demo-session-token' })
        : json(res, 401, { error: 'invalid credentials' });
    }
    if (p === '/api/files' && req.method === 'GET') return download(res, url.searchParams.get('name'));
    if (p === '/api/echo' && req.method === 'POST') {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' });
      return res.end(Buffer.concat(chunks));
    }
    if (p === '/v1/models') return json(res, 200, { object: 'list', data: models });
    if (p === '/v1/chat/completions' && req.method === 'POST') return chat(req, res);
    json(res, 404, { error: 'not found' });
  });
}

export function startDemoUpstream(port = 3000, host = '127.0.0.1') {
  const server = createDemoUpstream();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.env.PORT ?? 3000);
  startDemoUpstream(port).then(() => console.log(`demo upstream on http://127.0.0.1:${port}`));
}
