// Java class names inside base64 at any byte offset. A serialized Java object is binary, so the
// decoder (which keeps only base64 that decodes to printable text) never shows its class names;
// and a stream embedded after other bytes, or with its `rO0AB` header cut off, starts at an offset
// that is not a multiple of three, where the names encode to different letters. Each name is
// therefore searched as the three letter runs it encodes to (offset 0, 1 and 2), keeping only the
// letters that depend on the name alone. `raw` is case-sensitive: base64 is.
import type { Report } from './lex.js';

/** Gadget classes: no benign base64 carries them (tooling aside). */
const GADGET_NAMES = [
  'InvokerTransformer',
  'InstantiateTransformer',
  'ChainedTransformer',
  'ConstantTransformer',
  'CloneTransformer',
  'ForClosure',
  'WhileClosure',
  'InstantiateFactory',
  'PrototypeCloneFactory',
  'PrototypeSerializationFactory',
  'TemplatesImpl',
  'JdbcRowSetImpl',
  'AnnotationInvocationHandler',
  'BadAttributeValueExpException',
];
/**
 * Classes that start processes: a base64 Java source file (a repository contents API) may use
 * them, so they count only from paranoia 2.
 */
const EXEC_NAMES = ['ProcessBuilder', 'Runtime', 'ScriptEngineManager'];

interface Fragment {
  text: string;
  score: number;
  name: string;
}

const STANDARD = /[+/]/g;

/** The letters of base64(`pad` bytes + name) that depend on the name alone. */
function fragment(name: string, pad: number): string {
  const bytes = Buffer.concat([Buffer.alloc(pad), Buffer.from(name, 'latin1')]);
  const full = bytes.toString('base64');
  const start = Math.ceil((pad * 8) / 6);
  const end = Math.floor((bytes.length * 8) / 6);
  return full.slice(start, end);
}

export const FRAGMENTS: Fragment[] = [];
for (const [names, score] of [
  [GADGET_NAMES, 0.6],
  [EXEC_NAMES, 0.4],
] as const) {
  for (const original of names) {
    // serialized streams hold the class name as written; payloads built by hand use lower case
    for (const name of new Set([original, original.toLowerCase()])) {
      for (let pad = 0; pad < 3; pad++) {
        const text = fragment(name, pad);
        FRAGMENTS.push({ text, score, name });
        // URL-safe base64
        if (STANDARD.test(text))
          FRAGMENTS.push({ text: text.replace(STANDARD, (c) => (c === '+' ? '-' : '_')), score, name });
        STANDARD.lastIndex = 0;
      }
    }
  }
}

/** Shortest fragment: a run of base64 letters shorter than it holds none. */
const SHORTEST = Math.min(...FRAGMENTS.map((f) => f.text.length));

const isB64 = (c: number): boolean =>
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  (c >= 48 && c <= 57) ||
  c === 43 ||
  c === 47 ||
  c === 45 ||
  c === 95;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const key4 = (s: string, i: number): number =>
  (s.charCodeAt(i) << 21) | (s.charCodeAt(i + 1) << 14) | (s.charCodeAt(i + 2) << 7) | s.charCodeAt(i + 3);

/** Fragments by their first four letters: one lookup per position of a candidate run. */
const BY_KEY = new Map<number, Fragment[]>();
for (const f of FRAGMENTS) {
  const k = key4(f.text, 0);
  const list = BY_KEY.get(k);
  if (list === undefined) BY_KEY.set(k, [f]);
  else list.push(f);
}

/** The fragments inside `raw[from, to)`, a run of base64 letters. */
function scanRun(raw: string, from: number, to: number, report: Report): void {
  for (let i = from; i + SHORTEST <= to; i++) {
    const list = BY_KEY.get(key4(raw, i));
    if (list === undefined) continue;
    for (const f of list) {
      if (i + f.text.length <= to && raw.startsWith(f.text, i))
        report(f.score, i, `Java class ${f.name} in base64`);
    }
  }
}

export function scanBase64Names(raw: string, report: Report): void {
  if (raw.length < SHORTEST) return;
  let start = 0;
  // an upper-case letter after the first one of the run: words and lower-case identifiers are
  // not base64 (every fragment has one)
  let mixed = false;
  for (let i = 0; i <= raw.length; i++) {
    const c = i < raw.length ? raw.charCodeAt(i) : 0;
    if (isB64(c)) {
      if (i > start && isUpper(c)) mixed = true;
      continue;
    }
    if (mixed && i - start >= SHORTEST) scanRun(raw, start, i, report);
    start = i + 1;
    mixed = false;
  }
}
