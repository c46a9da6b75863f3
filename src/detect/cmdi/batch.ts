/**
 * Windows batch control flow for the command-injection detector: `for /f "…" %a in (…) do cmd`
 * and `if [/i] [not] <condition> <command>`. A condition counts as batch syntax when it carries a
 * batch marker (a `%var%` operand, `/i`, a comparison word such as `equ`/`geq`) or when `==` is
 * followed by a command or a `(` block; `if a == b then` prose and `if (a == b) return` code do not.
 */
import type { ShellTok } from './lexer.js';

export interface BatchHit {
  score: number;
  rule: 'batch-for-loop' | 'batch-if';
  offset: number;
}

/** `%name%`, `%1`, `%~1`, `%%i`: batch variables (`n % 2` is a modulo). */
const BATCH_VAR = /%[a-z0-9_]+%|%~?[0-9*]|%%[a-z]/;
const BATCH_CMP = new Set(['equ', 'neq', 'lss', 'leq', 'gtr', 'geq']);
/** cmd.exe built-ins that follow an `if` condition. */
const BATCH_COMMANDS = new Set([
  'echo',
  'set',
  'exit',
  'goto',
  'call',
  'cd',
  'del',
  'copy',
  'start',
  'type',
  'dir',
]);

function wordAt(toks: ShellTok[], k: number): string {
  const x = toks[k];
  return x?.k === 'w' ? x.norm : '';
}

/** Index after the group opened at k (`(…)` / `{…}`, nesting counted), bounded. */
function skipGroup(toks: ShellTok[], k: number, limit: number): number {
  let depth = 0;
  const end = Math.min(toks.length, k + limit);
  for (let j = k; j < end; j++) {
    const x = toks[j]!;
    if (x.k === 'open' && (x.v === '(' || x.v === '{')) depth++;
    else if (x.k === 'close' && (x.v === ')' || x.v === '}')) {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

function forLoop(toks: ShellTok[], i: number): BatchHit | null {
  for (let j = i + 1; j < toks.length && j < i + 8; j++) {
    const x = toks[j]!;
    if (x.k !== 'w' || !x.norm.startsWith('%') || wordAt(toks, j + 1) !== 'in') continue;
    const open = toks[j + 2];
    if (open?.k !== 'open' || open.v !== '(') return null;
    const after = skipGroup(toks, j + 2, 96);
    if (after > 0 && wordAt(toks, after).startsWith('do'))
      return { score: 0.85, rule: 'batch-for-loop', offset: toks[i]!.s };
    return null;
  }
  return null;
}

function ifStatement(toks: ShellTok[], i: number, isCommand: (name: string) => boolean): BatchHit | null {
  const w = toks[i] as { norm: string; s: number };
  let j = i + 1;
  let marker = w.norm === 'if/i';
  if (wordAt(toks, j) === '/i') {
    marker = true;
    j++;
  }
  if (wordAt(toks, j) === 'not') j++;
  const first = wordAt(toks, j);
  if (
    ['exist', 'defined', 'errorlevel', 'cmdextversion'].includes(first) &&
    toks[j + 1] !== undefined &&
    toks[j + 2] !== undefined
  )
    return { score: 0.75, rule: 'batch-if', offset: w.s };
  // find the comparison within the next tokens: `a==b`, `a == b`, `a equ b`, `(2 geq 15)`
  const end = Math.min(toks.length, j + 16);
  let after = -1;
  let cmpWord = false;
  // the second operand is glued to the operator (`a==b`, `%x%==""`)
  let glued = false;
  for (let k = j; k < end; k++) {
    const x = toks[k]!;
    if (x.k === 'sep') return null;
    if (x.k !== 'w') continue;
    if (BATCH_VAR.test(x.norm)) marker = true;
    if (BATCH_CMP.has(x.norm) || x.norm === '==') {
      cmpWord ||= BATCH_CMP.has(x.norm);
      after = k + 1;
      break;
    }
    const eq = x.norm.indexOf('==');
    if (eq >= 0) {
      glued = eq + 2 < x.norm.length || x.alt !== '';
      after = k + 1;
      break;
    }
  }
  if (after < 0) return null;
  // skip the second operand: one word or a group
  let q = after;
  const operand = toks[q];
  if (!glued && operand?.k === 'open') q = skipGroup(toks, q, 16);
  else if (!glued && operand?.k === 'w') {
    if (BATCH_VAR.test(operand.norm)) marker = true;
    q++;
    // a quoted operand with spaces (`"A A"`) spans words: the quote closes in one of the next two
    if (operand.raw.startsWith('"') && !operand.raw.endsWith('"'))
      for (let k = q; k < q + 2 && toks[k]?.k === 'w'; k++)
        if ((toks[k] as { raw: string }).raw.endsWith('"')) {
          q = k + 1;
          break;
        }
  }
  if (q < 0) return null;
  // a parenthesised condition `(2 equ 2)` closes here
  if (toks[q]?.k === 'close') q++;
  const next = toks[q];
  // `… (SET x=1)`: a block after a space (`a == b.end()` is a call)
  const prev = toks[q - 1];
  const block =
    next?.k === 'open' && next.v === '(' && !(prev?.k === 'w' && prev.s + prev.raw.length === next.s);
  const cmd = next?.k === 'w' ? next.norm.replace(/^@/, '') : '';
  const command = cmd !== '' && (BATCH_COMMANDS.has(cmd) || isCommand(cmd));
  if (marker || cmpWord || command || block) return { score: 0.7, rule: 'batch-if', offset: w.s };
  return null;
}

/** Windows batch control flow starting at token i. */
export function batchShapes(
  toks: ShellTok[],
  i: number,
  isCommand: (name: string) => boolean,
): BatchHit | null {
  const w = toks[i];
  if (w === undefined || w.k !== 'w') return null;
  if (w.norm === 'for') return forLoop(toks, i);
  if (w.norm === 'if' || w.norm === 'if/i') return ifStatement(toks, i, isCommand);
  return null;
}
