import { describe, expect, it } from 'vitest';
import { detectGlobalSchema } from '../../src/config/sections/detect.js';
import { compileExtractor } from '../../src/detect/extract.js';
import {
  compileLocationRules,
  formatLocation,
  globMatch,
  isLlmPath,
  type LocationPattern,
  matchLocation,
  PatternError,
  parseLocationPattern,
  profileForSchema,
  profileMask,
  profilesFromOperation,
} from '../../src/detect/profiles.js';
import { DETECTOR_BIT } from '../../src/detect/registry.js';

const pat = (s: string) => parseLocationPattern(s) as LocationPattern;

describe('location patterns', () => {
  it('parses every location kind', () => {
    for (const p of [
      'query.q',
      'header.x-*',
      'cookie.*',
      'path[2]',
      'path[*]',
      'body',
      'body.field',
      'body./order/@id',
      'body.$.a.b[2]',
      'body.$.items[*].text',
      "body.$['odd.key'].x",
      'body.$.**',
      'body.$.**.description',
      '*.q',
      '**',
    ]) {
      expect(typeof parseLocationPattern(p), p).toBe('object');
    }
  });
  it('rejects bad patterns with a message', () => {
    for (const p of ['nope.q', 'body.$.a..b', 'body.$.a[x]', 'body.$.**.a.**', 'body.$.a[1', 'query.']) {
      expect(typeof parseLocationPattern(p), p).toBe('string');
    }
  });
  it('matches segments: literals, *, [*], globs and **', () => {
    expect(matchLocation(pat('query.q'), ['query', 'q'])).toBe(true);
    expect(matchLocation(pat('query.q'), ['query', 'Q'])).toBe(false);
    expect(matchLocation(pat('header.x-*'), ['header', 'x-trace'])).toBe(true);
    expect(matchLocation(pat('body.$.items[*].text'), ['body', '$', 'items', 3, 'text'])).toBe(true);
    expect(matchLocation(pat('body.$.items[*].text'), ['body', '$', 'items', 'x', 'text'])).toBe(false);
    expect(matchLocation(pat('body.$.a.*'), ['body', '$', 'a', 0])).toBe(true);
    expect(matchLocation(pat('body.$.**'), ['body', '$', 'a', 0, 'b'])).toBe(true);
    expect(matchLocation(pat('body.$.**.description'), ['body', '$', 'tools', 0, 'description'])).toBe(true);
    expect(matchLocation(pat('body.$.**.description'), ['body', '$', 'description'])).toBe(true);
    expect(matchLocation(pat('body.$.**.description'), ['body', '$', 'x'])).toBe(false);
    expect(matchLocation(pat("body.$['a.b']"), ['body', '$', 'a.b'])).toBe(true);
    expect(matchLocation(pat('path[2]'), ['path', 2])).toBe(true);
    expect(matchLocation(pat('body.up.filename'), ['body', 'up.filename'])).toBe(true);
  });
  it('glob matching is linear on hostile input', () => {
    expect(globMatch('a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
    expect(globMatch('*x*', 'abxcd')).toBe(true);
  });
  it('formats locations', () => {
    expect(formatLocation(['body', '$', 'messages', 1, 'content'])).toBe('body.$.messages[1].content');
    expect(formatLocation(['body', '$', 'a b', '$ne'])).toBe("body.$['a b'].$ne");
    expect(formatLocation(['query', 'a.b'])).toBe('query.a.b');
    expect(formatLocation(['path', 2])).toBe('path[2]');
  });
});

describe('compiled rules', () => {
  it('is trivial without rules: generic with every detector', () => {
    const r = compileLocationRules({ llm: 'off' });
    expect(r.trivial).toBe(true);
    expect(r.classify(['query', 'q'])).toMatchObject({ profile: 'generic', mask: profileMask('generic') });
  });
  it('applies configured profiles and per-location exclusions', () => {
    const r = compileLocationRules({
      llm: 'off',
      profiles: { 'body.$.description': 'free-text', 'body.$.source': 'code' },
      exclusions: [
        { location: 'body.$.notes', detectors: ['xss'] },
        { location: 'query.raw', detectors: undefined },
      ],
    });
    expect(r.classify(['body', '$', 'description']).profile).toBe('free-text');
    expect(r.classify(['body', '$', 'source']).mask).toBe(DETECTOR_BIT.log4shell);
    const notes = r.classify(['body', '$', 'notes']).mask;
    expect(notes & DETECTOR_BIT.xss).toBe(0);
    expect(notes & DETECTOR_BIT.sqli).toBe(DETECTOR_BIT.sqli);
    expect(r.classify(['query', 'raw']).mask).toBe(0);
  });
  it('config profiles win over OpenAPI profiles', () => {
    const r = compileLocationRules({
      llm: 'off',
      profiles: { 'query.u': 'free-text' },
      schemaProfiles: { 'query.u': 'url', 'query.id': 'identifier' },
    });
    expect(r.classify(['query', 'u']).profile).toBe('free-text');
    expect(r.classify(['query', 'id']).profile).toBe('identifier');
  });
  it('throws PatternError with the config key', () => {
    expect(() => compileLocationRules({ llm: 'off', exclusions: [{ location: 'bad.x' }] })).toThrow(
      PatternError,
    );
    try {
      compileLocationRules({ llm: 'off', exclusions: [{ location: 'bad.x' }] });
    } catch (e) {
      expect((e as PatternError).key).toBe('detect.exclusions.0.location');
    }
  });
});

describe('LLM request shapes', () => {
  const guard = compileLocationRules({ llm: 'guard' });
  it('recognises LLM API paths', () => {
    expect(isLlmPath('/v1/chat/completions')).toBe(true);
    expect(isLlmPath('/openai/v1/responses/')).toBe(true);
    expect(isLlmPath('/v1/messages?beta=true')).toBe(true);
    expect(isLlmPath('/v1/users')).toBe(false);
  });
  it('marks message text llm-message, judged only by log4shell here', () => {
    for (const segs of [
      ['body', '$', 'messages', 0, 'content'],
      ['body', '$', 'messages', 2, 'content', 1, 'text'],
      ['body', '$', 'system'],
      ['body', '$', 'prompt'],
      ['body', '$', 'input', 0, 'content', 0, 'text'],
      ['body', '$', 'instructions'],
    ]) {
      const c = guard.classify(segs);
      expect(c.profile, segs.join('.')).toBe('llm-message');
      expect(c.mask).toBe(DETECTOR_BIT.log4shell);
    }
  });
  it('parses tool-call arguments and inspects other fields normally', () => {
    expect(
      guard.classify(['body', '$', 'messages', 1, 'tool_calls', 0, 'function', 'arguments']).expandJson,
    ).toBe(true);
    expect(guard.classify(['body', '$', 'model']).profile).toBe('generic');
    expect(guard.classify(['body', '$', 'messages', 1, 'content', 0, 'input', 'sql']).profile).toBe(
      'generic',
    );
    expect(guard.classify(['body', '$', 'messages', 0, 'content', 0, 'image_url', 'url']).profile).toBe(
      'url',
    );
  });
  it('in `args` mode leaves message text to the ordinary detectors', () => {
    const args = compileLocationRules({ llm: 'args' });
    expect(args.classify(['body', '$', 'messages', 0, 'content']).profile).toBe('generic');
    expect(
      args.classify(['body', '$', 'messages', 1, 'tool_calls', 0, 'function', 'arguments']).expandJson,
    ).toBe(true);
  });
  it('extraction applies them: message text is llm-message, tool arguments are walked', () => {
    const defaults = detectGlobalSchema.parse({});
    const run = compileExtractor({
      limits: defaults.limits,
      headers: defaults.headers,
      inspectBody: true,
      rules: compileLocationRules({ llm: 'off' }),
      llmRules: guard,
      llm: 'auto',
    });
    const body = JSON.stringify({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'q', arguments: '{"sql":"x","n":[1,"y"]}' } },
          ],
        },
      ],
    });
    const x = run({
      method: 'POST',
      url: '/v1/chat/completions',
      rawHeaders: ['Content-Type', 'application/json'],
      body: Buffer.from(body),
    });
    const byLoc = Object.fromEntries(
      x.values.filter((v) => v.source !== 'key').map((v) => [v.location, v.profile]),
    );
    expect(byLoc['body.$.messages[0].content']).toBe('llm-message');
    expect(byLoc['body.$.messages[1].tool_calls[0].function.arguments.$.sql']).toBe('generic');
    expect(byLoc['body.$.messages[1].tool_calls[0].function.arguments.$.n[1]']).toBe('generic');
    expect(byLoc['body.$.messages[1].tool_calls[0].function.arguments']).toBeUndefined();
    // The same body on an ordinary path is plain JSON.
    const plain = run({
      method: 'POST',
      url: '/api',
      rawHeaders: ['Content-Type', 'application/json'],
      body: Buffer.from(body),
    });
    expect(plain.values.find((v) => v.location === 'body.$.messages[0].content')?.profile).toBe('generic');
  });
});

describe('OpenAPI profiles', () => {
  it('maps formats and x-palisade-content', () => {
    expect(profileForSchema({ type: 'string', format: 'uri' })).toBe('url');
    expect(profileForSchema({ type: 'string', format: 'uuid' })).toBe('identifier');
    expect(profileForSchema({ type: 'integer' })).toBe('identifier');
    expect(profileForSchema({ type: 'string', 'x-palisade-content': 'markup' })).toBe('markup');
    expect(profileForSchema({ type: 'string' })).toBeUndefined();
  });
  it('walks an operation into location globs', () => {
    const profiles = profilesFromOperation({
      parameters: [
        { name: 'callback', in: 'query', schema: { type: 'string', format: 'url' } },
        { name: 'X-Id', in: 'header', schema: { type: 'string', format: 'uuid' } },
      ],
      requestBody: {
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                bio: { type: 'string', 'x-palisade-content': 'free-text' },
                links: { type: 'array', items: { type: 'string', format: 'uri' } },
              },
            },
          },
        },
      },
    });
    expect(profiles).toEqual({
      'query.callback': 'url',
      'header.x-id': 'identifier',
      'body.$.bio': 'free-text',
      'body.$.links[*]': 'url',
    });
    for (const glob of Object.keys(profiles)) expect(typeof parseLocationPattern(glob)).toBe('object');
  });
});
