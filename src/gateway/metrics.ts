import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Series {
  labels: Record<string, string>;
  /** Raw (not cumulative) count per bucket; the last slot is +Inf. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * A histogram that counts into plain arrays keyed by one label value and is formatted like
 * prom-client's own at scrape time. prom-client validates and hashes the labels on every
 * observation (bound children included), which showed up at ~2% of a proxied request.
 */
class LocalHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelName: string,
    private readonly upperBounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  observe(labelValue: string, value: number): void {
    let s = this.series.get(labelValue);
    if (!s) {
      s = {
        labels: { [this.labelName]: labelValue },
        buckets: new Float64Array(this.upperBounds.length + 1),
        sum: 0,
        count: 0,
      };
      this.series.set(labelValue, s);
    }
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    s.buckets[i]++;
    s.sum += value;
    s.count++;
  }

  reset(): void {
    this.series.clear();
  }

  /** The value list prom-client's Registry formats (same shape as its Histogram's). */
  getForPromString() {
    const values: {
      labels: Record<string, string | number>;
      sharedLabels: Record<string, string>;
      value: number;
      metricName: string;
    }[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.series.values()) {
      let acc = 0;
      this.upperBounds.forEach((le, i) => {
        acc += s.buckets[i];
        values.push({ labels: { le }, sharedLabels: s.labels, value: acc, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: bucket });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  get() {
    const data = this.getForPromString();
    return {
      ...data,
      values: data.values.map((v) => ({
        value: v.value,
        metricName: v.metricName,
        labels: { ...v.sharedLabels, ...v.labels },
      })),
    };
  }
}

/**
 * Counts per label combination in a plain map; the prom-client counter is filled from it when
 * scraped (public API: reset + inc), so the request path never hashes labels.
 */
class LocalCounter<L extends string> {
  private readonly counts = new Map<string, { labels: Partial<Record<L, string>>; n: number }>();
  readonly metric: Counter<L>;

  constructor(config: { name: string; help: string; labelNames: readonly L[]; registry: Registry }) {
    const counts = this.counts;
    this.metric = new Counter<L>({
      name: config.name,
      help: config.help,
      labelNames: config.labelNames,
      registers: [config.registry],
      collect() {
        this.reset();
        for (const c of counts.values()) this.inc(c.labels, c.n);
      },
    });
  }

  /** `key` identifies the label combination (any string unique to it); `labels` is read only on first use. */
  incKeyed(key: string, labels: () => Partial<Record<L, string>>): void {
    const c = this.counts.get(key);
    if (c) c.n++;
    else this.counts.set(key, { labels: labels(), n: 1 });
  }

  /** A new series counted once; the caller keeps the entry and increments `n` itself. */
  entry(labels: Partial<Record<L, string>>): { n: number } {
    const c = { labels: { ...labels }, n: 1 };
    this.counts.set(JSON.stringify(c.labels), c);
    return c;
  }

  inc(labels: Partial<Record<L, string>>): void {
    const key = JSON.stringify(labels);
    this.incKeyed(key, () => ({ ...labels }));
  }
}

/** The gateway's Prometheus metrics, one registry per gateway (tests run several). */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new LocalCounter({
    name: 'palisade_requests_total',
    help: 'Requests handled, by route, status class and action',
    labelNames: ['route', 'status', 'action'] as const,
    registry: this.registry,
  });
  readonly latency = new LocalHistogram(
    'palisade_request_duration_seconds',
    'Time from request received to response finished',
    'route',
    LATENCY_BUCKETS,
    this.registry,
  );
  readonly upstreamLatency = new LocalHistogram(
    'palisade_upstream_duration_seconds',
    'Time from forwarding to upstream response headers',
    'upstream',
    LATENCY_BUCKETS,
    this.registry,
  );
  readonly blocks = new LocalCounter({
    name: 'palisade_blocks_total',
    help: 'Blocked requests by taxonomy category',
    labelNames: ['category'] as const,
    registry: this.registry,
  });
  readonly findings = new LocalCounter({
    name: 'palisade_findings_total',
    help: 'Findings by category and mode',
    labelNames: ['category', 'mode'] as const,
    registry: this.registry,
  });
  /** Read when scraped (see queueDepthFrom), so recording an event does not touch the gauge. */
  private queueDepth?: () => number;
  readonly eventQueueDepth = (() => {
    const metrics = this;
    return new Gauge({
      name: 'palisade_event_queue_depth',
      help: 'Events waiting to be written',
      registers: [this.registry],
      collect() {
        if (metrics.queueDepth) this.set(metrics.queueDepth());
      },
    });
  })();
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

  /** Where the event queue depth gauge reads its value at scrape time. */
  queueDepthFrom(depth: () => number): void {
    this.queueDepth = depth;
  }

  // route → status class → action → count entry, so the hot path builds no key string.
  private readonly requestCounts = new Map<string, Map<string, Map<string, { n: number }>>>();

  countRequest(route: string, status: string, action: string): void {
    let byStatus = this.requestCounts.get(route);
    if (!byStatus) this.requestCounts.set(route, (byStatus = new Map()));
    let byAction = byStatus.get(status);
    if (!byAction) byStatus.set(status, (byAction = new Map()));
    const entry = byAction.get(action);
    if (entry) entry.n++;
    else byAction.set(action, this.requests.entry({ route, status, action }));
  }

  observeLatency(route: string, seconds: number): void {
    this.latency.observe(route, seconds);
  }

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'palisade_' });
  }
}
