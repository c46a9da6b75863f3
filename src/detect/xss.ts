/**
 * Cross-site scripting in one value, judged the way an HTML tokenizer and a JS parser would see it,
 * not by a word list. Linear hand-written scanners over the first 64 KB of the (already decoded)
 * value; they live in src/detect/xss/ (markup, script, schemes, tables, prefilter). Signals:
 * - a tag open `<name` of an executable element (script, iframe, object, embed, base, …), an event
 *   handler attribute (also a framework one: `ng-click`, `v-on:x`, `@x`, `x-init`), a URL attribute
 *   with an executable scheme (`javascript:` even when split by whitespace/control characters),
 *   `srcdoc`, a style with `expression(` / `url(javascript:`, IE `<?import implementation=`;
 * - raw-text closers (`</script>`, `</textarea>`, `</title>`…) used to leave a template context;
 * - attribute breakout outside a tag (`" onmouseover=`), and markup right after one (`x"><b>`);
 * - JS-context breakout: a known call after a quote and an operator (`';alert(1)//`), and any
 *   call or member assignment between a quote + operator and a comment or re-opened string
 *   (`'-fetch(u)-'`, `";location=name;//`); DOM sinks (a sink standing alone, `window.location`
 *   or `(document.domain)`, counts; one inside a sentence does not at paranoia 1), dynamic
 *   `import('…')`, `top['al'+'ert'](1)`, `(alert)(1)`, `x.onerror=alert`, JSFuck; the Function
 *   constructor fed a string and AngularJS `{{…}}` sandbox escapes;
 * - leaving an HTML comment (`-->`/`--!>` the value did not open: at its start or after a quote;
 *   elsewhere, as in `A --> B`, from paranoia 2) and server-side includes (`<!--#exec`);
 * - tag names spelled to slip past filters (`<f o r m`, `< x: script`, `<%00script`, `<:vmlframe`),
 *   UTF-7 markup and a whole value naming the UTF-7 charset, high-bit markup (`¼script¾`);
 * - XML that fetches a remote schema (`xsi:schemaLocation="… http://…"`): paranoia 1 in plain
 *   fields, 2 in prose and code.
 * Harmless markup (`<b>`, `<p>`, a bare `<svg>`/`<math>`) only counts from paranoia 2, unknown tags
 * from paranoia 3. Profile `markup` (a field that legitimately carries HTML) only reports
 * executable content; `code`, `llm-message` and path values only breakouts.
 */
import type { Finding } from '../core/findings.js';
import type { DetectorOptions, InspectedValue, Paranoia, ValueDetector } from './types.js';
import { scanAttributeInjection, scanComments, scanHandlers } from './xss/breakouts.js';
import { scanMarkup } from './xss/markup.js';
import { mayBeXss } from './xss/prefilter.js';
import { scanCss, scanHighBitMarkup, scanSchemes, scanUtf7, scanUtf7Charset } from './xss/schemes.js';
import { scanJsObfuscation, scanScript } from './xss/script.js';
import type { Ctx, Hit } from './xss/text.js';

export { mayBeXss };

const MAX_SCAN = 64 * 1024;
/** Lowest internal strength reported (0.5 on the engine's scale). */
const REPORT = 0.35;
/**
 * Internal strengths put 0.5 at "fires at paranoia 1"; the engine compares against 0.7 / 0.5 / 0.3
 * (detect.thresholds). This maps 0.5 to 0.7 and 0.35 to 0.5, monotonically.
 */
const toEngineScore = (s: number): number =>
  Math.round(Math.min(1, s >= 0.5 ? 0.7 + 0.6 * (s - 0.5) : 0.7 - (4 / 3) * (0.5 - s)) * 100) / 100;

function severityOf(score: number): Finding['severity'] {
  return score >= 0.8 ? 'high' : 'medium';
}

export function analyzeXss(input: InspectedValue, paranoia: Paranoia): Hit | undefined {
  const raw = input.value.length > MAX_SCAN ? input.value.slice(0, MAX_SCAN) : input.value;
  const s = raw.toLowerCase();
  const ctx: Ctx = {
    s,
    raw,
    paranoia,
    markupOnly: input.profile === 'markup',
    htmlInjection: input.profile === 'generic' || input.profile === 'identifier' || input.profile === 'url',
    best: undefined,
  };
  if (s.indexOf('<') >= 0) scanMarkup(ctx);
  if (ctx.best !== undefined && ctx.best.score >= 0.9) return ctx.best;
  if (!ctx.markupOnly) {
    // code and prose fields may talk about alert() or document.cookie: only breakouts count there
    const weak = input.profile === 'code' || input.profile === 'llm-message' || input.source === 'path';
    scanHandlers(ctx, weak);
    scanComments(ctx);
    scanScript(ctx, weak);
    scanUtf7(ctx);
    scanUtf7Charset(ctx);
    if (s.indexOf('\u00bc') >= 0) scanHighBitMarkup(ctx);
    scanCss(ctx);
    scanJsObfuscation(ctx);
    scanAttributeInjection(ctx);
  } else if (s.indexOf('<!--#') >= 0) scanComments(ctx);
  scanSchemes(ctx);
  return ctx.best;
}

export const xssDetector: ValueDetector = {
  kind: 'value',
  id: 'xss',
  category: 'cross-site',
  compile(options: DetectorOptions): (input: InspectedValue) => Finding[] {
    const paranoia = options.paranoia;
    return (input) => {
      if (input.value.length < 3 || !mayBeXss(input.value)) return [];
      const best = analyzeXss(input, paranoia);
      if (best === undefined || best.score < REPORT) return [];
      return [
        {
          category: 'cross-site',
          subtype: 'xss-reflected',
          detector: 'xss',
          severity: best.score < 0.5 ? 'low' : severityOf(best.score),
          score: toEngineScore(best.score),
          location: input.location,
          fragment: input.value.slice(best.at, Math.min(best.end, best.at + 120)),
          message: `XSS: ${best.why}`,
        },
      ];
    };
  },
};
