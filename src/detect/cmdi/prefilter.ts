/**
 * Prefilter of the command-injection detector: 0 when the value may hold a command injection
 * (run the analysis), 1 when `analyzeCmdi` is certain to return null, 2 when it is certain to score
 * below 0.3 (nothing is reported at any paranoia or profile). Most values of an API (names,
 * e-mails, sentences, URLs, SKUs) end here, so it allocates nothing on them and reads each
 * character once.
 *
 * Why it is conservative: with only PLAIN characters the shell lexer yields words alone (no
 * separator, substitution, group, redirection, `$IFS`, variable or escape), so only the first
 * word is in command position, `specificShapes` needs `/`, `<` or `()`, the whole-value
 * expansions need `~` or a leading `!`, and the first word's normalised form is its text without
 * quotes, lower-cased. When that word is no known command, no prefix word (`sudo`, `time`…), no
 * shell (`rc x.sh`) and not `for`/`if` (batch shapes), `judgeCommand` returns null (no glob,
 * absolute or bin-directory path without `/` or `\`, no substitution). When it is the value's
 * only word, unquoted, a known "weak" command (`true`, `date`, `cat`) and no tool name, `judgeCommand`
 * scores a bare leading weak command 0.1 (no arguments, no evasion), which no profile raises to 0.3.
 */
import { SHELLS } from './cmdline.js';
import { RARE_TOOLS, WORDY_TOOLS } from './tools.js';
import { commandName, INTERPRETER_FLAGS, knownCommand, PREFIX, STRONG, toolName, WEAK } from './words.js';

/**
 * ASCII characters that can neither reach a command position nor change a word: letters, digits,
 * `. , @ - _ : ? ! #`, space and tab, and quotes (which the lexer drops from words); `/` and `=`
 * (URLs, query strings, relative paths) only in a value of one word that does not open with `/`.
 * Everything else (separators, substitutions, groups, braces, redirections, `$`, `%`, `+`, `\`,
 * `^`, `*`, `[`, `~`, backtick, CR/LF, control and non-ASCII characters) takes the full path.
 */
const PLAIN_VALUE = /^[A-Za-z0-9.,@\-_:?!# \t'"/=]*$/;
/** The lexer's longest word (./lexer.ts MAX_WORD). */
const FIRST_WORD_MAX = 256;

function lowerHash(h: number, c: number): number {
  return (Math.imul(h, 31) + (c >= 65 && c <= 90 ? c + 32 : c)) | 0;
}
function wordHash(w: string): number {
  let h = 0;
  for (let i = 0; i < w.length; i++) h = lowerHash(h, w.charCodeAt(i));
  return h;
}
/**
 * Hashes of every name a first word is compared with (command lists, prefix words, shells, batch
 * keywords), and of the interpreters `knownCommand` accepts with a version suffix (`python3.10`).
 * A word whose hash is absent is none of them; a hit only sends the word down the exact path.
 */
const NAME_HASHES = new Set<number>();
for (const set of [STRONG, WEAK, RARE_TOOLS, WORDY_TOOLS, PREFIX, SHELLS, ['for', 'if']])
  for (const w of set) NAME_HASHES.add(wordHash(w));
const VERSIONED_HASHES = new Set<number>(
  ['python', 'perl', 'php', 'ruby', 'lua', 'gcc', 'node', 'java', 'pip', 'tclsh'].map(wordHash),
);

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Whether text[from, to) may name a command, prefix word, shell or batch keyword once quotes are
 * dropped, case is folded, `.exe`/`.com`/`.bat` or a version suffix (`php8`, `python3.10`) is
 * stripped. Conservative: a hash hit or a quote answers yes; a number answers no.
 */
function mayNameCommand(text: string, from: number, to: number): boolean {
  let h = 0;
  let n = 0;
  let runHash = 0;
  let run = 0;
  let numeric = true;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 39 || c === 34) return true;
    const digit = c >= 48 && c <= 57;
    if (digit || c === 46) {
      if (run === 0) runHash = h;
      run++;
    } else {
      run = 0;
      numeric = false;
    }
    h = lowerHash(h, c);
    n++;
  }
  if (numeric) return false;
  if (NAME_HASHES.has(h)) return true;
  if (run > 0 && run < 6 && n - run >= 2 && VERSIONED_HASHES.has(runHash)) return true;
  if (n >= 5 && text.charCodeAt(to - 4) === 46) {
    const ext = text.slice(to - 3, to).toLowerCase();
    if (ext === 'exe' || ext === 'com' || ext === 'bat') return true;
  }
  return false;
}

/**
 * One word with `/` or `=` (a URL, a query string, a relative path): its command name is the
 * part after the last `/`. It is no command when that name is unknown and no prefix word, the
 * word does not open with `/` (no absolute, glob or bin-directory path), holds no `/dev/`
 * (reverse shells) and is no `ipconfig/all` (a switch glued to a command); `=` only makes it an
 * assignment, which is no command either.
 */
function urlWord(text: string, ws: number, end: number): 0 | 1 {
  const word = text.slice(ws, end);
  // quotes change the word (`'/bin'/x`, `/de'v/`): the exact reading
  if (word.includes("'") || word.includes('"')) return exactUrlWord(word.replace(/['"]/g, '').toLowerCase());
  if (/\/dev\//i.test(word)) return 0;
  if (word.charCodeAt(0) === 47 && !inertAbsolutePath(word)) return 0;
  const lastSlash = word.lastIndexOf('/');
  if (mayNameCommand(word, lastSlash + 1, word.length)) return exactUrlWord(word.toLowerCase());
  // `ipconfig/all`: a Windows switch glued to a command (see judgeCommand)
  const firstSlash = word.indexOf('/');
  if (firstSlash >= 0 && firstSlash === lastSlash && mayNameCommand(word, 0, firstSlash)) return 0;
  return 1;
}

/**
 * `/api/orders`, `/static/app-1.2.js`: an absolute path of plain segments reaches the judge only
 * as a path. With no glob character it is no glob path; with no `bin/` it is no absolute,
 * bin-directory or relative binary path (they all need a `bin`/`sbin` directory); with only
 * letters, digits and `. _ - /` it holds no expansion, comment or assignment. What is left is its
 * last segment as a command name, which urlWord checks like any other.
 */
function inertAbsolutePath(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    const plain =
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 47 && c <= 57) ||
      c === 46 ||
      c === 95 ||
      c === 45;
    if (!plain) return false;
    // `bin/`, `sbin/`, `BIN/`
    if (
      c === 47 &&
      i >= 3 &&
      (word.charCodeAt(i - 1) | 32) === 110 &&
      (word.charCodeAt(i - 2) | 32) === 105 &&
      (word.charCodeAt(i - 3) | 32) === 98
    )
      return false;
  }
  return true;
}

/** The exact reading of urlWord on the word without quotes, lower-cased. */
function exactUrlWord(word: string): 0 | 1 {
  if (word.startsWith('/') || word.includes('/dev/')) return 0;
  const name = commandName(word);
  if (word === 'for' || word === 'if' || PREFIX.has(name) || knownCommand(name) !== null) return 0;
  const slash = word.indexOf('/');
  if (
    slash >= 0 &&
    slash === word.lastIndexOf('/') &&
    knownCommand(commandName(word.slice(0, slash))) !== null
  )
    return 0;
  return 1;
}

export function cmdiPrefilter(text: string): 0 | 1 | 2 {
  if (!PLAIN_VALUE.test(text)) return 0;
  const n = text.length;
  let ws = 0;
  while (ws < n && isSpace(text.charCodeAt(ws))) ws++;
  if (ws === n) return 1;
  // `!!`, `!-1`: a history expansion (see wholeValueExpansion)
  if (text.charCodeAt(ws) === 33 && n <= 24) return 0;
  let we = ws;
  while (we < n && !isSpace(text.charCodeAt(we))) we++;
  let rest = we;
  while (rest < n && isSpace(text.charCodeAt(rest))) rest++;
  const oneWord = rest === n;
  const end = Math.min(we, ws + FIRST_WORD_MAX);
  if (text.indexOf('/') >= 0 || text.indexOf('=') >= 0)
    return oneWord && n - ws <= FIRST_WORD_MAX ? urlWord(text, ws, end) : 0;
  if (!mayNameCommand(text, ws, end)) return 1;
  let word = text.slice(ws, end);
  const quoted = word.includes("'") || word.includes('"');
  if (quoted) word = word.replace(/['"]/g, '');
  word = word.toLowerCase();
  if (word === 'for' || word === 'if') return 0;
  const name = commandName(word);
  // `rc x.sh`: shells outside the command lists run a script (see scriptRun)
  if (PREFIX.has(name) || SHELLS.has(name)) return 0;
  const known = knownCommand(name);
  if (known === null) return 1;
  // (a hyphenated tool name, `update-rc.d`, is reported alone at paranoia 3: see judgeCommand)
  if (
    known === 'weak' &&
    oneWord &&
    !quoted &&
    we - ws <= FIRST_WORD_MAX &&
    !(name in INTERPRETER_FLAGS) &&
    !toolName(name)
  )
    return 2;
  return 0;
}
