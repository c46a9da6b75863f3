import type { Finding } from '../core/findings.js';
import type { RequestDetector } from './types.js';

// Request-smuggling and protocol anomalies. Node's parser already rejects the grossest forms
// (invalid header names, bare CR); what reaches us are ambiguities a back end may read
// differently from us: two framings, two content types, odd transfer codings.

const TOKEN_CHARS = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function finding(
  subtypeFragment: string,
  message: string,
  severity: Finding['severity'],
  score = 1,
): Finding {
  return {
    category: 'injection',
    subtype: 'header-injection',
    detector: 'protocol',
    severity,
    score,
    location: 'headers',
    fragment: subtypeFragment.slice(0, 120),
    message,
  };
}

export const protocolDetector: RequestDetector = {
  kind: 'request',
  id: 'protocol',
  category: 'injection',
  compile() {
    return (req) => {
      const out: Finding[] = [];
      let contentLength: string[] = [];
      const transferEncoding: string[] = [];
      let contentTypes = 0;
      let hosts = 0;
      const raw = req.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const name = raw[i];
        const value = raw[i + 1];
        const lower = name.toLowerCase();
        if (!TOKEN_CHARS.test(name)) out.push(finding(name, 'invalid header name', 'high'));
        if (lower === 'content-length') contentLength.push(value.trim());
        else if (lower === 'transfer-encoding') transferEncoding.push(value.trim().toLowerCase());
        else if (lower === 'content-type') contentTypes++;
        else if (lower === 'host') hosts++;
        if (value.includes('\0')) out.push(finding(`${name}: \\0`, 'NUL byte in header value', 'high'));
      }
      contentLength = [...new Set(contentLength)];
      if (contentLength.length > 1) {
        out.push(
          finding(
            `content-length: ${contentLength.join(', ')}`,
            'conflicting Content-Length headers',
            'high',
          ),
        );
      }
      if (contentLength.length > 0 && transferEncoding.length > 0) {
        out.push(
          finding('content-length + transfer-encoding', 'both Content-Length and Transfer-Encoding', 'high'),
        );
      }
      if (transferEncoding.length > 0) {
        const codings = transferEncoding
          .join(',')
          .split(',')
          .map((c) => c.trim());
        if (codings.length > 1 || codings[0] !== 'chunked') {
          out.push(
            finding(
              `transfer-encoding: ${transferEncoding.join(', ')}`,
              'unusual Transfer-Encoding',
              'medium',
            ),
          );
        }
      }
      if (contentTypes > 1)
        out.push(finding('content-type ×' + contentTypes, 'duplicate Content-Type headers', 'high'));
      if (hosts > 1) out.push(finding('host ×' + hosts, 'duplicate Host headers', 'high'));
      if (req.httpVersion === '1.0' && transferEncoding.length > 0) {
        out.push(finding('HTTP/1.0 + transfer-encoding', 'Transfer-Encoding on HTTP/1.0', 'medium'));
      }
      const target = req.url;
      if (!target.startsWith('/') && target !== '*') {
        out.push(finding(target, 'request target is not in origin form', 'medium', 0.9));
      }
      for (let i = 0; i < target.length; i++) {
        const c = target.charCodeAt(i);
        if (c < 0x21 || c === 0x7f) {
          out.push(
            finding(target.slice(Math.max(0, i - 20), i + 20), 'control character in request target', 'high'),
          );
          break;
        }
      }
      return out;
    };
  },
};
