import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SEVERITIES, TAXONOMY, isThreat } from '../../src/core/taxonomy.js';

describe('taxonomy', () => {
  it('matches shared/taxonomy.yaml exactly', () => {
    const shared = parse(readFileSync(new URL('../../../shared/taxonomy.yaml', import.meta.url), 'utf8')) as {
      severities: string[];
      categories: { id: string; subtypes: string[] }[];
    };
    expect(Object.fromEntries(shared.categories.map((c) => [c.id, c.subtypes]))).toEqual(TAXONOMY);
    expect(shared.severities).toEqual([...SEVERITIES]);
  });
  it('checks category/subtype pairs', () => {
    expect(isThreat('injection', 'sqli')).toBe(true);
    expect(isThreat('injection', 'bola')).toBe(false);
    expect(isThreat('nope', 'sqli')).toBe(false);
  });
});
