// multipart/form-data: each field's value, each file's name and the first bytes of its content.
// Boundaries are found with Buffer.indexOf (linear); part count is bounded by the sink.
import type { Sink } from './sink.js';

export interface MultipartOptions {
  boundary: string | undefined;
  fileBytes: number;
}

function param(header: string, name: string): string | undefined {
  // name="value" or name=value, case-insensitive name; filename* (RFC 5987) handled by caller.
  const lower = header.toLowerCase();
  let from = 0;
  for (;;) {
    const at = lower.indexOf(name, from);
    if (at === -1) return undefined;
    const before = at === 0 ? ';' : lower[at - 1];
    from = at + name.length;
    if (!(before === ';' || before === ' ' || before === '\t') || lower[from] !== '=') continue;
    let j = from + 1;
    if (header[j] === '"') {
      let out = '';
      j++;
      while (j < header.length && header[j] !== '"') {
        // Browsers send `\` in file names as is (Windows paths): only `\"` is an escape.
        if (header[j] === '\\' && header[j + 1] === '"') j++;
        out += header[j];
        j++;
      }
      return out;
    }
    const end = header.indexOf(';', j);
    return header.slice(j, end === -1 ? header.length : end).trim();
  }
}

function isTextual(buf: Buffer): boolean {
  const n = Math.min(buf.length, 512);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return false;
  return true;
}

export function walkMultipart(body: Buffer, opts: MultipartOptions, sink: Sink): void {
  try {
    scan(body, opts, sink);
  } catch {
    // Tolerant: parts found before a failure have been added.
  }
}

function scan(body: Buffer, opts: MultipartOptions, sink: Sink): void {
  let boundary = opts.boundary;
  if (!boundary) {
    // Sniff: the body starts with `--boundary\r\n`.
    if (body[0] !== 45 || body[1] !== 45) return;
    const eol = body.indexOf('\n');
    if (eol === -1) return;
    boundary = body.subarray(2, eol).toString('latin1').replace(/\r$/, '');
    if (boundary.length === 0 || boundary.length > 200) return;
  }
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  let at = body.indexOf(delim);
  let index = 0;
  while (at !== -1 && !sink.full()) {
    let start = at + delim.length;
    if (body[start] === 45 && body[start + 1] === 45) return; // closing delimiter
    // Skip transport padding up to the line end.
    const eol = body.indexOf('\n', start);
    if (eol === -1) return;
    start = eol + 1;
    let headEnd = body.indexOf('\r\n\r\n', start);
    let bodyStart = headEnd + 4;
    const lfEnd = body.indexOf('\n\n', start);
    if (headEnd === -1 || (lfEnd !== -1 && lfEnd < headEnd)) {
      headEnd = lfEnd;
      bodyStart = lfEnd + 2;
    }
    if (headEnd === -1) return;
    const headers = body.subarray(start, headEnd).toString('utf8').split(/\r?\n/);
    let next = body.indexOf(delim, bodyStart);
    let end = next === -1 ? body.length : next;
    if (body[end - 1] === 10) end--;
    if (body[end - 1] === 13) end--;
    let name: string | undefined;
    let filename: string | undefined;
    for (const h of headers) {
      const colon = h.indexOf(':');
      if (colon === -1) continue;
      if (h.slice(0, colon).trim().toLowerCase() !== 'content-disposition') continue;
      const v = h.slice(colon + 1);
      name = param(v, 'name');
      filename = param(v, 'filename') ?? param(v, 'filename*');
    }
    const field = name ?? `part${index}`;
    if (name) sink.add(['body', field], name, 'key');
    const content = body.subarray(bodyStart, Math.max(bodyStart, end));
    if (filename !== undefined) {
      sink.add(['body', `${field}.filename`], filename, 'body');
      const head = content.subarray(0, opts.fileBytes);
      if (isTextual(head)) sink.add(['body', field], head.toString('utf8'), 'body');
    } else if (isTextual(content)) {
      sink.add(['body', field], content.toString('utf8'), 'body');
    }
    index++;
    if (next === -1) return;
    at = next;
    next = -1;
  }
}
