import { createHmac, randomBytes } from 'node:crypto';
import type { PiiKind } from '../../config/sections/llm.js';
import type { PiiMatch } from './scan.js';

// Masking (`[EMAIL]`) and pseudonymisation (`[EMAIL_3f9a1c2b]`): a pseudonym is a keyed hash of the
// value, so the same value gets the same placeholder in every turn of a conversation, and the
// per-request map lets the response be restored.

export type RedactAction = 'mask' | 'pseudonymise';

const label = (kind: PiiKind) => kind.toUpperCase().replace(/-/g, '_');

export function maskToken(kind: PiiKind): string {
  return `[${label(kind)}]`;
}

export interface Pseudonymiser {
  placeholder(kind: PiiKind, value: string): string;
}

/** One random key per process: placeholders stay the same across config reloads. */
const PROCESS_KEY = randomBytes(32).toString('hex');

/** `key` keeps placeholders stable across gateway restarts and instances; per process when absent. */
export function createPseudonymiser(key?: string): Pseudonymiser {
  const secret = key ?? PROCESS_KEY;
  return {
    placeholder(kind, value) {
      const h = createHmac('sha256', secret)
        .update(kind)
        .update('\0')
        .update(value)
        .digest('hex')
        .slice(0, 8);
      return `[${label(kind)}_${h}]`;
    },
  };
}

/** Applies replacements for non-overlapping, sorted matches; records placeholder → value. */
export function redact(
  text: string,
  matches: readonly PiiMatch[],
  action: RedactAction,
  pseudonymiser: Pseudonymiser,
  restore?: Map<string, string>,
): string {
  if (matches.length === 0) return text;
  let out = '';
  let last = 0;
  for (const m of matches) {
    const value = text.slice(m.start, m.end);
    let replacement: string;
    if (action === 'mask') replacement = maskToken(m.kind);
    else {
      replacement = pseudonymiser.placeholder(m.kind, value);
      restore?.set(replacement, value);
    }
    out += text.slice(last, m.start) + replacement;
    last = m.end;
  }
  return out + text.slice(last);
}

/** Longest placeholder: `[` + longest label + `_` + 8 hex + `]`. */
export const MAX_PLACEHOLDER = 1 + 'GOOGLE_API_KEY'.length + 1 + 8 + 1 + 8;

const isLabelChar = (c: number) =>
  (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57) || (c >= 97 && c <= 102);

/** Placeholders (`[KIND_xxxxxxxx]`) present in the restore map, as spans. */
export function findPlaceholders(
  text: string,
  from: number,
  restore: ReadonlyMap<string, string>,
): { start: number; end: number; value: string }[] {
  const out: { start: number; end: number; value: string }[] = [];
  let i = text.indexOf('[', from);
  while (i !== -1) {
    let k = i + 1;
    while (k < text.length && k - i < MAX_PLACEHOLDER && isLabelChar(text.charCodeAt(k))) k++;
    if (text.charCodeAt(k) === 93) {
      const value = restore.get(text.slice(i, k + 1));
      if (value !== undefined) out.push({ start: i, end: k + 1, value });
    }
    i = text.indexOf('[', i + 1);
  }
  return out;
}

/** Start of a trailing `[LABEL_…` that could still become a placeholder; -1 when none. */
export function partialPlaceholderStart(text: string): number {
  const i = text.lastIndexOf('[');
  if (i === -1 || text.length - i >= MAX_PLACEHOLDER) return -1;
  for (let k = i + 1; k < text.length; k++) if (!isLabelChar(text.charCodeAt(k))) return -1;
  return i;
}
