import type { ScanReport } from '../types.js';

/** The JSON report: stable key order, documented in docs/scan.md. */
export function renderJson(report: ScanReport): string {
  const findings = report.findings.map((f) => ({
    id: f.id,
    category: f.category,
    subtype: f.subtype,
    severity: f.severity,
    confidence: f.confidence,
    operation: f.operation,
    location: f.location ?? null,
    title: f.title,
    description: f.description,
    check: f.check,
    cwe: f.cwe ?? null,
    baselined: !!f.baselined,
    evidence: { request: f.evidence.request, response: f.evidence.response, curl: f.evidence.curl },
    remediation: f.remediation,
  }));
  return `${JSON.stringify(
    {
      schemaVersion: report.schemaVersion,
      tool: report.tool,
      target: report.target,
      spec: report.spec,
      startedAt: report.startedAt,
      duration: report.duration,
      summary: report.summary,
      findings,
    },
    null,
    2,
  )}\n`;
}
