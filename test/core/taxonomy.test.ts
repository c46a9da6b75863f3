import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isThreat, SEVERITIES, TAXONOMY } from '../../src/core/taxonomy.js';

interface TaxonomyFile {
  severities: string[];
  categories: { id: string; subtypes: string[] }[];
}

// The taxonomy is owned by shared/taxonomy.yaml beside the checkout (as in CI). A snapshot in
// test/fixtures keeps a clone without that folder checked too; when the folder is there, the
// snapshot must equal it, so the snapshot cannot drift.
const sharedUrl = new URL('../../../shared/taxonomy.yaml', import.meta.url);
const snapshotUrl = new URL('../fixtures/taxonomy.yaml', import.meta.url);
const read = (url: URL) => parse(readFileSync(url, 'utf8')) as TaxonomyFile;

describe('taxonomy', () => {
  it('mirrors the taxonomy file exactly (shared/taxonomy.yaml, or its snapshot)', () => {
    const file = read(existsSync(sharedUrl) ? sharedUrl : snapshotUrl);
    expect(Object.fromEntries(file.categories.map((c) => [c.id, c.subtypes]))).toEqual(TAXONOMY);
    expect(file.severities).toEqual([...SEVERITIES]);
  });
  it.runIf(existsSync(sharedUrl))('keeps its snapshot equal to shared/taxonomy.yaml', () => {
    expect(read(snapshotUrl)).toEqual(read(sharedUrl));
  });
  it('checks category/subtype pairs', () => {
    expect(isThreat('injection', 'sqli')).toBe(true);
    expect(isThreat('injection', 'bola')).toBe(false);
    expect(isThreat('nope', 'sqli')).toBe(false);
  });
});
