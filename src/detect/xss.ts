/**
 * Cross-site scripting in one value, judged the way an HTML tokenizer and a JS parser would see it,
 * not by a word list. Linear hand-written scanners over the first 64 KB of the (already decoded)
 * value. Signals and their strength:
 * - a tag open `<name` of an executable element (script, iframe, object, embed, base, …), an event
 *   handler attribute, a URL attribute with an executable scheme (`javascript:` even when split by
 *   whitespace/control characters), `srcdoc`, a style with `expression(` / `url(javascript:`;
 * - raw-text closers (`</script>`, `</textarea>`, `</title>`…) used to leave a template context;
 * - attribute breakout outside a tag (`" onmouseover=`);
 * - JS-context breakout (`';alert(1)//`, `"-alert(1)-"`, `${alert(1)}`) and DOM sinks (a sink
 *   standing alone, `window.location` or `(document.domain)`, counts; one inside a sentence does
 *   not at paranoia 1), dynamic `import('…')`, `top['al'+'ert'](1)`, `x.onerror=alert`, JSFuck;
 * - leaving an HTML comment (`-->`/`--!>` the value did not open: at its start or after a quote;
 *   elsewhere, as in `A --> B`, from paranoia 2) and server-side includes (`<!--#exec`);
 * - tag names spelled to slip past filters (`<f o r m`, `< x: script`, `<%00script`, `<:vmlframe`);
 * - XML that fetches a remote schema (`xsi:schemaLocation="… http://…"`), paranoia 2.
 * Harmless markup (`<b>`, `<p>`) only counts from paranoia 2, unknown tags from paranoia 3.
 * Profile `markup` (a field that legitimately carries HTML) only reports executable content.
 */
import type { Finding } from '../core/findings.js';
import type { DetectorOptions, InspectedValue, Paranoia, ValueDetector } from './types.js';

const MAX_SCAN = 64 * 1024;
const MAX_TAG = 1024;
/** Lowest internal strength reported (0.5 on the engine's scale). */
const REPORT = 0.35;
/**
 * Internal strengths put 0.5 at "fires at paranoia 1"; the engine compares against 0.7 / 0.5 / 0.3
 * (detect.thresholds). This maps 0.5 to 0.7 and 0.35 to 0.5, monotonically.
 */
const toEngineScore = (s: number): number =>
  Math.round(Math.min(1, s >= 0.5 ? 0.7 + 0.6 * (s - 0.5) : 0.7 - (4 / 3) * (0.5 - s)) * 100) / 100;

interface Hit {
  score: number;
  at: number;
  end: number;
  why: string;
}

/** Elements that execute or load active content just by being there. */
const EXEC_TAGS = new Set([
  'script',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'base',
  'vmlframe',
  'layer',
  'ilayer',
  'bgsound',
  'import',
  'isindex',
  'portal',
  'xss',
]);
/** Elements whose content is a separate executable world (SVG/MathML) or loads style/refresh. */
const ACTIVE_TAGS: Record<string, number> = {
  svg: 0.75,
  math: 0.7,
  style: 0.75,
  link: 0.7,
  meta: 0.7,
  form: 0.55,
  template: 0.55,
};
/** Ordinary HTML elements: harmless alone, executable with a handler or a script URL. */
const HTML_TAGS = new Set(
  (
    'a abbr address area article aside audio b bdi bdo blink blockquote body br button canvas caption ' +
    'center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt em fieldset ' +
    'figcaption figure font footer h1 h2 h3 h4 h5 h6 head header hgroup hr html i image img input ins ' +
    'kbd keygen label legend li listing main map mark marquee menu meter nav nobr noembed noframes ' +
    'noscript ol optgroup option output p param picture plaintext pre progress q rp rt ruby s samp ' +
    'section select slot small source span strike strong sub summary sup table tbody td textarea tfoot ' +
    'th thead time title tr track tt u ul var video wbr xmp animate set animatetransform animatemotion ' +
    'foreignobject use handler listener'
  ).split(' '),
);
/** Raw-text / RCDATA elements whose closing tag leaves a template context. */
const RAWTEXT_CLOSERS = new Set([
  'script',
  'textarea',
  'title',
  'style',
  'noscript',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'template',
  'comment',
  'plaintext',
]);
const URL_ATTRS = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'data',
  'background',
  'dynsrc',
  'lowsrc',
  'poster',
  'codebase',
  'code',
  'value',
  'xlink:href',
  'srcset',
  'cite',
  'longdesc',
  'content',
  'to',
  'from',
  'values',
  'by',
  'ping',
  'manifest',
  'archive',
  'icon',
]);
/** Event handler names common enough to trust outside a tag (`" onmouseover=`). */
const HANDLERS = new Set(
  (
    'abort afterprint animationend animationiteration animationstart auxclick beforeprint beforeunload ' +
    'beforeinput blur canplay canplaythrough change click close contextmenu copy cuechange cut dblclick ' +
    'drag dragend dragenter dragleave dragover dragstart drop durationchange emptied end ended error ' +
    'filterchange focus focusin focusout formdata hashchange input invalid keydown keypress keyup load ' +
    'loadeddata loadedmetadata loadstart message mousedown mouseenter mouseleave mousemove mouseout ' +
    'mouseover mouseup mousewheel offline online pagehide pageshow paste pause play playing pointerdown ' +
    'pointerenter pointerleave pointermove pointerout pointerover pointerup popstate progress ratechange ' +
    'readystatechange reset resize scroll search seeked seeking select selectstart show stalled storage ' +
    'submit suspend timeupdate toggle touchend touchmove touchstart transitionend unload volumechange ' +
    'waiting wheel begin repeat activate beforeactivate beforecopy beforecut beforedeactivate ' +
    'beforeeditfocus beforepaste bounce finish start zoom propertychange webkitanimationend ' +
    'webkittransitionend pointerrawupdate scrollend securitypolicyviolation slotchange'
  ).split(' '),
);
/** A known handler, or a vendor-prefixed one (`onwebkit…`, `onmoz…`, `onms…`): new ones appear every year. */
function knownHandler(name: string): boolean {
  if (HANDLERS.has(name)) return true;
  return (
    name.length >= 8 &&
    name.length <= 48 &&
    (name.startsWith('webkit') || name.startsWith('moz') || name.startsWith('ms'))
  );
}

/** Functions that evaluate code or are the classic proof of execution. */
const JS_CALLS = [
  'alert',
  'prompt',
  'confirm',
  'eval',
  'settimeout',
  'setinterval',
  'execscript',
  'msgbox',
  'fromcharcode',
  'globaleval',
  'setimmediate',
  'atob',
];
/** DOM sinks and sources that scripts injected for XSS touch. */
const DOM_SINKS = [
  'document.cookie',
  'document.domain',
  'document.write',
  'document.location',
  'document.body',
  'document.createelement',
  'document.queryselector',
  'document.getelementby',
  'window.location',
  'window.name',
  'location.href',
  'location.hash',
  'location.search',
  '.innerhtml',
  '.outerhtml',
  '.insertadjacenthtml',
  'localstorage.',
  'sessionstorage.',
  'constructor.constructor',
  'new function',
  'top.location',
  'parent.location',
  'self.location',
];
const EXEC_SCHEMES = ['javascript:', 'vbscript:', 'livescript:', 'mocha:'];
const DATA_SCHEMES = [
  'data:text/html',
  'data:image/svg',
  'data:application/x',
  'data:text/xml',
  'data:text/javascript',
  'data:application/javascript',
];

const isLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdent = (c: number): boolean => isLetter(c) || isDigit(c) || c === 95 || c === 36;
const isSpace = (c: number): boolean => c <= 32;
const isQuote = (c: number): boolean => c === 34 || c === 39 || c === 96;

/** Removes whitespace, control characters, backslashes and leftover entities (`&tab;`), bounded. */
function compact(s: string, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to && out.length < 256; i++) {
    const c = s.charCodeAt(i);
    if (isSpace(c) || c === 92 || c === 0xad || c === 0x200b || c === 0xfeff) continue;
    if (c === 38) {
      // `&tab;`, `&#9;`, `&#x09;` left by a decoder that stopped early
      let j = i + 1;
      while (j < to && j - i < 10 && (isIdent(s.charCodeAt(j)) || s.charCodeAt(j) === 35)) j++;
      if (j < to && s.charCodeAt(j) === 59 && j > i + 1) {
        i = j;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

function stripCssComments(v: string): string {
  let out = '';
  let i = 0;
  while (i < v.length) {
    if (v.charCodeAt(i) === 47 && v.charCodeAt(i + 1) === 42) {
      const end = v.indexOf('*/', i + 2);
      if (end < 0) break;
      i = end + 2;
      continue;
    }
    out += v[i];
    i++;
  }
  return out;
}

function startsWithAny(v: string, list: readonly string[]): string | undefined {
  for (const p of list) if (v.startsWith(p)) return p;
  return undefined;
}

/** Strength of an attribute value used as a URL: executable schemes only. */
function scriptUrlScore(compacted: string): number {
  if (startsWithAny(compacted, EXEC_SCHEMES)) return 0.9;
  if (startsWithAny(compacted, DATA_SCHEMES)) return 0.85;
  return 0;
}

const REMOTE_ATTRS = new Set(['href', 'src', 'background', 'poster', 'action', 'formaction', 'data']);
const REMOTE_TAGS = new Set([
  'a',
  'img',
  'image',
  'video',
  'audio',
  'source',
  'input',
  'form',
  'table',
  'td',
  'body',
  'area',
]);

interface Ctx {
  s: string;
  raw: string;
  paranoia: Paranoia;
  markupOnly: boolean;
  /** Whether HTML in this field is itself suspect (not prose, not markup). */
  htmlInjection: boolean;
  best: Hit | undefined;
}

function hit(ctx: Ctx, score: number, at: number, end: number, why: string): void {
  if (ctx.best === undefined || score > ctx.best.score) ctx.best = { score, at, end, why };
}

interface Strongest {
  score: number;
  why: string;
}

function raise(best: Strongest, score: number, why: string): void {
  if (score > best.score) {
    best.score = score;
    best.why = why;
  }
}

/** Parses the attributes of a tag opened at `start` (name ends at `i`); returns where scanning resumes. */
function scanTag(ctx: Ctx, start: number, nameEnd: number, name: string): number {
  const { s } = ctx;
  const limit = Math.min(s.length, start + MAX_TAG);
  let i = nameEnd;
  let resume = -1;
  const attrBest: Strongest = { score: 0, why: '' };
  let hasAttr = false;
  let hasHttpEquiv = false;
  let remote = false;
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
    if (hasEq || attr.startsWith('on')) judgeAttribute(attr, value, hasEq, attrBest);
    if (
      REMOTE_ATTRS.has(attr) &&
      (value.startsWith('http:') || value.startsWith('https:') || value.startsWith('//'))
    ) {
      remote = true;
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
  // a complete element pointing at a remote resource: HTML injection (links, tracking images),
  // not script execution: from paranoia 2
  if (remote && ctx.htmlInjection && s.charCodeAt(i) === 62 && REMOTE_TAGS.has(name)) {
    raise(attrBest, ctx.paranoia >= 2 ? 0.55 : 0.45, 'element with a remote URL');
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

function judgeAttribute(attr: string, value: string, hasEq: boolean, best: Strongest): void {
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
  // an XML document that makes its parser fetch a remote schema: SSRF/HTML injection, paranoia 2
  if (
    (attr === 'xsi:schemalocation' || attr === 'xsi:nonamespaceschemalocation') &&
    (v.includes('http:') || v.includes('https:') || v.includes('//'))
  )
    raise(best, 0.4, 'remote XML schema');
  if (attr === 'dataformatas' && v === 'html') raise(best, 0.7, 'data binding as HTML');
}

/** Walks every `<` as an HTML tokenizer would: start tags, end tags, `<?import`. */
function scanMarkup(ctx: Ctx): void {
  const { s } = ctx;
  let closerAt = -1;
  // raw-text elements opened inside the value: their closers are self-contained HTML, not a breakout
  const opened = new Set<string>();
  let i = s.indexOf('<');
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
        next = Math.max(scanTag(ctx, i, j, name), i + 1);
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

/** Elements whose name is worth spelling out to slip past a filter (`<f o r m`, `< x: script`). */
const PROBED_TAGS = new Set([
  ...EXEC_TAGS,
  ...Object.keys(ACTIVE_TAGS),
  'dialog',
  'details',
  'marquee',
  'img',
  'image',
  'input',
  'body',
  'video',
  'audio',
  'button',
  'textarea',
  'select',
  'isindex',
  'animate',
]);

/** Names that are not also words of prose or code (`x < base`, `a < object`): `< script`, `<%00iframe`. */
const SPACED_NAMES = new Set(['script', 'iframe', 'frameset', 'applet', 'vmlframe', 'bgsound', 'isindex']);

/**
 * A tag name that a filter-evasion probe wrote with whitespace, control characters (`<%00script`)
 * or an empty namespace prefix (`<:vmlframe`, `< x: script`) around or between its letters.
 * Browsers do not run these, but nobody types them except to find out what a filter lets through.
 */
function scanObfuscatedTag(ctx: Ctx, at: number): void {
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

/** Directives a server-side-include processor runs (`<!--#exec cmd=…-->`). */
const SSI_DIRECTIVES = ['exec', 'include', 'echo', 'set', 'config', 'printenv', 'fsize', 'flastmod'];

/**
 * `-->` (or `--!>`) closing an HTML comment the value did not open: leaving a comment context.
 * At the start of the value or right after a quote it is a breakout; followed by markup it is a
 * breakout carrying markup. Elsewhere (`A --> B` in prose) it only counts from paranoia 2.
 * Also `<!--#exec …-->` server-side includes.
 */
function scanComments(ctx: Ctx): void {
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
function scanHandlers(ctx: Ctx, weak: boolean): void {
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
        let score = knownHandler(name) ? 0.8 : ctx.paranoia >= 2 && name.length <= 30 ? 0.5 : 0;
        if (score === 0 && quoted && name.length >= 5) score = 0.5;
        if (score > 0 && quoted) score += 0.1;
        if (score > 0) hit(ctx, score, i, k + 1, `attribute breakout (on${name}=)`);
      }
    }
    i = s.indexOf('on', i + 2);
  }
}

/** `'formaction=` / `"srcdoc=`: a quote closed, then an attribute that takes script or markup. */
function scanAttributeInjection(ctx: Ctx): void {
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

/** Looks back from a JS token for `'`/`"` + operator: the shape of leaving a JS string. */
function brokeOut(s: string, at: number): boolean {
  let j = at - 1;
  while (j >= 0 && at - j < 6 && isSpace(s.charCodeAt(j))) j--;
  let ops = 0;
  while (j >= 0 && ops < 4 && ';+-*|&,^%}{)]='.includes(s[j])) {
    j--;
    ops++;
  }
  if (ops === 0) return false;
  while (j >= 0 && at - j < 16 && (isSpace(s.charCodeAt(j)) || s.charCodeAt(j) === 41)) j--;
  if (j >= 0 && isQuote(s.charCodeAt(j))) return true;
  // `&{…}` (Netscape JS entity) or `${…}` (template literal)
  return j >= 0 && s.charCodeAt(j + 1) === 123 && (s.charCodeAt(j) === 38 || s.charCodeAt(j) === 36);
}

function scanScript(ctx: Ctx, weak: boolean): void {
  const { s } = ctx;
  for (const name of JS_CALLS) {
    let i = s.indexOf(name);
    while (i >= 0) {
      const end = i + name.length;
      const prev = i > 0 ? s.charCodeAt(i - 1) : 32;
      const next = end < s.length ? s.charCodeAt(end) : 0;
      if ((!isIdent(prev) || afterTagRemnant(s, i)) && (next === 40 || next === 96)) {
        // `model.eval()` in Python is not a browser sink: only trust global receivers after a dot
        const receiver = prev === 46 ? receiverBefore(s, i - 1) : '';
        if (
          prev !== 46 ||
          /^(window|self|top|parent|this|frames|globalthis|string|document|\$)$/.test(receiver)
        ) {
          const empty = next === 40 && s.charCodeAt(end + 1) === 41;
          let score = empty ? 0.5 : 0.6;
          if (brokeOut(s, prev === 46 ? i - 1 - receiver.length : i)) score = 0.85;
          if (!weak || score >= 0.85) hit(ctx, score, i, Math.min(s.length, end + 24), `JS call ${name}(`);
        }
      }
      i = s.indexOf(name, end);
    }
  }
  for (const sink of DOM_SINKS) {
    let i = s.indexOf(sink);
    while (i >= 0) {
      const end = i + sink.length;
      const prev = i > 0 ? s.charCodeAt(i - 1) : 32;
      if (sink.charCodeAt(0) === 46 || !isIdent(prev) || afterTagRemnant(s, i)) {
        let k = end;
        while (k < s.length && k - end < 4 && isSpace(s.charCodeAt(k))) k++;
        const assigned = s.charCodeAt(k) === 61 && s.charCodeAt(k + 1) !== 61;
        // a bare mention ("why document.cookie is unsafe") is prose until assigned, called or broken into
        let score = weak ? 0.35 : ctx.paranoia >= 2 ? 0.5 : 0.45;
        // the whole value, or a token set off by punctuation (`(document.domain)`, `'…'`): not prose
        if (!weak && ctx.htmlInjection && sink.charCodeAt(0) !== 46 && standalone(s, i, k)) score = 0.5;
        if (assigned || s.charCodeAt(k) === 40) score = 0.65;
        if (brokeOut(s, i)) score = 0.85;
        hit(ctx, score, i, Math.min(s.length, end + 24), `DOM sink ${sink}`);
      }
      i = s.indexOf(sink, end);
    }
  }
  // dynamic `import('//evil.example/x.js')`: loads and runs a module
  let imp = s.indexOf('import(');
  while (imp >= 0) {
    const prev = imp > 0 ? s.charCodeAt(imp - 1) : 32;
    let q = imp + 7;
    while (q < s.length && q - imp < 10 && isSpace(s.charCodeAt(q))) q++;
    if (!isIdent(prev) && prev !== 46 && isQuote(s.charCodeAt(q))) {
      const score = brokeOut(s, imp) ? 0.85 : 0.6;
      if (!weak || score >= 0.85) hit(ctx, score, imp, Math.min(s.length, q + 24), 'dynamic import(');
    }
    imp = s.indexOf('import(', imp + 7);
  }
  // `${alert}`, `${alert(1)}` in a template literal
  let t = s.indexOf('${');
  while (t >= 0) {
    let j = t + 2;
    while (j < s.length && j - t < 12 && isSpace(s.charCodeAt(j))) j++;
    for (const name of JS_CALLS) {
      if (s.startsWith(name, j) && !isIdent(s.charCodeAt(j + name.length) || 0)) {
        hit(ctx, 0.8, t, j + name.length, 'template-literal breakout');
      }
    }
    t = s.indexOf('${', t + 2);
  }
  scanJsfuck(ctx);
}

/** A token with nothing but punctuation (or the value's ends) on either side. */
function standalone(s: string, from: number, to: number): boolean {
  const before = from > 0 ? s[from - 1] : '';
  const after = to < s.length ? s[to] : '';
  return (
    (before === '' || '([{\'"`=,+;:|&'.includes(before)) && (after === '' || ')]}\'"`;,.+&|'.includes(after))
  );
}

/** `scriptalert(1)/script`: what a filter that strips `<` and `>` leaves of a script element. */
function afterTagRemnant(s: string, at: number): boolean {
  return at >= 6 && s.startsWith('script', at - 6) && (at === 6 || !isLetter(s.charCodeAt(at - 7)));
}

function receiverBefore(s: string, dot: number): string {
  let j = dot - 1;
  while (j >= 0 && dot - j < 12 && isIdent(s.charCodeAt(j))) j--;
  return s.slice(j + 1, dot);
}

const JSFUCK_CHARS = '[]()!+';

/** JSFuck and similar: long runs of `[]()!+` only; short ones built from `!![]` / `+[]` atoms. */
function scanJsfuck(ctx: Ctx): void {
  const { s } = ctx;
  // `+!![]`, `+[]`, `!+[]`: the atoms (`true`, `0`) of JSFuck; Markdown's `![](x)` has neither
  let a = s.indexOf('[]');
  while (a >= 0) {
    const p = a > 0 ? s.charCodeAt(a - 1) : 0;
    const pp = a > 1 ? s.charCodeAt(a - 2) : 0;
    if (p === 43 || (p === 33 && (pp === 33 || pp === 43))) {
      let l = a;
      while (l > 0 && a - l < 32 && JSFUCK_CHARS.includes(s[l - 1])) l--;
      let r = a + 2;
      while (r < s.length && r - a < 32 && JSFUCK_CHARS.includes(s[r])) r++;
      if (r - l >= 4) {
        hit(ctx, 0.5, l, r, 'JSFuck atom');
        break;
      }
    }
    a = s.indexOf('[]', a + 2);
  }
  let run = 0;
  let bang = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '[' || c === ']' || c === '(' || c === ')' || c === '!' || c === '+') {
      run++;
      if (c === '!') bang++;
      if ((run >= 16 && bang >= 2) || (run >= 10 && bang >= 2 && s.startsWith('[]', i - 1))) {
        hit(ctx, 0.8, i - run + 1, i + 1, 'JSFuck-style expression');
        return;
      }
    } else if (!isSpace(s.charCodeAt(i))) {
      run = 0;
      bang = 0;
    }
  }
}

/** `javascript:` (also split by whitespace/control characters) outside a tag. */
function scanSchemes(ctx: Ctx): void {
  const { s } = ctx;
  // fast path: nothing that could be a scheme's colon
  if (s.indexOf(':') < 0) return;
  const comp: number[] = [];
  let flat = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isSpace(c) || c === 92 || c === 0xad) continue;
    flat += s[i];
    comp.push(i);
  }
  // `data:,<svg onload=…>`: a data URL of any type whose payload is markup
  if (flat.startsWith('data:')) {
    const comma = flat.indexOf(',', 5);
    if (
      comma > 0 &&
      comma < 80 &&
      flat.charCodeAt(comma + 1) === 60 &&
      isLetter(flat.charCodeAt(comma + 2))
    ) {
      hit(ctx, 0.75, 0, Math.min(s.length, comp[comma] + 24), 'data: URL carrying markup');
    }
  }
  for (const scheme of [...EXEC_SCHEMES, ...DATA_SCHEMES]) {
    let i = flat.indexOf(scheme);
    while (i >= 0) {
      const rawAt = comp[i];
      const rawEnd = comp[i + scheme.length - 1] + 1;
      const before = i > 0 ? flat.charCodeAt(i - 1) : 0;
      const rest = s.slice(rawEnd, rawEnd + 200);
      const codey = /[(=`'"[/<\\]/.test(rest) || scheme.startsWith('data:');
      // the scheme itself was split by whitespace/control characters: deliberate obfuscation
      const split = rawEnd - rawAt > scheme.length;
      // at the start, or right after `=`, a quote, `(` or `:` (url(javascript:…), url:javascript:)
      const anchored =
        i === 0 || before === 61 || isQuote(before) || before === 40 || before === 58 || before === 62;
      let score = 0;
      if (codey || split) score = anchored ? 0.85 : 0.55;
      else if (anchored && rest.length > 0) score = ctx.paranoia >= 2 ? 0.55 : 0.4;
      if (ctx.markupOnly && !anchored) score = 0;
      if (score > 0) hit(ctx, score, rawAt, Math.min(s.length, rawEnd + 24), `${scheme} URL`);
      i = flat.indexOf(scheme, i + scheme.length);
    }
  }
}

/** UTF-7 markup (`+ADw-script+AD4-`) that a page declared as UTF-7 would run. */
function scanUtf7(ctx: Ctx): void {
  const { s } = ctx;
  let i = s.indexOf('adw-');
  while (i >= 0) {
    const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
    // `+ADw-` is `<`; a form decoder may have turned the `+` into a space
    if ((prev === 43 || prev === 32) && isLetter(s.charCodeAt(i + 4)) && s.indexOf('ad4-', i + 4) > 0) {
      hit(ctx, 0.75, i - 1, i + 16, 'UTF-7 encoded markup');
      return;
    }
    i = s.indexOf('adw-', i + 4);
  }
}

/** CSS that runs or loads script: `url(javascript:`, `expression(`, bindings and behaviours. */
function scanCss(ctx: Ctx): void {
  const { s } = ctx;
  if (s.indexOf('(') < 0 && s.indexOf(':') < 0) return;
  for (const [needle, score] of [
    ['-moz-binding', 0.75],
    ['behavior:url(', 0.75],
    ['behaviour:url(', 0.75],
    ['binding:url(', 0.75],
  ] as const) {
    const i = s.indexOf(needle);
    if (i >= 0) hit(ctx, score, i, i + needle.length + 24, 'script-loading CSS');
  }
  let i = s.indexOf('url(');
  while (i >= 0) {
    // cheap pre-check: the first meaningful character must start a script scheme
    let k = i + 4;
    while (
      k < s.length &&
      k - i < 16 &&
      (isSpace(s.charCodeAt(k)) || isQuote(s.charCodeAt(k)) || s.charCodeAt(k) === 92)
    )
      k++;
    if (!'jvlm'.includes(s[k] ?? ' ')) {
      i = s.indexOf('url(', i + 4);
      continue;
    }
    const v = compact(s, i + 4, Math.min(s.length, i + 40));
    const inner = v.charCodeAt(0) === 34 || v.charCodeAt(0) === 39 ? v.slice(1) : v;
    if (startsWithAny(inner, EXEC_SCHEMES) || inner.startsWith('javascript')) {
      hit(ctx, 0.8, i, i + 30, 'url(javascript:) in CSS');
    }
    i = s.indexOf('url(', i + 4);
  }
  i = s.indexOf('expression(');
  if (i > 0 && (s.charCodeAt(i - 1) === 58 || isSpace(s.charCodeAt(i - 1)))) {
    hit(ctx, 0.7, i, i + 30, 'CSS expression()');
  }
}

const BRACKET_NAMES = [
  'alert',
  'prompt',
  'confirm',
  'eval',
  'cookie',
  'document',
  'location',
  'innerhtml',
  'fromcharcode',
  'constructor',
  '$',
  '\\x24',
  'globaleval',
  'write',
];

/** JS property access written to dodge word lists: `window["alert"]`, `document (comment) .cookie`, `.call\``. */
function scanJsObfuscation(ctx: Ctx): void {
  const { s } = ctx;
  let i = s.indexOf('[');
  while (i >= 0) {
    let j = i + 1;
    while (j < s.length && j - i < 24) {
      const c = s.charCodeAt(j);
      if (isSpace(c)) j++;
      else if (c === 47 && s.charCodeAt(j + 1) === 42) {
        const end = s.slice(j + 2, j + 34).indexOf('*/') + j + 2;
        if (end < j + 2) break;
        j = end + 2;
      } else break;
    }
    const q = s.charCodeAt(j);
    if (isQuote(q)) {
      for (const name of BRACKET_NAMES) {
        if (s.startsWith(name, j + 1) && s.charCodeAt(j + 1 + name.length) === q) {
          hit(ctx, 0.75, i, j + name.length + 3, `bracket access ["${name}"]`);
        }
      }
    }
    i = s.indexOf('[', i + 1);
  }
  // `top['al'+'ert'](1)`: a property name assembled from strings, then called
  i = s.indexOf('[');
  while (i >= 0) {
    let j = i + 1;
    while (j < s.length && j - i < 4 && isSpace(s.charCodeAt(j))) j++;
    if (isQuote(s.charCodeAt(j))) {
      // bounded look-ahead: an unclosed `['` must not make this quadratic
      const close = s.slice(j, j + 64).indexOf(']') + j;
      if (close > j) {
        const inner = s.slice(j, close);
        let k = close + 1;
        while (k < s.length && k - close < 4 && isSpace(s.charCodeAt(k))) k++;
        const called = s.charCodeAt(k) === 40 || s.charCodeAt(k) === 96;
        if (called && /["'`]\s*\+\s*["'`]/.test(inner))
          hit(ctx, 0.7, i, k + 1, 'property name built from strings, then called');
      }
    }
    i = s.indexOf('[', i + 1);
  }
  for (const tag of ['.call`', '.apply`', '.bind`']) {
    const t = s.indexOf(tag);
    if (t > 0) hit(ctx, 0.7, t, t + 20, `tagged template ${tag}`);
  }
  // `document /*x*/ . cookie`: only when comments or spaces split the member access
  if (s.indexOf('/*') >= 0 || s.indexOf(' .') >= 0 || s.indexOf('. ') >= 0 || s.indexOf(')[') >= 0) {
    let flat = '';
    let k = 0;
    while (k < s.length) {
      const c = s.charCodeAt(k);
      if (c === 47 && s.charCodeAt(k + 1) === 42) {
        const end = s.indexOf('*/', k + 2);
        if (end < 0) break;
        k = end + 2;
        continue;
      }
      if (!isSpace(c) && c !== 40 && c !== 41) flat += s[k];
      k++;
    }
    for (const sink of [
      'document.cookie',
      'document.domain',
      'document["cookie"]',
      'document.write',
      'window.location',
    ]) {
      const at = flat.indexOf(sink);
      if (at >= 0 && s.indexOf(sink) < 0) hit(ctx, 0.75, 0, Math.min(s.length, 120), `obfuscated ${sink}`);
    }
  }
}

function severityOf(score: number): Finding['severity'] {
  return score >= 0.8 ? 'high' : 'medium';
}

/**
 * Prefilter, derived from the scanners above, that rejects a value none of them can report on.
 * Markup, calls, brackets, templates and comment/CSS openers need `<`, `(`, `` ` ``, `[`, `{` or
 * `/*`; a comment closer is `-->`/`--!>`; attribute breakouts are a letter run starting `on` (or
 * ending `formaction`/`srcdoc`/`href`) then spaces then `=`; JSFuck without brackets needs two
 * `!`; UTF-7 needs `adw-`; CSS bindings `-moz-binding`; the DOM sinks all contain `.` next to
 * `document`, `window`, `location`, `storage`, `constructor`, `top`, `parent`, `self` (letters
 * possibly split by spaces or `)`, as `scanJsObfuscation` flattens them) or before `innerhtml`,
 * `outerhtml`, `insertadjacenthtml`, except `new function`; script URLs are `script:`, `mocha:`
 * or `data:` with whitespace, `\` or soft hyphens allowed between the letters. U+0130 and U+212A
 * lower-case to ASCII (and shift indices), so a value holding one is always passed on.
 */
const XSS_TRIGGER =
  /[<(`[{\u0130\u212a]|\/\*|--!?>|\bon[a-z]*[\x00-\x20]*=|(?:formaction|srcdoc|href)[\x00-\x20]*=|new function|adw-|-moz-binding/i;

/** Characters `scanSchemes` drops before matching a scheme (whitespace, `\`, soft hyphen). */
const schemeSkip = (c: number): boolean => c <= 32 || c === 92 || c === 0xad;
/** Characters the flattened sink check drops (whitespace and `)`; `(` and comments trigger anyway). */
const sinkSkip = (c: number): boolean => c <= 32 || c === 41;

/** Whether the letters before `end` (skipping `skip` characters) spell `word`, ignoring ASCII case. */
function endsWithFlat(v: string, end: number, word: string, skip: (c: number) => boolean): boolean {
  let j = end - 1;
  for (let k = word.length - 1; k >= 0; k--) {
    while (j >= 0 && skip(v.charCodeAt(j))) j--;
    if (j < 0 || (v.charCodeAt(j) | 0x20) !== word.charCodeAt(k)) return false;
    j--;
  }
  return true;
}

function startsWithCi(v: string, at: number, word: string): boolean {
  if (at + word.length > v.length) return false;
  for (let k = 0; k < word.length; k++)
    if ((v.charCodeAt(at + k) | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

/** Letters before `at`, skipping `skip` characters: the code of the nearest one, lower case (-1: none). */
function lastLetterBefore(v: string, at: number, skip: (c: number) => boolean): number {
  let j = at - 1;
  while (j >= 0 && skip(v.charCodeAt(j))) j--;
  return j < 0 ? -1 : v.charCodeAt(j) | 0x20;
}

/** A DOM sink around the `.` at `i`: an owner before it (`document.`, `top.`…) or a member after. */
function sinkAt(v: string, i: number): boolean {
  switch (lastLetterBefore(v, i, sinkSkip)) {
    case 116: // t
      if (endsWithFlat(v, i, 'document', sinkSkip) || endsWithFlat(v, i, 'parent', sinkSkip)) return true;
      break;
    case 119: // w
      if (endsWithFlat(v, i, 'window', sinkSkip)) return true;
      break;
    case 110: // n
      if (endsWithFlat(v, i, 'location', sinkSkip)) return true;
      break;
    case 101: // e
      if (endsWithFlat(v, i, 'storage', sinkSkip)) return true;
      break;
    case 114: // r
      if (endsWithFlat(v, i, 'constructor', sinkSkip)) return true;
      break;
    case 112: // p
      if (endsWithFlat(v, i, 'top', sinkSkip)) return true;
      break;
    case 102: // f
      if (endsWithFlat(v, i, 'self', sinkSkip)) return true;
      break;
  }
  const next = v.charCodeAt(i + 1) | 0x20;
  return (
    (next === 105 && (startsWithCi(v, i + 1, 'innerhtml') || startsWithCi(v, i + 1, 'insertadjacenthtml'))) ||
    (next === 111 && startsWithCi(v, i + 1, 'outerhtml'))
  );
}

/** A script scheme ending at the `:` at `i`: `…script:`, `mocha:`, `data:`. */
function schemeAt(v: string, i: number): boolean {
  switch (lastLetterBefore(v, i, schemeSkip)) {
    case 116: // t
      return endsWithFlat(v, i, 'script', schemeSkip);
    case 97: // a
      return endsWithFlat(v, i, 'mocha', schemeSkip) || endsWithFlat(v, i, 'data', schemeSkip);
  }
  return false;
}

export function mayBeXss(v: string): boolean {
  if (XSS_TRIGGER.test(v)) return true;
  const bang = v.indexOf('!');
  if (bang >= 0 && v.indexOf('!', bang + 1) >= 0) return true;
  for (let i = v.indexOf(':'); i >= 0; i = v.indexOf(':', i + 1)) if (schemeAt(v, i)) return true;
  for (let i = v.indexOf('.'); i >= 0; i = v.indexOf('.', i + 1)) if (sinkAt(v, i)) return true;
  return false;
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
