// The JS side: calls and sinks with the shapes of leaving a JS string, the Function constructor,
// client-side template escapes, property access written to dodge word lists, JSFuck.
import { BRACKET_NAMES, DOM_SINKS, JS_CALLS } from './tables.js';
import {
  afterTagRemnant,
  hit,
  isIdent,
  gluedLeft,
  isQuote,
  isSpace,
  receiverBefore,
  standalone,
  type Ctx,
} from './text.js';

/** Looks back from a JS token for `'`/`"` + operator: the shape of leaving a JS string. */
export function brokeOut(s: string, at: number): boolean {
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

export function scanScript(ctx: Ctx, weak: boolean): void {
  const { s } = ctx;
  // UTF-8 lead bytes read as Latin-1 change under toLowerCase (`Â` → `â`): judge them unfolded
  const glue = ctx.raw.length === s.length ? ctx.raw : s;
  for (const name of JS_CALLS) {
    let i = s.indexOf(name);
    while (i >= 0) {
      const end = i + name.length;
      const prev = i > 0 ? s.charCodeAt(i - 1) : 32;
      const next = end < s.length ? s.charCodeAt(end) : 0;
      // `alert(1)`, alert`1`, `alert?.(1)`, `(alert)(1)`
      const called =
        next === 40 ||
        next === 96 ||
        (next === 63 && s.charCodeAt(end + 1) === 46 && s.charCodeAt(end + 2) === 40) ||
        (prev === 40 && next === 41 && (s.charCodeAt(end + 1) === 40 || s.charCodeAt(end + 1) === 96));
      if ((!gluedLeft(glue, i) || afterTagRemnant(s, i)) && called) {
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
      if (sink.charCodeAt(0) === 46 || !gluedLeft(glue, i) || afterTagRemnant(s, i)) {
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
  if (!weak) {
    scanInOperatorHook(ctx);
    scanStringBreakout(ctx);
    scanFunctionConstructor(ctx);
    scanTemplateExpression(ctx);
  }
}

/**
 * Code from a string through the Function constructor, reached from any object:
 * `x.constructor('code')()`, `[].map.constructor("code")`; and overwriting a built-in prototype
 * method (`'a'.constructor.prototype.charAt=[].join`), the AngularJS sandbox escape.
 */
function scanFunctionConstructor(ctx: Ctx): void {
  const { s } = ctx;
  let i = s.indexOf('constructor');
  while (i >= 0) {
    const end = i + 11;
    const c = s.charCodeAt(end);
    if (c === 40) {
      let k = end + 1;
      while (k < s.length && k - end < 6 && isSpace(s.charCodeAt(k))) k++;
      if (isQuote(s.charCodeAt(k))) {
        hit(ctx, 0.75, i, Math.min(s.length, k + 24), 'Function constructor called with code');
        return;
      }
    } else if (c === 46 && s.startsWith('prototype.', end + 1)) {
      let k = end + 11;
      while (k < s.length && k - end < 48 && isIdent(s.charCodeAt(k))) k++;
      while (k < s.length && k - end < 52 && isSpace(s.charCodeAt(k))) k++;
      if (s.charCodeAt(k) === 61 && s.charCodeAt(k + 1) !== 61) {
        hit(ctx, 0.8, i, Math.min(s.length, k + 24), 'built-in prototype overwritten');
        return;
      }
    }
    i = s.indexOf('constructor', end);
  }
}

/** What an expression in `{{…}}` reaches for only to escape a client-side template sandbox. */
const TEMPLATE_ESCAPES = [
  'constructor',
  '$eval',
  '$on.',
  '$event.',
  '__proto__',
  'prototype',
  'fromcharcode',
];

/** AngularJS-style `{{…}}` client-side template injection (the page evaluates the expression). */
function scanTemplateExpression(ctx: Ctx): void {
  const { s } = ctx;
  let i = s.indexOf('{{');
  while (i >= 0) {
    // bounded window: unclosed `{{` runs must not make this quadratic
    const inner = s.slice(i + 2, i + 258);
    const close = inner.indexOf('}}');
    const expr = close >= 0 ? inner.slice(0, close) : inner;
    for (const word of TEMPLATE_ESCAPES) {
      if (expr.includes(word)) {
        hit(ctx, 0.75, i, Math.min(s.length, i + 2 + expr.length + 2), `template expression reaches ${word}`);
        return;
      }
    }
    // an unclosed window is judged whole: the next `{{` starts after it (linear)
    i = s.indexOf('{{', i + 2 + (close >= 0 ? close + 2 : inner.length));
  }
}

/** Globals whose assignment is the payload: navigation, a handler, a conversion hook. */
const HOOKS = ['location', 'onerror', 'onload', 'valueof', 'tostring'];

/**
 * `"in location=…`, `'in valueOf=alert`: the string is closed and the `in` operator (the one
 * binary operator that is a word, so filters that look for punctuation miss it) joins it to an
 * assignment that navigates or installs a hook. As in `scanStringBreakout`, the quote must be the
 * value's first, after at most one token, so prose quoting `"in location=…"` mid-sentence is not it.
 */
function scanInOperatorHook(ctx: Ctx): void {
  const { s } = ctx;
  let q = 0;
  while (q < s.length && q < 64 && !isQuote(s.charCodeAt(q))) {
    if (isSpace(s.charCodeAt(q))) return;
    q++;
  }
  if (!isQuote(s.charCodeAt(q))) return;
  let i = q + 1;
  while (i < s.length && i - q < 12 && isSpace(s.charCodeAt(i))) i++;
  if (!s.startsWith('in', i)) return;
  const sep = s.charCodeAt(i + 2);
  if (!isSpace(sep) && sep !== 40) return;
  i += 3;
  while (i < s.length && i - q < 32 && (isSpace(s.charCodeAt(i)) || s.charCodeAt(i) === 40)) i++;
  for (const hook of HOOKS) {
    if (!s.startsWith(hook, i)) continue;
    let k = i + hook.length;
    while (k < s.length && k - i < 16 && isSpace(s.charCodeAt(k))) k++;
    if (s.charCodeAt(k) === 61 && s.charCodeAt(k + 1) !== 61)
      hit(ctx, 0.6, q, Math.min(s.length, k + 24), `JS string breakout (in ${hook}=)`);
    return;
  }
}

const BREAKOUT_OPS = ';+-*|&,^%';

/**
 * Leaving a JS string whatever the code: a quote, an operator, a call or assignment
 * (`'-fetch(x)-'`, `";location=name;//`), and then either a re-opened string (an operator and a
 * quote at the very end) or a comment that swallows the rest of the original line.
 */
function scanStringBreakout(ctx: Ctx): void {
  const { s } = ctx;
  let last = s.length - 1;
  while (last >= 0 && isSpace(s.charCodeAt(last))) last--;
  if (last < 4) return;
  const lastQuote = s.charCodeAt(last);
  let reopens = false;
  if (isQuote(lastQuote)) {
    let j = last - 1;
    while (j >= 0 && isSpace(s.charCodeAt(j))) j--;
    reopens = j >= 0 && BREAKOUT_OPS.includes(s[j]);
  }
  const comment = Math.max(s.lastIndexOf('//'), s.lastIndexOf('<!--'));
  if (!reopens && comment < 0) return;
  // the quote that leaves the string is the value's first, after at most one token (`x';`, `\";`);
  // a later one, or one after prose, closes a string the value opened itself
  let q = 0;
  while (q < last && !isQuote(s.charCodeAt(q))) {
    if (isSpace(s.charCodeAt(q))) return;
    q++;
  }
  if (q >= last) return;
  const qc = s.charCodeAt(q);
  {
    let i = q + 1;
    // `')`, `"}`, `']` close what the string sat in
    while (i < s.length && i - q <= 3 && ')]}'.includes(s[i])) i++;
    while (i < s.length && i - q < 12 && isSpace(s.charCodeAt(i))) i++;
    const opStart = i;
    while (i < s.length && i - opStart < 3 && BREAKOUT_OPS.includes(s[i])) i++;
    if (i === opStart) return;
    while (i < s.length && i - q < 24 && isSpace(s.charCodeAt(i))) i++;
    if (s.startsWith('new ', i)) i += 4;
    const identStart = i;
    while (i < s.length && i - identStart < 64) {
      const c = s.charCodeAt(i);
      if (isIdent(c) && !(c >= 48 && c <= 57 && (i === identStart || s.charCodeAt(i - 1) === 46))) i++;
      else if (c === 46 && i > identStart && isIdent(s.charCodeAt(i + 1))) i++;
      else break;
    }
    if (i === identStart) return;
    const c = s.charCodeAt(i);
    // assignments only to a member or a navigating/handler global (`&url=` in a query is not one)
    const target = s.slice(identStart, i);
    const assigns =
      c === 61 &&
      s.charCodeAt(i + 1) !== 61 &&
      (target.includes('.') || target === 'location' || target === 'onerror' || target === 'onload');
    const acts = c === 40 || c === 96 || assigns;
    if (!acts) return;
    if ((reopens && lastQuote === qc && last > i) || comment > i)
      hit(ctx, 0.7, q, Math.min(s.length, i + 24), 'JS string breakout');
  }
}

export const JSFUCK_CHARS = '[]()!+';

/** JSFuck and similar: long runs of `[]()!+` only; short ones built from `!![]` / `+[]` atoms. */
export function scanJsfuck(ctx: Ctx): void {
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

/** JS property access written to dodge word lists: `window["alert"]`, `document (comment) .cookie`, `.call\``. */
export function scanJsObfuscation(ctx: Ctx): void {
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
