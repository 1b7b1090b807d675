/**
 * Writes a request's projection: its row and its events, in one transaction, idempotently. The row is replaced only
 * by a projection at least as new (`seq`: the workflow's history length when it was taken), so a late retry of an
 * older one never rolls it back; events are keyed by their derived ids and updated in place, so writing the same
 * projection twice — an activity retried, a worker killed mid-task — leaves the same rows.
 */
import type { Pool, PoolClient } from 'pg';
import { EVENT_COLUMNS, requestEvents, requestRow, type ProjectionInput, type RequestRow } from '../domain/reporting';

export const ROW_COLUMNS = [
  'request_id',
  'ticket',
  'seq',
  'lifecycle_version',
  'type',
  'urgency',
  'channel',
  'vip',
  'status',
  'outcome',
  'received_at',
  'closed_at',
  'product_model',
  'product_category',
  'region',
  'customer_key',
  'technician_id',
  'fixed_by',
  'fixed_at',
  'fault_cause',
  'escalation_level',
  'visits',
  'first_time_fix',
  'repeat_of',
  'complaint_class',
  'complaint_technician',
  'score',
  'charged_total',
  'currency',
  'record_complete',
  'state',
] as const satisfies readonly (keyof RequestRow)[];

const UPSERT_REQUEST = `
INSERT INTO requests (${ROW_COLUMNS.join(', ')}, projected_at)
VALUES (${ROW_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}, now())
ON CONFLICT (request_id) DO UPDATE SET
  ${ROW_COLUMNS.filter((c) => c !== 'request_id')
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(',\n  ')},
  projected_at = now()
WHERE requests.seq <= EXCLUDED.seq`;

/** Column types for the unnest arrays: one statement writes every event. */
const EVENT_TYPES: Record<(typeof EVENT_COLUMNS)[number], string> = {
  event_id: 'text',
  request_id: 'text',
  at: 'timestamptz',
  kind: 'text',
  status: 'text',
  milestone: 'text',
  urgency: 'text',
  visit: 'integer',
  technician_id: 'text',
  level: 'integer',
  reason: 'text',
  late_by_ms: 'bigint',
  duration_ms: 'bigint',
  amount: 'bigint',
  currency: 'text',
  part_number: 'text',
  quantity: 'integer',
  ok: 'boolean',
  detail: 'text',
};

const UPSERT_EVENTS = `
INSERT INTO request_events (${EVENT_COLUMNS.join(', ')})
SELECT * FROM unnest(${EVENT_COLUMNS.map((c, i) => `$${i + 1}::${EVENT_TYPES[c]}[]`).join(', ')})
ON CONFLICT (event_id) DO UPDATE SET
  ${EVENT_COLUMNS.filter((c) => c !== 'event_id')
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(',\n  ')}
WHERE (${EVENT_COLUMNS.map((c) => `request_events.${c}`).join(', ')}) IS DISTINCT FROM (${EVENT_COLUMNS.map((c) => `EXCLUDED.${c}`).join(', ')})`;

export interface ProjectionWrite {
  /** false: a newer projection was there already (the row was kept). */
  rowWritten: boolean;
  events: number;
}

export async function writeProjection(pool: Pool, p: ProjectionInput): Promise<ProjectionWrite> {
  const row = requestRow(p);
  const events = requestEvents(p);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const r = await client.query(
      UPSERT_REQUEST,
      ROW_COLUMNS.map((c) => (c === 'state' ? JSON.stringify(row.state) : row[c])),
    );
    // An older projection arriving late writes nothing at all: its events are all in the newer one.
    if (r.rowCount) await writeEvents(client, events);
    await client.query('COMMIT');
    return { rowWritten: Boolean(r.rowCount), events: r.rowCount ? events.length : 0 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function writeEvents(client: PoolClient, events: ReturnType<typeof requestEvents>): Promise<void> {
  if (!events.length) return;
  await client.query(
    UPSERT_EVENTS,
    EVENT_COLUMNS.map((c) => events.map((e) => e[c] ?? null)),
  );
}
