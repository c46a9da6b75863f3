/**
 * Argument and path helpers of the command-injection judge (../cmdi.ts): which words are numbers,
 * IPs, globbed or absolute binary paths, names spelt from variables, and how shell-like an argument
 * reads. Split out so the judge reads in one sitting.
 */
import { SENSITIVE_PATHS } from './words.js';

export function isDigitStr(s: string): boolean {
  if (s.length === 0) return false;
  for (const c of s) if (c < '0' || c > '9') return false;
  return true;
}

export function isIPv4(s: string): boolean {
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
export function globMatch(pattern: string, name: string): boolean {
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
export function isGlobPath(word: string): boolean {
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
export function stripVars(w: string): string {
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
export function substituteVars(w: string, vars: Map<string, { value: string; alias: boolean }>): string {
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
export function isBinDirPath(w: string): boolean {
  if (w.length > 128 || w[0] !== '/' || w.endsWith('/') || !w.includes('bin/')) return false;
  const segs = w.split('/');
  const last = segs[segs.length - 1]!;
  const dir = segs[segs.length - 2];
  return (dir === 'bin' || dir === 'sbin') && /^[a-z0-9][a-z0-9._+-]*$/.test(last);
}

export function isAbsBinaryPath(w: string): boolean {
  return (
    /^\/(usr\/)?(local\/)?s?bin\/[a-z0-9._-]+$/.test(w) || /^[a-z]:\\windows\\system32\\[a-z0-9._-]+$/.test(w)
  );
}

export function shellLikeArg(w: string, cmd: string): 'sensitive' | 'shell' | 'number' | null {
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
  // `%SystemDrive%\boot.ini`, `%TEMP%/x.exe`: a path rooted at a Windows environment variable is
  // written only for cmd.exe, which expands it; prose and file names never open with one
  if (c0 === '%' && /^%[a-z_][a-z0-9_()]{0,31}%[\\/]/.test(w)) return 'shell';
  if (isIPv4(w)) return 'shell';
  if (
    isDigitStr(w) &&
    ['sleep', 'ping', 'timeout', 'kill', 'exit', 'ping6', 'nc', 'ncat', 'netcat'].includes(cmd)
  )
    return 'number';
  return null;
}
