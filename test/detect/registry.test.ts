import { describe, expect, it } from 'vitest';
import { isThreat, TAXONOMY } from '../../src/core/taxonomy.js';
import {
  ALL_DETECTORS_MASK,
  DETECTOR_BIT,
  DETECTOR_IDS,
  DETECTORS,
  detectorMask,
  isDetectorId,
} from '../../src/detect/registry.js';

describe('detector registry', () => {
  it('has exactly one value detector per id, under its own id', () => {
    expect(Object.keys(DETECTORS).sort()).toEqual([...DETECTOR_IDS].sort());
    expect(new Set(DETECTOR_IDS).size).toBe(DETECTOR_IDS.length);
    for (const id of DETECTOR_IDS) {
      const d = DETECTORS[id];
      expect(d.kind, id).toBe('value');
      expect(d.id, id).toBe(id);
      expect(Object.keys(TAXONOMY), id).toContain(d.category);
    }
  });
  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(DETECTORS)).toBe(true);
    expect(() => {
      (DETECTORS as Record<string, unknown>).sqli = undefined;
    }).toThrow();
  });
  it('gives each detector its own bit', () => {
    const bits = DETECTOR_IDS.map((id) => DETECTOR_BIT[id]);
    expect(new Set(bits).size).toBe(bits.length);
    expect(detectorMask(DETECTOR_IDS)).toBe(ALL_DETECTORS_MASK);
    expect(detectorMask(['sqli', 'xss'])).toBe(DETECTOR_BIT.sqli | DETECTOR_BIT.xss);
    expect(isDetectorId('sqli')).toBe(true);
    expect(isDetectorId('protocol')).toBe(false);
  });
  it('compiles every detector at every paranoia level, and findings use taxonomy ids', () => {
    for (const id of DETECTOR_IDS) {
      for (const paranoia of [1, 2, 3] as const) {
        const run = DETECTORS[id].compile({ paranoia });
        const found = run({
          value: "' OR 1=1 -- <script>../../etc/passwd ${jndi:ldap://x}",
          location: 'query.q',
          source: 'query',
          profile: 'generic',
        });
        for (const f of found)
          expect(isThreat(f.category, f.subtype), `${id}: ${f.category}/${f.subtype}`).toBe(true);
      }
    }
  });
});
