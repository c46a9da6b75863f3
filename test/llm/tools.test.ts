import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import type { Identity } from '../../src/core/identity.js';
import { compileToolPolicy } from '../../src/llm/tools.js';

const user = (roles: string[]): Identity => ({ subject: 'u', method: 'jwt', roles, scopes: [], claims: {} });
const weather = {
  type: 'object',
  properties: { city: { type: 'string', maxLength: 50 } },
  required: ['city'],
  additionalProperties: false,
};

describe('tool policy', () => {
  const policy = compileToolPolicy(
    {
      allow: ['get_weather'],
      allowByRole: { admin: ['delete_user'] },
      schemas: { get_weather: weather },
      validateArguments: true,
    },
    'routes.0.llm.tools',
  );
  const none = new Map<string, unknown>();

  it('allows listed tools and role tools, refuses others', () => {
    const defs = [
      { name: 'get_weather', path: ['tools', 0] },
      { name: 'delete_user', path: ['tools', 1] },
    ];
    expect(policy.checkDefinitions(defs).map((v) => v.tool)).toEqual(['delete_user']);
    expect(policy.checkDefinitions(defs, user(['admin']))).toEqual([]);
    expect(policy.checkCall({ name: 'run_shell', arguments: '{}' }, none)?.subtype).toBe('tool-not-allowed');
  });

  it('validates arguments against the trusted schema (JSON strings and objects)', () => {
    expect(policy.checkCall({ name: 'get_weather', arguments: '{"city":"Oslo"}' }, none)).toBeUndefined();
    expect(policy.checkCall({ name: 'get_weather', arguments: { city: 'Oslo' } }, none)).toBeUndefined();
    expect(policy.checkCall({ name: 'get_weather', arguments: '{"city":"Oslo","x":1}' }, none)?.subtype).toBe(
      'tool-argument-violation',
    );
    expect(policy.checkCall({ name: 'get_weather', arguments: '{"city":' }, none)?.message).toContain(
      'not valid JSON',
    );
    // A client-declared schema cannot loosen the trusted one.
    expect(
      policy.checkCall(
        { name: 'get_weather', arguments: '{"town":"x"}' },
        new Map([['get_weather', { type: 'object' }]]),
      ),
    ).toBeDefined();
  });

  it('validates against client-declared schemas, without their regexes', () => {
    const open = compileToolPolicy({ allowByRole: {}, schemas: {}, validateArguments: true }, 'x');
    const declared = new Map<string, unknown>([
      [
        'search',
        {
          type: 'object',
          properties: { q: { type: 'string', pattern: '^(a+)+$' }, pattern: { type: 'integer' } },
          required: ['q'],
        },
      ],
    ]);
    expect(open.checkCall({ name: 'search', arguments: '{"q":"anything"}' }, declared)).toBeUndefined();
    expect(open.checkCall({ name: 'search', arguments: '{"q":"x","pattern":"no"}' }, declared)?.subtype).toBe(
      'tool-argument-violation',
    );
    expect(open.checkCall({ name: 'search', arguments: '{}' }, declared)?.subtype).toBe(
      'tool-argument-violation',
    );
    // Many distinct schemas: the cache stays bounded and keeps working.
    for (let i = 0; i < 400; i++) {
      const d = new Map<string, unknown>([
        ['t', { type: 'object', properties: { [`p${i}`]: { type: 'number' } } }],
      ]);
      expect(open.checkCall({ name: 't', arguments: { [`p${i}`]: 'str' } }, d)?.subtype).toBe(
        'tool-argument-violation',
      );
    }
    expect(open.allowedFor()).toBeUndefined();
  });

  it('reports a bad trusted schema with its key path', () => {
    expect(() =>
      compileToolPolicy(
        { allowByRole: {}, schemas: { f: { type: 'no-such-type' } }, validateArguments: true },
        'routes.3.llm.tools',
      ),
    ).toThrow(ConfigError);
    try {
      compileToolPolicy(
        { allowByRole: {}, schemas: { f: { type: 'no-such-type' } }, validateArguments: true },
        'routes.3.llm.tools',
      );
    } catch (err) {
      expect((err as ConfigError).issues[0].path).toBe('routes.3.llm.tools.schemas.f');
    }
  });
});
