// The HTML side: tags and their attributes as a tokenizer reads them, raw-text closers and tag
// names spelled to dodge filters (breakouts outside a tag are in breakouts.ts).
import {
  ACTIVE_TAGS,
  EXEC_TAGS,
  HTML_TAGS,
  knownHandler,
  PROBED_TAGS,
  RAWTEXT_CLOSERS,
  REMOTE_ATTRS,
  REMOTE_TAGS,
  SPACED_NAMES,
  URL_ATTRS,
} from './tables.js';
import {
  compact,
  hit,
  isIdent,
  isLetter,
  isQuote,
  isSpace,
  raise,
  scriptUrlScore,
  stripCssComments,
  type Ctx,
  type Strongest,
} from './text.js';
import { obfuscatedIpHost } from './schemes.js';

const MAX_TAG = 1024;

/** Parses the attributes of a tag opened at `start` (name ends at `i`); returns where scanning resumes. */
export function scanTag(
  ctx: Ctx,
  start: number,
  nameEnd: number,
  name: string,
  afterBreakout: boolean,
): number {
  const { s } = ctx;
  const limit = Math.min(s.length, start + MAX_TAG);
  let i = nameEnd;
  let resume = -1;
  const attrBest: Strongest = { score: 0, why: '' };
  let hasAttr = false;
  let hasHttpEquiv = false;
  let remote = false;
  let disguised = false;
  while (i < limit) {
    let c = s.charCodeAt(i);
    if (isSpace(c) || c === 47) {
      i++;
      continue;
    }
    if (c === 62) break; // '>'
    if (c === 60 && i + 1 < limit && (isLetter(s.charCodeAt(i + 1)) || s.charCodeAt(i + 1) === 47)) {
      resume = i;
      break;
    }
    const nameStart = i;
    while (i < limit) {
      c = s.charCodeAt(i);
      if (isSpace(c) || c === 47 || c === 62 || c === 61 || (c === 60 && i > nameStart)) break;
      i++;
    }
    if (i === nameStart) i++; // a lone '=' or '<': move on
    const attr = s.slice(nameStart, i);
    hasAttr = true;
    while (i < limit && isSpace(s.charCodeAt(i))) i++;
    let value = '';
    let hasEq = false;
    if (i < limit && s.charCodeAt(i) === 61) {
      hasEq = true;
      i++;
      while (i < limit && isSpace(s.charCodeAt(i))) i++;
      const q = s.charCodeAt(i);
      if (isQuote(q)) {
        const vStart = i + 1;
        let j = vStart;
        while (j < limit && s.charCodeAt(j) !== q) {
          // markup inside a quoted value (srcdoc, about:<script>) is scanned on its own
          if (s.charCodeAt(j) === 60 && j + 1 < limit && isLetter(s.charCodeAt(j + 1)) && resume < 0)
            resume = j;
          j++;
        }
        value = s.slice(vStart, j);
        i = j + 1;
      } else {
        const vStart = i;
        while (i < limit && !isSpace(s.charCodeAt(i)) && s.charCodeAt(i) !== 62) i++;
        value = s.slice(vStart, i);
      }
    }
    if (hasEq || attr.startsWith('on')) judgeAttribute(ctx, attr, value, hasEq, attrBest);
    if (
      REMOTE_ATTRS.has(attr) &&
      (value.startsWith('http:') || value.startsWith('https:') || value.startsWith('//'))
    ) {
      remote = true;
      if (obfuscatedIpHost(value)) disguised = true;
    }
    if (attr === 'http-equiv' || attr === 'charset') hasHttpEquiv = true;
  }
  const tagEnd = Math.min(i + 1, s.length);
  // the element itself
  let tagScore = 0;
  if (EXEC_TAGS.has(name)) tagScore = ctx.markupOnly ? (name === 'script' ? 0.9 : 0) : 0.85;
  else if (!ctx.markupOnly && name in ACTIVE_TAGS) {
    tagScore = ACTIVE_TAGS[name];
    if (name === 'meta' && hasHttpEquiv) tagScore = 0.8;
    if ((name === 'link' || name === 'meta') && !hasAttr) tagScore = 0.45;
  } else if (!ctx.markupOnly && HTML_TAGS.has(name)) tagScore = ctx.paranoia >= 2 ? 0.55 : 0.3;
  else if (!ctx.markupOnly) tagScore = ctx.paranoia >= 3 ? 0.5 : 0.2;
  // `"><b>`: the value closed an attribute and the tag it sits in before writing markup
  if (afterBreakout && !ctx.markupOnly && tagScore > 0) tagScore = Math.max(tagScore, 0.6);
  // a complete element pointing at a remote resource: HTML injection (links, tracking images),
  // not script execution: from paranoia 2
  if (remote && ctx.htmlInjection && s.charCodeAt(i) === 62 && REMOTE_TAGS.has(name)) {
    raise(attrBest, ctx.paranoia >= 2 || disguised ? 0.55 : 0.45, 'element with a remote URL');
    if (disguised) attrBest.why = 'element pointing at an IP address written to dodge filters';
  }
  const score = Math.max(tagScore, attrBest.score);
  if (score > 0)
    hit(
      ctx,
      score,
      start,
      tagEnd,
      attrBest.score >= tagScore ? `<${name} ${attrBest.why}` : `<${name}> element`,
    );
  return resume >= 0 ? resume : tagEnd;
}

export function judgeAttribute(ctx: Ctx, attr: string, value: string, hasEq: boolean, best: Strongest): void {
  if (
    attr.length >= 5 &&
    attr.startsWith('on') &&
    isLetter(attr.charCodeAt(2)) &&
    isLetter(attr.charCodeAt(3))
  ) {
    if (hasEq) raise(best, value.length > 0 ? 0.9 : 0.75, 'event handler');
    return;
  }
  if (!hasEq || value.length === 0) return;
  if (frameworkHandler(attr)) {
    raise(best, 0.8, 'framework event/expression attribute');
    return;
  }
  const v = compact(value, 0, value.length).toLowerCase();
  if (attr === 'srcdoc') raise(best, 0.85, 'srcdoc');
  if (attr === 'style') {
    const css = stripCssComments(v);
    if (
      css.includes('expression(') ||
      css.includes('url(javascript') ||
      css.includes('url("javascript') ||
      css.includes("url('javascript") ||
      css.includes('-moz-binding') ||
      css.includes('behavior:') ||
      css.includes('behaviour:') ||
      css.includes('binding:url')
    )
      raise(best, 0.85, 'script in style');
  }
  if (URL_ATTRS.has(attr)) {
    const s = scriptUrlScore(v);
    if (s > 0) raise(best, s, 'script URL');
    if (attr === 'content' && (v.includes('url=javascript:') || v.includes('url=data:text/html')))
      raise(best, 0.9, 'refresh to script URL');
  }
  if (v.includes('javascript:') || v.includes('vbscript:')) raise(best, 0.8, 'script URL in attribute');
  if (v.startsWith('&{')) raise(best, 0.75, 'JS entity');
  // XML that makes its parser fetch a remote schema (out-of-band probes): an XML fragment has no
  // business in a plain field; in prose or code fields it only counts from paranoia 2
  if (
    (attr === 'xsi:schemalocation' || attr === 'xsi:nonamespaceschemalocation') &&
    (v.includes('http:') || v.includes('https:') || v.includes('//'))
  )
    raise(best, ctx.htmlInjection ? 0.5 : 0.4, 'remote XML schema');
  if (attr === 'dataformatas' && v === 'html') raise(best, 0.7, 'data binding as HTML');
}

/**
 * `">` (or `'>`) right before the first `<`, after at most one token (`x"><b>`): the value closed
 * an attribute and its tag. In prose (`I typed "> <b>"`) the quote opens a quotation instead.
 */
function closesAttribute(s: string, lt: number): boolean {
  let j = lt - 1;
  while (j >= 0 && lt - j < 8 && isSpace(s.charCodeAt(j))) j--;
  if (j < 1 || s.charCodeAt(j) !== 62) return false;
  j--;
  if (s.charCodeAt(j) === 47) j--; // `"/>`
  if (j < 0 || !isQuote(s.charCodeAt(j))) return false;
  for (let k = 0; k < j; k++) if (isSpace(s.charCodeAt(k))) return false;
  return true;
}

/**
 * IE's `<?import implementation="x.htc">` loads a behaviour (script); filters that drop `?`,
 * spaces or `namespace=` leave `<importimplementation=` or `<import namespace=… implementation=`.
 */
function importImplementation(ctx: Ctx, lt: number): void {
  const { s } = ctx;
  // bounded window: a run of unclosed `<import` must not make this quadratic
  const end = Math.min(s.length, lt + 256);
  for (let at = lt + 7; at < end; at++) {
    const c = s.charCodeAt(at);
    if (c === 62) return;
    if (c !== 105 || !s.startsWith('implementation', at)) continue;
    let k = at + 14;
    while (k < s.length && k - at < 20 && isSpace(s.charCodeAt(k))) k++;
    if (s.charCodeAt(k) === 61) hit(ctx, 0.75, lt, k + 1, 'IE behaviour import');
    return;
  }
}

/**
 * Attributes whose value a client-side framework compiles and runs as an expression: AngularJS
 * `ng-click`/`ng-init`, Vue `v-on:x`/`@x`/`v-html`, Alpine `x-on:x`/`x-init`/`x-html`.
 */
function frameworkHandler(attr: string): boolean {
  const c = attr.charCodeAt(0);
  if (c === 64) return attr.length >= 4 && knownHandler(attr.slice(1).split('.')[0]); // @click.prevent
  if (attr.startsWith('v-on:') || attr.startsWith('x-on:')) return true;
  if (attr === 'v-html' || attr === 'x-html' || attr === 'x-init' || attr === 'ng-init') return true;
  for (const prefix of ['ng-', 'data-ng-', 'x-ng-']) {
    if (attr.startsWith(prefix)) {
      const rest = attr.slice(prefix.length);
      return rest === 'bind-html' || knownHandler(rest);
    }
  }
  return false;
}

/** Walks every `<` as an HTML tokenizer would: start tags, end tags, `<?import`. */
export function scanMarkup(ctx: Ctx): void {
  const { s } = ctx;
  let closerAt = -1;
  // raw-text elements opened inside the value: their closers are self-contained HTML, not a breakout
  const opened = new Set<string>();
  let i = s.indexOf('<');
  const afterBreakout = i > 0 && closesAttribute(s, i);
  if (!ctx.markupOnly && s.indexOf('implementation') >= 0) {
    for (let k = s.indexOf('<import'); k >= 0; k = s.indexOf('<import', k + 7)) importImplementation(ctx, k);
  }
  while (i >= 0 && i < s.length - 1) {
    const c = s.charCodeAt(i + 1);
    let next = i + 1;
    if (!ctx.markupOnly) scanObfuscatedTag(ctx, i);
    if (isLetter(c)) {
      let j = i + 1;
      while (j < s.length && j - i < 64) {
        const d = s.charCodeAt(j);
        if (!(isIdent(d) || d === 58 || d === 45)) break;
        j++;
      }
      const after = j < s.length ? s.charCodeAt(j) : 62;
      if (isSpace(after) || after === 47 || after === 62 || after === 60) {
        const full = s.slice(i + 1, j);
        const colon = full.lastIndexOf(':');
        const name = colon >= 0 ? full.slice(colon + 1) : full;
        const before = ctx.best?.score ?? 0;
        if (RAWTEXT_CLOSERS.has(name)) opened.add(name);
        next = Math.max(scanTag(ctx, i, j, name, afterBreakout), i + 1);
        // markup right after a raw-text closer: a template breakout
        if (closerAt >= 0 && !ctx.markupOnly && (ctx.best?.score ?? 0) >= before) {
          hit(
            ctx,
            Math.min(0.95, Math.max(0.85, ctx.best?.score ?? 0)),
            closerAt,
            next,
            'closes a raw-text element, then markup',
          );
        }
      }
    } else if (c === 47 && i + 2 < s.length && isLetter(s.charCodeAt(i + 2))) {
      let j = i + 2;
      while (j < s.length && j - i < 32 && isIdent(s.charCodeAt(j))) j++;
      const name = s.slice(i + 2, j);
      if (RAWTEXT_CLOSERS.has(name) && !ctx.markupOnly && !opened.has(name)) {
        closerAt = i;
        if (name === 'script') hit(ctx, 0.7, i, j + 1, 'closes a script element');
        else if (ctx.paranoia >= 2) hit(ctx, 0.55, i, j + 1, `closes <${name}>`);
      }
      next = j;
    } else if (c === 63 && !ctx.markupOnly) {
      // <?import implementation=…>, <?xml:namespace …> (IE behaviours)
      if (s.startsWith('import', i + 2) || s.startsWith('xml:namespace', i + 2)) {
        hit(ctx, 0.75, i, i + 16, 'IE behaviour import');
      }
      next = i + 2;
    }
    i = s.indexOf('<', next);
  }
}

/**
 * A tag name that a filter-evasion probe wrote with whitespace, control characters (`<%00script`)
 * or an empty namespace prefix (`<:vmlframe`, `< x: script`) around or between its letters.
 * Browsers do not run these, but nobody types them except to find out what a filter lets through.
 */
export function scanObfuscatedTag(ctx: Ctx, at: number): void {
  const { s } = ctx;
  const limit = Math.min(s.length, at + 64);
  const runs: string[] = [];
  let cur = '';
  let lead = false;
  let colon = false;
  let j = at + 1;
  for (; j < limit; j++) {
    const c = s.charCodeAt(j);
    if (isLetter(c)) cur += s[j];
    else if (isSpace(c) || c === 0xad) {
      if (cur) {
        runs.push(cur);
        cur = '';
      } else if (runs.length === 0) lead = true;
    } else if (c === 58 && !colon && runs.length <= 1) {
      // `<:name`, `< x: name`: drop the (empty or one-word) namespace prefix
      colon = true;
      lead = true;
      runs.length = 0;
      cur = '';
    } else break;
  }
  if (cur) runs.push(cur);
  if (runs.length === 0) return;
  let name = '';
  if (runs.length >= 3 && runs.every((r) => r.length === 1)) name = runs.join('');
  else if (lead && SPACED_NAMES.has(runs[0])) name = runs[0];
  if (name.length >= 3 && PROBED_TAGS.has(name)) {
    hit(ctx, 0.6, at, j, `obfuscated tag name <${name}`);
  }
}
