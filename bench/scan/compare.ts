// Compares palisade scan and wapiti findings with the planted weaknesses of the vulnerable
// fixture. Usage: node --import tsx bench/scan/compare.ts <palisade.json> <wapiti.json> <palisadeSeconds> <wapitiSeconds> <out.json> [wapitiVersion]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadApi } from '../../src/scan/spec/load.js';
import { SPEC_PATH } from '../../test/fixtures/vuln-api/app.js';

interface Planted {
  category: string;
  subtype: string;
  operation: string;
}
interface Found {
  category: string;
  operation: string;
  label: string;
}

const [palisadeFile, wapitiFile, palisadeSec, wapitiSec, outFile, wapitiVersion] = process.argv.slice(2);

function planted(): Planted[] {
  const md = readFileSync(join(import.meta.dirname, '../../test/fixtures/vuln-api/PLANTED.md'), 'utf8');
  const rows: Planted[] = [];
  for (const line of md.split('\n')) {
    const c = line.split('|').map((x) => x.trim());
    if (c.length >= 6 && /^\d+$/.test(c[1])) rows.push({ category: c[2], subtype: c[3], operation: c[4] });
  }
  return rows;
}

const WAPITI_CATEGORY: Record<string, string> = {
  'SQL Injection': 'injection',
  'Blind SQL Injection': 'injection',
  'Command execution': 'injection',
  'Path Traversal': 'injection',
  'XML External Entity': 'injection',
  'CRLF Injection': 'injection',
  'Cross Site Scripting': 'cross-site',
  'Stored Cross Site Scripting': 'cross-site',
  'Open Redirect': 'cross-site',
  'Server Side Request Forgery': 'ssrf',
  'Content Security Policy Configuration': 'inventory',
  'Clickjacking Protection': 'inventory',
  'MIME Type Confusion': 'inventory',
  'HTTP Secure Headers': 'inventory',
  'Backup file': 'inventory',
  'Potentially dangerous file': 'inventory',
  'Htaccess Bypass': 'inventory',
  'Weak credentials': 'weak-secrets-crypto',
  'Internal Server Error': 'api-leak',
  'Resource consumption': 'resource-consumption',
};

async function main() {
  const api = await loadApi(SPEC_PATH);
  const templates = api.operations.map((o) => ({
    key: o.key,
    method: o.method,
    re: new RegExp(`^${o.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
  }));
  const toOperation = (method: string, path: string) => {
    const p = path.split('?')[0];
    return (
      templates.find((t) => t.method === method.toUpperCase() && t.re.test(p))?.key ??
      `${method.toUpperCase()} ${p}`
    );
  };
  const plantedRows = planted();
  const pal = JSON.parse(readFileSync(palisadeFile, 'utf8'));
  const palFound: Found[] = pal.findings.map((f: any) => ({
    category: f.category,
    operation: f.operation,
    label: `${f.category}/${f.subtype}`,
  }));
  let wapFound: Found[] = [];
  let wapitiError: string | undefined;
  try {
    const w = JSON.parse(readFileSync(wapitiFile, 'utf8'));
    for (const section of ['vulnerabilities', 'anomalies']) {
      for (const [name, list] of Object.entries<any[]>(w[section] ?? {})) {
        for (const v of list ?? []) {
          const category = WAPITI_CATEGORY[name] ?? 'other';
          wapFound.push({ category, operation: toOperation(v.method ?? 'GET', v.path ?? '/'), label: name });
        }
      }
    }
  } catch (err) {
    wapitiError = (err as Error).message;
    wapFound = [];
  }
  const score = (found: Found[]) => {
    const hit = plantedRows.filter((p) =>
      found.some((f) => f.category === p.category && f.operation === p.operation),
    );
    const missed = plantedRows.filter((p) => !hit.includes(p));
    const distinct = [...new Map(found.map((f) => [`${f.category} ${f.operation}`, f])).values()];
    const extra = distinct.filter(
      (f) => !plantedRows.some((p) => p.category === f.category && p.operation === f.operation),
    );
    return {
      found: hit.length,
      missed: missed.length,
      recall: Math.round((hit.length / plantedRows.length) * 1000) / 1000,
      notPlanted: extra.length,
      missedList: missed.map((m) => `${m.category} ${m.operation}`),
      notPlantedList: extra.map((e) => `${e.label} ${e.operation}`),
    };
  };
  const result = {
    benchmark: 'palisade scan vs wapiti 3 on test/fixtures/vuln-api',
    date: new Date().toISOString(),
    machine: '2 vCPU shared, loopback target',
    planted: plantedRows.length,
    matching:
      'a planted weakness is found when a finding has the same taxonomy category and operation (METHOD /path/{template}); wapiti paths are mapped to templates',
    notPlantedMeaning:
      'distinct (category, operation) findings not in PLANTED.md: false positives or real but unplanted issues',
    palisade: { wallSeconds: Number(palisadeSec), ...score(palFound) },
    wapiti: {
      version: wapitiVersion ?? 'unknown',
      wallSeconds: Number(wapitiSec),
      ...score(wapFound),
      ...(wapitiError ? { error: wapitiError } : {}),
      note: 'wapiti crawls HTML and does not read OpenAPI (3.0.x); it was given every GET operation as a start URL with sample values and the identity A header',
    },
  };
  writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `${JSON.stringify({ palisade: result.palisade.recall, wapiti: result.wapiti.recall }, null, 0)}\n`,
  );
}

await main();
