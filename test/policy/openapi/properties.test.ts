import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanJson } from '../../../src/policy/openapi/limits.js';
import { Router } from '../../../src/policy/openapi/match.js';
import { findVerboseError } from '../../../src/policy/openapi/response.js';

function depth(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depth));
  if (v !== null && typeof v === 'object') return 1 + Math.max(0, ...Object.values(v).map(depth));
  return 0;
}

describe('property checks', () => {
  it('scanJson agrees with the parsed depth and finds no duplicates in serialised values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 1, max: 10 }), (value, max) => {
        const text = JSON.stringify(value);
        const scan = scanJson(Buffer.from(text), max);
        expect(scan.tooDeep).toBe(depth(value) > max);
        if (!scan.tooDeep) expect(scan.duplicateKey).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('a template matches its own instantiations with the right parameters', () => {
    const segment = fc.stringMatching(/^[a-z]{1,6}$/);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(segment, fc.constant('{p}')), { minLength: 1, maxLength: 6 }),
        fc.array(fc.stringMatching(/^[A-Za-z0-9%._~-]{1,8}$/), { minLength: 6, maxLength: 6 }),
        (parts, values) => {
          let n = 0;
          const named = parts.map((p) => (p === '{p}' ? `{p${n++}}` : p));
          const template = `/${named.join('/')}`;
          const router = new Router<string>();
          router.add('GET', template, template);
          let k = 0;
          const expected: Record<string, string> = {};
          const path = `/${named
            .map((p) => {
              if (!p.startsWith('{')) return p;
              const raw = values[k++];
              let decoded = raw;
              try {
                decoded = decodeURIComponent(raw);
              } catch {}
              expected[p.slice(1, -1)] = decoded;
              return encodeURIComponent(decoded);
            })
            .join('/')}`;
          const result = router.match('GET', path);
          const dotted = Object.values(expected).some((v) => v === '.' || v === '..');
          if (dotted) expect(result.kind).toBe('no-path');
          else expect(result).toEqual({ kind: 'match', value: template, template, params: expected });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('findVerboseError never throws and ignores plain sentences', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        findVerboseError(text);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 40 }), (words) => {
        expect(findVerboseError(words.join(' '))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
