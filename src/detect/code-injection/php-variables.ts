// PHP variables in a value: variable functions (`$f(…)`, `$_GET[a]($_GET[b])`), variable variables
// (`${…}`) and request superglobals (`$_SERVER[…]`). `s` is the lower-cased value.
import { findWithin, identEnd, isIdentStart, MAX_GAP, type Report, skipGap, skipSpace } from './lex.js';

const MAX_CANDIDATES = 256;

/** PHP's request superglobals (names without `$`). */
const SUPERGLOBALS = new Set([
  '_get',
  '_post',
  '_cookie',
  '_request',
  '_server',
  '_files',
  '_env',
  '_session',
  'globals',
  'http_raw_post_data',
  'http_get_vars',
  'http_post_vars',
  'http_cookie_vars',
  'http_server_vars',
  'http_env_vars',
  'http_post_files',
]);

/** The bracket closing the `[` or `{` at `b` (nesting counted, within 64 characters), or -1. */
function closingBracket(s: string, b: number): number {
  const open = s.charCodeAt(b);
  if (open !== 91 && open !== 123) return -1;
  const close = open === 91 ? 93 : 125;
  let depth = 0;
  for (let k = b; k < s.length && k - b <= 64; k++) {
    const c = s.charCodeAt(k);
    if (c === open) depth++;
    else if (c === close && --depth === 0) return k;
  }
  return -1;
}

/** `$f(…)`, `$$f(…)`, `$_GET[a](…)`, `${'a'}`, `$ {$a}`, `$_SERVER[…]`. */
export function variables(s: string, report: Report): void {
  let i = s.indexOf('$');
  for (let n = 0; i >= 0 && n < MAX_CANDIDATES * 4; n++) {
    let j = i + 1;
    while (s.charCodeAt(j) === 36 && j - i < 8) j++;
    const spaced = skipSpace(s, j);
    if (s.charCodeAt(spaced) === 123 /* { */) {
      const close = findWithin(s, '}', spaced + 1, MAX_GAP);
      if (close > 0) {
        const inner = s.slice(spaced + 1, close).trim();
        const first = inner.charCodeAt(0);
        const g = skipGap(s, close + 1);
        if (inner.length > 0 && g >= 0 && s.charCodeAt(g) === 40)
          report(0.8, i, 'call of a variable variable ${…}(…)');
        else if (inner.length > 0 && (first === 39 || first === 34 || first === 36 || spaced > j)) {
          report(0.55, i, 'PHP variable variable ${…}');
        }
      }
    } else if (isIdentStart(s.charCodeAt(j))) {
      const e = identEnd(s, j);
      const name = s.slice(j, e);
      let k = e;
      let indexed = false;
      // `[…]` / `{…}` offsets, nested (`$__[$_[1]]`), with comments between them as PHP allows
      for (let m = 0; m < 4; m++) {
        const b = skipGap(s, k);
        if (b < 0) break;
        const close = closingBracket(s, b);
        if (close < 0 || s.slice(b + 1, close).trim() === '') break;
        indexed = true;
        k = close + 1;
      }
      const g = skipGap(s, k);
      const called = g >= 0 && s.charCodeAt(g) === 40;
      const superglobal = SUPERGLOBALS.has(name);
      if (called) report(superglobal ? 0.9 : 0.75, i, `variable function call $${name}(…)`);
      else if (superglobal) report(indexed ? 0.85 : 0.45, i, `PHP superglobal $${name.toUpperCase()}`);
    }
    i = s.indexOf('$', Math.max(j, i + 1));
  }
}
