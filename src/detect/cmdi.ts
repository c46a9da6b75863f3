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
 * reported from paranoia 2 or 3 only.
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
import { commandLineShape, scriptRun, wrappedInQuotes } from './cmdi/cmdline.js';
import { lexShell, type ShellTok } from './cmdi/lexer.js';
import { cmdiPrefilter } from './cmdi/prefilter.js';
import { isUploadName, restrictedUpload } from './cmdi/upload.js';
import { mailCommand } from './cmdi/mail.js';
import { gluedBraceCommand, shellExpansion, specificShapes, wholeValueExpansion } from './cmdi/shapes.js';
import { RARE_TOOLS, WORDY_TOOLS } from './cmdi/tools.js';
import {
  commandName,
  deglob,
  INTERPRETER_FLAGS,
  knownCommand,
  LAUNCHERS,
  NOT_A_WORD,
  PREFIX,
  SENSITIVE_PATHS,
  SHELL_CALLS,
  SQLITE_DOT,
  SQLITE_RUN,
  splitEvasion,
  toolName,
} from './cmdi/words.js';
import type { ContentProfile, DetectorOptions, InspectedValue, Paranoia, ValueDetector } from './types.js';
import { reportedScore, severityOf } from './score.js';

export { cmdiPrefilter };

export const CMDI_MAX_INPUT = 64 * 1024;
export const CMDI_MAX_TOKENS = 1024;

/** Weak names that are the classic probes of an injected line (`id`), unlike `date` or `test`. */
const PROBES = new Set(['id', 'ps', 'env']);

type Reach = 'start' | ';' | '|' | '||' | '&' | '&&' | 'nl' | 'subst' | 'backtick' | 'group' | 'brace';

interface Hit {
  score: number;
  rule: string;
  at: number;
  reach: Reach;
  /** The command word is a known command (not only a path or an unknown name). */
  known?: boolean;
  /** The command word is a tool name that is no word (see toolName). */
  tool?: boolean;
}

function isDigitStr(s: string): boolean {
  if (s.length === 0) return false;
  for (const c of s) if (c < '0' || c > '9') return false;
  return true;
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => isDigitStr(p) && p.length <= 3);
}

const ROOTS = [
  'bin',
  'usr',
  'etc',
  'sbin',
  'dev',
  'proc',
  'tmp',
  'var',
  'home',
  'root',
  'opt',
  'lib',
  'lib64',
  'sys',
  'boot',
];

/** Shell glob match for short strings (`?`, `*`, `[…]` as one char); iterative, O(len²) at most. */
function globMatch(pattern: string, name: string): boolean {
  if (pattern.length > 32) return false;
  let p = 0;
  let n = 0;
  let starP = -1;
  let starN = 0;
  while (n < name.length) {
    const pc = pattern[p];
    if (pc === '[') {
      const close = pattern.indexOf(']', p);
      if (close < 0) return false;
      const set = pattern.slice(p + 1, close);
      const neg = set.startsWith('!') || set.startsWith('^');
      const has = (neg ? set.slice(1) : set).includes(name[n]!);
      if (has !== neg) {
        p = close + 1;
        n++;
        continue;
      }
    } else if (pc === '?' || pc === name[n]) {
      p++;
      n++;
      continue;
    } else if (pc === '*') {
      starP = p++;
      starN = n;
      continue;
    }
    if (starP < 0) return false;
    p = starP + 1;
    n = ++starN;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** A path with glob characters standing for a binary: /???/??t, /bin/c?t, /usr/bin/n[c] */
function isGlobPath(word: string): boolean {
  if (word.charCodeAt(0) !== 47 || word.length > 64) return false;
  // a glob character is required below: most paths end here without splitting
  if (!word.includes('?') && !word.includes('*') && !word.includes('[')) return false;
  // `/[e//]tc`: a bracket set may hold `/`, which can never match inside a path segment
  const bracket = word.includes('[');
  const w = bracket ? word.replace(/\[[^\]]{1,16}\]/g, '?') : word;
  const segs = w.split('/').filter((x) => x.length > 0);
  // a lone segment only with a bracket set (`/[e]tc`): `/???` alone is too vague
  if (segs.length < (bracket ? 1 : 2)) return false;
  if (!ROOTS.some((r) => globMatch(segs[0]!, r))) return false;
  let globbed = 0;
  for (const seg of segs) {
    if (seg.includes('?') || seg.includes('*') || seg.includes('[')) globbed++;
    if (!/^[a-z0-9?*[\]!^._-]+$/.test(seg)) return false;
  }
  return globbed >= 1;
}

/** Drop `$x` / `${x}` expansions from a word (linear; each `$` is passed once). */
function stripVars(w: string): string {
  let out = '';
  let i = 0;
  while (i < w.length) {
    const ch = w[i]!;
    if (ch === '$') {
      if (w[i + 1] === '{') {
        const close = w.indexOf('}', i + 2);
        i = close < 0 ? w.length : close + 1;
        continue;
      }
      i++;
      while (i < w.length && /[a-z0-9_]/.test(w[i]!)) i++;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/** `$a$b` / `${a}` replaced by the values assigned in the value (unknown names expand to nothing). */
function substituteVars(w: string, vars: Map<string, { value: string; alias: boolean }>): string {
  let out = '';
  let i = 0;
  while (i < w.length && out.length < 256) {
    const ch = w[i]!;
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    let key = '';
    if (w[i + 1] === '{') {
      const close = w.indexOf('}', i + 2);
      if (close < 0) break;
      key = w.slice(i + 2, close);
      i = close + 1;
    } else {
      let k = i + 1;
      while (k < w.length && /[a-z0-9_]/.test(w[k]!)) k++;
      key = w.slice(i + 1, k);
      i = k;
    }
    out += vars.get(key)?.value ?? '';
  }
  return out;
}

/** `/opt/app/bin/run`, `/usr/lib/x/sbin/y`: a file in a `bin`/`sbin` directory (bounded scan). */
function isBinDirPath(w: string): boolean {
  if (w.length > 128 || w[0] !== '/' || w.endsWith('/') || !w.includes('bin/')) return false;
  const segs = w.split('/');
  const last = segs[segs.length - 1]!;
  const dir = segs[segs.length - 2];
  return (dir === 'bin' || dir === 'sbin') && /^[a-z0-9][a-z0-9._+-]*$/.test(last);
}

function isAbsBinaryPath(w: string): boolean {
  return (
    /^\/(usr\/)?(local\/)?s?bin\/[a-z0-9._-]+$/.test(w) || /^[a-z]:\\windows\\system32\\[a-z0-9._-]+$/.test(w)
  );
}

function shellLikeArg(w: string, cmd: string): 'sensitive' | 'shell' | 'number' | null {
  if (w.length === 0) return null;
  for (const p of SENSITIVE_PATHS) if (w.includes(p)) return 'sensitive';
  if (isGlobPath(w)) return 'sensitive';
  const c0 = w[0]!;
  if (c0 === '-' && w.length >= 2 && /[a-z0-9-]/.test(w[1]!)) return 'shell';
  if (c0 === '+' && /^\+[a-z]{1,3}$/.test(w)) return 'shell';
  if (w === '/' || w === '~' || w === '..') return 'shell';
  // a host name (attacker.example, file.txt): dotted, no spaces, not prose
  if (/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/.test(w) && /[a-z]/.test(w) && !w.endsWith('.')) return 'shell';
  if (c0 === '/' && w.length >= 2 && /[a-z]/.test(w[1]!)) return 'shell';
  if (/^[a-z]:([\\/]|$)/.test(w)) return 'shell';
  if (w.startsWith('~/') || w.startsWith('./') || w.startsWith('../')) return 'shell';
  if (/^(https?|ftp|tftp|file):\/\//.test(w)) return 'shell';
  if (w.startsWith('$') || (w.startsWith('%') && w.endsWith('%') && w.length > 2)) return 'shell';
  if (isIPv4(w)) return 'shell';
  if (
    isDigitStr(w) &&
    ['sleep', 'ping', 'timeout', 'kill', 'exit', 'ping6', 'nc', 'ncat', 'netcat'].includes(cmd)
  )
    return 'number';
  return null;
}

interface Ctx {
  /** The value the tokens point into. */
  text: string;
  toks: ShellTok[];
  /** `a=nc` / `alias x=curl` in the value: `$a` / `x` in command position run that command. */
  vars: Map<string, { value: string; alias: boolean }>;
  ifs: boolean;
  /** Many single pipes: a text table (`| Date | Score |`), where `|` separates cells. */
  table: boolean;
  /** Word count of the value (capped): a lone ambiguous word only matters in a short value. */
  words: number;
  /** The current brace expansion has an empty element (`{,id}`, `{id,}`): shell-only syntax. */
  braceEmpty: boolean;
}

/** Judge the command that starts at token index i, reached via `reach`. */
function judgeCommand(c: Ctx, i: number, reach: Reach, depth = 0, asPrefix = true): Hit | null {
  const t = c.toks;
  const tok = t[i];
  if (tok === undefined || tok.k !== 'w' || depth > 4) return null;
  const word = tok.norm;
  // `${PATH:0:1}bin${PATH:0:1}id`: substring expansions standing for '/', other expansions for nothing
  const expanded = word.includes('${')
    ? word.replace(/\$\{(path|home|pwd|shell):0:1\}/g, '/').replace(/\$\{[^}]*\}/g, '')
    : word;
  let name = commandName(expanded === '' ? word : expanded);
  let known = knownCommand(name);
  // `bcdboot/r x`, `ipconfig/all`: a Windows switch glued to the command name
  let winSwitch = false;
  const slash = word.indexOf('/');
  if (slash >= 2 && slash === word.lastIndexOf('/') && /^\/[a-z?]{1,3}$/.test(word.slice(slash))) {
    const k = knownCommand(commandName(word.slice(0, slash)));
    if (k !== null) {
      name = commandName(word.slice(0, slash));
      known = k;
      winSwitch = true;
    }
  }
  let evasion = splitEvasion(tok);
  if (known === null && tok.alt !== '') {
    // `\c\a\t` style escapes
    const alt = commandName(tok.raw.toLowerCase().replace(/[\\'"^]/g, ''));
    const k = knownCommand(alt);
    if (k !== null) {
      name = alt;
      known = k;
    }
  }
  let resolved = false;
  if (known === null && word.length > 1) {
    // `$a` after `a=nc`, `x` after `alias x=curl`: a command hidden behind a name
    const key = word.startsWith('${') ? word.slice(2, -1) : word.startsWith('$') ? word.slice(1) : word;
    const v = c.vars.get(key);
    if (v !== undefined && (word.startsWith('$') || v.alias)) {
      const k = knownCommand(commandName(v.value));
      if (k !== null) {
        name = commandName(v.value);
        known = k;
        evasion = true;
        resolved = true;
      }
    }
  }
  let assembled = '';
  if (known === null && word.includes('$') && c.vars.size > 0) {
    // `c1=c;c2=a;c3=t;$c1$c2$c3 …`: a command spelled from variables set in the same value
    const sub = substituteVars(word, c.vars);
    const head = sub.split(/[\s\\]/)[0]!;
    const k = sub !== stripVars(word) ? knownCommand(commandName(head)) : null;
    if (k !== null) {
      name = commandName(head);
      known = k;
      evasion = true;
      resolved = true;
      assembled = sub.slice(head.length);
    }
  }
  if (known === null && word.indexOf('$') > 0) {
    // `cat$u`, `uname${x}`: empty expansions glued into the command name (`sh$x` only with other
    // evasion or a strong name: two letters are too easily part of a template)
    // `n$u\c$u`: the escape ended the variable name in the raw text, which the normal form lost
    let stripped = commandName(stripVars(word));
    if (knownCommand(stripped) === null && tok.alt.includes('\\'))
      stripped = commandName(stripVars(tok.raw.toLowerCase()).replace(/[\\'"^]/g, ''));
    const k = knownCommand(stripped);
    if (
      k !== null &&
      (stripped.length >= 3 || k === 'strong' || splitEvasion(tok)) &&
      !WORDY_TOOLS.has(stripped)
    ) {
      name = stripped;
      known = k;
      evasion = true;
    }
  }
  const wordy = WORDY_TOOLS.has(name);
  // `sleep(5)`: a word glued to '(' is a function call of some language, not a shell command
  const nx = t[i + 1];
  if (nx !== undefined && nx.k === 'open' && nx.v === '(' && nx.s === tok.s + tok.raw.length) return null;
  const glob = isGlobPath(expanded);
  const absBin = isAbsBinaryPath(expanded);
  // Assignments (`a=1`) are not commands.
  if (known === null && !glob && word.includes('=')) return null;
  // Prefix words (and a lone `$var` that expands to nothing): judge the following word.
  const emptyVar = !resolved && /^\$[a-z_][a-z0-9_]*$/.test(word) && word !== '$shell';
  // `. script`, `source x`, and SQLite's `.shell cmd` / `.system cmd`: the next word runs
  const dotName = word.startsWith('.') || word.startsWith('\\') ? word.replace(/[\\'"]/g, '') : word;
  const sourcing = dotName === '.' || SQLITE_RUN.has(dotName);
  if ((PREFIX.has(name) || emptyVar || sourcing) && asPrefix) {
    let j = i + 1;
    // `. shell nc …`: SQLite's dot-command written with a space
    if (dotName === '.' && t[j]?.k === 'w' && SQLITE_RUN.has(`.${(t[j] as { norm: string }).norm}`)) j++;
    while (
      t[j]?.k === 'w' &&
      ((t[j] as { norm: string }).norm.startsWith('-') ||
        isDigitStr((t[j] as { norm: string }).norm) ||
        (t[j] as { norm: string }).norm.includes('='))
    )
      j++;
    const inner = judgeCommand(c, j, reach, depth + 1);
    if (inner !== null) {
      // `nohup ifconfig`, `sudo id`: a launcher in front of a known command
      if (name !== 'time' && !emptyVar && inner.score < 0.6) inner.score = Math.min(0.6, inner.score + 0.25);
      // a launcher that is no word (`nohup who`, `strace id`, `.shell id`) runs what follows
      if ((LAUNCHERS.has(name) || SQLITE_RUN.has(dotName)) && inner.known)
        inner.score = Math.max(inner.score, 0.55);
      // `time ifconfig`: `time` is a word, but not in front of a tool name
      if (name === 'time' && inner.tool) inner.score = Math.max(inner.score, 0.55);
      // `time curl host`: in front of a command with shell-like arguments it is the shell keyword
      if (name === 'time' && inner.known && inner.score >= 0.45) inner.score = Math.max(inner.score, 0.7);
      // `ti''me who`, `'time' who`: quotes inside or around a prefix word only hide it from filters
      if (inner.known && splitEvasion(tok)) inner.score = Math.min(1, Math.max(inner.score, 0.55) + 0.3);
      else if (inner.known && reach === 'start' && wrappedInQuotes(tok.raw))
        inner.score = Math.max(inner.score, 0.7);
      // `busybox -c "…"`: the prefix word may be a command in its own right
      const own =
        known !== null && name in INTERPRETER_FLAGS ? judgeCommand(c, i, reach, depth + 1, false) : null;
      return own !== null && own.score > inner.score ? own : inner;
    }
  }
  if (
    reach !== 'start' &&
    reach !== 'brace' &&
    SQLITE_DOT.has(dotName) &&
    (t[i + 1] === undefined || t[i + 1]!.k === 'sep')
  )
    // `;\n.databases`: a SQLite shell dot-command on its own line
    return { score: 0.55, rule: 'sqlite-dot-command', at: tok.s, reach };
  if (name === 'alias' && reach !== 'brace') {
    // `alias x=curl`, `alias ..='cd ..'`: defining a shell alias
    for (let j = i + 1; j < t.length && j <= i + 3 && t[j]!.k === 'w'; j++) {
      const w = (t[j] as { norm: string }).norm;
      if (w.indexOf('=') > 0)
        return {
          score: reach === 'start' ? 0.6 : 0.9,
          rule: 'alias-definition',
          at: tok.s,
          reach,
          known: true,
        };
    }
  }
  // `; /opt/app/bin/run --now`: any binary from a bin directory; `$(tool -x /tmp)`: any command
  // word with shell-like arguments inside a substitution
  const binDir = known === null && !glob && (isBinDirPath(expanded) || (absBin && !expanded.includes('\\')));
  const substWord =
    known === null &&
    !glob &&
    !absBin &&
    !binDir &&
    reach === 'subst' &&
    /^[a-z][a-z0-9_.-]{1,31}$/.test(name);
  const script = scriptRun(name, t[i + 1], reach === 'start');
  if (known === null && script !== null) return { score: script.score, rule: script.rule, at: tok.s, reach };
  if (known === null && !glob && !absBin && !binDir && !substWord) return null;
  // Arguments up to the next separator / close.
  let sensitive = 0;
  let shell = 0;
  let numbers = 0;
  let words = 0;
  let plain = 0;
  let flagArgs = 0;
  let redir = false;
  let interpreter = false;
  let argEvasion = false;
  let atJob = false;
  let bangEscape = false;
  let ended: 'end' | 'sep' | 'close' | 'other' = 'end';
  const flags = INTERPRETER_FLAGS[name];
  const argWords: Extract<ShellTok, { k: 'w' }>[] = [];
  if (assembled !== '' && shellLikeArg(assembled.trim(), name) === 'sensitive') sensitive++;
  let j = i + 1;
  for (; j < t.length && j < i + 24; j++) {
    const a = t[j]!;
    // `| sh #"`: a comment ends the command
    if (a.k === 'w' && a.raw.startsWith('#') && words > 0) break;
    if (a.k === 'w' && a.raw.startsWith('#')) {
      j = t.length;
      break;
    }
    if (a.k === 'sep') {
      ended = 'sep';
      break;
    }
    if (a.k === 'close') {
      ended = 'close';
      break;
    }
    if (a.k === 'redir') {
      redir = true;
      continue;
    }
    if (a.k === 'open') {
      if (a.v !== '(' && a.v !== '{') shell++;
      continue;
    }
    words++;
    argWords.push(a);
    // `kill '-'9`, `cat /[e//]tc/pa[s]swd`: quotes or bracket sets splitting an argument
    if (splitEvasion(a)) argEvasion = true;
    const arg = deglob(a.norm.indexOf('$') > 0 ? stripVars(a.norm) : a.norm);
    if (arg !== a.norm && arg.startsWith('/') && a.norm.includes('[')) argEvasion = true;
    let kind = shellLikeArg(arg, name);
    // `cd /etc; cat passwd`: the account files named from their directory, after a separator
    if (kind === null && reach !== 'start' && (arg === 'passwd' || arg === 'shadow')) kind = 'sensitive';
    if (kind === 'sensitive') sensitive++;
    else if (kind === 'shell') {
      shell++;
      if (a.raw.startsWith('-')) flagArgs++;
    } else if (kind === 'number') numbers++;
    else plain++;
    if (flags?.some((f) => a.norm === f || a.norm.startsWith(f))) interpreter = true;
    // `vim x +silent \!whoami`: an editor's (or pager's) shell escape running a command
    const bang = arg.lastIndexOf('!');
    if (bang >= 0 && bang < arg.length - 1 && knownCommand(commandName(arg.slice(bang + 1))) !== null)
      bangEscape = true;
    // `at 2:00 "echo x"`: the Windows scheduler running a command at a time
    if (name === 'at' && words === 1 && /^[0-9]{1,2}:[0-9]{2}$/.test(arg) && t[j + 1]?.k === 'w')
      atJob = knownCommand(commandName((t[j + 1] as { norm: string }).norm)) !== null;
  }
  if (j >= i + 24) ended = 'other';
  // `id;`, `dir c: |`: a leading command closed by a separator that ends the value (chaining)
  let trailingSep = false;
  if (ended === 'sep' && reach === 'start' && (t[j] as { v: string }).v !== 'nl') {
    let k = j;
    while (k < t.length && t[k]!.k === 'sep') k++;
    trailingSep = k >= t.length;
  }
  if (winSwitch) {
    shell++;
    flagArgs++;
  }
  const hasShellArgs = sensitive > 0 || shell > 0 || redir || numbers > 0;
  // PowerShell style `-class Win32_process -name Create`: plain values after as many flags
  const flagTolerant = reach === ';' || reach === '|' || reach === '||' || reach === '&&';
  const onlyShellArgs = words === 0 || (hasShellArgs && plain <= (flagTolerant ? Math.max(2, flagArgs) : 2));
  const bare = words === 0 && !redir;
  // `ping 127.0.0.1` alone may be what a diagnostics form expects; flags or more make it shell
  const richArgs = sensitive > 0 || redir || flagArgs > 0 || shell + numbers >= 2;
  const subst = reach === 'subst' || reach === 'backtick';
  const strongSep = reach === ';' || reach === '|' || reach === '||' || reach === '&&' || subst;

  let score = 0;
  let rule = '';
  const take = (s: number, r: string) => {
    if (s > score) {
      score = s;
      rule = r;
    }
  };
  if (binDir || substWord) {
    // bare `/usr/bin/id`-style paths keep their own rule below
    // (at the value start `/usr/bin/notes.json` is a file path: binaries seldom have an extension)
    if (absBin && words === 0 && !redir)
      take(reach === 'start' ? (name.includes('.') ? 0.25 : 0.7) : 0.9, 'absolute-binary-path');
    if (binDir && strongSep) take(0.85, 'bin-directory-command');
    else if (binDir && (reach === '&' || reach === 'nl' || reach === 'group'))
      take(0.6, 'bin-directory-command');
    else if (binDir && hasShellArgs && onlyShellArgs) take(0.45, 'bin-directory-command');
    // a flag or a path argument, and not `x=$(f …)` (script style: a function's output assigned)
    const openTok = t[i - 1];
    const before = t[i - 2];
    const assigned =
      openTok !== undefined &&
      before !== undefined &&
      before.k === 'w' &&
      before.raw.endsWith('=') &&
      before.s + before.raw.length === openTok.s;
    if (substWord && (flagArgs > 0 || sensitive > 0) && onlyShellArgs && !assigned)
      take(0.6, 'substitution-unknown-command');
    if (score === 0) return null;
    if (c.ifs) score = Math.min(1, score + 0.3);
    return { score, rule, at: tok.s, reach };
  }
  if (interpreter) take(reach === 'start' ? 0.8 : 0.95, 'interpreter-inline-code');
  if (atJob) take(reach === 'start' ? 0.55 : 0.85, 'scheduled-command');
  // reported from paranoia 2, like CRS: at 1 only with the editor's `-c` flag (below)
  if (bangEscape && known !== null) take(0.45, 'shell-escape');
  if (sensitive > 0 && (known !== null || glob || absBin))
    take(reach === 'start' ? 0.75 : 0.95, 'command-sensitive-path');
  if (glob) take(reach === 'start' ? (words > 0 ? 0.8 : 0.6) : 0.9, 'glob-binary-path');
  if (absBin && (known !== null || words === 0)) {
    // a bare `C:\Windows\System32\x.exe` at the start is a file path as often as a command
    const winBare = reach === 'start' && words === 0 && !expanded.startsWith('/');
    take(reach === 'start' ? (winBare ? 0.45 : 0.7) : 0.9, 'absolute-binary-path');
  }
  if (subst && known !== null) take(bare || onlyShellArgs ? 0.9 : 0.6, 'substitution-command');
  if (reach === 'brace') {
    // `{cat,/etc/passwd}`; `{id,name}` field lists stay quiet
    if (known === 'strong') take(bare || onlyShellArgs ? 0.9 : 0.6, 'brace-expansion-command');
    else if (known === 'weak' && c.braceEmpty && !wordy) take(0.8, 'brace-expansion-command');
    else if (known === 'weak') take(hasShellArgs && onlyShellArgs ? 0.85 : 0.3, 'brace-expansion-command');
  } else if (known === 'strong') {
    if (strongSep) take(onlyShellArgs || bare ? 0.9 : 0.45, 'separator-command');
    else if (reach === '&' || reach === 'group')
      take(onlyShellArgs && !bare ? 0.8 : bare ? 0.5 : 0.35, 'separator-command');
    else if (reach === 'nl')
      take(onlyShellArgs && !bare ? 0.8 : bare ? (c.words <= 8 ? 0.55 : 0.4) : 0.3, 'newline-command');
    else {
      take(
        hasShellArgs && onlyShellArgs
          ? richArgs
            ? 0.65
            : 0.45
          : bare
            ? NOT_A_WORD.has(name)
              ? 0.35
              : 0.25
            : 0.2,
        'leading-command',
      );
    }
  } else if (known === 'weak') {
    if (strongSep)
      take(
        hasShellArgs && onlyShellArgs ? 0.85 : bare && ended !== 'other' ? (c.words <= 8 ? 0.65 : 0.4) : 0.25,
        'separator-command',
      );
    else if (reach === '&' || reach === 'group')
      take(
        hasShellArgs && onlyShellArgs
          ? 0.75
          : bare
            ? // `&aptitude`, `& id` (the value is nothing else; `Time & date` is a phrase)
              RARE_TOOLS.has(name) || (c.words === 1 && name.length >= 2 && !wordy)
              ? 0.5
              : // a one-letter name (`w`) after `&` is as likely a random string (`s--%BQT&W`)
                name.length === 1
                ? 0.25
                : 0.35
            : 0.2,
        'separator-command',
      );
    else if (reach === 'nl')
      take(
        hasShellArgs && onlyShellArgs
          ? 0.7
          : // `x\nid`, `127.0.0.1\nps`: a probe command alone on an injected line of a tiny value
            bare && c.words <= 2 && PROBES.has(name)
            ? 0.5
            : 0.2,
        'newline-command',
      );
    else take(hasShellArgs && onlyShellArgs ? 0.45 : 0.1, 'leading-command');
  }
  if (trailingSep && (bare || onlyShellArgs) && !wordy)
    take(known === 'strong' ? 0.7 : 0.55, 'command-then-separator');
  if (toolName(name) && reach !== 'brace') {
    // `ansible-vault decrypt secret`, `Invoke-WebRequest http://x`, `; wget host`: a tool name with
    // plain arguments is a command line (a short one: prose about a tool goes on for longer)
    if (strongSep && !bare && plain <= 4) take(0.8, 'separator-command');
    else if (reach === 'start' && !bare && plain <= 4 && c.words <= 6) take(0.55, 'leading-command');
    // a lone tool name (`visudo`, `format=lastlog`, a `wget` User-Agent) only at paranoia 3
    else if (reach === 'start' && bare && c.words === 1) take(0.35, 'leading-command');
  }
  // `whoami;…`, `ifconfig|…`: a value opening with a tool name chained to something else
  if (
    reach === 'start' &&
    ended === 'sep' &&
    bare &&
    NOT_A_WORD.has(name) &&
    (t[j] as { v: string }).v !== 'nl'
  )
    take(0.6, 'command-then-separator');
  // `bin/visudo`, `usr/bin/id`: a known command named by its bin directory
  const relBin = known !== null && /^(\.\/)?(usr\/)?(local\/)?s?bin\/[a-z0-9._+-]+$/.test(expanded);
  if (relBin) take(reach === 'start' ? 0.55 : 0.9, 'relative-binary-path');
  // `'id'`, `"true"`: a lone command word wrapped in quotes, as a fuzzer sends it (paranoia 3)
  if (bare && reach === 'start' && c.words === 1 && known !== null && wrappedInQuotes(tok.raw))
    take(0.35, 'quoted-command');
  const line =
    reach === 'brace' || known === null
      ? script
      : (commandLineShape(name, known, argWords, reach === 'start', c.words, c.text) ?? script);
  if (line !== null) take(line.score, line.rule);
  if (score === 0) return null;
  if (c.ifs) score = Math.min(1, score + 0.3);
  // a name split by quotes or escapes (`'i'p a`, `\c\a\t x`) is written so only to slip past filters
  if (evasion && known !== null && !wordy && !resolved) score = Math.max(score, 0.55);
  if (argEvasion && known !== null) score = Math.min(1, score + 0.2);
  // quotes, escapes or empty expansions inside a command name (`w'h'oami`, `\c\a\t`, `w^h^o`,
  // `cat$u`), or a command behind a variable (`a=nc&&$a`), only serve evasion
  if (evasion && known !== null) score = Math.min(1, score + (resolved ? 0.2 : 0.3));
  // `top`, `column`, `links` are words (and product names in User-Agents): they count only after a
  // separator and with shell-like arguments
  // (`perf --version`, `make --help`: a GNU long option in a short value is a command line)
  const longFlag =
    flagArgs > 0 && c.words <= 4 && t[i + 1]?.k === 'w' && (t[i + 1] as { raw: string }).raw.startsWith('--');
  if (wordy && !interpreter && !longFlag && !relBin && (!hasShellArgs || !strongSep))
    score = Math.min(score, 0.3);
  // the grammar of a command line (option syntax, `-exec`, a script file) is no prose reading
  if (line !== null && line.score > score) score = line.score;
  return { score, rule, at: tok.s, reach, known: known !== null, tool: toolName(name) };
}

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
