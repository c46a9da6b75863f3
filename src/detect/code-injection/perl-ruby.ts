// Perl and Ruby code in a value, for applications that interpolate it into a string they
// evaluate (Perl `eval "…"`, template engines built on it) or pass it to Ruby's `eval`/`instance_eval`:
// - Perl's `@{[ … ]}`: inside a double-quoted string, the expression between the brackets runs
//   and its result is interpolated. Nothing else writes `@{[`; a call that runs a command inside
//   it (`@{[system 'id']}`, `@{[qx{id}]}`) is the full exploit;
// - Ruby's process APIs: `Process.spawn("id")`, `Kernel.system`, `IO.popen`, `Open3.capture2`.
// `s` is lower-cased.
import { identEnd, isIdent, isSpace, type Report, skipSpace } from './lex.js';

/** Ruby calls that run a command, with the gate's anchor being the text before the `(`. */
export const RUBY_CALLS = [
  'process.spawn',
  'process.exec',
  'kernel.system',
  'kernel.exec',
  'kernel.spawn',
  'kernel.open',
  'io.popen',
  'open3.popen3',
  'open3.popen2',
  'open3.popen2e',
  'open3.capture2',
  'open3.capture2e',
  'open3.capture3',
  'open3.pipeline',
] as const;

/** Perl builtins that run a command or code, as the first word inside `@{[ … ]}`. */
const PERL_EXEC = new Set([
  'system',
  'exec',
  'qx',
  'readpipe',
  'eval',
  'open',
  'require',
  'do',
  'fork',
  'kill',
]);

/** At `i` (`@`): `@{[`, with more `@` and whitespace allowed between; the index after `[` or -1. */
function interpolationStart(s: string, i: number): number {
  let j = i;
  while (j < s.length && j - i < 8 && s.charCodeAt(j) === 64) j++;
  j = skipSpace(s, j);
  if (s.charCodeAt(j) !== 123) return -1;
  j = skipSpace(s, j + 1);
  return s.charCodeAt(j) === 91 ? j + 1 : -1;
}

function perl(s: string, report: Report): void {
  let i = s.indexOf('@');
  for (let n = 0; i >= 0 && n < 64; n++) {
    const body = interpolationStart(s, i);
    if (body >= 0) {
      const close = s.indexOf(']', body);
      if (close > body && close - body < 1024) {
        // the first word of the expression, past `(`, `&`, `!`, `do {`, `CORE::`
        let j = body;
        while (
          j < close &&
          (isSpace(s.charCodeAt(j)) ||
            s.charCodeAt(j) === 40 ||
            s.charCodeAt(j) === 38 ||
            s.charCodeAt(j) === 33)
        )
          j++;
        if (s.startsWith('core::', j)) j += 6;
        const word = s.slice(j, identEnd(s, j));
        const runs = PERL_EXEC.has(word) || s.charCodeAt(j) === 96 || s.slice(body, close).includes('system');
        report(
          runs ? 0.85 : 0.7,
          i,
          runs ? 'Perl @{[ ]} interpolation running a command' : 'Perl @{[ ]} code interpolation',
        );
        return;
      }
      report(0.6, i, 'Perl @{[ code interpolation');
      return;
    }
    i = s.indexOf('@', i + 1);
  }
}

function ruby(s: string, report: Report): void {
  for (const call of RUBY_CALLS) {
    const at = s.indexOf(call);
    if (at < 0 || (at > 0 && isIdent(s.charCodeAt(at - 1))) || isIdent(s.charCodeAt(at + call.length)))
      continue;
    const p = skipSpace(s, at + call.length);
    const c = s.charCodeAt(p);
    // `Process.spawn("id")`, `IO.popen "id"`: a call with parentheses or Ruby's bare argument
    if (c === 40 || ((c === 34 || c === 39) && p > at + call.length)) {
      report(0.8, at, `${call}() (Ruby command execution)`);
      return;
    }
  }
}

export function scanPerlRuby(s: string, report: Report): void {
  if (s.includes('@')) perl(s, report);
  if (s.includes('process.') || s.includes('kernel.') || s.includes('io.popen') || s.includes('open3.'))
    ruby(s, report);
}
