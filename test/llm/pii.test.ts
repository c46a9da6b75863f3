import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PII_KINDS, type PiiKind } from '../../src/config/sections/llm.js';
import { cardValid, ibanValid, luhn } from '../../src/llm/pii/checks.js';
import { createPseudonymiser, findPlaceholders, maskToken, redact } from '../../src/llm/pii/redact.js';
import { compilePiiScanner } from '../../src/llm/pii/scan.js';

const scan = compilePiiScanner(PII_KINDS);
const kinds = (text: string) => scan(text).map((m) => m.kind);
const found = (text: string) => scan(text).map((m) => text.slice(m.start, m.end));

// Fixtures are well-known documentation/test values (not real people or live keys).
const POSITIVE: [string, PiiKind, string][] = [
  ['mail me at jane.doe+test@example.co.uk today', 'email', 'jane.doe+test@example.co.uk'],
  ['card 4111 1111 1111 1111 exp 12/29', 'card', '4111 1111 1111 1111'],
  ['card 4111-1111-1111-1111.', 'card', '4111-1111-1111-1111'],
  ['amex 378282246310005', 'card', '378282246310005'],
  ['IBAN DE89 3704 0044 0532 0130 00, thanks', 'iban', 'DE89 3704 0044 0532 0130 00'],
  ['iban GB82WEST12345698765432', 'iban', 'GB82WEST12345698765432'],
  ['SSN 123-45-6789', 'us-ssn', '123-45-6789'],
  ['NI number AB 12 34 56 C please', 'uk-nino', 'AB 12 34 56 C'],
  ['NI AB123456C', 'uk-nino', 'AB123456C'],
  ['call +44 20 7946 0958 now', 'phone', '+44 20 7946 0958'],
  ['call (555) 123-4567 now', 'phone', '(555) 123-4567'],
  ['call 555-123-4567', 'phone', '555-123-4567'],
  ['server 192.168.10.4 is down', 'ip', '192.168.10.4'],
  ['key AKIAIOSFODNN7EXAMPLE ok', 'aws-access-key', 'AKIAIOSFODNN7EXAMPLE'],
  [
    'token ghp_0123456789abcdefghijABCDEFGHIJ012345',
    'github-token',
    'ghp_0123456789abcdefghijABCDEFGHIJ012345',
  ],
  ['xoxb-1234567890-abcdefghij', 'slack-token', 'xoxb-1234567890-abcdefghij'],
  ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'stripe-key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
  [
    'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789',
    'openai-key',
    'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789',
  ],
  [
    'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEF',
    'anthropic-key',
    'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEF',
  ],
  ['AIzaSyA1234567890abcdefghijklmnopqrstuv', 'google-api-key', 'AIzaSyA1234567890abcdefghijklmnopqrstuv'],
  [
    'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end',
    'jwt',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  ],
  ['api_key = "Zx8Qp2Lm9Rt4Vw7Yb3Nc6Hd1Kf5Gj0Ts"', 'high-entropy', 'Zx8Qp2Lm9Rt4Vw7Yb3Nc6Hd1Kf5Gj0Ts'],
];

const NEGATIVE = [
  'card 4111 1111 1111 1112', // Luhn fails
  'order 1234 5678 9012 3456', // Luhn fails
  'IBAN DE89 3704 0044 0532 0130 01', // checksum fails
  'version 1.2.3.4567 and 10.0.0 released',
  'SSN 000-12-3456 and 666-12-3456 and 900-12-3456',
  'NI DQ123456C', // D is not a valid first letter
  'pi is 3.14159265358979323846',
  'the hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'commit d41d8cd98f00b204e9800998ecf8427e',
  'uuid 123e4567-e89b-12d3-a456-426614174000',
  'email me at the office @ noon',
  'a task-list: sk-learn is a library',
  'in 2024 we sold 1500000 units for 37 euros',
  'Zx8Qp2Lm9Rt4Vw7Yb3Nc6Hd1Kf5Gj0Ts without any naming',
];

describe('PII and secret scanners', () => {
  it.each(POSITIVE)('finds %s', (text, kind, value) => {
    const hit = scan(text).find((m) => m.kind === kind);
    expect(hit, `${kind} in ${text}`).toBeDefined();
    expect(text.slice(hit!.start, hit!.end)).toBe(value);
  });

  it.each(NEGATIVE)('does not flag %s', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('finds a PEM private key block', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----';
    expect(kinds(`here:\n${pem}\nbye`)).toEqual(['private-key']);
    expect(found('-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----')).toEqual([]);
  });

  it('checks Luhn and IBAN checksums', () => {
    expect(luhn('79927398713')).toBe(true);
    expect(luhn('79927398710')).toBe(false);
    expect(cardValid('4111111111111111')).toBe(true);
    expect(cardValid('1111111111111117')).toBe(false); // issuer range
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('GB82WEST12345698765431')).toBe(false);
  });

  it('only looks for the configured kinds', () => {
    const emailOnly = compilePiiScanner(['email']);
    expect(emailOnly('a@b.io 4111 1111 1111 1111').map((m) => m.kind)).toEqual(['email']);
  });

  it('stays linear on long hostile input', () => {
    for (const hostile of [
      '@'.repeat(50_000),
      '1 '.repeat(50_000),
      'a@'.repeat(30_000),
      '(555) '.repeat(20_000),
      'AB12 '.repeat(20_000),
    ])
      expect(() => scan(hostile)).not.toThrow();
  });

  it('never throws and returns sorted, non-overlapping spans', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789 -+().@abcXYZ_:AKIA'.split('')), maxLength: 200 }),
        (s) => {
          const ms = scan(s);
          for (let i = 1; i < ms.length; i++) expect(ms[i].start).toBeGreaterThanOrEqual(ms[i - 1].end);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('masking and pseudonymisation', () => {
  const p = createPseudonymiser('test-key');

  it('masks with the kind', () => {
    const text = 'card 4111 1111 1111 1111 and a@b.io';
    expect(redact(text, scan(text), 'mask', p)).toBe(`card ${maskToken('card')} and ${maskToken('email')}`);
  });

  it('gives stable placeholders and restores them', () => {
    const text = 'pay 4111 1111 1111 1111 then 4111 1111 1111 1111, mail a@b.io';
    const map = new Map<string, string>();
    const out = redact(text, scan(text), 'pseudonymise', p, map);
    const placeholders = out.match(/\[[A-Z_]+_[0-9a-f]{8}\]/g)!;
    expect(placeholders).toHaveLength(3);
    expect(placeholders[0]).toBe(placeholders[1]);
    expect(createPseudonymiser('test-key').placeholder('card', '4111 1111 1111 1111')).toBe(placeholders[0]);
    let restored = out;
    for (const ph of findPlaceholders(out, 0, map).reverse())
      restored = restored.slice(0, ph.start) + ph.value + restored.slice(ph.end);
    expect(restored).toBe(text);
    expect(findPlaceholders('[CARD_00000000]', 0, map)).toEqual([]);
  });
});
