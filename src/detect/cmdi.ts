/**
 * OS command injection detector: lex the value with shell grammar, find words in command position
 * (after a separator, inside a substitution, at the start), and judge the command and its arguments.
 * A finding needs a way to reach a command (separator/substitution) AND a command-like token, or a
 * very specific shape (reverse shell, SSI exec, interpreter with inline code, fork bomb, batch
 * control flow, a mail protocol command after a line break).
 *
 * Command words are normalised against evasions (c'a't, c"a"t, \c\a\t, w^h^o, c$@at, pi<()ng,
 * ${IFS}, /???/??t and /[e//]tc globs, {cat,/etc/passwd} and c{a,u}t brace expansions, names spelt
 * from variables set in the value). Commands are split (./cmdi/words.ts) into names that are hardly
 * ever words (whoami, wget, nc…) and names that are also words (cat, id, type, sleep…): the latter
 * need a strong separator, shell-like arguments (flags, paths, IPs, URLs, redirections) or a short
 * value. Strong names that are no prose word either (`ansible-vault`, `useradd`, PowerShell cmdlets)
 * read as a command line with plain arguments too, at the value start or after a separator.
 * Profiles and paranoia adjust the score as in the SQLi detector.
 *
 * Paranoia split (like CRS): a lone command word (`id`, `whoami`, `visudo`), a lone mail verb
 * (`\r\nQUIT`), a value that is only a tilde or history expansion (`~+`, `!!`), a quoted lone
 * command (`'id'`) and an editor's `!cmd` escape at the value start without `-c`/`+cmd` are
 * reported from paranoia 2 or 3 only. A short value that opens with `;`, `|`, `||` or `&&` and then
 * names one command (`;id`, `|top`) is a probe and is reported at paranoia 1 (./cmdi/probe.ts).
 *
 * Limits:
 * - Quotes are not string delimiters (the application's quoting is unknown), so a separator inside
 *   quotes counts; `;`/`|` followed by an ambiguous word in a short value is reported.
 * - Commands outside the built-in lists (./cmdi/words.ts, ./cmdi/tools.ts) are recognised only
 *   from a `bin`/`sbin` directory path (`; /opt/x/bin/run`) or inside `$(…)` with a flag or path
 *   argument; names that are also words (`top`, `column`, `make`) need a strong separator and
 *   shell-like arguments; language names (`python`, `docker`) need shell-like arguments.
 * - Commands behind a variable or alias are resolved only when the assignment is in the same
 *   value (`a=nc&&$a -e sh`, `alias x=curl;x host`).
 * - Text tables (`| a | b |`) disable `|` as a separator; an attack hidden in such a table with
 *   only pipes is missed.
 * - Bash tilde and history expansions (`~+`, `!-1`, `!!`) count only as the whole value (paranoia
 *   2/3): inside text they read as prose (`~+5 points`, `wow!!`). Shell expansions without a command (`$[1+1]`,
 *   `${x#y}`) are reported only in a one-line value and not when assigned (`n=$((n+1))`).
 */
import type { Finding } from '../core/findings.js';
import { batchShapes } from './cmdi/batch.js';
import { lexShell, type ShellTok } from './cmdi/lexer.js';
import { shellLikeArg } from './cmdi/args.js';
import { type Ctx, judgeCommand, type Reach } from './cmdi/judge.js';
import { cmdiPrefilter } from './cmdi/prefilter.js';
import { separatorProbe } from './cmdi/probe.js';
import { isUploadName, restrictedUpload } from './cmdi/upload.js';
import { mailCommand } from './cmdi/mail.js';
import { gluedBraceCommand, shellExpansion, specificShapes, wholeValueExpansion } from './cmdi/shapes.js';
import { commandName, knownCommand, SHELL_CALLS } from './cmdi/words.js';
import type { ContentProfile, DetectorOptions, InspectedValue, Paranoia, ValueDetector } from './types.js';
import { reportedScore, severityOf } from './score.js';

export { cmdiPrefilter };

export const CMDI_MAX_INPUT = 64 * 1024;
export const CMDI_MAX_TOKENS = 1024;

export interface CmdiAnalysis {
  score: number;
  rule: string;
  reach: Reach;
  offset: number;
  /** The substitution is assigned to a variable (`n=$(wc -l < f)`): script style, not an appended payload. */
  assigned?: boolean;
}

function adjustForProfile(h: CmdiAnalysis, profile: ContentProfile, firstSepAtStart: boolean): number {
  switch (profile) {
    case 'code':
    case 'llm-message':
      // code holds shell legitimately: only a leading breakout or a reverse shell counts
      if (h.rule === 'reverse-shell-dev-tcp' || h.rule === 'ssi-exec') return h.score - 0.2;
      if (firstSepAtStart && h.score >= 0.85) return h.score - 0.1;
      return 0;
    case 'free-text':
    case 'markup':
      // prose quotes shell snippets (markdown backticks, tables with pipes): only strong shapes count
      if (h.reach === 'backtick') return h.score >= 0.95 ? h.score - 0.1 : h.score - 0.45;
      if (h.assigned) return h.score - 0.45;
      if (h.score >= 0.9 && h.reach !== 'nl' && h.reach !== '&' && h.reach !== 'group') return h.score - 0.05;
      return h.score - 0.4;
    case 'identifier':
      return Math.min(1, h.score + 0.1);
    default:
      return h.score;
  }
}

export function analyzeCmdi(value: string, profile: ContentProfile, paranoia: Paranoia): CmdiAnalysis | null {
  return analyzeCmdiWith(value, profile, paranoia, true);
}

/** The same analysis without the prefilter: tests compare the two. */
export function analyzeCmdiUnfiltered(
  value: string,
  profile: ContentProfile,
  paranoia: Paranoia,
): CmdiAnalysis | null {
  return analyzeCmdiWith(value, profile, paranoia, false);
}

function analyzeCmdiWith(
  value: string,
  profile: ContentProfile,
  paranoia: Paranoia,
  prefilter: boolean,
): CmdiAnalysis | null {
  const text = value.length > CMDI_MAX_INPUT ? value.slice(0, CMDI_MAX_INPUT) : value;
  if (text.length < 2) return null;
  if (prefilter && cmdiPrefilter(text) === 1) return null;
  const lower = text.toLowerCase();
  let best: CmdiAnalysis | null = specificShapes(lower);
  if (text.length <= 24 && (lower.includes('~') || lower.includes('!'))) best ??= wholeValueExpansion(lower);
  // in a script (several lines) these are ordinary; a parameter value holding one is probing
  if (lower.includes('$') && !lower.includes('\n')) {
    const exp = shellExpansion(lower);
    if (exp !== null && (best === null || exp.score > best.score)) best = exp;
  }
  if (lower.includes('{')) {
    const brace = gluedBraceCommand(lower);
    if (brace !== null && (best === null || brace.score > best.score)) best = brace;
  }
  if (text.includes('\n')) {
    const mail = mailCommand(text);
    if (mail !== null && (best === null || mail.score > best.score))
      best = { score: mail.score, rule: mail.rule, reach: 'nl', offset: mail.offset };
  }
  const { toks, ifs } = lexShell(text, CMDI_MAX_TOKENS);
  const probe = separatorProbe(text, toks);
  if (probe !== null && (best === null || probe.score > best.score))
    best = { score: probe.score, rule: probe.rule, reach: (toks[0] as { v: Reach }).v, offset: probe.offset };
  let pipes = 0;
  let words = 0;
  for (const x of toks) {
    if (x.k === 'sep' && x.v === '|') pipes++;
    else if (x.k === 'w') words++;
  }
  const vars = new Map<string, { value: string; alias: boolean }>();
  for (let i = 0; i < toks.length && vars.size < 32; i++) {
    const x = toks[i]!;
    if (x.k !== 'w') continue;
    // `cmd=garb=adduse[r]`: a query-style prefix before the assignment
    const last = x.norm.lastIndexOf('=');
    const prevEq = last > 0 ? x.norm.lastIndexOf('=', last - 1) : -1;
    const base = prevEq >= 0 ? prevEq + 1 : 0;
    const eq = last - base;
    if (last <= 0 || eq <= 0 || last === x.norm.length - 1 || eq > 32) continue;
    const key = x.norm.slice(base, last);
    if (!/^[a-z_][a-z0-9_]*$/.test(key)) continue;
    const prev = toks[i - 1];
    // `garb=adduse[r]`: a one-character bracket set is that character
    const value = x.norm.slice(last + 1).replace(/\[(.)\]/g, '$1');
    vars.set(key, { value, alias: prev?.k === 'w' && prev.norm === 'alias' });
  }
  const c: Ctx = { text, toks, ifs, table: pipes >= 4, words, vars, braceEmpty: false };
  let reach: Reach = 'start';
  let cmdPos = true;
  let firstSepAtStart = false;
  let assigned = false;
  const stack: ShellTok['k'][] = [];
  for (let i = 0; i < toks.length; i++) {
    const tk = toks[i]!;
    if (tk.k !== 'w') assigned = false;
    if (tk.k === 'sep') {
      // in a text table `|` separates cells, not commands
      if (tk.v === '|' && c.table) {
        cmdPos = false;
        continue;
      }
      reach = tk.v;
      cmdPos = true;
      if (i === 0) firstSepAtStart = true;
      continue;
    }
    if (tk.k === 'open') {
      stack.push('open');
      if (tk.v === '$(' || tk.v === '`' || tk.v === '<(') {
        // `$(</etc/passwd)`: bash reads a file into the command line
        const r = toks[i + 1];
        const f = toks[i + 2];
        if (r?.k === 'redir' && r.v === '<' && f?.k === 'w') {
          const sens = shellLikeArg(f.norm, 'cat') === 'sensitive';
          const hit: CmdiAnalysis = {
            score: sens ? 0.95 : 0.8,
            rule: 'substitution-file-read',
            reach: 'subst',
            offset: tk.s,
          };
          if (best === null || hit.score > best.score) best = hit;
        }
        // only a substitution that is closed counts as such; an unclosed one is weaker
        let closed = false;
        for (let j = i + 1; j < toks.length && j < i + 64; j++) {
          const x = toks[j]!;
          if (x.k === 'close' && (tk.v === '`' ? x.v === '`' : x.v === ')')) {
            closed = true;
            break;
          }
        }
        reach = closed ? (tk.v === '`' ? 'backtick' : 'subst') : 'group';
        const prev = toks[i - 1];
        assigned =
          prev !== undefined && prev.k === 'w' && prev.raw.endsWith('=') && prev.s + prev.raw.length === tk.s;
        if (i === 0) firstSepAtStart = true;
      } else if (tk.v === '{') {
        // brace expansion `{cat,/etc/passwd}` needs a comma before the closing brace
        let j = i + 1;
        while (j < toks.length && j < i + 16 && toks[j]!.k !== 'close') j++;
        const end = toks[j]?.s ?? text.length;
        const inner = text.slice(tk.s, end);
        if (inner.includes(',')) {
          reach = 'brace';
          c.braceEmpty = inner[1] === ',' || inner.endsWith(',');
        } else if (text[tk.s + 1] === ' ' || text[tk.s + 1] === '\t') reach = 'group';
        else {
          // `{file}` is a template placeholder; a bash group needs `{ cmd; }`
          cmdPos = false;
          continue;
        }
      } else {
        // `system('id')`, `shell_exec("cat /etc/passwd")`: code handing a string to a shell
        const prev = toks[i - 1];
        const glued = prev !== undefined && prev.k === 'w' && prev.s + prev.raw.length === tk.s;
        if (glued && SHELL_CALLS.has(commandName(prev.norm))) reach = 'subst';
        else if (prev !== undefined && prev.k === 'w') {
          // `Lancaster (SC)`, `quick_sort(less)`: a parenthesis after a word is prose or a call, not a subshell
          cmdPos = false;
          continue;
        } else reach = 'group';
      }
      cmdPos = true;
      continue;
    }
    if (tk.k === 'close' || tk.k === 'redir') {
      cmdPos = false;
      continue;
    }
    if (cmdPos) {
      const batch = batchShapes(toks, i, (name) => knownCommand(name) !== null);
      if (batch !== null && (best === null || batch.score > best.score))
        best = { score: batch.score, rule: batch.rule, reach: 'start', offset: batch.offset };
      const hit = judgeCommand(c, i, reach);
      if (hit !== null && (best === null || hit.score > best.score))
        best = { score: hit.score, rule: hit.rule, reach: hit.reach, offset: hit.at, assigned };
      cmdPos = false;
    }
  }
  if (best === null) {
    if (ifs)
      best = { score: 0.6, rule: 'ifs-whitespace', reach: 'start', offset: Math.max(0, lower.indexOf('$')) };
    else return null;
  }
  let score = Math.max(0, adjustForProfile(best, profile, firstSepAtStart));
  if (score >= 0.3) score = Math.min(1, score + 0.1 * (paranoia - 1));
  return { ...best, score };
}

export const cmdiDetector: ValueDetector = {
  kind: 'value',
  id: 'cmdi',
  category: 'injection',
  compile(options: DetectorOptions): (input: InspectedValue) => Finding[] {
    const paranoia = options.paranoia;
    return (input: InspectedValue): Finding[] => {
      const v = input.value;
      // words, numbers, names, sentences: provably nothing to report (see cmdiPrefilter)
      let a =
        cmdiPrefilter(v.length > CMDI_MAX_INPUT ? v.slice(0, CMDI_MAX_INPUT) : v) !== 0
          ? null
          : analyzeCmdi(v, input.profile, paranoia);
      // a file to be written under a name the server or a shell acts on (see ./cmdi/upload.ts);
      // the location is read only for such a name, so other values stay memoisable by the engine
      const upload = restrictedUpload(v);
      if (upload !== null && isUploadName(input.location)) {
        const score = upload.score + 0.1 * (paranoia - 1);
        if (a === null || score > a.score) a = { score, rule: upload.rule, reach: 'start', offset: 0 };
      }
      if (a === null || a.score < 0.5) return [];
      const score = Math.round(reportedScore(a.score) * 100) / 100;
      const from = Math.max(0, a.offset - 8);
      return [
        {
          category: 'injection',
          subtype: 'cmdi',
          detector: 'cmdi',
          severity: severityOf(a.score),
          score,
          location: input.location,
          fragment: input.value.slice(from, from + 120),
          message: `OS command injection shape '${a.rule}'${a.reach === 'start' ? '' : ` (reached via ${a.reach})`}`,
        },
      ];
    };
  },
};
