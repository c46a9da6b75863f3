import { describe, expect, it } from 'vitest';
import { makeAjv } from './ajv.js';
import { fingerprint } from '../../src/scan/context.js';
import { renderHtml } from '../../src/scan/reporters/html.js';
import { renderJson } from '../../src/scan/reporters/json.js';
import { renderJunit, xmlEscape } from '../../src/scan/reporters/junit.js';
import { renderMarkdown } from '../../src/scan/reporters/markdown.js';
import { renderSarif } from '../../src/scan/reporters/sarif.js';
import type { ScanFinding, ScanReport } from '../../src/scan/types.js';
import { SARIF_SUBSET_SCHEMA } from './sarif-subset.schema.js';

function finding(over: Partial<ScanFinding>): ScanFinding {
  const base = {
    category: 'injection',
    subtype: 'sqli',
    check: 'sqli',
    severity: 'critical',
    confidence: 0.9,
    operation: 'GET /api/products',
    location: 'query.q',
    title: 'SQL injection in query.q <script>',
    description: 'A quote & friends broke the query "x".',
    evidence: {
      request: 'GET /api/products?q=%27 HTTP/1.1\nhost: 127.0.0.1',
      response: 'HTTP/1.1 500\n\n{"error":"near \\"\'\\": syntax error \u0001"}',
      curl: "curl -i -X GET 'http://127.0.0.1/api/products?q='\\'''",
    },
    remediation: 'Use parameterised queries.',
    cwe: 89,
    ...over,
  } as ScanFinding;
  base.id = fingerprint(base.category, base.subtype, base.operation);
  return base;
}

function sampleReport(): ScanReport {
  const findings = [
    finding({}),
    finding({
      category: 'cross-site',
      subtype: 'cors-misconfig',
      check: 'cors',
      severity: 'high',
      operation: '*',
      location: undefined,
      cwe: 942,
    }),
    finding({
      category: 'inventory',
      subtype: 'zombie-endpoint',
      check: 'deprecated-operations',
      severity: 'low',
      operation: 'GET /api/v1/users',
      baselined: true,
    }),
  ];
  return {
    tool: { name: 'palisade-scan', version: '0.1.0' },
    schemaVersion: 1,
    target: 'http://127.0.0.1:8080',
    spec: 'test/fixtures/vuln-api/openapi.yaml',
    startedAt: '2026-01-01T00:00:00.000Z',
    duration: 12.3,
    summary: {
      total: 3,
      new: 2,
      bySeverity: { critical: 1, high: 1, medium: 0, low: 1, info: 0 },
      byCategory: { injection: 1, 'cross-site': 1, inventory: 1 },
      operations: 3,
      requests: 100,
      checksRun: ['sqli', 'cors', 'deprecated-operations'],
      checksSkipped: [{ check: 'xss', reason: 'time budget exhausted' }],
      budgetExhausted: true,
    },
    findings,
  };
}

const OPS = ['GET /api/products', 'GET /api/v1/users', 'POST /api/notes'];

/** Minimal XML well-formedness: balanced tags, quoted attributes, only known entities. */
function wellFormed(xml: string): string | undefined {
  let s = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const text = s.slice(i, lt < 0 ? s.length : lt);
    for (let k = text.indexOf('&'); k >= 0; k = text.indexOf('&', k + 1)) {
      if (!/^&(amp|lt|gt|quot|apos|#\d+);/.test(text.slice(k)))
        return `bad entity at ${text.slice(k, k + 10)}`;
    }
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) return 'control character in text';
    if (lt < 0) break;
    const gt = s.indexOf('>', lt);
    if (gt < 0) return 'unterminated tag';
    const tag = s.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      if (stack.pop() !== tag.slice(1).trim()) return `mismatched </${tag.slice(1)}>`;
    } else {
      const m = /^([A-Za-z_][\w.-]*)((\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)$/.exec(tag);
      if (!m) return `bad tag <${tag.slice(0, 40)}>`;
      for (const v of m[2].matchAll(/="([^"]*)"/g)) {
        for (let k = v[1].indexOf('&'); k >= 0; k = v[1].indexOf('&', k + 1)) {
          if (!/^&(amp|lt|gt|quot|apos|#\d+);/.test(v[1].slice(k))) return 'bad entity in attribute';
        }
      }
      if (!m[4]) stack.push(m[1]);
    }
    i = gt + 1;
  }
  s = '';
  return stack.length ? `unclosed ${stack.join(',')}` : undefined;
}

describe('SARIF reporter', () => {
  const ajv = makeAjv();
  const validate = ajv.compile(SARIF_SUBSET_SCHEMA);

  it('validates against the SARIF 2.1.0 schema subset', () => {
    const sarif = JSON.parse(renderSarif(sampleReport()));
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
  });

  it('has rules with ids, results with ruleId, level, locations and fingerprints; skips baselined', () => {
    const sarif = JSON.parse(renderSarif(sampleReport()));
    const run = sarif.runs[0];
    expect(run.tool.driver.rules.map((r: any) => r.id).sort()).toEqual([
      'cross-site/cors-misconfig',
      'injection/sqli',
    ]);
    expect(run.results).toHaveLength(2);
    const r = run.results[0];
    expect(r.ruleId).toBe('injection/sqli');
    expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    expect(r.level).toBe('error');
    expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe('test/fixtures/vuln-api/openapi.yaml');
    expect(r.locations[0].logicalLocations[0].fullyQualifiedName).toBe('GET /api/products');
    expect(r.partialFingerprints['palisadeFinding/v1']).toMatch(/^[0-9a-f]{24}$/);
    expect(run.tool.driver.rules[0].properties['security-severity']).toMatch(/^\d+\.\d$/);
  });

  it('rejects a broken document (the schema is not vacuous)', () => {
    const sarif = JSON.parse(renderSarif(sampleReport()));
    sarif.runs[0].results[0].level = 'fatal';
    delete sarif.runs[0].tool.driver.name;
    expect(validate(sarif)).toBe(false);
  });
});

describe('JUnit reporter', () => {
  it('is well-formed XML with one test case per check × operation', () => {
    const xml = renderJunit(sampleReport(), OPS);
    expect(wellFormed(xml)).toBeUndefined();
    const cases = xml.match(/<testcase /g) ?? [];
    // 3 checks × 3 operations, +1 for the API-wide CORS case, +1 skipped check
    expect(cases.length).toBe(3 * 3 + 1 + 1);
    expect((xml.match(/<failure /g) ?? []).length).toBe(2);
    expect(xml).toContain('<skipped message="time budget exhausted"/>');
  });
  it('the checker catches malformed XML', () => {
    expect(wellFormed('<a><b></a>')).toBeDefined();
    expect(wellFormed('<a>x & y</a>')).toBeDefined();
    expect(xmlEscape('<&"\u0001>')).toBe('&lt;&amp;&quot;&gt;');
  });
});

describe('JSON reporter', () => {
  it('follows the documented schema', () => {
    const doc = JSON.parse(renderJson(sampleReport()));
    expect(Object.keys(doc)).toEqual([
      'schemaVersion',
      'tool',
      'target',
      'spec',
      'startedAt',
      'duration',
      'summary',
      'findings',
    ]);
    const f = doc.findings[0];
    expect(Object.keys(f)).toEqual([
      'id',
      'category',
      'subtype',
      'severity',
      'confidence',
      'operation',
      'location',
      'title',
      'description',
      'check',
      'cwe',
      'baselined',
      'evidence',
      'remediation',
    ]);
    expect(Object.keys(f.evidence)).toEqual(['request', 'response', 'curl']);
    expect(doc.findings[1].operation).toBe('*');
    expect(doc.findings[2].baselined).toBe(true);
    expect(typeof doc.duration).toBe('number');
  });
});

describe('HTML reporter', () => {
  it('is self-contained with an inline SVG chart and escaped content', () => {
    const html = renderHtml(sampleReport());
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/\s(src|href)=["']?https?:/i);
    expect(html).not.toContain('<script');
    expect(html).toContain('SQL injection in query.q &lt;script&gt;');
    expect(html).toMatch(/<rect [^>]*fill="#7f1d1d"/);
  });
});

describe('Markdown reporter', () => {
  it('summarises new findings for a PR comment', () => {
    const md = renderMarkdown(sampleReport());
    expect(md).toContain('2 new findings');
    expect(md).toContain('| critical | injection/sqli | `GET /api/products` |');
    expect(md).toContain('1 known finding accepted by the baseline');
    expect(md).toContain('```sh');
  });
});
