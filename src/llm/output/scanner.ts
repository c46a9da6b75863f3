import type { Finding } from '../../core/findings.js';
import { createDisclosureTracker, type DisclosureTracker } from '../leak/disclosure.js';
import { createOverlapTracker, type OverlapTracker } from '../leak/overlap.js';
import { findPlaceholders, maskToken, partialPlaceholderStart } from '../pii/redact.js';
import { type PiiScanner, SECRET_KINDS } from '../pii/scan.js';
import { findActiveHtml, findMarkdownExfil } from './markup.js';

// Incremental scanner for one stream of model text (one choice / content block). Text is released
// as soon as nothing at its end could still grow into something to rewrite or block: the held tail
// is the last word (a token, key, URL, placeholder or digit group is never split by whitespace) —
// in practice one streamed event. Matches are judged once, when complete; rewrites (masking,
// placeholder restore, canary removal) are spans in the stream's own coordinates.

export interface OutputRules {
  /** Canary token inserted into the system prompt: stripped always, reported as a leak. */
  canary?: string;
  /** Pseudonym placeholders to restore: placeholder → original. */
  restore?: ReadonlyMap<string, string>;
  secrets: 'off' | 'mask' | 'block';
  pii: 'off' | 'mask' | 'block';
  /** Scans for the secret and PII kinds in use (undefined when both are off). */
  scanner?: PiiScanner;
  markdownAllowed?: (host: string) => boolean;
  html: boolean;
  /** System prompt text for verbatim-overlap detection. */
  systemPrompt?: string;
  /** Output announcing its own instructions: reported, and blocking when 'block'. */
  instructionDisclosure?: 'off' | 'report' | 'block';
  /** Mask/strip only when true (block mode); monitor mode only reports. */
  enforce: boolean;
}

export interface Rewrite {
  start: number;
  end: number;
  text: string;
}

export interface OutputHit {
  finding: Finding;
  /** True when, enforced, this hit stops the response. */
  blocks: boolean;
  /** Recorded as monitored even in block mode (a signal, not an enforced control). */
  reportOnly?: boolean;
}

/** Longest word held back (keys and URLs are shorter); PEM blocks may hold up to MAX_PEM_HOLD. */
const MAX_HOLD = 512;
const MAX_PEM_HOLD = 4096;
const CONTEXT = 512;
const DIGIT_GROUP_BACK = 40;
export const OVERLAP_MIN_CHARS = 48;

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
const isGroupChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90);

export class TextScanner {
  /** Text from absolute offset `base` to the end. */
  private buf = '';
  private base = 0;
  /** Absolute offset up to which text is final (judged and released). */
  safe = 0;
  private readonly rewrites: Rewrite[] = [];
  private readonly overlap?: OverlapTracker;
  private overlapReported = false;
  private readonly disclosure?: DisclosureTracker;

  constructor(private readonly rules: OutputRules) {
    if (rules.systemPrompt && rules.systemPrompt.trim().length > 0)
      this.overlap = createOverlapTracker(rules.systemPrompt, { minChars: OVERLAP_MIN_CHARS });
    if (rules.instructionDisclosure && rules.instructionDisclosure !== 'off')
      this.disclosure = createDisclosureTracker();
  }

  get end(): number {
    return this.base + this.buf.length;
  }

  push(text: string, hits: OutputHit[]): void {
    this.buf += text;
    if (this.overlap && !this.overlapReported) {
      const m = this.overlap.push(text);
      if (m) {
        this.overlapReported = true;
        hits.push({
          blocks: true,
          finding: {
            category: 'llm-sensitive-disclosure',
            subtype: 'system-prompt-leak',
            detector: 'llm-output-system-prompt-overlap',
            severity: 'high',
            score: Math.min(1, 0.5 + m.coverage),
            fragment: m.fragment.slice(0, 120),
            message: `output repeats ${m.overlap} characters of the system prompt`,
          },
        });
      }
    }
    const d = this.disclosure?.push(text);
    if (d)
      hits.push({
        blocks: this.rules.instructionDisclosure === 'block',
        reportOnly: this.rules.instructionDisclosure !== 'block',
        finding: {
          category: 'llm-sensitive-disclosure',
          subtype: 'system-prompt-leak',
          detector: 'llm-output-instruction-disclosure',
          severity: 'medium',
          score: 0.7,
          fragment: d.fragment,
          message: 'output announces its own instructions (paraphrased system-prompt leak)',
        },
      });
    this.analyse(this.holdStart(), hits);
  }

  /** Judges everything left (the stream ended). */
  finish(hits: OutputHit[]): void {
    this.analyse(this.end, hits);
  }

  /** Rewritten text of the absolute span [start, end), which must lie below `safe`. */
  render(start: number, end: number): string {
    let out = '';
    let pos = start;
    for (const r of this.rewrites) {
      if (r.end <= start || r.start >= end) continue;
      if (r.start >= pos) {
        out += this.slice(pos, r.start);
        if (r.start >= start) out += r.text; // the replacement goes where the match starts
        pos = Math.min(r.end, end);
      } else pos = Math.max(pos, Math.min(r.end, end));
    }
    return out + this.slice(pos, end);
  }

  /** Forgets text before `upTo` (already sent), keeping some context for boundary checks. */
  release(upTo: number): void {
    while (this.rewrites.length > 0 && this.rewrites[0].end <= upTo) this.rewrites.shift();
    const keepFrom = Math.min(upTo, this.safe) - CONTEXT;
    const first = this.rewrites.length > 0 ? Math.min(this.rewrites[0].start, keepFrom) : keepFrom;
    if (first > this.base) {
      this.buf = this.buf.slice(first - this.base);
      this.base = first;
    }
  }

  private slice(start: number, end: number): string {
    return this.buf.slice(start - this.base, end - this.base);
  }

  /** Absolute offset from which the tail could still grow into a match. */
  private holdStart(): number {
    const b = this.buf;
    let i = b.length;
    while (i > 0 && !isSpace(b.charCodeAt(i - 1)) && b.length - i < MAX_HOLD) i--;
    // Digit/upper-case groups separated by single spaces (cards, IBANs, phone numbers).
    let g = i;
    while (
      g > 1 &&
      b.length - g < DIGIT_GROUP_BACK &&
      b.charCodeAt(g - 1) === 32 &&
      isGroupChar(b.charCodeAt(g - 2))
    ) {
      let k = g - 1;
      while (k > 0 && isGroupChar(b.charCodeAt(k - 1)) && g - k < 8) k--;
      if (k > 0 && !isSpace(b.charCodeAt(k - 1)) && b.charCodeAt(k - 1) !== 40 && b.charCodeAt(k - 1) !== 43)
        break;
      g = k;
      if (k > 0 && (b.charCodeAt(k - 1) === 40 || b.charCodeAt(k - 1) === 43)) g = k - 1;
    }
    // An open PEM block holds until its END line (bounded by MAX_HOLD).
    const pem = b.lastIndexOf('-----BEGIN ', b.length);
    if (
      pem !== -1 &&
      pem >= this.safe - this.base &&
      b.indexOf('-----END ', pem) === -1 &&
      b.length - pem < MAX_PEM_HOLD
    )
      g = Math.min(g, pem);
    // A trailing `[LABEL_…` that could still become a placeholder.
    if (this.rules.restore && this.rules.restore.size > 0) {
      const p = partialPlaceholderStart(b.slice(Math.max(0, b.length - 64)));
      if (p !== -1) g = Math.min(g, b.length - Math.min(b.length, 64) + p);
    }
    return Math.max(this.safe, this.base + g);
  }

  /** Finds matches starting in [safe, upTo), records rewrites and hits, and advances `safe`. */
  private analyse(upTo: number, hits: OutputHit[]): void {
    if (upTo <= this.safe && upTo < this.end) return;
    const from = this.safe - this.base;
    const b = this.buf;
    let limit = upTo - this.base;
    const spans: { start: number; end: number; text?: string; hit?: OutputHit }[] = [];
    const r = this.rules;

    if (r.canary) {
      let i = b.indexOf(r.canary, Math.max(0, from - r.canary.length + 1));
      while (i !== -1) {
        if (i >= from)
          spans.push({
            start: i,
            end: i + r.canary.length,
            text: '',
            hit: {
              blocks: true,
              finding: {
                category: 'llm-sensitive-disclosure',
                subtype: 'system-prompt-leak',
                detector: 'llm-output-canary',
                severity: 'high',
                score: 1,
                message: 'output contains the canary token placed in the system prompt',
              },
            },
          });
        i = b.indexOf(r.canary, i + 1);
      }
    }
    if (r.restore && r.restore.size > 0)
      for (const p of findPlaceholders(b, from, r.restore))
        spans.push({ start: p.start, end: p.end, text: p.value });
    if (r.scanner) {
      const region = b.slice(Math.max(0, from - 1));
      const shift = Math.max(0, from - 1);
      // Our own tokens (placeholders, canary) are not the model's secrets.
      const own = spans.slice();
      for (const m of r.scanner(region)) {
        const start = m.start + shift;
        const end = m.end + shift;
        if (start < from || own.some((o) => o.start < end && start < o.end)) continue;
        const secret = SECRET_KINDS.has(m.kind);
        const action = secret ? r.secrets : r.pii;
        if (action === 'off') continue;
        spans.push({
          start,
          end,
          text: action === 'mask' && r.enforce ? maskToken(m.kind) : undefined,
          hit: {
            blocks: action === 'block',
            finding: {
              category: 'llm-sensitive-disclosure',
              subtype: secret ? 'secret-in-output' : 'pii-in-output',
              detector: secret ? 'llm-output-secrets' : 'llm-output-pii',
              severity: secret ? 'high' : 'medium',
              score: 1,
              message: `${m.kind} in model output`,
            },
          },
        });
      }
    }
    if (r.markdownAllowed)
      for (const h of findMarkdownExfil(b, from, r.markdownAllowed))
        spans.push({ start: h.start, end: h.end, hit: markupHit(h.subtype, h.fragment) });
    if (r.html)
      for (const h of findActiveHtml(b, from))
        spans.push({ start: h.start, end: h.end, hit: markupHit(h.subtype, h.fragment) });

    // A match that reaches the end of the text may still grow: hold it whole (unless finishing).
    if (upTo < this.end)
      for (const s of spans) if (s.end >= b.length || s.end > limit) limit = Math.min(limit, s.start);
    spans.sort((x, y) => x.start - y.start);
    let lastEnd = -1;
    for (const s of spans) {
      if (s.start >= limit) continue;
      if (s.hit) hits.push(s.hit);
      if (s.text !== undefined && s.start >= lastEnd) {
        this.rewrites.push({ start: this.base + s.start, end: this.base + s.end, text: s.text });
        lastEnd = s.end;
      }
    }
    this.safe = Math.max(this.safe, this.base + limit);
  }
}

function markupHit(
  subtype: 'markdown-image-exfiltration' | 'link-injection' | 'html-in-output',
  fragment: string,
): OutputHit {
  return {
    blocks: true,
    finding: {
      category: 'llm-improper-output',
      subtype,
      detector: subtype === 'html-in-output' ? 'llm-output-html' : 'llm-output-markdown',
      severity: subtype === 'link-injection' ? 'medium' : 'high',
      score: 1,
      fragment: fragment.slice(0, 120),
      message:
        subtype === 'html-in-output'
          ? 'active HTML in model output'
          : 'markdown sends data to a host that is not allowed',
    },
  };
}
