// Class-level recognisers used by the checks (LLM operation shapes, account fields, operation
// words, JWT placement): each row is a public API convention, none is a fixture's naming.
import { describe, expect, it } from 'vitest';
import { b64url, jwtOf } from '../../src/scan/auth.js';
import type { RequestParts } from '../../src/scan/builder/request.js';
import { sampleValue } from '../../src/scan/builder/schema-sample.js';
import {
  documentField,
  llmShape,
  tokenLimitField,
  withDocument,
  withPrompt,
} from '../../src/scan/checks/llm/shape.js';
import { isPasswordField, isUserField, wordList } from '../../src/scan/checks/util.js';
import type { OpState } from '../../src/scan/context.js';
import { sensitiveFields } from '../../src/scan/judges/secrets.js';
import type { ScanOperation, Schema } from '../../src/scan/types.js';

function op(key: string, schema: Schema, extra: Partial<ScanOperation> = {}): OpState {
  const [method, path] = key.split(' ');
  const o: ScanOperation = {
    key,
    method,
    path,
    tags: [],
    deprecated: false,
    params: [],
    body: { mediaType: 'application/json', schema, required: true },
    requiresAuth: true,
    scopes: [],
    responses: {},
    ...extra,
  };
  const parts: RequestParts = { path: {}, query: {}, headers: {}, cookies: {}, body: sampleValue(schema) };
  return { op: o, parts, as: 'A' };
}

const obj = (properties: Record<string, Schema>, required?: string[]): Schema => ({
  type: 'object',
  properties,
  ...(required ? { required } : {}),
});
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };

describe('LLM operation shapes', () => {
  const rows: [string, OpState, string, string, string[] | undefined][] = [
    [
      'OpenAI chat',
      op('POST /v1/chat/completions', obj({ model: str, messages: { type: 'array' }, max_tokens: int })),
      'messages',
      'messages',
      ['max_tokens'],
    ],
    [
      'Anthropic messages',
      op('POST /v1/messages', obj({ model: str, max_tokens: int, messages: { type: 'array' } })),
      'messages',
      'messages',
      ['max_tokens'],
    ],
    [
      'Ollama generate',
      op('POST /api/generate', obj({ model: str, prompt: str, options: obj({ num_predict: int }) })),
      'prompt',
      'prompt',
      ['options', 'num_predict'],
    ],
    [
      'Hugging Face TGI',
      op('POST /generate', obj({ inputs: str, parameters: obj({ max_new_tokens: int }) })),
      'prompt',
      'inputs',
      ['parameters', 'max_new_tokens'],
    ],
    [
      'Gemini generateContent',
      op(
        'POST /v1beta/models/{model}:generateContent',
        obj({ contents: { type: 'array' }, generationConfig: obj({ maxOutputTokens: int }) }),
      ),
      'contents',
      'contents',
      ['generationConfig', 'maxOutputTokens'],
    ],
    [
      'Bedrock invoke',
      op(
        'POST /model/{modelId}/invoke',
        obj({ inputText: str, textGenerationConfig: obj({ maxTokenCount: int }) }),
      ),
      'prompt',
      'inputText',
      ['textGenerationConfig', 'maxTokenCount'],
    ],
    [
      'LangServe agent',
      op(
        'POST /agents/{agentSlug}/invoke',
        obj({ input: obj({ question: str, documents: { type: 'array', items: str } }) }),
      ),
      'prompt',
      'input.question',
      undefined,
    ],
    [
      'Cohere chat',
      op('POST /v1/chat', obj({ message: str, documents: { type: 'array' }, max_tokens: int })),
      'prompt',
      'message',
      ['max_tokens'],
    ],
    [
      'custom copilot by summary',
      op('POST /support/turns', obj({ conversationId: str, userMessage: str }), {
        summary: 'Send a message to the support copilot',
      }),
      'prompt',
      'userMessage',
      undefined,
    ],
  ];
  it.each(rows)('%s', (_name, state, shape, field, tokens) => {
    const got = llmShape(state.op, state.parts);
    expect(got?.shape).toBe(shape);
    expect(got?.field).toBe(field);
    expect(tokenLimitField(state.op, state.parts)).toEqual(tokens);
    // the prompt lands where the shape says, limits at their nested place
    const parts = withPrompt(state, 'hello marker', { 'a.b': 1 });
    expect(JSON.stringify(parts.body)).toContain('hello marker');
    expect((parts.body as any).a.b).toBe(1);
  });

  it('leaves ordinary operations alone', () => {
    for (const s of [
      op('POST /api/notes', obj({ title: str, text: str })),
      op('POST /functions/{name}/run', obj({ input: str })),
      op('POST /models/register', obj({ name: str, description: str }), { summary: 'Register a model' }),
      op('GET /chat', obj({ prompt: str })),
    ])
      expect(llmShape(s.op, s.parts), s.op.key).toBeUndefined();
  });

  it('puts indirect payloads into the document field, as strings or inside document objects', () => {
    const lang = op(
      'POST /agents/{agentSlug}/invoke',
      obj({ input: obj({ question: str, documents: { type: 'array', items: str } }) }),
    );
    expect(documentField(lang.op, lang.parts)?.path).toEqual(['input', 'documents']);
    expect((withDocument(lang, 'q?', 'DOC')!.body as any).input).toEqual({
      question: 'q?',
      documents: ['DOC'],
    });
    const cohere = op(
      'POST /v1/chat',
      obj({
        message: str,
        documents: { type: 'array', items: obj({ title: str, snippet: str }, ['title', 'snippet']) },
      }),
    );
    const body = withDocument(cohere, 'q?', 'DOC')!.body as any;
    expect(body.message).toBe('q?');
    expect(body.documents[0].snippet).toBe('DOC');
    const plain = op('POST /v1/chat/completions', obj({ messages: { type: 'array' } }));
    expect(withDocument(plain, 'q', 'd')).toBeUndefined();
  });
});

describe('account fields and operation words', () => {
  it('recognises account and password fields in any naming convention', () => {
    for (const f of [
      'username',
      'userName',
      'user_name',
      'accountName',
      'emailAddress',
      'login',
      'Principal',
    ])
      expect(isUserField(f), f).toBe(true);
    for (const f of ['displayName', 'title', 'newPassword', 'projectName'])
      expect(isUserField(f), f).toBe(false);
    for (const f of ['password', 'Passphrase', 'user_password']) expect(isPasswordField(f), f).toBe(true);
    expect(isPasswordField('passwordConfirmation')).toBe(false);
  });

  it('splits camelCase and punctuation into words', () => {
    const o = op('POST /datasets/schemas', obj({}), {
      operationId: 'registerDatasetSchema',
      summary: 'Sign-in',
    });
    expect(wordList(o.op)).toBe(' datasets schemas register dataset schema sign in ');
  });

  it('finds sensitive response fields whatever their casing', () => {
    expect(sensitiveFields({ passwordHash: 'abc123def', mfaSecret: 'JBSWY3DPEHPK3PXP' })).toEqual([
      'passwordHash',
      'mfaSecret',
    ]);
    expect(sensitiveFields({ 'api-key': 'k-123456789' })).toEqual(['api-key']);
  });
});

describe('JWT placement', () => {
  const jwt = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"u1"}')}.c2ln`;
  it('finds a JWT in a custom header and in a cookie, keeping the text around it', () => {
    expect(jwtOf({ name: 'A', headers: { 'X-API-Key': jwt } })).toMatchObject({
      header: 'X-API-Key',
      prefix: '',
    });
    const c = jwtOf({ name: 'A', headers: { Cookie: `theme=dark; session=${jwt}; lang=en` } });
    expect(c).toMatchObject({ header: 'Cookie', prefix: 'theme=dark; session=', suffix: '; lang=en' });
    expect(c?.jwt.payload.sub).toBe('u1');
    expect(jwtOf({ name: 'A', headers: { Cookie: 'theme=dark; sid=abc' } })).toBeUndefined();
  });
});
