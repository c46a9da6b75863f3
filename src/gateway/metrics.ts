import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The gateway's Prometheus metrics, one registry per gateway (tests run several). */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'palisade_requests_total',
    help: 'Requests handled, by route, status class and action',
    labelNames: ['route', 'status', 'action'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'palisade_request_duration_seconds',
    help: 'Time from request received to response finished',
    labelNames: ['route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly upstreamLatency = new Histogram({
    name: 'palisade_upstream_duration_seconds',
    help: 'Time from forwarding to upstream response headers',
    labelNames: ['upstream'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly blocks = new Counter({
    name: 'palisade_blocks_total',
    help: 'Blocked requests by taxonomy category',
    labelNames: ['category'] as const,
    registers: [this.registry],
  });
  readonly findings = new Counter({
    name: 'palisade_findings_total',
    help: 'Findings by category and mode',
    labelNames: ['category', 'mode'] as const,
    registers: [this.registry],
  });
  readonly eventQueueDepth = new Gauge({
    name: 'palisade_event_queue_depth',
    help: 'Events waiting to be written',
    registers: [this.registry],
  });
  readonly eventsDropped = new Counter({
    name: 'palisade_events_dropped_total',
    help: 'Events dropped because the queue was full',
    registers: [this.registry],
  });
  readonly eventStoreErrors = new Counter({
    name: 'palisade_event_store_errors_total',
    help: 'Failed event store writes',
    registers: [this.registry],
  });
  readonly upstreamErrors = new Counter({
    name: 'palisade_upstream_errors_total',
    help: 'Upstream failures by kind',
    labelNames: ['upstream', 'kind'] as const,
    registers: [this.registry],
  });

  // Label lookups hash their labels on every call; the hot path reuses bound children instead.
  private readonly requestChildren = new Map<string, { inc(): void }>();
  private readonly latencyChildren = new Map<string, { observe(v: number): void }>();

  countRequest(route: string, status: string, action: string): void {
    const key = `${route}\0${status}\0${action}`;
    let child = this.requestChildren.get(key);
    if (!child) {
      child = this.requests.labels(route, status, action);
      this.requestChildren.set(key, child);
    }
    child.inc();
  }

  observeLatency(route: string, seconds: number): void {
    let child = this.latencyChildren.get(route);
    if (!child) {
      child = this.latency.labels(route);
      this.latencyChildren.set(route, child);
    }
    child.observe(seconds);
  }

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'palisade_' });
  }
}
