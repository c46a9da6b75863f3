// Leaving a context without opening a tag: an attribute closed and a handler or a script-taking
// attribute added (`" onmouseover=`, `'formaction=`), an HTML comment closed, server-side includes.
import { HANDLERS, knownHandler, SSI_DIRECTIVES } from './tables.js';
import { hit, isIdent, isLetter, isQuote, isSpace, type Ctx } from './text.js';

/**
 * `-->` (or `--!>`) closing an HTML comment the value did not open: leaving a comment context.
 * At the start of the value or right after a quote it is a breakout; followed by markup it is a
 * breakout carrying markup. Elsewhere (`A --> B` in prose) it only counts from paranoia 2.
 * Also `<!--#exec …-->` server-side includes.
 */
export function scanComments(ctx: Ctx): void {
  const { s } = ctx;
  let ssi = s.indexOf('<!--#');
  while (ssi >= 0) {
    for (const d of SSI_DIRECTIVES) {
      if (s.startsWith(d, ssi + 5) && !isLetter(s.charCodeAt(ssi + 5 + d.length))) {
        hit(ctx, 0.8, ssi, ssi + 5 + d.length, `server-side include <!--#${d}`);
      }
    }
    ssi = s.indexOf('<!--#', ssi + 5);
  }
  if (ctx.markupOnly) return;
  const opened = s.indexOf('<!--');
  let i = s.indexOf('--');
  while (i >= 0) {
    let end = -1;
    if (s.charCodeAt(i + 2) === 62) end = i + 3;
    else if (s.charCodeAt(i + 2) === 33 && s.charCodeAt(i + 3) === 62) end = i + 4;
    if (end > 0 && (opened < 0 || opened > i)) {
      let b = i - 1;
      while (b >= 0 && i - b < 8 && isSpace(s.charCodeAt(b))) b--;
      let k = end;
      while (k < s.length && k - end < 8 && isSpace(s.charCodeAt(k))) k++;
      const markup = s.charCodeAt(k) === 60 && (isLetter(s.charCodeAt(k + 1)) || s.charCodeAt(k + 1) === 33);
      let score = 0.38;
      if (b < 0 || isQuote(s.charCodeAt(b))) score = ctx.htmlInjection ? 0.5 : 0.4;
      if (markup) score = 0.8;
      hit(ctx, score, Math.max(0, b), end, 'closes an HTML comment');
    }
    i = s.indexOf('--', i + 2);
  }
}

/** `" onmouseover=` outside a parsed tag: breaking out of an attribute value. */
export function scanHandlers(ctx: Ctx, weak: boolean): void {
  const { s } = ctx;
  let i = s.indexOf('on');
  while (i >= 0) {
    const prev = i > 0 ? s.charCodeAt(i - 1) : 32;
    if (prev === 46 && !weak && i >= 2 && isIdent(s.charCodeAt(i - 2))) {
      // `window.onerror=alert`: a handler set from script (code fields may do this legitimately)
      let j = i + 2;
      while (j < s.length && j - i < 40 && isLetter(s.charCodeAt(j))) j++;
      let k = j;
      while (k < s.length && k - j < 4 && isSpace(s.charCodeAt(k))) k++;
      if (
        HANDLERS.has(s.slice(i + 2, j)) &&
        s.charCodeAt(k) === 61 &&
        s.charCodeAt(k + 1) !== 61 &&
        ctx.htmlInjection
      )
        hit(ctx, 0.6, i, k + 1, `handler assigned (.${s.slice(i, j)}=)`);
    } else if (isSpace(prev) || isQuote(prev) || prev === 47 || prev === 59) {
      let j = i + 2;
      while (j < s.length && j - i < 64 && isLetter(s.charCodeAt(j))) j++;
      const name = s.slice(i + 2, j);
      let k = j;
      while (k < s.length && k - j < 8 && isSpace(s.charCodeAt(k))) k++;
      if (name.length >= 3 && k < s.length && s.charCodeAt(k) === 61) {
        // a quote right before: the value was closed on purpose
        let b = i - 1;
        while (b >= 0 && i - b < 8 && isSpace(s.charCodeAt(b))) b--;
        const quoted = b >= 0 && (isQuote(s.charCodeAt(b)) || s.charCodeAt(b) === 47);
        // only whitespace before it, and at least one: the value ends an unquoted attribute
        // (`<input value=␠␠onx=…>`) and starts one of its own; nobody types a leading blank before
        // `onsomething=` otherwise, so an unknown name is a probe of what the filter lets through
        const leading = b < 0 && i > 0;
        let score = knownHandler(name) ? 0.8 : ctx.paranoia >= 2 && name.length <= 30 ? 0.5 : 0;
        // real handler names stay under 48 letters (knownHandler's cap): a longer run is a word blob
        if (score === 0 && (quoted || leading) && name.length >= 5 && name.length <= 46) score = 0.5;
        if (score > 0 && quoted) score += 0.1;
        if (score > 0) hit(ctx, score, i, k + 1, `attribute breakout (on${name}=)`);
      }
    }
    i = s.indexOf('on', i + 2);
  }
}

/** `'formaction=` / `"srcdoc=`: a quote closed, then an attribute that takes script or markup. */
export function scanAttributeInjection(ctx: Ctx): void {
  const { s } = ctx;
  for (const attr of ['formaction', 'srcdoc', 'xlink:href']) {
    let i = s.indexOf(attr);
    while (i > 0) {
      let b = i - 1;
      while (b > 0 && i - b < 6 && isSpace(s.charCodeAt(b))) b--;
      let k = i + attr.length;
      while (k < s.length && k - i < attr.length + 4 && isSpace(s.charCodeAt(k))) k++;
      if ((isQuote(s.charCodeAt(b)) || s.charCodeAt(b) === 47) && s.charCodeAt(k) === 61) {
        hit(ctx, 0.6, b, k + 1, `attribute injection (${attr}=)`);
      }
      i = s.indexOf(attr, i + attr.length);
    }
  }
}
