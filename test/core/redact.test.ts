import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskSecrets, redact } from '../../src/core/redact.js';

describe('redact', () => {
  it.each([
    ['Authorization: Bearer abcdefghijklmnop', 'abcdefghijklmnop'],
    ['token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl here', 'eyJzdWIiOiIxIn0'],
    ['key AKIAIOSFODNN7EXAMPLE', 'IOSFODNN7EXAMPLE'],
    ['{"password": "hunter2hunter2"}', 'hunter2hunter2'],
    ['api_key=s3cr3tvalue&x=1', 's3cr3tvalue'],
    ['card 4111 1111 1111 1111 ok', '4111 1111 1111 1111'],
    ['sk-proj-abcdefghijklmnopqrstuv', 'abcdefghijklmnopqrstuv'],
  ])('masks %s', (input, secret) => {
    const out = redact(input);
    expect(out).not.toContain(secret);
    expect(out).toContain('****');
  });
  it('keeps ordinary evidence readable', () => {
    expect(redact("' OR 1=1 --")).toBe("' OR 1=1 --");
    expect(redact('../../etc/passwd')).toBe('../../etc/passwd');
    expect(redact('order 1234567890123')).toBe('order 1234567890123'); // fails Luhn
  });
  it('truncates and never throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (s) => redact(s, 100).length <= 101));
  });
  it('masks secret-looking config values', () => {
    expect(maskSecrets({ admin: { token: 'x', tokenFile: 'f' }, a: [{ secret: 's' }], port: 1 })).toEqual({
      admin: { token: '****', tokenFile: 'f' },
      a: [{ secret: '****' }],
      port: 1,
    });
  });
});
