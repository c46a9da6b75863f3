// Instruction-disclosure detector: a model announcing its own instructions ("My instructions
// are: …", "The instructions so far regarding …", "Here is my system prompt"). Verbatim overlap
// misses a system prompt that is paraphrased, summarised in bullet points or translated; the
// announcement that precedes such a disclosure is stable across all of them, so it is the signal.
// Phrases are first-person or refer to instructions "so far/above/given to me": a code answer
// that explains "the instructions for this function" does not match.
//
// Linear: one fixed-alternation pattern (no nested quantifiers) over a bounded window.

export interface DisclosureMatch {
  /** The announcing phrase as written (≤ 120 chars). */
  fragment: string;
}

const OWN = String.raw`(?:system |initial |original |hidden |secret |previous |prior |pre-?|full |exact |complete )?`;
const WHAT = String.raw`(?:instructions?|system prompt|prompt|pre-?prompt|rules|guidelines|directives|programming|configuration)`;
const SAYS = String.raw`(?:are|is|were|was|say|says|state|states|read|reads|as follows|in (?:bullet points|full|summary)|verbatim|:)`;

const PATTERN = new RegExp(
  [
    // "my instructions are", "my full system prompt reads", "my rules: …"
    String.raw`\bmy ${OWN}${WHAT} (?:(?:so far|above|exactly|verbatim|in full) )?${SAYS}`,
    String.raw`\bmy ${OWN}${WHAT}:`,
    // "here are my instructions", "below is my system prompt"
    String.raw`\b(?:here|below) (?:are|is) my ${OWN}${WHAT}\b`,
    // "the instructions so far", "the instructions above are", "the rules I was given"
    String.raw`\bthe ${OWN}${WHAT} (?:so far|i (?:was|have been) given|given to me|i received|i must follow|i follow)\b`,
    String.raw`\bthe ${OWN}${WHAT} above (?:are|is|say|says|state)\b`,
    // "I was instructed to", "I have been instructed to"
    String.raw`\bi (?:was|have been|am) (?:instructed|told by my (?:instructions|prompt)) (?:to|not to|that)\b`,
  ].join('|'),
  'i',
);

/** Longest phrase the pattern can match, plus slack: the carried window across chunks. */
const TAIL = 96;
const MAX_SCAN = 64 * 1024;

/** Finds an instruction-disclosure announcement in a whole text. */
export function findInstructionDisclosure(text: string): DisclosureMatch | undefined {
  const m = PATTERN.exec(normaliseSpaces(text.length > MAX_SCAN ? text.slice(0, MAX_SCAN) : text));
  return m ? { fragment: m[0].slice(0, 120) } : undefined;
}

export interface DisclosureTracker {
  /** Feeds the next chunk of output; returns the match the first time one completes. */
  push(chunk: string): DisclosureMatch | undefined;
}

/** Streaming form: a phrase split across chunks is still found; reports once. */
export function createDisclosureTracker(): DisclosureTracker {
  let tail = '';
  let seen = 0;
  let reported = false;
  return {
    push(chunk) {
      if (reported || chunk.length === 0 || seen > MAX_SCAN) return undefined;
      seen += chunk.length;
      const text = tail + normaliseSpaces(chunk);
      tail = text.slice(-TAIL);
      const m = PATTERN.exec(text);
      if (!m) return undefined;
      reported = true;
      return { fragment: m[0].slice(0, 120) };
    },
  };
}

/** Any run of whitespace (newlines, tabs, NBSP) becomes one space, so phrases match across lines. */
function normaliseSpaces(text: string): string {
  let out = '';
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0) {
      if (!space) out += ' ';
      space = true;
    } else {
      out += text[i];
      space = false;
    }
  }
  return out;
}
