import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { GatewayEvent } from '../../core/event.js';
import { clampLimit, type EventFilter, type EventStore } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  time TEXT NOT NULL,
  request_id TEXT NOT NULL,
  route TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  path_template TEXT,
  operation TEXT,
  client_ip TEXT NOT NULL,
  identity TEXT,
  status INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  action TEXT NOT NULL,
  category TEXT,
  subtype TEXT,
  severity TEXT,
  detector TEXT,
  findings TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_time ON events(time);
CREATE INDEX IF NOT EXISTS events_category ON events(category, time);
CREATE INDEX IF NOT EXISTS events_route ON events(route, time);
CREATE INDEX IF NOT EXISTS events_client ON events(client_ip, time);
`;

type Row = Record<string, unknown>;

export function rowToEvent(r: Row): GatewayEvent {
  const e: GatewayEvent = {
    id: String(r.id),
    time: r.time instanceof Date ? r.time.toISOString() : String(r.time),
    requestId: String(r.request_id),
    route: String(r.route),
    method: String(r.method),
    path: String(r.path),
    clientIp: String(r.client_ip),
    status: Number(r.status),
    durationMs: Number(r.duration_ms),
    action: r.action as GatewayEvent['action'],
    findings:
      typeof r.findings === 'string' ? JSON.parse(r.findings) : (r.findings as GatewayEvent['findings']),
  };
  for (const [col, key] of [
    ['path_template', 'pathTemplate'],
    ['operation', 'operation'],
    ['identity', 'identity'],
    ['category', 'category'],
    ['subtype', 'subtype'],
    ['severity', 'severity'],
    ['detector', 'detector'],
  ] as const) {
    if (r[col] !== null && r[col] !== undefined) (e as unknown as Record<string, unknown>)[key] = r[col];
  }
  return e;
}

export function eventToRow(e: GatewayEvent): unknown[] {
  return [
    e.id,
    e.time,
    e.requestId,
    e.route,
    e.method,
    e.path,
    e.pathTemplate ?? null,
    e.operation ?? null,
    e.clientIp,
    e.identity ?? null,
    e.status,
    e.durationMs,
    e.action,
    e.category ?? null,
    e.subtype ?? null,
    e.severity ?? null,
    e.detector ?? null,
    JSON.stringify(e.findings),
  ];
}

export const EVENT_COLUMNS =
  'id, time, request_id, route, method, path, path_template, operation, client_ip, identity, status, duration_ms, action, category, subtype, severity, detector, findings';

/** WHERE clause and parameters for a filter; `param(i)` spells the i-th placeholder. */
export function filterClause(
  f: EventFilter,
  param: (i: number) => string,
): { where: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    parts.push(sql.replace('?', param(values.length)));
  };
  if (f.from) add('time >= ?', f.from);
  if (f.to) add('time < ?', f.to);
  if (f.category) add('category = ?', f.category);
  if (f.action) add('action = ?', f.action);
  if (f.route) add('route = ?', f.route);
  if (f.clientIp) add('client_ip = ?', f.clientIp);
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', values };
}

export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly insertMany: (events: GatewayEvent[]) => void;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 1000');
    this.db.exec(SCHEMA);
    this.insert = this.db.prepare(
      `INSERT OR IGNORE INTO events (${EVENT_COLUMNS}) VALUES (${Array(18).fill('?').join(', ')})`,
    );
    this.insertMany = this.db.transaction((events: GatewayEvent[]) => {
      for (const e of events) this.insert.run(...eventToRow(e));
    });
  }

  async insertBatch(events: GatewayEvent[]): Promise<void> {
    this.insertMany(events);
  }

  async query(filter: EventFilter): Promise<GatewayEvent[]> {
    const { where, values } = filterClause(filter, () => '?');
    const rows = this.db
      .prepare(`SELECT ${EVENT_COLUMNS} FROM events ${where} ORDER BY seq DESC LIMIT ? OFFSET ?`)
      .all(...values, clampLimit(filter.limit), filter.offset ?? 0) as Row[];
    return rows.map(rowToEvent);
  }

  async get(id: string): Promise<GatewayEvent | undefined> {
    const row = this.db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`).get(id) as
      | Row
      | undefined;
    return row ? rowToEvent(row) : undefined;
  }

  async prune(maxAgeMs: number, maxRows: number): Promise<number> {
    const cutoff = new Date(Date.now() - maxAgeMs).toISOString();
    let removed = this.db.prepare('DELETE FROM events WHERE time < ?').run(cutoff).changes;
    removed += this.db
      .prepare('DELETE FROM events WHERE seq <= (SELECT seq FROM events ORDER BY seq DESC LIMIT 1 OFFSET ?)')
      .run(maxRows).changes;
    return removed;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
