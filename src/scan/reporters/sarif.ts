import { relative } from 'node:path';
import { TAXONOMY } from '../../core/taxonomy.js';
import type { ScanFinding, ScanReport } from '../types.js';

const LEVEL: Record<string, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};
const SCORE: Record<string, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

function ruleId(f: Pick<ScanFinding, 'category' | 'subtype'>): string {
  return `${f.category}/${f.subtype}`;
}

function artifactUri(spec: string): string {
  if (/^https?:\/\//i.test(spec)) return spec;
  const rel = relative(process.cwd(), spec) || spec;
  return rel.split('\\').join('/');
}

/** SARIF 2.1.0 for code scanning: one rule per taxonomy subtype, results located at the spec. */
export function renderSarif(report: ScanReport): string {
  const findings = report.findings.filter((f) => !f.baselined);
  const rules = new Map<string, { f: ScanFinding; maxSeverity: string }>();
  for (const f of findings) {
    const id = ruleId(f);
    const prev = rules.get(id);
    if (!prev || SCORE[f.severity] > SCORE[prev.maxSeverity]) rules.set(id, { f, maxSeverity: f.severity });
  }
  const ruleList = [...rules.entries()].map(([id, { f, maxSeverity }]) => ({
    id,
    name: id
      .replace(/[^A-Za-z0-9]+(.)/g, (_m, c: string) => c.toUpperCase())
      .replace(/^./, (c) => c.toUpperCase()),
    shortDescription: { text: `${f.category}: ${f.subtype}` },
    fullDescription: { text: f.title },
    help: { text: f.remediation, markdown: f.remediation },
    defaultConfiguration: { level: LEVEL[maxSeverity] },
    properties: {
      tags: ['security', f.category, ...(f.cwe ? [`external/cwe/cwe-${f.cwe}`] : [])],
      'security-severity': SCORE[maxSeverity],
      precision: 'high',
    },
  }));
  const index = new Map(ruleList.map((r, i) => [r.id, i]));
  const uri = artifactUri(report.spec);
  const results = findings.map((f) => ({
    ruleId: ruleId(f),
    ruleIndex: index.get(ruleId(f)),
    level: LEVEL[f.severity],
    message: {
      text: `${f.title} (${f.operation}${f.location ? `, ${f.location}` : ''}). ${f.description}\nReproduce: ${f.evidence.curl}`,
    },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } },
        logicalLocations: [{ name: f.operation, fullyQualifiedName: f.operation, kind: 'function' }],
      },
    ],
    partialFingerprints: { 'palisadeFinding/v1': f.id },
    properties: {
      severity: f.severity,
      confidence: f.confidence,
      operation: f.operation,
      category: f.category,
      subtype: f.subtype,
    },
  }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'palisade-scan',
            version: report.tool.version,
            informationUri: 'https://github.com/palisade/palisade',
            rules: ruleList,
          },
        },
        automationDetails: { id: `palisade-scan/${report.target}` },
        artifacts: [{ location: { uri } }],
        results,
        invocations: [
          {
            executionSuccessful: true,
            startTimeUtc: report.startedAt,
            endTimeUtc: new Date(Date.parse(report.startedAt) + report.duration * 1000).toISOString(),
          },
        ],
      },
    ],
  };
  void TAXONOMY;
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
