import type { ServerResponse } from 'node:http';
import { ERRORS, type ErrorCode } from '../core/errors.js';
import type { BlockVerdict } from './phase.js';

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    requestId: string;
    category?: string;
    subtype?: string;
    [key: string]: unknown;
  };
}

export function errorBody(
  code: ErrorCode,
  requestId: string,
  message?: string,
  extra?: Record<string, unknown>,
): ErrorBody {
  return { error: { ...extra, code, message: message ?? ERRORS[code].message, requestId } };
}

/** Writes a JSON error; never includes stacks or upstream details. No-op once headers went out. */
export function sendError(
  res: ServerResponse,
  status: number,
  body: ErrorBody,
  headers?: Record<string, string>,
  closeConnection = false,
  /** Response header that carries `body.error.requestId` (the route's configured request-id header). */
  requestIdHeader?: string,
): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.statusCode = status;
  if (requestIdHeader) res.setHeader(requestIdHeader, body.error.requestId);
  if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(payload));
  res.setHeader('cache-control', 'no-store');
  if (closeConnection) res.setHeader('connection', 'close');
  res.end(payload);
}

export function verdictBody(verdict: BlockVerdict, requestId: string, defaultMessage: string): ErrorBody {
  const extra: Record<string, unknown> = { ...verdict.details };
  if (verdict.finding) {
    extra.category = verdict.finding.category;
    extra.subtype = verdict.finding.subtype;
  }
  const message = verdict.message ?? (verdict.code === 'PAL_ERR_BLOCKED' ? defaultMessage : undefined);
  return errorBody(verdict.code, requestId, message, extra);
}

/** A raw HTTP/1.1 error for sockets that never became a request (header overflow, parse errors). */
export function rawError(status: number, code: ErrorCode, requestId: string): string {
  const payload = JSON.stringify(errorBody(code, requestId));
  const reason =
    status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  return (
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(payload)}\r\nx-request-id: ${requestId}\r\nconnection: close\r\n\r\n${payload}`
  );
}
