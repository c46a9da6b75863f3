import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { EventAction, EventFinding, GatewayEvent } from '../core/event.js';
import { redact } from '../core/redact.js';
import { severityRank } from '../core/taxonomy.js';
import type { GatewayRequestContext } from './context.js';
import type { HandlerDeps } from './handler.js';
import type { BlockVerdict } from './phase.js';
import type { Runtime } from './runtime.js';

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];
function statusClass(status: number): string {
  const c = Math.floor(status / 100);
  return STATUS_CLASSES[c] ?? `${c}xx`;
}

/** The record phase: runs for every request that matched a route, blocked or not. */
export function recordRequest(
  ctx: GatewayRequestContext,
  res: ServerResponse,
  verdict: BlockVerdict | undefined,
  rt: Runtime,
  deps: HandlerDeps,
): void {
  const durationMs = Math.round((performance.now() - ctx.startedAt) * 1000) / 1000;
  const modified = ctx.upstreamBody !== undefined || ctx.state.has('response-modified');
  // Findings in block mode that did not block were enforced by rewriting (masking, removal).
  const monitored = ctx.findings.some((f) => f.mode === 'monitor');
  const action: EventAction = verdict
    ? 'blocked'
    : monitored
      ? 'monitored'
      : modified || ctx.findings.length > 0
        ? 'modified'
        : 'allowed';
  const status = res.headersSent ? res.statusCode : 499; // 499: the client left before an answer
  deps.metrics.countRequest(ctx.routeName, statusClass(status), action);
  deps.metrics.observeLatency(ctx.routeName, durationMs / 1000);
  for (const f of ctx.findings) {
    const { category, mode } = f;
    deps.metrics.findings.incKeyed(`${category}\0${mode}`, () => ({ category, mode }));
  }
  if (verdict?.finding) {
    const { category } = verdict.finding;
    deps.metrics.blocks.incKeyed(category, () => ({ category }));
  }

  const sampled = action === 'allowed' && Math.random() < rt.config.events.sampleAllowed;
  if (action === 'allowed' && !sampled) return;

  const findings: EventFinding[] = ctx.findings.map((f) => ({
    ...f,
    ...(f.fragment !== undefined ? { fragment: redact(f.fragment, 120) } : {}),
    ...(f.message !== undefined ? { message: redact(f.message, 200) } : {}),
  }));
  const top =
    verdict?.finding ??
    ctx.findings.reduce<(typeof ctx.findings)[number] | undefined>(
      (best, f) => (!best || severityRank(f.severity) > severityRank(best.severity) ? f : best),
      undefined,
    );
  const event: GatewayEvent = {
    id: randomUUID(),
    time: new Date(ctx.receivedAt).toISOString(),
    requestId: ctx.id,
    route: ctx.routeName,
    method: ctx.method,
    path: redact(ctx.path, 300),
    clientIp: ctx.clientIp,
    status,
    durationMs,
    action,
    findings,
  };
  if (ctx.pathTemplate) event.pathTemplate = ctx.pathTemplate;
  if (ctx.operation) event.operation = ctx.operation;
  if (ctx.identity) event.identity = ctx.identity.subject;
  if (top) {
    event.category = top.category;
    event.subtype = top.subtype;
    event.severity = top.severity;
    event.detector = top.detector;
  }
  deps.recorder.record(event);
  if (action !== 'allowed') {
    deps.logger.info(
      {
        requestId: ctx.id,
        route: ctx.routeName,
        action,
        category: event.category,
        subtype: event.subtype,
        status,
      },
      'security event',
    );
  }
}
