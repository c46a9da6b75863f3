import { describe, expect, it } from 'vitest';
import { protocolDetector } from '../../src/detect/protocol.js';

const inspect = protocolDetector.compile({ paranoia: 1 });
const req = (rawHeaders: string[], url = '/', httpVersion = '1.1') => ({
  method: 'POST',
  url,
  headers: {},
  rawHeaders,
  httpVersion,
});

describe('protocol detector', () => {
  it.each([
    [
      'conflicting content-length',
      ['Content-Length', '5', 'Content-Length', '6'],
      'conflicting Content-Length headers',
    ],
    [
      'CL + TE',
      ['Content-Length', '5', 'Transfer-Encoding', 'chunked'],
      'both Content-Length and Transfer-Encoding',
    ],
    ['odd TE', ['Transfer-Encoding', 'gzip, chunked'], 'unusual Transfer-Encoding'],
    [
      'duplicate content type',
      ['Content-Type', 'a/b', 'content-type', 'c/d'],
      'duplicate Content-Type headers',
    ],
    ['duplicate host', ['Host', 'a', 'Host', 'b'], 'duplicate Host headers'],
    ['invalid header name', ['Bad Header', 'x'], 'invalid header name'],
  ])('flags %s', (_name, raw, message) => {
    expect(inspect(req(raw)).map((f) => f.message)).toContain(message);
  });
  it('flags control characters and non-origin targets', () => {
    expect(inspect(req([], '/a\x01b')).map((f) => f.message)).toContain(
      'control character in request target',
    );
    expect(inspect(req([], 'http://evil/')).map((f) => f.message)).toContain(
      'request target is not in origin form',
    );
  });
  it('passes ordinary requests', () => {
    expect(
      inspect(req(['Host', 'a', 'Content-Type', 'application/json', 'Content-Length', '10'], '/v1/chat?x=1')),
    ).toEqual([]);
    expect(inspect(req(['Host', 'a', 'Transfer-Encoding', 'chunked']))).toEqual([]);
    expect(inspect(req(['Content-Length', '5', 'Content-Length', '5']))).toEqual([]);
  });
});
