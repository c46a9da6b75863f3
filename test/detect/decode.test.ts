import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base64Text,
  createDecodeBudget,
  decodeVariants,
  decodeVariantsInto,
  htmlDecode,
  jsUnescape,
  mayDecode,
  percentDecode,
  scanValue,
  unicodeFold,
} from '../../src/detect/decode.js';

describe('percentDecode', () => {
  it('decodes %XX as UTF-8 and leaves other text alone', () => {
    expect(percentDecode('a%20b%3Cc%3e')).toBe('a b<c>');
    expect(percentDecode('caf%C3%A9')).toBe('café');
    expect(percentDecode('plain')).toBe('plain');
  });
  it('decodes %uXXXX (IIS style)', () => {
    expect(percentDecode('%u003cscript%u003E')).toBe('<script>');
  });
  it('decodes overlong UTF-8 to the code point old decoders produced', () => {
    expect(percentDecode('%c0%ae%c0%ae%c0%af')).toBe('../');
    expect(percentDecode('%e0%80%ae%e0%80%ae/')).toBe('../');
    expect(percentDecode('%c1%9c')).toBe('\\');
  });
  it('keeps malformed escapes and lone bytes as text (stable under repetition)', () => {
    expect(percentDecode('100%')).toBe('100%');
    expect(percentDecode('%zz%4')).toBe('%zz%4');
    const once = percentDecode('%ff%41');
    expect(once).toBe('%FFA');
    expect(percentDecode(once)).toBe(once);
  });
  it('treats + as a space only when asked', () => {
    expect(percentDecode('a+b')).toBe('a+b');
    expect(percentDecode('a+b%2B', true)).toBe('a b+');
  });
});

describe('htmlDecode', () => {
  it('decodes the named subset, case-insensitively', () => {
    expect(htmlDecode('&lt;img src=x onerror&equals;alert&lpar;1&rpar;&gt;')).toBe(
      '<img src=x onerror=alert(1)>',
    );
    expect(htmlDecode('&LT;b&GT;')).toBe('<b>');
    expect(htmlDecode('javascript&colon;x')).toBe('javascript:x');
  });
  it('decodes decimal and hex references, with or without semicolons and padding', () => {
    expect(htmlDecode('&#60;&#x3C;&#X3c;&#0000060;')).toBe('<<<<');
    expect(htmlDecode('&#60script&#x3e')).toBe('<script>');
  });
  it('accepts legacy names without semicolons but not other names', () => {
    expect(htmlDecode('&ltscript&gt')).toBe('<script>');
    expect(htmlDecode('&colon')).toBe('&colon');
    expect(htmlDecode('AT&T and &unknown;')).toBe('AT&T and &unknown;');
  });
});

describe('jsUnescape', () => {
  it('decodes \\uXXXX, \\u{…} and \\xXX', () => {
    expect(jsUnescape('\\u003cscript\\u003e')).toBe('<script>');
    expect(jsUnescape('\\u{3c}svg\\x3e')).toBe('<svg>');
  });
  it('leaves other backslashes alone', () => {
    expect(jsUnescape('C:\\\\temp\\n\\q')).toBe('C:\\\\temp\\n\\q');
    expect(jsUnescape('\\u12')).toBe('\\u12');
  });
});

describe('unicodeFold', () => {
  it('maps fullwidth forms to ASCII (NFKC)', () => {
    expect(unicodeFold('＜ｓｃｒｉｐｔ＞')).toBe('<script>');
    expect(unicodeFold('ＳＥＬＥＣＴ')).toBe('SELECT');
  });
  it('removes invisible characters', () => {
    expect(unicodeFold('sel\u200bect\u00ad')).toBe('select');
  });
});

describe('base64Text', () => {
  it('decodes base64 (standard and URL-safe) to printable text', () => {
    const payload = "' OR 1=1 --";
    expect(base64Text(Buffer.from(payload).toString('base64'))).toBe(payload);
    const xss = '<script>alert(1)</script>??';
    expect(base64Text(Buffer.from(xss).toString('base64url'))).toBe(xss);
  });
  it('rejects binary, plain words, numbers and short strings', () => {
    expect(base64Text(Buffer.from([0, 1, 2, 250, 251, 252, 3, 4, 5]).toString('base64'))).toBeUndefined();
    expect(base64Text('password')).toBeUndefined();
    expect(base64Text('1442431887503330')).toBeUndefined();
    expect(base64Text('abc')).toBeUndefined();
  });
});

describe('decodeVariants', () => {
  it('returns the value alone when nothing can decode', () => {
    expect(decodeVariants('hello world')).toEqual(['hello world']);
    expect(decodeVariants('')).toEqual(['']);
  });
  it('unescapes a base64 payload once when it holds escapes (stacked encoders)', () => {
    const v = decodeVariants(Buffer.from('\\u0077hile(true);').toString('base64'));
    expect(v).toContain('\\u0077hile(true);');
    expect(v).toContain('while(true);');
  });
  it('repeats URL decoding until stable, keeping each distinct round', () => {
    const v = decodeVariants('%25253Cscript%25253E');
    expect(v[0]).toBe('%25253Cscript%25253E');
    expect(v).toContain('%253Cscript%253E');
    expect(v).toContain('%3Cscript%3E');
    expect(v).toContain('<script>');
  });
  it('caps decoding at four rounds', () => {
    let s = '<';
    for (let i = 0; i < 8; i++) s = encodeURIComponent(s);
    const v = decodeVariants(s);
    expect(v).not.toContain('<');
    expect(v.length).toBe(5);
  });
  it('mixes layers: URL-encoded entities, escaped overlong bytes', () => {
    expect(decodeVariants('%26lt%3Bscript%26gt%3B')).toContain('<script>');
    expect(decodeVariants('%25c0%25ae%25c0%25ae/etc/passwd')).toContain('../etc/passwd');
  });
  it('adds fullwidth folding of the value and of decoded variants', () => {
    expect(decodeVariants('＇ ＯＲ １＝１')).toContain("' OR 1=1");
    expect(decodeVariants('%EF%BC%9Cscript%EF%BC%9E')).toContain('<script>');
  });
  it('adds base64 text of the value', () => {
    const encoded = Buffer.from('{{7*7}} ${jndi:ldap://x}').toString('base64');
    expect(decodeVariants(encoded)).toContain('{{7*7}} ${jndi:ldap://x}');
  });
  it('adds a +-as-space variant for raw values', () => {
    expect(decodeVariants("24'union+all+select+1,2")).toContain("24'union all select 1,2");
  });
  it('stops decoding when the budget is spent', () => {
    const budget = createDecodeBudget(10);
    expect(decodeVariants('%3Cscript%3Ealert(1)%3C/script%3E', budget)).toEqual([
      '%3Cscript%3Ealert(1)%3C/script%3E',
    ]);
    expect(budget.remaining).toBe(0);
  });
  it('never throws, keeps the value first, and returns few distinct variants (fuzz)', () => {
    const alphabet = fc.constantFrom(
      ...'%&#;\\ux+=<>/.aZ09{}$\u00ad\uff1c\u200b'.split(''),
      '%c0',
      '%ae',
      '%25',
      '&lt;',
      '&#x',
      '\\u00',
      '%u00',
      '\ud800',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(alphabet, { maxLength: 80 }).map((a) => a.join('')),
        ),
        (s) => {
          const v = decodeVariants(s);
          expect(v[0]).toBe(s);
          expect(new Set(v).size).toBe(v.length);
          expect(v.length).toBeLessThanOrEqual(12);
        },
      ),
      { numRuns: 1500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Fast paths against their plain definitions.

/** base64Text as first written: Buffer decoding, then a scan of the text. */
function base64TextPlain(s: string): string | undefined {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61) end--;
  if (end < 8 || end > 64 * 1024 || s.length - end > 2) return undefined;
  const body = s.slice(0, end);
  if (!/^[A-Za-z0-9+/_-]*$/.test(body) || end % 4 === 1) return undefined;
  const upper = /[A-Z]/.test(body);
  const lower = /[a-z]/.test(body);
  const digit = /[0-9+/_-]/.test(body);
  if (!(upper && lower) && !(digit && (upper || lower))) return undefined;
  const text = Buffer.from(body, 'base64').toString('utf8');
  if (text.length === 0 || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text))
    return undefined;
  return text;
}

describe('decode: fast paths', () => {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=';
  it('base64Text equals the Buffer-based definition', () => {
    // Not vacuous: printable, binary and non-ASCII texts all occur.
    expect(base64Text(Buffer.from('<script>alert(1)</script>').toString('base64'))).toBe(
      '<script>alert(1)</script>',
    );
    expect(base64Text(Buffer.from('café ünïcödé').toString('base64url'))).toBe('café ünïcödé');
    expect(base64Text('3f2b8c1e-9a4d-4e6f-8b21-7c5d0e9f1a23')).toBeUndefined();
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...B64), maxLength: 40 }), (s) => {
        expect(base64Text(s)).toBe(base64TextPlain(s));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (bytes, url) => {
        const s = Buffer.from(bytes).toString(url ? 'base64url' : 'base64');
        expect(base64Text(s)).toBe(base64TextPlain(s));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (t) => {
        const s = Buffer.from(t).toString('base64');
        expect(base64Text(s)).toBe(base64TextPlain(s));
      }),
      { numRuns: 3000 },
    );
  });
  it('a value mayDecode rejects is its only variant; decodeVariantsInto equals decodeVariants', () => {
    const out: string[] = ['stale'];
    const check = (v: string) => {
      const flags = scanValue(v);
      const plain = decodeVariants(v);
      if (!mayDecode(v, flags)) expect(plain).toEqual([v]);
      decodeVariantsInto(v, flags, createDecodeBudget(), out);
      expect(out).toEqual(plain);
    };
    for (const v of [
      'hello world',
      'a%2fb',
      '&lt;b&gt;',
      'a+b',
      'ＡＢＣ',
      'PHNjcmlwdD4=',
      'abc',
      '',
      '\\x3c',
    ])
      check(v);
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(
            'a',
            'Z',
            '0',
            '%',
            '2',
            'f',
            '&',
            ';',
            '\\',
            'u',
            '+',
            ' ',
            '=',
            'é',
            '＜',
            '/',
          ),
          maxLength: 24,
        }),
        (v) => check(v),
      ),
      { numRuns: 3000 },
    );
  });
});
