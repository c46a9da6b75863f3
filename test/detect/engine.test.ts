import { describe, expect, it } from 'vitest';
import { createDecodeBudget } from '../../src/detect/decode.js';
import { compileEngine, type EngineValue } from '../../src/detect/engine.js';
import { ALL_DETECTORS_MASK, DETECTOR_BIT } from '../../src/detect/registry.js';

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
