/**
 * Bulk writes of request rows and their events, for the synthetic data set (`npm run db:seed`) and the report
 * tests. Not the live projection (which upserts one request at a time, newest projection wins): this only inserts,
 * in chunks, each chunk one statement (`jsonb_populate_recordset` turns a JSON array into rows of the table's types).
 */
import type { Pool, PoolClient } from 'pg';
import { EVENT_COLUMNS, type EventRow, type RequestRow } from '../domain/reporting';
import { ROW_COLUMNS } from './store';

/** Rows per statement: a few MB of JSON at most. */
const CHUNK = 1_000;

async function insertChunks(db: Pool | PoolClient, table: string, columns: readonly string[], rows: readonly object[]): Promise<void> {
  const cols = columns.join(', ');
  const sql = `INSERT INTO ${table} (${cols}) SELECT ${cols} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`;
  for (let i = 0; i < rows.length; i += CHUNK) await db.query(sql, [JSON.stringify(rows.slice(i, i + CHUNK))]);
}

/** Inserts the rows and events (ids must be new), in one transaction. */
export async function insertRows(pool: Pool, rows: readonly RequestRow[], events: readonly EventRow[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await insertChunks(client, 'requests', ROW_COLUMNS, rows);
    await insertChunks(client, 'request_events', EVENT_COLUMNS, events);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}
