import type { ScanReport } from '../types.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';

export const FORMATS = ['sarif', 'junit', 'html', 'json', 'md'] as const;
export type Format = (typeof FORMATS)[number];

export const EXTENSIONS: Record<Format, string> = {
  sarif: 'palisade-scan.sarif',
  junit: 'palisade-scan.junit.xml',
  html: 'palisade-scan.html',
  json: 'palisade-scan.json',
  md: 'palisade-scan.md',
};

export function render(format: Format, report: ScanReport, operations: string[]): string {
  switch (format) {
    case 'sarif':
      return renderSarif(report);
    case 'junit':
      return renderJunit(report, operations);
    case 'html':
      return renderHtml(report);
    case 'json':
      return renderJson(report);
    case 'md':
      return renderMarkdown(report);
  }
}
