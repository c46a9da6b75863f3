import type { Finding, Mode } from './findings.js';
import type { Severity } from './taxonomy.js';

/** What the gateway did with a request. `monitored` = a block-worthy finding in monitor mode. */
export type EventAction = 'blocked' | 'monitored' | 'allowed' | 'modified';

export type EventFinding = Finding & {
  mode: Mode;
};

/** One security event: a blocked or flagged request, or a sampled allowed one. */
export interface GatewayEvent {
  id: string;
  time: string; // ISO-8601
  requestId: string;
  route: string;
  method: string;
  path: string;
  pathTemplate?: string;
  operation?: string;
  clientIp: string;
  identity?: string;
  status: number;
  durationMs: number;
  action: EventAction;
  /** Highest-severity finding, duplicated for indexing; absent on sampled clean requests. */
  category?: string;
  subtype?: string;
  severity?: Severity;
  detector?: string;
  findings: EventFinding[];
}
