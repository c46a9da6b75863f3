import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/findings.js';
import { severityRank } from '../../src/core/taxonomy.js';
import { createDecodeBudget, decodeVariants } from '../../src/detect/decode.js';
import { compileEngine, type EngineValue } from '../../src/detect/engine.js';
import { ALL_DETECTORS_MASK, DETECTOR_BIT, DETECTOR_IDS, DETECTORS } from '../../src/detect/registry.js';

const value = (v: string, extra: Partial<EngineValue> = {}): EngineValue => ({
  value: v,
  location: 'query.q',
  source: 'query',
  profile: 'generic',
  ...extra,
});

const SQLI = "1' OR '1'='1' --";
const XSS = '<script>alert(document.cookie)</script>';

describe('engine', () => {
  const engine = compileEngine({ paranoia: 1, threshold: 0.5 });

  it('finds blatant attacks and passes benign values', () => {
    const found = engine.inspect([
      value(SQLI),
      value(XSS, { location: 'query.x' }),
      value('hello world', { location: 'query.h' }),
    ]);
    expect(found.some((f) => f.detector === 'sqli' && f.location === 'query.q')).toBe(true);
    expect(found.some((f) => f.detector === 'xss' && f.location === 'query.x')).toBe(true);
    expect(found.some((f) => f.location === 'query.h')).toBe(false);
  });
  it('inspects decoded variants (double URL encoding, entities, base64)', () => {
    const twice = encodeURIComponent(encodeURIComponent(XSS));
    expect(engine.inspect([value(twice)]).some((f) => f.detector === 'xss')).toBe(true);
    const b64 = Buffer.from(XSS).toString('base64');
    expect(engine.inspect([value(b64)]).some((f) => f.detector === 'xss')).toBe(true);
  });
  it('keeps only the strongest finding per (location, detector)', () => {
    const found = engine.inspect([value(XSS), value(`${XSS}<img src=x onerror=alert(1)>`)]);
    const xss = found.filter((f) => f.detector === 'xss' && f.location === 'query.q');
    expect(xss).toHaveLength(1);
  });
  it('reports nothing below the threshold', () => {
    const strict = compileEngine({ paranoia: 1, threshold: 1.01 });
    expect(strict.inspect([value(SQLI), value(XSS)])).toEqual([]);
  });
  it('runs only the detectors a value mask allows', () => {
    const noSqli = ALL_DETECTORS_MASK & ~DETECTOR_BIT.sqli;
    expect(engine.inspect([value(SQLI, { mask: noSqli })]).some((f) => f.detector === 'sqli')).toBe(false);
    expect(engine.inspect([value(SQLI, { mask: 0 })])).toEqual([]);
  });
  it('runs only the configured detectors; an empty list is empty', () => {
    const onlyXss = compileEngine({ paranoia: 1, threshold: 0.5, detectors: ['xss'] });
    const found = onlyXss.inspect([value(`${SQLI} ${XSS}`)]);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.detector === 'xss')).toBe(true);
    const none = compileEngine({ paranoia: 1, threshold: 0.5, detectors: [] });
    expect(none.empty).toBe(true);
    expect(none.inspect([value(SQLI)])).toEqual([]);
  });
  it('fills the location when a detector leaves it out', () => {
    for (const f of engine.inspect([value(SQLI, { location: 'body.$.a' })]))
      expect(f.location).toBe('body.$.a');
  });
  it('still inspects the raw value when the decode budget is spent', () => {
    const found = engine.inspect([value(XSS)], createDecodeBudget(0));
    expect(found.some((f) => f.detector === 'xss')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// The engine's cheap paths (no decoding for undecodable values, one reused variant array, the
// character triggers of triggers.ts, the per-call memo of detectors that found nothing without reading the
// location) against the plain algorithm: every allowed detector on every decoded variant of
// every value, each run given a fresh object.

function slowInspect(values: readonly EngineValue[], paranoia: 1 | 2 | 3, threshold: number): Finding[] {
  const runs = DETECTOR_IDS.map((id) => ({ id, run: DETECTORS[id].compile({ paranoia }) }));
  const best = new Map<string, Finding>();
  const budget = createDecodeBudget(1_000_000);
  for (const v of values) {
    const mask = v.mask ?? ALL_DETECTORS_MASK;
    const variants = decodeVariants(v.value, budget);
    for (const d of runs) {
      if ((mask & DETECTOR_BIT[d.id]) === 0) continue;
      for (const value of variants) {
        for (const f of d.run({ value, location: v.location, source: v.source, profile: v.profile })) {
          if (!(f.score >= threshold)) continue;
          const location = f.location ?? v.location;
          const key = `${location}\u0000${f.detector}`;
          const prev = best.get(key);
          const stronger =
            !prev ||
            f.score > prev.score ||
            (f.score === prev.score && severityRank(f.severity) > severityRank(prev.severity));
          if (stronger) best.set(key, { ...f, location });
        }
      }
    }
  }
  return [...best.values()];
}

const TABLE: EngineValue[] = [
  value('hello world'),
  value('hello world', { location: 'body.$.a', source: 'body' }),
  value('hello world', { location: 'body.$.b', source: 'body', profile: 'free-text' }),
  value(SQLI, { location: 'query.a' }),
  value(SQLI, { location: 'query.b' }),
  value(SQLI, { location: 'body.$.c', source: 'body', profile: 'llm-message' }),
  value(encodeURIComponent(SQLI), { location: 'path', source: 'path' }),
  value(XSS, { location: 'header.x-a', source: 'header' }),
  value(XSS, { location: 'header.x-b', source: 'header', mask: ALL_DETECTORS_MASK & ~DETECTOR_BIT.xss }),
  value('&lt;script&gt;alert(1)&lt;/script&gt;', { location: 'body.$.h', source: 'body' }),
  value(Buffer.from(XSS).toString('base64'), { location: 'cookie.b', source: 'cookie' }),
  value(Buffer.from(XSS).toString('base64'), { location: 'cookie.c', source: 'cookie' }),
  value('＜script＞alert(1)＜/script＞', { location: 'body.$.w', source: 'body' }),
  value('1 union select password from users', { location: 'query.u' }),
  value('1 union select password from users', { location: 'query.v', profile: 'identifier' }),
  value('whoami', { location: 'query.c' }),
  value('sleep 10', { location: 'query.d' }),
  value('2130706433', { location: 'body.$.url', source: 'body' }),
  value('http://169.254.169.254/latest/meta-data/', { location: 'body.$.url', source: 'body' }),
  value('http://169.254.169.254/latest/meta-data/', { location: 'header.referer', source: 'header' }),
  value('../../../../etc/passwd', { location: 'body.$.file', source: 'body' }),
  value('..%2f..%2f..%2fetc%2fpasswd', { location: 'query.file' }),
  value('user[$ne]', { location: 'query.user[$ne]', source: 'key' }),
  value('1', { location: 'query.user[$ne]' }),
  value('{"$gt": ""}', { location: 'body.$.p', source: 'body' }),
  value('{{7*7}}', { location: 'body.$.t', source: 'body' }),
  value('${jndi:ldap://x.example/a}', { location: 'header.user-agent', source: 'header' }),
  value('a\r\nSet-Cookie: x=1', { location: 'query.r' }),
  value('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', {
    location: 'body',
    source: 'body',
  }),
  value('3f2b8c1e-9a4d-4e6f-8b21-7c5d0e9f1a23', { location: 'body.$.id1', source: 'body' }),
  value('3f2b8c1e-9a4d-4e6f-8b21-7c5d0e9f1a23', { location: 'body.$.id2', source: 'body' }),
  value('blue+shoes', { location: 'path', source: 'path' }),
  value("Pat O'Brien", { location: 'body.$.n1', source: 'body' }),
  value("Pat O'Brien", { location: 'body.$.n2', source: 'body' }),
  value('%2527%2520OR%25201%253D1--', { location: 'query.e' }),
  // Words alone still reach path-traversal and xss (an earlier words-only shortcut skipped them).
  value('etcpasswd', { location: 'query.file' }),
  value('0x2e0x2e0x2fetc0x2fpasswd', { location: 'query.f' }),
  value('new function', { location: 'query.js' }),
  value('x', { location: 'query.user[$ne]' }),
];

describe('engine: cheap paths', () => {
  const engine = compileEngine({ paranoia: 1, threshold: 0.5 });
  for (const paranoia of [1, 2, 3] as const) {
    it(`finds exactly what the plain algorithm finds (paranoia ${paranoia})`, () => {
      const fast = compileEngine({ paranoia, threshold: 0.3 }).inspect(TABLE);
      const slow = slowInspect(TABLE, paranoia, 0.3);
      // Not vacuous: the table holds attacks of most kinds.
      expect(new Set(slow.map((f) => f.detector)).size).toBeGreaterThanOrEqual(6);
      expect(fast).toEqual(slow);
    });
  }
  it('runs path-traversal and xss on words alone', () => {
    const found = engine.inspect([
      value('etcpasswd', { location: 'query.file' }),
      value('new function', { location: 'query.js' }),
    ]);
    expect(found.some((f) => f.detector === 'path-traversal' && f.location === 'query.file')).toBe(true);
    expect(found.some((f) => f.detector === 'xss' && f.location === 'query.js')).toBe(true);
  });
  it('gives each value its own findings when the same string repeats (memo)', () => {
    const found = engine.inspect([
      value(SQLI, { location: 'query.a' }),
      value(SQLI, { location: 'query.b' }),
    ]);
    const at = found.filter((f) => f.detector === 'sqli').map((f) => f.location);
    expect(at.sort()).toEqual(['query.a', 'query.b']);
  });
  it('does not carry "nothing found" from a run that read the location', () => {
    // nosqli judges `.*` by where it is: harmless in `query.x`, an operator in `query.user[$ne]`.
    const nosqli = compileEngine({ paranoia: 1, threshold: 0.3, detectors: ['nosqli'] });
    const alone = nosqli.inspect([value('.*', { location: 'query.user[$ne]' })]);
    expect(alone.length).toBe(1);
    const both = nosqli.inspect([
      value('.*', { location: 'query.x' }),
      value('.*', { location: 'query.user[$ne]' }),
    ]);
    expect(both).toEqual(alone);
  });
  it('does not carry "nothing found" across profiles', () => {
    // The sqli detector finds nothing in this string as `code`, and a union-free ORDER BY probe
    // otherwise: the memo entry of the first value must not silence the second.
    const probe = "-7387'))) order by 1--";
    const sqli = compileEngine({ paranoia: 1, threshold: 0.3, detectors: ['sqli'] });
    expect(sqli.inspect([value(probe, { location: 'body.$.c', profile: 'code' })])).toEqual([]);
    const found = sqli.inspect([
      value(probe, { location: 'body.$.c', profile: 'code' }),
      value(probe, { location: 'body.$.q' }),
    ]);
    expect(found.map((f) => f.location)).toEqual(['body.$.q']);
  });
});

describe('engine: header and path values across calls', () => {
  /** An engine whose detector runs are counted per detector id. */
  function counted(opts: Partial<Parameters<typeof compileEngine>[0]> = {}) {
    const calls = new Map<string, number>();
    const engine = compileEngine({
      paranoia: 1,
      threshold: 0.5,
      ...opts,
      wrapDetector: (id, run) => (input) => {
        calls.set(id, (calls.get(id) ?? 0) + 1);
        return (opts.wrapDetector ?? ((_, r) => r))(id, run)(input);
      },
    });
    const total = () => [...calls.values()].reduce((a, b) => a + b, 0);
    return { engine, calls, total };
  }
  const UA = value('Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0', {
    location: 'header.user-agent',
    source: 'header',
  });

  it('does not run again a detector that found nothing in the same header string', () => {
    const { engine, total } = counted();
    expect(engine.inspect([UA])).toEqual([]);
    const first = total();
    expect(first).toBeGreaterThan(0);
    expect(engine.inspect([{ ...UA, location: 'header.x-client' }])).toEqual([]);
    // Only the runs that read the location (their "nothing" may depend on it) come back.
    expect(total() - first).toBeLessThan(first / 2);
  });
  it('finds the same in a repeated request, attack or not (TABLE twice)', () => {
    for (const paranoia of [1, 2, 3] as const) {
      const engine = compileEngine({ paranoia, threshold: 0.3 });
      const once = engine.inspect(TABLE);
      expect(engine.inspect(TABLE)).toEqual(once);
      expect(engine.inspect(TABLE)).toEqual(slowInspect(TABLE, paranoia, 0.3));
    }
  });
  it('keeps nothing across calls for body, query and cookie values', () => {
    for (const source of ['body', 'query', 'cookie'] as const) {
      const { engine, total } = counted();
      const v = { ...UA, source, location: `${source}.ua` };
      engine.inspect([v]);
      const first = total();
      engine.inspect([v]);
      expect(total()).toBe(2 * first);
    }
  });
  it('does not carry "nothing found" across sources or profiles', () => {
    const probe = "-7387'))) order by 1--";
    const sqli = compileEngine({ paranoia: 1, threshold: 0.3, detectors: ['sqli'] });
    const asCode = value(probe, { location: 'header.x-a', source: 'header', profile: 'code' });
    expect(sqli.inspect([asCode])).toEqual([]);
    const found = sqli.inspect([value(probe, { location: 'header.x-b', source: 'header' })]);
    expect(found.map((f) => f.location)).toEqual(['header.x-b']);
  });
  it('is bounded: the oldest strings are dropped first', () => {
    const { engine, total } = counted();
    engine.inspect([UA]);
    const first = total();
    for (let i = 0; i < 1100; i++) engine.inspect([{ ...UA, value: `${UA.value} ${i}` }]);
    const before = total();
    engine.inspect([UA]);
    expect(total() - before).toBe(first);
  });
  it('does not keep the "nothing" of a detector compiled with options of its own', () => {
    // The wrapper hides the location from ssrf, so only the options keep its "nothing" per call.
    const hide: NonNullable<Parameters<typeof compileEngine>[0]['wrapDetector']> = (_id, run) => (input) =>
      run({ value: input.value, location: 'header.x', source: input.source, profile: input.profile });
    const plain = counted({ wrapDetector: hide, detectors: ['ssrf'] });
    plain.engine.inspect([UA]);
    plain.engine.inspect([UA]);
    expect(plain.calls.get('ssrf')).toBe(1);
    const withOptions = counted({
      wrapDetector: hide,
      detectors: ['ssrf'],
      detectorOptions: { ssrf: { dns: { check: () => undefined } } },
    });
    withOptions.engine.inspect([UA]);
    withOptions.engine.inspect([UA]);
    expect(withOptions.calls.get('ssrf')).toBe(2);
  });
});

describe('SSRF DNS check wired through the engine', () => {
  it('flags a host name that resolves to an internal address once its lookup is cached', async () => {
    const { createDnsResolverCheck } = await import('../../src/detect/ssrf.js');
    let lookups = 0;
    const dns = createDnsResolverCheck({
      lookupAll: async (host) => {
        lookups++;
        return host === 'build.corp.example' ? ['10.0.0.5'] : ['93.184.216.34'];
      },
    });
    const withDns = compileEngine({ paranoia: 1, threshold: 0.5, detectorOptions: { ssrf: { dns } } });
    const withoutDns = compileEngine({ paranoia: 1, threshold: 0.5 });
    const internal = value('http://build.corp.example/hook', { location: 'body.$.callback_url' });
    const external = value('http://www.example.com/hook', { location: 'body.$.callback_url' });
    withDns.inspect([internal, external]); // first sight: lookups start in the background
    await dns.resolve('build.corp.example');
    await dns.resolve('www.example.com');
    expect(lookups).toBeGreaterThan(0);
    expect(withDns.inspect([internal]).some((f) => f.detector === 'ssrf')).toBe(true);
    expect(withDns.inspect([external]).some((f) => f.detector === 'ssrf')).toBe(false);
    expect(withoutDns.inspect([internal]).some((f) => f.detector === 'ssrf')).toBe(false);
  });
});
