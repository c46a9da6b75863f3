import { CATEGORY_IDS, SEVERITIES } from '../../core/taxonomy.js';
import type { ScanReport } from '../types.js';

const COLORS: Record<string, string> = {
  critical: '#7f1d1d',
  high: '#dc2626',
  medium: '#f59e0b',
  low: '#3b82f6',
  info: '#9ca3af',
};

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Stacked horizontal bars: one per category, segments per severity. */
function chart(report: ScanReport): string {
  const fresh = report.findings.filter((f) => !f.baselined);
  const cats = CATEGORY_IDS.filter((c) => fresh.some((f) => f.category === c));
  if (cats.length === 0) return '<p>No findings.</p>';
  const max = Math.max(...cats.map((c) => fresh.filter((f) => f.category === c).length));
  const rowH = 26;
  const labelW = 210;
  const barW = 420;
  const rows = cats.map((c, i) => {
    let x = labelW;
    const segs = SEVERITIES.map((s) => {
      const n = fresh.filter((f) => f.category === c && f.severity === s).length;
      if (!n) return '';
      const w = (n / max) * barW;
      const rect = `<rect x="${x.toFixed(1)}" y="${i * rowH + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${COLORS[s]}"><title>${esc(`${c} ${s}: ${n}`)}</title></rect>`;
      x += w;
      return rect;
    }).join('');
    const total = fresh.filter((f) => f.category === c).length;
    return `<text x="${labelW - 8}" y="${i * rowH + 18}" text-anchor="end" font-size="13">${esc(c)}</text>${segs}<text x="${x + 6}" y="${i * rowH + 18}" font-size="12">${total}</text>`;
  });
  const legend = SEVERITIES.map(
    (s, i) =>
      `<rect x="${labelW + i * 90}" y="${cats.length * rowH + 8}" width="12" height="12" fill="${COLORS[s]}"/><text x="${labelW + i * 90 + 16}" y="${cats.length * rowH + 19}" font-size="12">${s}</text>`,
  ).join('');
  const h = cats.length * rowH + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Findings by category and severity" width="${labelW + barW + 60}" height="${h}" viewBox="0 0 ${labelW + barW + 60} ${h}" font-family="system-ui, sans-serif">${rows.join('')}${legend}</svg>`;
}

/** A self-contained HTML report (inline CSS and SVG, no scripts, no external assets). */
export function renderHtml(report: ScanReport): string {
  const fresh = report.findings.filter((f) => !f.baselined);
  const items = fresh
    .map(
      (
        f,
      ) => `<details class="f ${f.severity}"><summary><span class="sev">${esc(f.severity)}</span> ${esc(f.title)} <code>${esc(f.operation)}</code></summary>
<p><b>${esc(f.category)}/${esc(f.subtype)}</b> · confidence ${f.confidence}${f.location ? ` · ${esc(f.location)}` : ''}${f.cwe ? ` · CWE-${f.cwe}` : ''}</p>
<p>${esc(f.description)}</p>
<h4>Reproduce</h4><pre>${esc(f.evidence.curl)}</pre>
<h4>Request</h4><pre>${esc(f.evidence.request)}</pre>
<h4>Response (excerpt)</h4><pre>${esc(f.evidence.response)}</pre>
<h4>Fix</h4><p>${esc(f.remediation)}</p></details>`,
    )
    .join('\n');
  const counts = SEVERITIES.map(
    (s) => `<span class="pill ${s}">${s}: ${fresh.filter((f) => f.severity === s).length}</span>`,
  ).join(' ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Palisade scan report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1000px;color:#111;padding:0 1rem}
pre{background:#f3f4f6;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all;font-size:12px}
.f{border-left:4px solid #999;margin:.6rem 0;padding:.3rem .8rem;background:#fafafa}
.f summary{cursor:pointer}
${SEVERITIES.map((s) => `.${s}{border-color:${COLORS[s]}} .pill.${s},.${s} .sev{background:${COLORS[s]};color:#fff}`).join('\n')}
.pill,.sev{padding:.1rem .5rem;border-radius:.6rem;font-size:12px}
</style></head><body>
<h1>Palisade API scan</h1>
<p>Target <code>${esc(report.target)}</code> · spec <code>${esc(report.spec)}</code> · ${report.summary.operations} operations · ${report.summary.requests} requests · ${report.duration}s · ${esc(report.startedAt)}</p>
<p>${counts}</p>
<h2>Findings by category and severity</h2>
${chart(report)}
<h2>Findings (${fresh.length})</h2>
${items || '<p>No new findings.</p>'}
${report.summary.checksSkipped.length ? `<h2>Skipped checks</h2><ul>${report.summary.checksSkipped.map((s) => `<li>${esc(s.check)}: ${esc(s.reason)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
