/**
 * Command-line grammar of the command-injection detector: shapes of one command's arguments that
 * only a shell command line has, judged once the command word is known. A value that opens with
 * such a line is what an application that runs its input (`system($cmd)`, an agent's shell tool)
 * executes; prose that mentions the same command word does not write option syntax, root paths
 * or `-exec` after it.
 */
import type { ShellTok } from './lexer.js';
import { WORDY_TOOLS } from './tools.js';
import { commandName, knownCommand } from './words.js';

export interface LineShape {
  score: number;
  rule: string;
}

type Word = Extract<ShellTok, { k: 'w' }>;

/** The vi family: `+cmd` and `-c cmd` run an ex command at start-up, and `:!cmd` runs a shell. */
const EDITORS = new Set(['vi', 'vim', 'nvim', 'ex', 'view', 'rvim', 'rview', 'vimdiff', 'gvim']);
/** find's actions that run a command on each file. */
const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);
/** Commands that print or list files: with a root path they read the server's files. */
const FILE_READERS = new Set([
  'cat',
  'tac',
  'head',
  'tail',
  'more',
  'less',
  'nl',
  'll',
  'ls',
  'dir',
  'od',
  'strings',
  'stat',
  'file',
  'xxd',
  'hexdump',
  'du',
  'readlink',
  'tree',
  'base64',
]);
/** Shells (also those outside the command lists: `rc`, `fish`, `ash`): with a `.sh` file they run it. */
export const SHELLS: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'zsh',
  'ksh',
  'dash',
  'ash',
  'mksh',
  'csh',
  'tcsh',
  'fish',
  'rc',
]);
/** Package managers and the verbs that fetch and install code. */
const INSTALLERS = new Set([
  'pip',
  'pip3',
  'pipx',
  'npm',
  'gem',
  'apt',
  'apt-get',
  'yum',
  'dnf',
  'brew',
  'cargo',
]);
const INSTALL_VERBS = new Set(['install', 'i', 'add', 'uninstall', 'remove']);
/** Top-level directories of a Unix file system. */
const ROOT_DIRS = new Set([
  'bin',
  'boot',
  'dev',
  'etc',
  'home',
  'lib',
  'lib64',
  'mnt',
  'opt',
  'proc',
  'root',
  'run',
  'sbin',
  'srv',
  'sys',
  'tmp',
  'usr',
  'var',
]);

/** A word wholly inside one pair of quotes (`'id'`, `"time"`): quoting a whole word does nothing in a shell. */
export function wrappedInQuotes(raw: string): boolean {
  if (raw.length < 3) return false;
  const q = raw[0];
  return (q === "'" || q === '"') && raw[raw.length - 1] === q && !raw.slice(1, -1).includes(q);
}

/** `/etc/x`, `/var/www/`, `/path/file.gz`: an absolute path into the system or naming a file. */
function systemPath(w: string): boolean {
  if (w.length < 2 || w[0] !== '/' || w.length > 256 || !/^[a-z0-9/._~-]+$/.test(w)) return false;
  const segs = w.split('/').filter((s) => s !== '');
  if (segs.length === 0) return false;
  if (ROOT_DIRS.has(segs[0]!)) return true;
  return segs.length >= 2 && /^[a-z0-9_-]+\.[a-z0-9]{1,5}$/.test(segs[segs.length - 1]!);
}

/**
 * An option token: `--version`, `--max-depth=1` (GNU long option), or a short cluster. Names that
 * are also words (`set`, `cut`, `date`) take a one-letter option only: `set -o`, not `Set -up`.
 */
function optionToken(w: string, wordLike: boolean): boolean {
  if (/^--[a-z][a-z0-9-]{1,30}(=[^ ]*)?$/.test(w)) return true;
  return wordLike ? /^-[a-z]$/.test(w) : /^-[a-z]{1,4}$/.test(w);
}

/** Whether arg names a known command after `!` (`!whoami`, `:!pwd`, `\!id`). */
function bangCommand(norm: string): boolean {
  const bang = norm.lastIndexOf('!');
  return bang >= 0 && bang < norm.length - 1 && knownCommand(commandName(norm.slice(bang + 1))) !== null;
}

/**
 * The command `name` (known: its list) with argument words `args`, reached via a separator or not
 * (`start`), in a value of `valueWords` words; `text` is the value the tokens point into.
 */
export function commandLineShape(
  name: string,
  known: 'strong' | 'weak',
  args: readonly Word[],
  start: boolean,
  valueWords: number,
  text: string,
): LineShape | null {
  if (args.length === 0) return null;
  // `vim x +silent !whoami`, `ex -c ':!id'`: a start-up ex command that runs a shell
  if (EDITORS.has(name)) {
    let exCommand = false;
    let bang = false;
    for (const a of args) {
      // the lexer reads a `+` after a space as an undecoded space: look at the text
      const plus = a.raw[0] === '+' ? a.raw.length > 1 : text[a.s - 1] === '+';
      if (plus || a.norm.startsWith('-c')) exCommand = true;
      if (bangCommand(a.norm)) bang = true;
    }
    if (exCommand && bang) return { score: start ? 0.8 : 0.95, rule: 'editor-shell-escape' };
    // `;vim x \!whoami` (a form decoder ate the `+`): after a separator the escape alone will do
    if (bang && !start) return { score: 0.85, rule: 'editor-shell-escape' };
  }
  // `find /etc -name x -exec cat {} +`: find running a command on what it finds; at the value
  // start, on the system's tree (`find . -exec …` may be a question about find: paranoia 2)
  if (name === 'find') {
    for (let k = 0; k + 1 < args.length; k++)
      if (FIND_EXEC.has(args[k]!.norm) && knownCommand(commandName(args[k + 1]!.norm)) !== null)
        return { score: start ? (systemPath(args[0]!.norm) ? 0.8 : 0.45) : 0.95, rule: 'find-exec' };
  }
  if (!start || valueWords > 5) return null;
  const first = args[0]!.norm;
  // `ls -la`, `env --version`, `set -o history`: a short value that is a command with option syntax
  const wordLike = known === 'weak';
  if (optionToken(first, wordLike) && (!WORDY_TOOLS.has(name) || first.startsWith('--'))) {
    let plain = 0;
    for (let k = 1; k < args.length; k++)
      if (!/^[-/~.$]/.test(args[k]!.norm) && !args[k]!.norm.includes('/')) plain++;
    if (plain <= 1) return { score: 0.7, rule: 'command-option' };
  }
  // `cat /etc/hosts`, `ll /var/www/`: a file reader pointed at the server's file system
  if (FILE_READERS.has(name) && systemPath(first) && args.length <= 3)
    return { score: 0.7, rule: 'file-read-command' };
  // `pip install x`: fetching and installing code (also a docs search: paranoia 2)
  if (INSTALLERS.has(name) && INSTALL_VERBS.has(first) && args.length >= 2 && args.length <= 4)
    return { score: 0.45, rule: 'package-install' };
  return null;
}

/** `bash x.sh`, `rc script.sh`: a shell (known to the lists or not) handed a script file. */
export function scriptRun(name: string, next: ShellTok | undefined, start: boolean): LineShape | null {
  if (!SHELLS.has(name) || next?.k !== 'w') return null;
  if (!/^[a-z0-9_./~-]{1,128}\.(sh|bash|zsh|ksh)$/.test(next.norm)) return null;
  return { score: start ? 0.7 : 0.9, rule: 'script-run' };
}
