// Layer 2: hand-written cues. Word-window matching over skeleton words (see normalise.ts) plus
// substring search for chat-template tokens: every cue is linear in the input, no regex with
// nested quantifiers touches attacker text. Cues are weighted and combined (noisy-OR), never a
// single keyword → block.
import { fold, skeletonWord, skeletonWords } from './normalise.js';

export const CUE_NAMES = [
  'override',
  'persona',
  'extraction',
  'template',
  'splitting',
  'newTask',
  'addressing',
  'contextSwitch',
] as const;
export type CueName = (typeof CUE_NAMES)[number];
export type CueScores = Record<CueName, number>;

export interface CueHit {
  cue: CueName;
  strength: number;
  /** Short evidence, e.g. the words that matched. */
  fragment: string;
}

// Lexicon words go through the same folding as text (so Cyrillic entries match folded text).
const set = (words: string): Set<string> =>
  new Set(
    words
      .split(/\s+/)
      .filter(Boolean)
      .map((x) => skeletonWord(fold(x))),
  );

// Instruction override, several languages (en, de, fr, es, it, pt, nl). Diacritics are folded.
const OVERRIDE_VERBS = set(`
  ignore ignoring ignored disregard disregarding forget forgetting override overriding bypass skip discard
  abandon drop dismiss neglect overlook omit erase delete clear reset
  ignoriere ignorieren ignorier vergiss vergesse vergessen missachte missachten uberspringe
  ignorez ignorer oublie oubliez oublier
  ignora ignore ignorar olvida olvide olvidate olvidar omite descarta
  dimentica dimenticare
  esqueca esquece esquecer desconsidere
  negeer vergeet
  забудь забудьте игнорируй игнорируйте проигнорируй
`);
const OVERRIDE_OBJECTS = set(`
  instructions instruction instructs rules rule directions direction guidelines guideline prompts prompt
  commands command orders directives directive constraints restrictions restriction programming training
  policies context messages conversation tasks task text input everything anything requests request
  limitations limitation
  anweisungen anweisung regeln befehle instruktionen vorgaben aufgaben auftrage alles
  consignes regles directives ordres tout
  instrucciones instruccion reglas indicaciones ordenes todo
  istruzioni regole tutto
  instrucoes regras tudo
  instructies regels
  инструкции инструкций правила указания
  protocols protocol safeguards filters filter censorship ethics morals principles
`);
const OVERRIDE_MODIFIERS = set(`
  previous prior above earlier preceding all any original initial system former existing old given
  those these your first before
  vorherigen vorherige obigen bisherigen alle alten vorangegangenen vorhergehenden bisherige
  precedentes precedents anterieures toutes tous dessus
  anteriores previas todas todos
  precedenti tutte
  anteriores
  vorige alle
  все предыдущие прежние
`);
// Extraction of the system prompt / secret.
const EXTRACT_VERBS = set(`
  repeat print reveal show tell output display write give share leak spell list disclose dump recite
  paste return expose divulge provide type echo summarize summarise translate what
  wiederhole zeige verrate gib nenne schreibe
  repete repetez montre montrez affiche revele donne
  repite muestra revela dime escribe
`);
const EXTRACT_OBJECTS = set(`
  prompt prompts instructions instruction rules guidelines password passwords passphrase secret secrets
  configuration directives context
  anweisungen passwort geheimnis
  consignes mot
  instrucciones contrasena
`);
const EXTRACT_MODIFIERS = set(`
  your initial original hidden secret above previous first preceding internal pre-prompt given last
  deine dein ihre ton tes vos votre tu tus su sus
`);
const DETERMINERS = set('your the this');
// Objects that only an AI system has: overriding them is an attack even without "previous".
const AI_OBJECTS = set(
  'instructions instruction prompt prompts directives directive programming guidelines safeguards censorship инструкции',
);
const GENERIC_OBJECTS = set(
  'everything anything text input task tasks context conversation messages tout todo tutto tudo alles',
);
const TEMPORAL_MODIFIERS = set(
  'previous prior above earlier preceding former vorherigen obigen precedentes anteriores precedenti',
);
const VOIDING = set(
  'ignored disregarded forgotten overridden void invalid false cancelled canceled obsolete null revoked',
);
const PRESENT_BE = set('are is be now');
const NOT_WORDS = set('not t dont stop no never longer');

// Typo tolerance: a word within one edit (symmetric delete) of a key word maps to it.
const FUZZY_KEYS = [
  'ignore',
  'disregard',
  'previous',
  'instructions',
  'instruction',
  'directions',
  'guidelines',
  'password',
  'prompt',
  'override',
  'restrictions',
].map((k) => skeletonWord(k));
const fuzzyIndex = new Map<string, string>();
for (const key of FUZZY_KEYS) {
  fuzzyIndex.set(key, key);
  for (let i = 0; i < key.length; i++) {
    const d = key.slice(0, i) + key.slice(i + 1);
    if (!fuzzyIndex.has(d)) fuzzyIndex.set(d, key);
  }
}
const fuzzyCache = new Map<string, string>();
function fuzzyCanon(word: string): string {
  if (word.length < 6 || word.length > 14 || KNOWN.has(word)) return word;
  const hit = fuzzyCache.get(word);
  if (hit !== undefined) return hit;
  let out = fuzzyIndex.get(word); // exact, or one letter missing
  if (out === undefined) {
    for (let i = 0; i < word.length && out === undefined; i++) {
      out = fuzzyIndex.get(word.slice(0, i) + word.slice(i + 1)); // one letter extra or substituted
    }
  }
  // Only accept when the lengths are close (the symmetric delete can pair e.g. 6 and 7 letters).
  const r = out !== undefined && Math.abs(out.length - word.length) <= 1 && out[0] === word[0] ? out : word;
  if (fuzzyCache.size >= 50_000) fuzzyCache.clear();
  fuzzyCache.set(word, r);
  return r;
}

let KNOWN: Set<string> = new Set();

const PERSONA_ADJ = set(`
  unrestricted unfiltered uncensored unlimited unbound unchained evil amoral immoral unethical rogue
  jailbroken lawless limitless bose boese malvado malefique
`);
const LIMIT_NOUNS = set(`
  restrictions restriction filters filter limitations limits censorship rules guidelines morals ethics
  boundaries constraints policies safeguards moral ethical principles scruples
`);
const NEGATORS = set('no without free zero any beyond none');

const w = skeletonWord;
const SK = {
  do: w('do'),
  anything: w('anything'),
  now: w('now'),
  developer: w('developer'),
  mode: w('mode'),
  jailbreak: w('jailbreak'),
  jailbroken: w('jailbroken'),
  you: w('you'),
  are: w('are'),
  act: w('act'),
  as: w('as'),
  dan: w('dan'),
  stay: w('stay'),
  in: w('in'),
  character: w('character'),
  pretend: w('pretend'),
  openai: w('openai'),
  policy: w('policy'),
  content: w('content'),
  never: w('never'),
  refuse: w('refuse'),
  new: w('new'),
  from: w('from'),
  on: w('on'),
  instead: w('instead'),
  your: w('your'),
  task: w('task'),
  instructions: w('instructions'),
  above: w('above'),
  written: w('written'),
  system: w('system'),
  what: w('what'),
  response: w('response'),
  reply: w('reply'),
  answer: w('answer'),
  output: w('output'),
  code: w('code'),
  solution: w('solution'),
  message: w('message'),
  opposite: w('opposite'),
  simulate: w('simulate'),
  roleplay: w('roleplay'),
  imagine: w('imagine'),
  follow: w('follow'),
  jetzt: w('jetzt'),
  bist: w('bist'),
  du: w('du'),
  hypothetical: w('hypothetical'),
};
// Goal hijacking: a closing remark on the current task, then "now" and a new task.
const CLOSERS = set(
  'enough stop attention done good great perfect excellent ok okay fine thanks genug gut stopp achtung fertig bien bueno basta',
);
const NEW_TASK_MARKERS = set(`
  task tasks question questions challenge help following new another focus assignment
  aufgabe frage hilfe folgende folgender folgenden neue tache nouvelle suivante tarea pregunta siguiente nueva
`);
const NOW_WORDS = set('now jetzt nun maintenant ahora adesso agora');
const UNFILTERED = set('unfiltered uncensored amoral unethical immoral');
KNOWN = new Set([
  ...OVERRIDE_VERBS,
  ...OVERRIDE_OBJECTS,
  ...OVERRIDE_MODIFIERS,
  ...EXTRACT_VERBS,
  ...EXTRACT_OBJECTS,
  ...VOIDING,
  ...PERSONA_ADJ,
  ...LIMIT_NOUNS,
]);
const ABOVE_CONTEXT = set('written text everything words said wrote sentences above said');
const RESPONSE_NOUNS = new Set([
  SK.response,
  SK.reply,
  SK.answer,
  SK.output,
  SK.code,
  SK.solution,
  SK.message,
  w('responses'),
  w('replies'),
  w('answers'),
  w('implementation'),
]);
const IMPERATIVE_ADDRESS = set(
  'add include integrate insert append incorporate mention modify ensure embed merge use write render provide remove replace group combine make start end begin conclude format respond answer reply',
);

// Chat-template and role delimiters, matched case-insensitively as substrings.
const TEMPLATE_TOKENS: Array<[string, number]> = [
  ['<|im_start|>', 0.9],
  ['<|im_end|>', 0.9],
  ['<|system|>', 0.9],
  ['<|user|>', 0.7],
  ['<|assistant|>', 0.7],
  ['<|endoftext|>', 0.85],
  ['<|eot_id|>', 0.9],
  ['<|start_header_id|>', 0.9],
  ['[inst]', 0.75],
  ['[/inst]', 0.75],
  ['<<sys>>', 0.9],
  ['<</sys>>', 0.9],
  ['### system', 0.7],
  ['### instruction', 0.45],
  ['</s>', 0.5],
  ['<s>', 0.3],
  ['[system]', 0.6],
  ['<system>', 0.5],
  ['</system>', 0.6],
  ['{{system}}', 0.6],
];
const ROLE_PREFIXES = ['human:', 'assistant:', 'system:', 'user:', 'ai:', '### human', '### assistant'];

function noisyOr(values: number[]): number {
  let p = 1;
  for (const v of values) p *= 1 - Math.min(1, Math.max(0, v));
  return 1 - p;
}

interface Acc {
  scores: CueScores;
  hits: CueHit[];
}

function bump(acc: Acc, cue: CueName, strength: number, fragment: string): void {
  if (strength > acc.scores[cue]) {
    acc.scores[cue] = strength;
    acc.hits.push({ cue, strength, fragment: fragment.slice(0, 120) });
  }
}

function windowHas(words: string[], from: number, to: number, lex: Set<string>): number {
  const end = Math.min(words.length, to);
  for (let k = Math.max(0, from); k < end; k++) if (lex.has(words[k]!)) return k;
  return -1;
}

function phrase(words: string[], i: number, seq: string[]): boolean {
  if (i + seq.length > words.length) return false;
  for (let k = 0; k < seq.length; k++) if (words[i + k] !== seq[k]) return false;
  return true;
}

function scanWords(raw: string[], acc: Acc): void {
  const n = raw.length;
  // Typo-tolerant view for the cue lexicon ("intructions", "ignoren", "previus").
  const words = raw.map(fuzzyCanon);
  for (let i = 0; i < n; i++) {
    const word = words[i]!;
    const negatedFollow =
      word === SK.follow &&
      i > 0 &&
      (NOT_WORDS.has(words[i - 1]!) || (i > 1 && NOT_WORDS.has(words[i - 2]!)));
    if (OVERRIDE_VERBS.has(word) || negatedFollow) {
      const obj = windowHas(words, i + 1, i + 8, OVERRIDE_OBJECTS);
      if (obj >= 0) {
        const mod = windowHas(words, i + 1, obj + 4, OVERRIDE_MODIFIERS);
        const o = words[obj]!;
        const generic = GENERIC_OBJECTS.has(o);
        const s = mod >= 0 ? (generic ? 0.6 : 0.92) : AI_OBJECTS.has(o) ? 0.6 : 0.3;
        bump(acc, 'override', s, raw.slice(i, Math.min(n, obj + 3)).join(' '));
      } else {
        // "ignore all previous <anything>"
        const mod = windowHas(words, i + 1, i + 4, TEMPORAL_MODIFIERS);
        if (mod >= 0 && mod + 1 < n) bump(acc, 'override', 0.6, raw.slice(i, mod + 2).join(' '));
      }
    }
    // Passive voice: "all previous instructions are void / should be ignored".
    if (VOIDING.has(word) && i > 1 && windowHas(words, i - 3, i, PRESENT_BE) >= 0) {
      const obj = windowHas(words, i - 8, i, OVERRIDE_OBJECTS);
      if (
        obj >= 0 &&
        !GENERIC_OBJECTS.has(words[obj]!) &&
        windowHas(words, obj - 3, obj, OVERRIDE_MODIFIERS) >= 0
      ) {
        bump(acc, 'override', 0.85, raw.slice(Math.max(0, obj - 3), i + 1).join(' '));
      }
    }
    if (EXTRACT_VERBS.has(word)) {
      const obj = windowHas(words, i + 1, i + 8, EXTRACT_OBJECTS);
      if (obj >= 0) {
        let mod = windowHas(words, Math.max(i + 1, obj - 3), obj + 2, EXTRACT_MODIFIERS);
        // "the system prompt" counts; "what a system prompt is" does not.
        if (mod < 0 && obj >= 2 && words[obj - 1] === SK.system && DETERMINERS.has(words[obj - 2]!))
          mod = obj - 1;
        // "what" only with a possessive: "what are your instructions".
        if (word === SK.what && (mod < 0 || words[mod] !== SK.your)) mod = -1;
        const isPw = words[obj]!.startsWith(w('pass')) || words[obj] === w('secret');
        const s = mod >= 0 ? (isPw ? 0.6 : 0.8) : isPw ? 0.35 : 0.2;
        bump(acc, 'extraction', s, words.slice(i, Math.min(n, obj + 2)).join(' '));
      }
    }
    if (word === SK.above && i > 0 && windowHas(words, i - 3, i, ABOVE_CONTEXT) >= 0) {
      bump(acc, 'extraction', 0.45, words.slice(Math.max(0, i - 3), i + 1).join(' '));
    }
    if (word === SK.system && words[i + 1] === w('prompt')) {
      bump(acc, 'extraction', 0.3, 'system prompt');
    }
    // Persona / jailbreak.
    if (phrase(words, i, [SK.do, SK.anything, SK.now])) bump(acc, 'persona', 0.85, 'do anything now');
    else if (phrase(words, i, [SK.developer, SK.mode])) bump(acc, 'persona', 0.7, 'developer mode');
    else if (word === SK.jailbroken) bump(acc, 'persona', 0.75, word);
    else if (word === SK.jailbreak) bump(acc, 'persona', 0.45, word);
    else if (phrase(words, i, [SK.you, SK.are, SK.now])) bump(acc, 'persona', 0.35, 'you are now');
    else if (phrase(words, i, [SK.stay, SK.in, SK.character]))
      bump(acc, 'persona', 0.55, 'stay in character');
    else if (
      word === SK.stay &&
      words[i + 1] === SK.in &&
      (words[i + 3] === SK.mode || words[i + 4] === SK.mode)
    )
      bump(acc, 'persona', 0.5, raw.slice(i, i + 5).join(' '));
    else if (word === SK.dan) bump(acc, 'persona', 0.2, 'dan');
    else if (word === SK.pretend) bump(acc, 'persona', 0.25, 'pretend');
    else if (word === SK.opposite && words[i + 1] === SK.mode) bump(acc, 'persona', 0.6, 'opposite mode');
    else if (UNFILTERED.has(word)) bump(acc, 'persona', 0.35, word);
    if (word === SK.now && words[i + 1] === SK.you && words[i + 2] === SK.are)
      bump(acc, 'persona', 0.35, 'now you are');
    if (
      (word === SK.jetzt && words[i + 1] === SK.bist) ||
      (word === SK.bist && words[i + 1] === SK.du && words[i + 2] === SK.jetzt)
    )
      bump(acc, 'persona', 0.35, 'jetzt bist du');
    if (CLOSERS.has(word)) {
      const now = windowHas(words, i + 1, i + 10, NOW_WORDS);
      if (now >= 0) {
        const marker = windowHas(words, now + 1, now + 9, NEW_TASK_MARKERS);
        if (marker >= 0) bump(acc, 'contextSwitch', 0.45, words.slice(i, marker + 1).join(' '));
      }
    }
    if (
      (word === SK.act ||
        word === SK.simulate ||
        word === SK.roleplay ||
        word === SK.pretend ||
        word === SK.imagine) &&
      i + 1 < n
    ) {
      const adj = windowHas(words, i + 1, i + 5, PERSONA_ADJ);
      if (adj >= 0) bump(acc, 'persona', 0.8, words.slice(i, adj + 1).join(' '));
    }
    if (NEGATORS.has(word)) {
      const lim = windowHas(words, i + 1, i + 4, LIMIT_NOUNS);
      if (lim >= 0) bump(acc, 'persona', 0.45, words.slice(i, lim + 1).join(' '));
    }
    if (word === SK.openai && windowHas(words, i + 1, i + 4, set('policy policies guidelines rules')) >= 0) {
      bump(acc, 'persona', 0.5, 'openai policy');
    }
    if (word === SK.never && words[i + 1] === SK.refuse) bump(acc, 'persona', 0.5, 'never refuse');
    // New task / redirection (weak).
    if (word === SK.new && (words[i + 1] === SK.task || words[i + 1] === SK.instructions))
      bump(acc, 'newTask', 0.35, `new ${words[i + 1]}`);
    if (phrase(words, i, [SK.from, SK.now, SK.on])) bump(acc, 'newTask', 0.3, 'from now on');
    // Addressing the assistant's output from inside data ("in your response", "add … to your reply").
    if (word === SK.your && i + 1 < n && RESPONSE_NOUNS.has(words[i + 1]!)) {
      const imp = windowHas(words, i - 10, i, IMPERATIVE_ADDRESS);
      bump(acc, 'addressing', imp >= 0 ? 0.45 : 0.25, `your ${words[i + 1]}`);
    }
  }
}

function scanTemplates(lower: string, acc: Acc): void {
  for (const [tok, s] of TEMPLATE_TOKENS) {
    if (lower.includes(tok)) bump(acc, 'template', s, tok);
  }
  // Turn forgery: lines that start with a role label, of at least two different roles.
  let roles = 0;
  let seen = 0;
  let start = 0;
  const n = lower.length;
  while (start < n) {
    let end = lower.indexOf('\n', start);
    if (end < 0) end = n;
    let s = start;
    while (s < end && (lower.charCodeAt(s) === 32 || lower.charCodeAt(s) === 9)) s++;
    for (let r = 0; r < ROLE_PREFIXES.length; r++) {
      if (lower.startsWith(ROLE_PREFIXES[r]!, s)) {
        if ((seen & (1 << r)) === 0) roles++;
        seen |= 1 << r;
        break;
      }
    }
    start = end + 1;
  }
  if (roles >= 2) bump(acc, 'template', (seen & 4) !== 0 ? 0.6 : 0.4, 'role turn forgery');
}

// Payload splitting: short string assignments whose concatenation spells an attack.
const ASSIGN = /\b[a-z_][a-z0-9_]{0,11} ?[:=] ?(["'`])([^"'`\n]{1,120})\1/gi;

function scanSplitting(text: string, acc: Acc, depth: number): void {
  if (depth > 0) return;
  const limit = Math.min(text.length, 20_000);
  const slice = text.length > limit ? text.slice(0, limit) : text;
  ASSIGN.lastIndex = 0;
  const parts: string[] = [];
  for (let m = ASSIGN.exec(slice); m !== null && parts.length < 32; m = ASSIGN.exec(slice)) {
    parts.push(m[2]!);
  }
  if (parts.length < 2) return;
  const joined = parts.join('');
  const spaced = parts.join(' ');
  const inner = scanCues(joined, 1);
  const inner2 = scanCues(spaced, 1);
  const best = Math.max(
    inner.scores.override,
    inner.scores.extraction,
    inner2.scores.override,
    inner2.scores.extraction,
  );
  if (best >= 0.5) bump(acc, 'splitting', Math.min(0.9, best), spaced);
}

export interface CueResult extends Acc {
  /** Combined heuristic score in [0, 1]. */
  score: number;
  /** The skeleton words of the text (reused by the feature extractor). */
  words: string[];
}

const CUE_WEIGHT: CueScores = {
  override: 1,
  persona: 1,
  extraction: 1,
  template: 1,
  splitting: 1,
  newTask: 1,
  addressing: 1,
  contextSwitch: 1,
};

/** Scans text (any length; callers bound it) for all cues. */
export function scanCues(text: string, depth = 0, foldedText?: string): CueResult {
  const acc: Acc = {
    scores: {
      override: 0,
      persona: 0,
      extraction: 0,
      template: 0,
      splitting: 0,
      newTask: 0,
      addressing: 0,
      contextSwitch: 0,
    },
    hits: [],
  };
  const folded = foldedText ?? fold(text);
  const words = skeletonWords(folded);
  scanWords(words, acc);
  scanTemplates(text.toLowerCase(), acc);
  if (text.includes('=') || text.includes(':')) scanSplitting(text, acc, depth);
  const score = noisyOr(CUE_NAMES.map((c) => acc.scores[c] * CUE_WEIGHT[c]));
  return { ...acc, score, words };
}

// rot13 forms of words that most encoded attacks contain (ignore, previous, instructions,
// system, prompt, disregard, forget, reveal, jailbreak, password): the rot13 view is only
// scanned when one of them is present.
const ROT13_MARKERS = [
  'vtaber',
  'cerivbhf',
  'vafgehpgvba',
  'flfgrz',
  'cebzcg',
  'qvfertneq',
  'sbetrg',
  'eriryny',
  'wnvyoernx',
  'cnffjbeq',
];

export function mayHoldRot13(folded: string): boolean {
  for (const m of ROT13_MARKERS) if (folded.includes(m)) return true;
  return false;
}
