import type { Finding, Mode } from '../../core/findings.js';
import type { BlockVerdict, ChunkInspector } from '../../gateway/phase.js';
import { SseParser } from '../formats/sse.js';
import {
  type FormatAdapter,
  locationOf,
  patchJson,
  type SseEvent,
  sseEvent,
  setAt,
  type Usage,
} from '../formats/types.js';
import type { ToolViolation } from '../tools.js';
import { type OutputHit, type OutputRules, TextScanner } from './scanner.js';

// Output protections on responses: `inspectBody` for JSON, `LlmStreamInspector` for SSE streams.
// Events are forwarded as the exact bytes they arrived as unless their text was rewritten.

export interface OutputSession {
  adapter: FormatAdapter;
  rules: OutputRules;
  /** Mode of the output checks. */
  mode: Mode;
  /** Mode of the tool checks. */
  toolMode: Mode;
  /** Checks a tool call in the response (allow-list, then arguments when given). */
  checkTool(name: string, args: unknown, complete: boolean): ToolViolation | undefined;
  /** ctx.report with the response block status. */
  report(finding: Finding, mode: Mode): BlockVerdict | undefined;
  /** Drop usage-only chunks (the guard asked for them, not the client). */
  dropUsageOnly: boolean;
  maxToolArgumentBytes: number;
  /** Called once with the provider's usage (if any) and the output text length. */
  onUsage(usage: Partial<Usage>, outputText: string): void;
  markModified(): void;
}

const EMPTY = Buffer.alloc(0);
const MAX_USAGE_TEXT = 256 * 1024;

function toolFinding(v: ToolViolation, location?: string): Finding {
  return {
    category: 'llm-excessive-agency',
    subtype: v.subtype,
    detector: 'llm-tools',
    severity: 'high',
    score: 1,
    location,
    fragment: v.tool.slice(0, 120),
    message: v.message,
  };
}

/** Reports hits; returns the first block verdict (enforced, blocking hits only). */
function reportHits(s: OutputSession, hits: OutputHit[], location?: string): BlockVerdict | undefined {
  let verdict: BlockVerdict | undefined;
  for (const h of hits) {
    const finding = location && !h.finding.location ? { ...h.finding, location } : h.finding;
    const v = s.report(finding, h.reportOnly && s.mode === 'block' ? 'monitor' : s.mode);
    if (h.blocks && v && !verdict) verdict = v;
  }
  return verdict;
}

/** A non-streamed JSON response: returns the body unchanged, a rewritten body, or a block. */
export function inspectBody(s: OutputSession, body: Buffer): Buffer | BlockVerdict {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  const parsed = s.adapter.parseResponse(json);
  if (!parsed) return body;
  const patches: { path: readonly (string | number)[]; value: unknown }[] = [];
  let text = '';
  for (const seg of parsed.segments) {
    const hits: OutputHit[] = [];
    const sc = new TextScanner(s.rules);
    sc.push(seg.text, hits);
    sc.finish(hits);
    const v = reportHits(s, hits, locationOf(seg.path, 'response'));
    if (v) return v;
    const out = sc.render(0, sc.end);
    if (out !== seg.text) patches.push({ path: seg.path, value: out });
    if (text.length < MAX_USAGE_TEXT) text += seg.text;
  }
  for (const call of parsed.toolCalls) {
    const violation = s.checkTool(call.name, call.arguments, true);
    if (violation) {
      const v = s.report(toolFinding(violation, locationOf(call.path, 'response')), s.toolMode);
      if (v) return v;
    }
  }
  s.onUsage(parsed.usage ?? {}, text);
  if (patches.length === 0) return body;
  s.markModified();
  return Buffer.from(JSON.stringify(patchJson(json, patches)));
}

interface Queued {
  ev: SseEvent;
  json?: unknown;
  text?: { channel: string; start: number; end: number; path: readonly (string | number)[] };
  drop?: boolean;
}

/** SSE responses: events parsed across any chunking, text scanned per channel, tool calls checked. */
export class LlmStreamInspector implements ChunkInspector {
  private readonly parser = new SseParser();
  private readonly queue: Queued[] = [];
  private readonly scanners = new Map<string, TextScanner>();
  private readonly tools = new Map<string, { name: string; args: string; overflow: boolean }>();
  private readonly usage: Partial<Usage> = {};
  private text = '';
  private done = false;
  private finished = false;
  private usageReported = false;

  constructor(private readonly s: OutputSession) {}

  push(chunk: Buffer): Buffer | BlockVerdict {
    if (this.done) return EMPTY;
    for (const ev of this.parser.push(chunk)) {
      const v = this.process(ev);
      if (v) return this.block(v);
    }
    if (this.parser.overflow) {
      const v = this.s.report(
        {
          category: 'resource-consumption',
          subtype: 'oversized-payload',
          detector: 'llm-output-stream',
          severity: 'medium',
          score: 1,
          message: 'streamed event larger than the inspection limit',
        },
        this.s.mode,
      );
      if (v) return this.block(v);
      // Monitor: stop inspecting, pass the rest through as it comes.
      const out = Buffer.concat([this.flush(true), this.parser.take()]);
      this.done = true;
      return out;
    }
    return this.flush(false);
  }

  end(): Buffer | BlockVerdict {
    if (this.done) return EMPTY;
    const last = this.parser.end();
    if (last) {
      const v = this.process(last);
      if (v) return this.block(v);
    }
    const v = this.finish();
    if (v) return this.block(v);
    this.done = true;
    const out = this.flush(true);
    this.reportUsage();
    return out;
  }

  private reportUsage(): void {
    if (this.usageReported) return;
    this.usageReported = true;
    this.s.onUsage(this.usage, this.text);
  }

  private block(v: BlockVerdict): BlockVerdict {
    this.done = true;
    this.reportUsage();
    const message = `Response blocked by security policy${v.finding ? ` (${v.finding.subtype})` : ''}`;
    return { ...v, streamTail: Buffer.from(this.s.adapter.stream!.errorEvent(message, v.code)) };
  }

  private scanner(channel: string): TextScanner {
    let sc = this.scanners.get(channel);
    if (!sc) {
      sc = new TextScanner(this.s.rules);
      this.scanners.set(channel, sc);
    }
    return sc;
  }

  private process(ev: SseEvent): BlockVerdict | undefined {
    let json: unknown;
    if (ev.data.length > 0 && ev.data.charCodeAt(0) === 123 /* { */)
      try {
        json = JSON.parse(ev.data);
      } catch {
        json = undefined;
      }
    const piece = this.s.adapter.stream!.read(json, ev);
    const q: Queued = { ev, json };
    if (piece.usage) {
      if (piece.usage.inputTokens) this.usage.inputTokens = piece.usage.inputTokens;
      if (piece.usage.outputTokens !== undefined)
        this.usage.outputTokens = Math.max(this.usage.outputTokens ?? 0, piece.usage.outputTokens);
    }
    if (piece.usageOnly && this.s.dropUsageOnly) q.drop = true;
    if (piece.toolStart) {
      this.tools.set(piece.toolStart.key, { name: piece.toolStart.name, args: '', overflow: false });
      const violation = this.s.checkTool(piece.toolStart.name, undefined, false);
      if (violation) {
        const v = this.s.report(toolFinding(violation), this.s.toolMode);
        if (v) return v;
      }
    }
    if (piece.toolArgs) {
      const t = this.tools.get(piece.toolArgs.key);
      if (t && !t.overflow) {
        if (t.args.length + piece.toolArgs.delta.length > this.s.maxToolArgumentBytes) t.overflow = true;
        else t.args += piece.toolArgs.delta;
      }
    }
    let hits: OutputHit[] | undefined;
    if (piece.text) {
      hits = [];
      const sc = this.scanner(piece.text.channel);
      const start = sc.end;
      sc.push(piece.text.value, hits);
      q.text = { channel: piece.text.channel, start, end: sc.end, path: piece.text.path };
      if (this.text.length < MAX_USAGE_TEXT) this.text += piece.text.value;
    }
    if (hits && hits.length > 0) {
      const v = reportHits(this.s, hits);
      if (v) return v;
    }
    if (piece.final) {
      const v = this.finish();
      if (v) return v;
    }
    this.queue.push(q);
    return undefined;
  }

  /** The response is complete: judge the held text and the tool calls' arguments. */
  private finish(): BlockVerdict | undefined {
    if (this.finished) return undefined;
    this.finished = true;
    const hits: OutputHit[] = [];
    for (const sc of this.scanners.values()) sc.finish(hits);
    const v = reportHits(this.s, hits);
    if (v) return v;
    for (const t of this.tools.values()) {
      const violation = t.overflow
        ? {
            subtype: 'tool-argument-violation' as const,
            tool: t.name,
            message: 'tool-call arguments too large to inspect',
          }
        : this.s.checkTool(t.name, t.args, true);
      if (violation) {
        const b = this.s.report(toolFinding(violation), this.s.toolMode);
        if (b) return b;
      }
    }
    return undefined;
  }

  /** Forwards queued events whose text is final, rewritten where needed. */
  private flush(all: boolean): Buffer {
    const out: Buffer[] = [];
    while (this.queue.length > 0) {
      const q = this.queue[0];
      if (q.text) {
        const sc = this.scanners.get(q.text.channel)!;
        if (!all && q.text.end > sc.safe) break;
        const original = q.ev.data;
        const rendered = sc.render(q.text.start, q.text.end);
        sc.release(q.text.end);
        const before = this.s.adapter.stream ? readText(q.json, q.text.path) : undefined;
        if (rendered !== before && q.json !== undefined && original.length > 0) {
          setAt(q.json, q.text.path, rendered);
          out.push(Buffer.from(sseEvent(q.json, q.ev.event)));
          this.s.markModified();
        } else out.push(q.ev.raw);
      } else if (q.drop) this.s.markModified();
      else out.push(q.ev.raw);
      this.queue.shift();
    }
    return out.length === 0 ? EMPTY : out.length === 1 ? out[0] : Buffer.concat(out);
  }
}

function readText(json: unknown, path: readonly (string | number)[]): unknown {
  let node = json as Record<string | number, unknown> | undefined;
  for (const p of path) node = node?.[p] as Record<string | number, unknown> | undefined;
  return node;
}
