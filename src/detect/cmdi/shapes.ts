/**
 * Whole-value shapes of the command-injection detector, found on the lower-cased text before the
 * shell lexer runs: reverse shells over /dev/tcp, SSI exec, shell function definitions (shellshock,
 * fork bombs), shell-only expansions and brace expansions glued into a command name.
 */
import type { CmdiAnalysis } from '../cmdi.js';
import { WORDY_TOOLS } from './tools.js';
import { commandName, knownCommand } from './words.js';

export function specificShapes(lower: string): CmdiAnalysis | null {
  let i = lower.indexOf('/dev/tcp/');
  if (i < 0) i = lower.indexOf('/dev/udp/');
  if (i >= 0) return { score: 0.95, rule: 'reverse-shell-dev-tcp', reach: 'start', offset: i };
  i = lower.indexOf('<!--#exec');
  if (i >= 0) return { score: 0.95, rule: 'ssi-exec', reach: 'start', offset: i };
  // shellshock `() { :; };` and fork bombs `:(){ :|:& };:` — a function definition opening the value
  let j = 0;
  while (j < lower.length && j < 32 && (lower[j] === ' ' || lower[j] === '\t')) j++;
  const nameStart = j;
  while (j < lower.length && j - nameStart < 24 && /[a-z0-9_:.-]/.test(lower[j]!)) j++;
  const nameEnd = j;
  while (lower[j] === ' ') j++;
  if (lower[j] === '(' && lower[j + 1] === ')') {
    j += 2;
    while (lower[j] === ' ' || lower[j] === '\t') j++;
    if (lower[j] === '{') {
      // `() { :;};` (shellshock) and `:(){ :|:& };:` are shell; `render(){ … }` may be a JS method
      const name = lower.slice(nameStart, nameEnd);
      const shellName = name === '' || !/[a-z]/.test(name) || definedAndCalled(lower, j, name);
      return {
        score: shellName ? 0.9 : 0.45,
        rule: 'shell-function-definition',
        reach: 'start',
        offset: nameStart,
      };
    }
  }
  return null;
}

/**
 * Expansions only a shell evaluates: `$[1+1]` and `$((…))` arithmetic, and parameter expansions
 * with an operator (`${PATH#x}`, `${x:-y}`, `${x:0:1}`, `${!x}`, `${#x}`) — used to build commands
 * from pieces of variables. `${name}` alone is a template placeholder; `${a%2}` may be JavaScript.
 */
export function shellExpansion(lower: string): CmdiAnalysis | null {
  let at = lower.indexOf('$');
  for (let n = 0; at >= 0 && n < 32; n++, at = lower.indexOf('$', at + 1)) {
    const nx = lower[at + 1];
    // `n=$((n+1))`, `len=${#s}`: script style, a value assigned
    if (lower[at - 1] === '=') continue;
    if (nx === '[') {
      const close = indexWithin(lower, ']', at, 64);
      if (close > 0 && close - at <= 64 && /^[0-9a-z_+\-*/%() $]*$/.test(lower.slice(at + 2, close)))
        return { score: 0.5, rule: 'shell-arithmetic', reach: 'start', offset: at };
    } else if (nx === '(' && lower[at + 2] === '(') {
      if (lower.slice(at + 3, at + 66).includes('))'))
        return { score: 0.5, rule: 'shell-arithmetic', reach: 'start', offset: at };
    } else if (nx === '{') {
      const close = indexWithin(lower, '}', at, 64);
      const inner = close > 0 && close - at <= 64 ? lower.slice(at + 2, close + 1) : '';
      if (
        /^[!#][a-z_][a-z0-9_]*\}$/.test(inner) ||
        /^[a-z_][a-z0-9_]*(##?|%%?|\/\/?|:[-=?+]|:[0-9]+(:[0-9]+)?\}|\^\^?|,,?)/.test(inner)
      ) {
        // `${x%2}`, `${a/b}` may be template arithmetic: only with a non-digit, non-name operand
        const m = /^[a-z_][a-z0-9_]*(%%?|\/\/?)(.)/.exec(inner);
        if (m !== null && /[a-z0-9_ (]/.test(m[2]!)) continue;
        return { score: 0.5, rule: 'shell-parameter-expansion', reach: 'start', offset: at };
      }
    }
  }
  return null;
}

/** indexOf that looks at most `limit` characters past `from` (no rescans of a long value). */
function indexWithin(s: string, ch: string, from: number, limit: number): number {
  const end = Math.min(s.length, from + limit);
  for (let k = from; k < end; k++) if (s[k] === ch) return k;
  return -1;
}

const BRACE_WORD = /[a-z0-9_./-]/;
/**
 * `{l,-lh}s` → `ls -lhs`, `c{a,oun}t` → `cat count`: a brace expansion glued to letters that spells
 * a command in command position (value start or after a separator).
 */
export function gluedBraceCommand(lower: string): CmdiAnalysis | null {
  let open = lower.indexOf('{');
  for (let n = 0; open >= 0 && n < 16; n++, open = lower.indexOf('{', open + 1)) {
    const close = indexWithin(lower, '}', open, 64);
    if (close < 0) continue;
    const inner = lower.slice(open + 1, close);
    if (!inner.includes(',') || inner.includes(' ') || inner.includes('{')) continue;
    let p = open;
    while (p > 0 && open - p < 32 && BRACE_WORD.test(lower[p - 1]!)) p--;
    let e = close + 1;
    while (e < lower.length && e - close < 32 && BRACE_WORD.test(lower[e]!)) e++;
    const prefix = lower.slice(p, open);
    const suffix = lower.slice(close + 1, e);
    if (prefix === '' && suffix === '') continue;
    let b = p - 1;
    while (b >= 0 && (lower[b] === ' ' || lower[b] === '"' || lower[b] === "'")) b--;
    const sepBefore = b >= 0 && ';|&\n(`'.includes(lower[b]!);
    if (b >= 0 && !sepBefore) continue;
    const first = inner.split(',').find((a) => a !== '');
    if (first === undefined) continue;
    const name = commandName(prefix + first + suffix);
    const known = knownCommand(name);
    if (known === null || WORDY_TOOLS.has(name)) continue;
    const score = (known === 'strong' ? 0.75 : 0.6) + (sepBefore ? 0.15 : 0);
    return { score, rule: 'brace-expansion-command', reach: sepBefore ? ';' : 'brace', offset: p };
  }
  return null;
}

/**
 * `f(){ f|f& };f`, `run(){ id; }; run`: the body at `{` (index open) pipes or backgrounds calls of
 * the function itself (a fork bomb), or the definition is closed by `;` and called right away —
 * shell, where a JavaScript method (`render(){ … }`) is neither.
 */
function definedAndCalled(lower: string, open: number, name: string): boolean {
  const close = indexWithin(lower, '}', open, 256);
  if (close < 0) return false;
  const body = lower.slice(open + 1, close);
  let k = body.indexOf(name);
  for (let n = 0; k >= 0 && n < 16; n++) {
    let e = k + name.length;
    if (body.startsWith('()', e)) e += 2;
    while (body[e] === ' ') e++;
    if (body[e] === '|' || body[e] === '&') return true;
    k = body.indexOf(name, k + 1);
  }
  let e = close + 1;
  while (lower[e] === ' ') e++;
  if (lower[e] !== ';') return false;
  e++;
  while (lower[e] === ' ') e++;
  const after = lower[e + name.length];
  return lower.startsWith(name, e) && (after === undefined || !/[a-z0-9_]/.test(after));
}

/**
 * A value that is nothing but a bash tilde or history expansion: `~+` / `~-` (the current and
 * previous directory), `~+2` / `~-1` (directory stack entries), `!!` and `!-1!-2` (earlier
 * commands run again), `~0` / `!3`. They run what the shell already has, so an attacker probes
 * with them; alone they are prose too rarely to ignore (`~5` is "about five", `!1` may be a
 * negation): paranoia 2 for the forms with a sign or `!!`, 3 for the bare numbers.
 */
export function wholeValueExpansion(text: string): CmdiAnalysis | null {
  const v = text.trim();
  if (v.length < 2 || v.length > 16) return null;
  if (/^~[+-][0-9]{0,3}$/.test(v) || /^(!!|(![-][0-9]{1,3})+)$/.test(v))
    return {
      score: 0.45,
      rule: v[0] === '~' ? 'tilde-expansion' : 'history-expansion',
      reach: 'start',
      offset: 0,
    };
  if (/^~[0-9]{1,3}$/.test(v) || /^![0-9]{1,3}$/.test(v))
    return {
      score: 0.35,
      rule: v[0] === '~' ? 'tilde-expansion' : 'history-expansion',
      reach: 'start',
      offset: 0,
    };
  return null;
}
