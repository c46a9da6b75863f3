import type { ScanReport } from '../types.js';

export function xmlEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&apos;';
    else if (c < 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) out += '';
    else if ((c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) out += '';
    else out += ch;
  }
  return out;
}

/** JUnit XML: one test suite per check, one test case per check × operation. */
export function renderJunit(report: ScanReport, operations: string[]): string {
  const checks = report.summary.checksRun;
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  for (const check of checks) {
    const cases: string[] = [];
    const byOp = new Map<string, typeof report.findings>();
    for (const f of report.findings) {
      if (f.check !== check || f.baselined) continue;
      byOp.set(f.operation, [...(byOp.get(f.operation) ?? []), f]);
    }
    const ops = [...new Set([...operations, ...byOp.keys()])];
    let suiteFailures = 0;
    for (const op of ops) {
      const fs = byOp.get(op) ?? [];
      total++;
      if (fs.length === 0) {
        cases.push(`    <testcase classname="${xmlEscape(check)}" name="${xmlEscape(op)}"/>`);
        continue;
      }
      failures++;
      suiteFailures++;
      const body = fs
        .map(
          (f) =>
            `[${f.severity}] ${f.category}/${f.subtype}: ${f.title}\n${f.description}\n\nReproduce:\n${f.evidence.curl}\n\nFix: ${f.remediation}`,
        )
        .join('\n\n---\n\n');
      cases.push(
        `    <testcase classname="${xmlEscape(check)}" name="${xmlEscape(op)}">\n      <failure message="${xmlEscape(fs[0].title)}" type="${xmlEscape(`${fs[0].category}/${fs[0].subtype}`)}">${xmlEscape(body)}</failure>\n    </testcase>`,
      );
    }
    suites.push(
      `  <testsuite name="${xmlEscape(check)}" tests="${ops.length}" failures="${suiteFailures}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  for (const s of report.summary.checksSkipped) {
    total++;
    suites.push(
      `  <testsuite name="${xmlEscape(s.check)}" tests="1" failures="0" errors="0" skipped="1">\n    <testcase classname="${xmlEscape(s.check)}" name="*"><skipped message="${xmlEscape(s.reason)}"/></testcase>\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="palisade-scan" tests="${total}" failures="${failures}" errors="0" time="${report.duration}">\n${suites.join('\n')}\n</testsuites>\n`;
}
