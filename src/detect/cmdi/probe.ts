/**
 * A value that opens with a shell separator and then names one command: `;id`, `|whoami`,
 * `&& top`, `; ; shutdown`.
 *
 * Why this is a probe and a bare `id` is not: a lone word is an ordinary value (`sort=id`,
 * `view=top`), but a value whose first character ends the application's command and whose only
 * other content is a command name has no reading except "end the command, run this one" — it is
 * how injection scanners test whether a parameter reaches a shell before sending a payload.
 * Only the separators that chain commands in every shell count (`;`, `|`, `||`, `&&`): a leading
 * `&` starts HTML entities and query strings, a leading line break is a textarea's blank line.
 * The command must be the last token (anything after it is judged by the full analysis), be two
 * characters or more (`|w` is as likely a random string) and the value short, so a sentence or
 * a text table (`| top | 10 |`) never reads as one.
 */
import type { ShellTok } from './lexer.js';
import { commandName, knownCommand } from './words.js';

export interface ProbeHit {
  score: number;
  rule: 'separator-probe';
  offset: number;
}

const MAX_LENGTH = 32;

export function separatorProbe(text: string, toks: readonly ShellTok[]): ProbeHit | null {
  if (text.length > MAX_LENGTH || toks.length < 2) return null;
  const last = toks[toks.length - 1]!;
  if (last.k !== 'w') return null;
  for (let i = 0; i < toks.length - 1; i++) {
    const t = toks[i]!;
    if (t.k !== 'sep' || t.v === '&' || t.v === 'nl') return null;
  }
  // the quotes-and-case normal form: `;'i'd` is the same probe written to slip past filters
  const name = commandName(last.norm);
  if (name.length < 2 || knownCommand(name) === null) return null;
  return { score: 0.75, rule: 'separator-probe', offset: last.s };
}
