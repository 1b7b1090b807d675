/**
 * A fresh, migrated in-memory reporting database for one test file (./embeddedDb.ts: PGlite in a child process), with
 * a pool on it. `stop()` ends the pool and the database.
 */
import type { Pool } from 'pg';
import { migrate } from '../../src/reporting/migrate';
import { reportingPool } from '../../src/reporting/pool';
import { startEmbeddedDb } from './embeddedDb';

export interface TestDb {
  url: string;
  pool: Pool;
  stop(): Promise<void>;
}

export async function startTestDb(): Promise<TestDb> {
  const db = await startEmbeddedDb();
  const pool = reportingPool({ url: db.url, connectTimeoutMs: 10_000 });
  await migrate(pool);
  return {
    url: db.url,
    pool,
    async stop() {
      await pool.end();
      await db.stop();
    },
  };
}
