/**
 * The command judge of the command-injection detector (../cmdi.ts): given a word in command
 * position and how it was reached (value start, separator, substitution, brace expansion…), score
 * the command name, its evasions and its arguments.
 */
import { commandLineShape, scriptRun, wrappedInQuotes } from './cmdline.js';
import type { ShellTok } from './lexer.js';
import { RARE_TOOLS, WORDY_TOOLS } from './tools.js';
import {
  isDigitStr,
  isGlobPath,
  stripVars,
  substituteVars,
  isBinDirPath,
  isAbsBinaryPath,
  shellLikeArg,
} from './args.js';
import {
  commandName,
  deglob,
  INTERPRETER_FLAGS,
  knownCommand,
  LAUNCHERS,
  NOT_A_WORD,
  PREFIX,
  SQLITE_DOT,
  SQLITE_RUN,
  splitEvasion,
  toolName,
} from './words.js';

/** Weak names that are the classic probes of an injected line (`id`), unlike `date` or `test`. */
const PROBES = new Set(['id', 'ps', 'env']);

export type Reach = 'start' | ';' | '|' | '||' | '&' | '&&' | 'nl' | 'subst' | 'backtick' | 'group' | 'brace';

export interface Hit {
  score: number;
  rule: string;
  at: number;
  reach: Reach;
  /** The command word is a known command (not only a path or an unknown name). */
  known?: boolean;
  /** The command word is a tool name that is no word (see toolName). */
  tool?: boolean;
}

export interface Ctx {
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
export function judgeCommand(c: Ctx, i: number, reach: Reach, depth = 0, asPrefix = true): Hit | null {
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
