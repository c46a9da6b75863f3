// Script URLs (`javascript:`, `data:text/html`), CSS that runs script, and charset tricks (UTF-7,
// high-bit markup) that turn harmless-looking bytes into markup.
import { DATA_SCHEMES, EXEC_SCHEMES } from './tables.js';
import { compact, hit, isLetter, isQuote, isSpace, startsWithAny, type Ctx } from './text.js';

/** `javascript:` (also split by whitespace/control characters) outside a tag. */
export function scanSchemes(ctx: Ctx): void {
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
      // `…in JavaScript: def f(x)`: a language named in prose, then a space, not a URL
      if (!anchored && !split && isSpace(rest.charCodeAt(0)))
        score = Math.min(score, ctx.paranoia >= 2 ? 0.5 : 0.4);
      if (ctx.markupOnly && !anchored) score = 0;
      if (score > 0) hit(ctx, score, rawAt, Math.min(s.length, rawEnd + 24), `${scheme} URL`);
      i = flat.indexOf(scheme, i + scheme.length);
    }
  }
}

/** UTF-7 markup (`+ADw-script+AD4-`) that a page declared as UTF-7 would run. */
export function scanUtf7(ctx: Ctx): void {
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

/**
 * The name of a UTF-7 charset as a whole value (`_charset_=utf-7`, `?charset=UTF-7`, `ie=utf-7`):
 * a form or page switched to UTF-7 lets `+ADw-script+AD4-` through every ASCII filter.
 */
const UTF7_NAMES = new Set([
  'utf-7',
  'utf7',
  'x-utf-7',
  'unicode-1-1-utf-7',
  'unicode-2-0-utf-7',
  'csunicode11utf7',
  'x-imap4-modified-utf7',
]);

export function scanUtf7Charset(ctx: Ctx): void {
  if (ctx.s.length > 40) return;
  const v = ctx.s.trim();
  if (v.length <= 24 && UTF7_NAMES.has(v)) hit(ctx, 0.5, 0, ctx.s.length, 'selects the UTF-7 charset');
}

/**
 * A UTF-8 lead byte read as Latin-1 (`Ð` of `Ð¼`, Cyrillic `м`): what follows is not a lone byte.
 * 0xC2 is left out: `Â¼` is the UTF-8 of `¼` itself.
 */
const utf8Lead = (c: number): boolean => c >= 0xc3 && c <= 0xf4;

/**
 * `¼script¾`: markup with the high bit set on `<` and `>` (0xBC, 0xBE), which a server that
 * strips the eighth bit (the old US-ASCII decoders) turns back into `<script>`. A lone 0xBC after a
 * UTF-8 lead byte is half of a multi-byte character and does not count.
 */
export function scanHighBitMarkup(ctx: Ctx): void {
  // ¼ and ¾ have no case; the UTF-8 lead bytes before them do (`Â` → `â`): read the raw value
  const s = ctx.raw;
  let i = s.indexOf('\u00bc');
  // the next 0xBE at or after a position, searched again only once passed: linear overall
  let close = -1;
  const closer = { at: 0 };
  while (i >= 0) {
    const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
    let j = i + 1;
    if (s.charCodeAt(j) === 47) j++;
    const nameStart = j;
    while (j < s.length && j - nameStart < 16 && isLetter(s.charCodeAt(j))) j++;
    if (utf8Lead(prev) && nameStart === i + 1 && j - nameStart >= 3 && pairedCloser(s, i, j, closer)) {
      hit(ctx, 0.7, i, j, 'markup with the high bit set, re-encoded');
      return;
    }
    if (!utf8Lead(prev) && j - nameStart >= 1) {
      if (close < j) close = s.indexOf('\u00be', j);
      while (close > 0 && utf8Lead(s.charCodeAt(close - 1))) close = s.indexOf('\u00be', close + 1);
      if (close < 0) return;
      if (close - j < 256) {
        hit(ctx, 0.7, i, close + 1, 'markup with the high bit set (US-ASCII)');
        return;
      }
    }
    i = s.indexOf('\u00bc', i + 1);
  }
}

/**
 * The ¼ at `lt` opens the Latin name `s[lt+1..nameEnd)`, a ¾ ends that tag and `¼/name¾`
 * closes it within 256 characters, each ¼ after a UTF-8 lead byte: high-bit markup that went
 * through one more transcoding (`Ð¼scriptÐ¾…Ð¼/scriptÐ¾`). Cyrillic text read as Latin-1 is full of `Ð¼` (`м`),
 * but never glued to the same Latin word twice, once with a slash.
 */
function pairedCloser(s: string, lt: number, nameEnd: number, next: { at: number }): boolean {
  // `next.at` only moves forward (openers come in order): one pass over the value for all of them
  if (next.at >= 0 && next.at < nameEnd) next.at = s.indexOf('\u00bc/', nameEnd);
  const len = nameEnd - lt - 1;
  const limit = nameEnd + 256;
  if (next.at < 0) return false;
  for (let k = next.at; k < limit && k < s.length; k++) {
    if (s.charCodeAt(k) !== 0xbc || s.charCodeAt(k + 1) !== 47) continue;
    let m = 0;
    while (m < len && (s.charCodeAt(k + 2 + m) | 0x20) === (s.charCodeAt(lt + 1 + m) | 0x20)) m++;
    // the closer's ¾ carries its lead byte too (`Ð¾`)
    const gt = utf8Lead(s.charCodeAt(k + 2 + len)) ? k + 3 + len : k + 2 + len;
    if (m === len && s.charCodeAt(gt) === 0xbe) {
      // both tags complete: the opener's ¾ comes before the closer
      for (let g = nameEnd; g < k; g++) if (s.charCodeAt(g) === 0xbe) return true;
      return false;
    }
  }
  return false;
}

/** CSS that runs or loads script: `url(javascript:`, `expression(`, bindings and behaviours. */
export function scanCss(ctx: Ctx): void {
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

/**
 * `http://1113982867/`, `http://0x42.0x66.0x7.0x93/`, `http://0102.0146.0007.0223/`: an IPv4
 * address as one integer, in hex or in octal. Browsers follow it; people write a host name or a
 * dotted decimal address. The spelling exists to get a link past a filter that blocks the host.
 */
export function obfuscatedIpHost(url: string): boolean {
  let i = url.indexOf('//');
  if (i < 0 || i > 6) return false;
  i += 2;
  const at = url.indexOf('@', i); // `http://user@host/`
  const start = at > i && at - i < 64 && !url.slice(i, at).includes('/') ? at + 1 : i;
  let end = start;
  while (end < url.length && end - start < 64 && !'/?#:'.includes(url[end])) end++;
  const host = url.slice(start, end);
  if (host.length === 0) return false;
  const labels = host.split('.');
  if (labels.length > 4) return false;
  let odd = false;
  for (const l of labels) {
    if (/^0x[0-9a-f]+$/.test(l)) odd = true;
    else if (/^[0-9]+$/.test(l)) {
      if ((l.length > 1 && l.charCodeAt(0) === 48) || (labels.length === 1 && l.length >= 4)) odd = true;
    } else return false;
  }
  return odd;
}
