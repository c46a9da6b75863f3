import { SEVERITIES } from '../../core/taxonomy.js';
import type { ScanReport } from '../types.js';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown for pull-request comments: summary table, then one collapsible block per finding. */
export function renderMarkdown(report: ScanReport): string {
  const fresh = report.findings.filter((f) => !f.baselined);
  const lines: string[] = [];
  lines.push(
    `## Palisade API scan: ${fresh.length === 0 ? 'no new findings' : `${fresh.length} new finding${fresh.length === 1 ? '' : 's'}`}`,
  );
  lines.push('');
  lines.push(
    `Target \`${report.target}\` · ${report.summary.operations} operations · ${report.summary.requests} requests · ${report.duration}s`,
  );
  lines.push('');
  lines.push(`| ${SEVERITIES.join(' | ')} |`);
  lines.push(`|${SEVERITIES.map(() => '---').join('|')}|`);
  lines.push(`| ${SEVERITIES.map((s) => fresh.filter((f) => f.severity === s).length).join(' | ')} |`);
  lines.push('');
  if (fresh.length) {
    lines.push('| Severity | Category | Operation | Finding |');
    lines.push('|---|---|---|---|');
    for (const f of fresh)
      lines.push(
        `| ${f.severity} | ${f.category}/${f.subtype} | \`${cell(f.operation)}\` | ${cell(f.title)} |`,
      );
    lines.push('');
    for (const f of fresh) {
      lines.push(
        `<details><summary><b>${f.severity}</b> ${cell(f.title)} — <code>${cell(f.operation)}</code></summary>`,
      );
      lines.push('');
      lines.push(f.description);
      lines.push('');
      lines.push('```sh');
      lines.push(f.evidence.curl.replace(/```/g, '`\u200b``'));
      lines.push('```');
      lines.push('');
      lines.push(`**Fix:** ${f.remediation}`);
      lines.push('');
      lines.push('</details>');
      lines.push('');
    }
  }
  const baselined = report.findings.length - fresh.length;
  if (baselined)
    lines.push(`_${baselined} known finding${baselined === 1 ? '' : 's'} accepted by the baseline._`);
  if (report.summary.budgetExhausted) lines.push('_The time budget ran out; some checks did not run._');
  return `${lines.join('\n')}\n`;
}
