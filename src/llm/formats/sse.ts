import type { SseEvent } from './types.js';

/**
 * Incremental server-sent-events parser. Events are cut at blank lines (LF, CRLF or CR line ends)
 * whatever the chunking; each event keeps the exact bytes it arrived as so that an event nobody
 * changes is forwarded byte for byte. Line-end bytes never occur inside a UTF-8 sequence, so
 * cutting Buffers there is safe. Memory is bounded by `maxEventBytes`.
 */
export class SseParser {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of `pending` already searched for an event end (resumes the search, keeps it linear). */
  private searched = 0;
  overflow = false;

  constructor(private readonly maxEventBytes = 1024 * 1024) {}

  /** Complete events in this chunk (and earlier ones' leftovers). */
  push(chunk: Buffer): SseEvent[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const events: SseEvent[] = [];
    let start = 0;
    let i = Math.max(this.searched, 0);
    const buf = this.pending;
    while (i < buf.length) {
      const end = eventEnd(buf, i);
      if (end === -1) break;
      if (end === -2) {
        // A lone CR at the chunk's end: it may be half of CRLF; wait for the next byte.
        break;
      }
      if (end > 0) {
        events.push(parseEvent(buf.subarray(start, end)));
        start = end;
        i = end;
      } else i++;
    }
    this.pending = start === 0 ? buf : buf.subarray(start);
    this.searched = Math.max(0, i - start);
    if (this.pending.length > this.maxEventBytes) this.overflow = true;
    return events;
  }

  /** Whatever is left when the stream ends (an unterminated last event), as raw bytes. */
  end(): SseEvent | undefined {
    if (this.pending.length === 0) return undefined;
    const ev = parseEvent(this.pending);
    this.pending = Buffer.alloc(0);
    return ev;
  }

  /** Drops the unparsed rest (after an overflow). */
  take(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    this.searched = 0;
    return rest;
  }
}

/**
 * At `i`, tests for a line end followed by another line end (a blank line). Returns the index just
 * after the blank line, 0 when there is none at `i`, -1 when more bytes are needed, -2 for a
 * trailing CR that might be followed by LF.
 */
function eventEnd(buf: Buffer, i: number): number {
  const first = lineEndAt(buf, i);
  if (first === 0) return 0;
  if (first < 0) return first === -2 ? -2 : -1;
  const second = lineEndAt(buf, first);
  if (second > 0) return second;
  if (second === 0) return 0;
  return second;
}

/** Index after a line end at `i`; 0 if none; -1 at the buffer's end; -2 for a CR at the very end. */
function lineEndAt(buf: Buffer, i: number): number {
  if (i >= buf.length) return -1;
  const b = buf[i];
  if (b === 0x0a) return i + 1;
  if (b === 0x0d) {
    if (i + 1 >= buf.length) return -2;
    return buf[i + 1] === 0x0a ? i + 2 : i + 1;
  }
  return 0;
}

function parseEvent(raw: Buffer): SseEvent {
  const text = raw.toString('utf8');
  let event: string | undefined;
  const data: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    let nl = pos;
    while (nl < text.length && text.charCodeAt(nl) !== 10 && text.charCodeAt(nl) !== 13) nl++;
    const line = text.slice(pos, nl);
    pos = nl + (text.charCodeAt(nl) === 13 && text.charCodeAt(nl + 1) === 10 ? 2 : 1);
    if (line.length === 0 || line.charCodeAt(0) === 58 /* : comment */) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return { raw, event, data: data.join('\n') };
}
