/**
 * Shell lexer for the command-injection detector. A hand-written linear scanner that knows the
 * grammar attackers use to reach a command position: separators, substitutions, grouping,
 * redirection, and evasions inside words (quotes, backslashes, carets, $IFS, empty variables).
 * Quotes are not treated as string delimiters: the quoting context of the application is
 * unknown, so a separator inside quotes still counts (the attacker closes the quote first).
 */

export type ShellTok =
  | { k: 'w'; raw: string; norm: string; alt: string; s: number }
  | { k: 'sep'; v: ';' | '|' | '||' | '&' | '&&' | 'nl'; s: number }
  | { k: 'open'; v: '$(' | '`' | '<(' | '(' | '{' | '${'; s: number }
  | { k: 'close'; v: ')' | '`' | '}'; s: number }
  | { k: 'redir'; v: string; s: number };

export interface ShellLex {
  toks: ShellTok[];
  /** `$IFS` / `${IFS}` used as whitespace. */
  ifs: boolean;
  /** A backtick or `$(` substitution was opened and closed. */
  closedSubst: boolean;
}

const MAX_WORD = 256;
/**
 * ASCII characters a word takes as they are: not a boundary, not `$`, a quote, `^` or `\` (which
 * the word loop reads one by one). `+` and `,` are boundaries only sometimes: checked apart.
 */
const ORDINARY = new Uint8Array(128);
for (let c = 33; c < 127; c++) ORDINARY[c] = 1;
for (const ch of ';|&><()`{}$\'"^\\') ORDINARY[ch.charCodeAt(0)] = 0;
/** Special parameters that expand to (nearly) nothing inside a word: `c$@at`, `c$!at`, `c$?at`. */
const SPECIAL_PARAMS = '@*#!?-_$';

function isBoundary(ch: string, plusIsSpace: boolean): boolean {
  return (
    ch === ' ' ||
    ch === '\t' ||
    (ch === '+' && plusIsSpace) ||
    ch === ';' ||
    ch === '|' ||
    ch === '&' ||
    ch === '>' ||
    ch === '<' ||
    ch === '(' ||
    ch === ')' ||
    ch === '`' ||
    ch === '\n' ||
    ch === '\r' ||
    ch === '{' ||
    ch === '}' ||
    ch === '\v' ||
    ch === '\f'
  );
}

/** indexOf limited to `limit` characters after `from` (never rescans the whole input). */
function boundedIndexOf(text: string, ch: string, from: number, limit: number): number {
  const end = Math.min(text.length, from + limit);
  for (let k = from; k < end; k++) if (text[k] === ch) return k;
  return -1;
}

/** `+` next to a separator or a space is an undecoded space (`&&+|+dir`). */
function nearSeparator(text: string, i: number): boolean {
  const a = text[i - 1];
  const b = text[i + 1];
  return a === undefined || b === undefined || ';|& \t'.includes(a) || ';|& \t'.includes(b);
}

/** `${…}` at i holds a backtick or `$(` substitution. */
function wrapsSubstitution(text: string, i: number): boolean {
  const close = boundedIndexOf(text, '}', i, 32);
  const inner = close > 0 ? text.slice(i + 2, close) : '';
  return inner.includes('`') || inner.includes('$(');
}

/** i opens the value or follows a separator, a space or a quote, and the escape ends a word. */
function atWordStart(text: string, i: number): boolean {
  const p = text[i - 1];
  const q = text[i + 2];
  const before = p === undefined || ' \t;|&(`"\''.includes(p);
  const after = q === undefined || !/[a-z0-9]/i.test(q) || q === '.';
  return before && (after || p === ';' || p === '|' || p === '&');
}

/** `$IFS`, `$IFS$9`, `${IFS}`, `${IFS%??}` at i: returns the length, or 0. */
function ifsAt(text: string, i: number): number {
  if (text.startsWith('$IFS', i)) {
    let j = i + 4;
    if (text[j] === '$' && text[j + 1] !== undefined && text[j + 1]! >= '0' && text[j + 1]! <= '9') j += 2;
    return j - i;
  }
  if (text.startsWith('${IFS', i)) {
    const close = boundedIndexOf(text, '}', i, 16);
    if (close > 0) return close + 1 - i;
  }
  return 0;
}

export function lexShell(text: string, maxTokens: number): ShellLex {
  const toks: ShellTok[] = [];
  const n = text.length;
  let i = 0;
  let ifs = false;
  let closedSubst = false;
  let backtickOpen = false;
  let braceDepth = 0;
  let substDepth = 0;
  // `+` is a space the form decoder did not turn into one, unless the value has real spaces
  // (also `&&dir+c:`: a word right after a separator continued by `+`)
  const plusIsSpace = !text.includes(' ') || /[;|&]\+|\+[;|&]|[;|&][a-z]{1,16}\+[^+\s]/i.test(text);
  while (i < n && toks.length < maxTokens) {
    const ch = text[i]!;
    const s = i;
    const ifsLen = ch === '$' ? ifsAt(text, i) : 0;
    if (ifsLen > 0) {
      ifs = true;
      i += ifsLen;
      continue;
    }
    switch (ch) {
      case '+':
        if (!plusIsSpace && !nearSeparator(text, i)) break;
        i++;
        continue;
      case ' ':
      case '\t':
      case '\v':
      case '\f':
        i++;
        continue;
      case '\n':
      case '\r':
        toks.push({ k: 'sep', v: 'nl', s });
        i++;
        continue;
      case ';':
        toks.push({ k: 'sep', v: ';', s });
        i++;
        continue;
      case '|':
        if (text[i + 1] === '|') {
          toks.push({ k: 'sep', v: '||', s });
          i += 2;
        } else {
          toks.push({ k: 'sep', v: '|', s });
          i += text[i + 1] === '&' ? 2 : 1;
        }
        continue;
      case '&':
        if (text[i + 1] === '&') {
          toks.push({ k: 'sep', v: '&&', s });
          i += 2;
        } else if (text[i + 1] === '>') {
          toks.push({ k: 'redir', v: '&>', s });
          i += 2;
        } else {
          toks.push({ k: 'sep', v: '&', s });
          i++;
        }
        continue;
      case '>':
      case '<': {
        if (text[i + 1] === '(') {
          toks.push({ k: 'open', v: '<(', s });
          substDepth++;
          i += 2;
          continue;
        }
        let j = i + 1;
        while (j < n && j - i < 3 && (text[j] === '>' || text[j] === '<' || text[j] === '&')) j++;
        toks.push({ k: 'redir', v: text.slice(i, j), s });
        i = j;
        continue;
      }
      case '$':
        if (text[i + 1] === '{' && wrapsSubstitution(text, i)) {
          // `${`id`}`, `${$(id)}`: the substitution inside runs first
          i += 2;
          continue;
        }
        if (text[i + 1] === '(') {
          toks.push({ k: 'open', v: '$(', s });
          substDepth++;
          i += 2;
          if (text[i] === '(') i++; // $(( arithmetic
          continue;
        }
        break;
      case '`':
        if (text[i + 1] === '`') {
          // "``" is an empty substitution, "```" a markdown code fence: neither runs anything
          while (text[i] === '`') i++;
          continue;
        }
        if (backtickOpen) {
          toks.push({ k: 'close', v: '`', s });
          closedSubst = true;
        } else toks.push({ k: 'open', v: '`', s });
        backtickOpen = !backtickOpen;
        i++;
        continue;
      case '(':
        toks.push({ k: 'open', v: '(', s });
        i++;
        continue;
      case ')':
        if (substDepth > 0) {
          substDepth--;
          closedSubst = true;
        }
        toks.push({ k: 'close', v: ')', s });
        i++;
        continue;
      case '{':
        toks.push({ k: 'open', v: '{', s });
        braceDepth++;
        i++;
        continue;
      case '}':
        if (braceDepth > 0) braceDepth--;
        toks.push({ k: 'close', v: '}', s });
        i++;
        continue;
      case ',':
        if (braceDepth > 0) {
          i++;
          continue;
        }
        break;
      default:
        break;
    }
    // a literal `\n` / `\r` opening a word: an escaped newline that the target's `echo -e`,
    // printf or SQL string turns into a real one (`;\n.shell …`)
    if (ch === '\\' && (text[i + 1] === 'n' || text[i + 1] === 'r') && atWordStart(text, i)) {
      toks.push({ k: 'sep', v: 'nl', s });
      i += 2;
      continue;
    }
    // a word
    let norm = '';
    let alt = '';
    let j = i;
    const limit = Math.min(n, i + MAX_WORD);
    while (j < limit) {
      // a run of ordinary characters is copied at once (most words are nothing else)
      let e = j;
      while (e < limit) {
        const ce = text.charCodeAt(e);
        if (ce >= 128 || ORDINARY[ce] === 0 || (ce === 43 && plusIsSpace) || (ce === 44 && braceDepth > 0))
          break;
        e++;
      }
      if (e > j) {
        norm += text.slice(j, e);
        j = e;
        continue;
      }
      const c = text[j]!;
      if (c === '`' && text[j + 1] === '`' && text[j + 2] !== '`' && norm.length > 0) {
        // `pi``ng`: an empty substitution glued inside a word
        alt += '`';
        j += 2;
        continue;
      }
      if ((c === '<' || c === '>') && text[j + 1] === '(' && text[j + 2] === ')' && norm.length > 0) {
        // `pi<()ng`: an empty process substitution glued inside a word
        alt += '<()';
        j += 3;
        continue;
      }
      if (isBoundary(c, plusIsSpace) || (c === ',' && braceDepth > 0)) break;
      if (c === '$') {
        if (text[j + 1] === '(' && text[j + 2] === ')' && norm.length > 0) {
          // `wh$()oami`: an empty substitution glued inside a word
          alt += '$()';
          j += 3;
          continue;
        }
        if (text[j + 1] === '(' || ifsAt(text, j) > 0) break;
        // `$@`, `$*`, `$1`, `${x}` and `$var` expand to nothing in evasions (c$@at, ca$u t)
        const d = text[j + 1];
        // `$'whoami'`, `$"id"`: ANSI-C / locale quoting, the word itself
        if (d === "'" || d === '"') {
          alt += '$';
          j++;
          continue;
        }
        if (d !== undefined && (SPECIAL_PARAMS.includes(d) || (d >= '0' && d <= '9'))) {
          // glued inside a word (`cu$@rl`) they only serve to split a name
          if (norm.length > 0 && j + 2 < n && !isBoundary(text[j + 2]!, plusIsSpace)) alt += '$';
          j += 2;
          continue;
        }
        if (d === '{') {
          const close = boundedIndexOf(text, '}', j, 32);
          const inner = close > 0 ? text.slice(j + 2, close) : '';
          // `${`id`}`: the expansion wraps a substitution (lexed from the next token on)
          if (inner.includes('`') || inner.includes('$(')) break;
          if (close > 0) {
            norm += text.slice(j, close + 1);
            j = close + 1;
            continue;
          }
        }
        let k = j + 1;
        while (k < n && k - j < 32 && /[A-Za-z0-9_]/.test(text[k]!)) k++;
        norm += text.slice(j, k);
        j = k;
        continue;
      }
      if (c === "'" || c === '"' || c === '^') {
        if (norm.length > 0 && j + 1 < n && !isBoundary(text[j + 1]!, plusIsSpace)) alt += c;
        j++;
        continue;
      }
      if (c === '\\') {
        const nx = text[j + 1];
        if (nx === '\n') {
          j += 2;
          continue;
        }
        // keep Windows path separators (c:\windows), drop escapes before letters (\c\a\t)
        if (nx !== undefined && /[A-Za-z0-9]/.test(nx) && !(norm.includes(':') || norm.startsWith('%'))) {
          alt += '\\';
          j++;
          continue;
        }
        norm += '\\';
        j++;
        continue;
      }
      norm += c;
      j++;
    }
    if (j === i) {
      // not a word character after all (lone `$` or `,`)
      j = i + 1;
      norm = text[i]!;
    }
    toks.push({ k: 'w', raw: text.slice(i, j), norm: norm.toLowerCase(), alt: alt, s });
    i = j;
  }
  return { toks, ifs, closedSubst };
}
