import pg from 'pg';
import type { GatewayEvent } from '../../core/event.js';
import { EVENT_COLUMNS, eventToRow, filterClause, rowToEvent } from './sqlite.js';
import { clampLimit, type EventFilter, type EventStore } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS palisade_events (
  seq BIGSERIAL PRIMARY KEY,
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
  duration_ms DOUBLE PRECISION NOT NULL,
  action TEXT NOT NULL,
  category TEXT,
  subtype TEXT,
  severity TEXT,
  detector TEXT,
  findings JSONB NOT NULL
);
CREATE INDEX IF NOT EXISTS palisade_events_time ON palisade_events(time);
CREATE INDEX IF NOT EXISTS palisade_events_category ON palisade_events(category, time);
`;

/** PostgreSQL event store for many gateways sharing one database (distributed mode). */
export class PostgresEventStore implements EventStore {
  private readonly pool: pg.Pool;
  private ready?: Promise<void>;

  constructor(
    url: string,
    private readonly table = 'palisade_events',
  ) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: 4,
      connectionTimeoutMillis: 3000,
      statement_timeout: 5000,
    });
    this.pool.on('error', () => undefined);
  }

  private init(): Promise<void> {
    this.ready ??= this.pool.query(SCHEMA.replaceAll('palisade_events', this.table)).then(
      () => undefined,
      (err) => {
        this.ready = undefined;
        throw err;
      },
    );
    return this.ready;
  }

  async insertBatch(events: GatewayEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.init();
    const values: unknown[] = [];
    const tuples = events.map((e) => {
      const row = eventToRow(e);
      const base = values.length;
      values.push(...row);
      return `(${row.map((_, i) => `$${base + i + 1}`).join(', ')})`;
    });
    await this.pool.query(
      `INSERT INTO ${this.table} (${EVENT_COLUMNS}) VALUES ${tuples.join(', ')} ON CONFLICT (id) DO NOTHING`,
      values,
    );
  }

  async query(filter: EventFilter): Promise<GatewayEvent[]> {
    await this.init();
    const { where, values } = filterClause(filter, (i) => `$${i}`);
    const n = values.length;
    const res = await this.pool.query(
      `SELECT ${EVENT_COLUMNS} FROM ${this.table} ${where} ORDER BY seq DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...values, clampLimit(filter.limit), filter.offset ?? 0],
    );
    return res.rows.map(rowToEvent);
  }

  async get(id: string): Promise<GatewayEvent | undefined> {
    await this.init();
    const res = await this.pool.query(`SELECT ${EVENT_COLUMNS} FROM ${this.table} WHERE id = $1`, [id]);
    return res.rows[0] ? rowToEvent(res.rows[0]) : undefined;
  }

  async prune(maxAgeMs: number, maxRows: number): Promise<number> {
    await this.init();
    const cutoff = new Date(Date.now() - maxAgeMs).toISOString();
    const a = await this.pool.query(`DELETE FROM ${this.table} WHERE time < $1`, [cutoff]);
    const b = await this.pool.query(
      `DELETE FROM ${this.table} WHERE seq <= (SELECT seq FROM ${this.table} ORDER BY seq DESC LIMIT 1 OFFSET $1)`,
      [maxRows],
    );
    return (a.rowCount ?? 0) + (b.rowCount ?? 0);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
