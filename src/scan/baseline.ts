import { readFile } from 'node:fs/promises';

/**
 * Reads accepted findings: a previous JSON report (`findings[].id`), a SARIF file
 * (`partialFingerprints`), or a text file with one fingerprint per line (# comments).
 */
export async function readBaseline(file: string): Promise<Set<string>> {
  const text = await readFile(file, 'utf8');
  const ids = new Set<string>();
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    const doc = JSON.parse(text);
    if (Array.isArray(doc.findings))
      for (const f of doc.findings) if (typeof f?.id === 'string') ids.add(f.id);
    if (Array.isArray(doc.runs)) {
      for (const run of doc.runs) {
        for (const r of Array.isArray(run?.results) ? run.results : []) {
          const fp = r?.partialFingerprints?.['palisadeFinding/v1'];
          if (typeof fp === 'string') ids.add(fp);
        }
      }
    }
    if (Array.isArray(doc.accepted)) for (const a of doc.accepted) if (typeof a === 'string') ids.add(a);
    return ids;
  }
  for (const line of text.split('\n')) {
    const t = line.replace(/#.*/, '').trim();
    if (t) ids.add(t.split(/\s+/)[0]);
  }
  return ids;
}
