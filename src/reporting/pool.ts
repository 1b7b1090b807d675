/**
 * The reporting database's connection pool (node-postgres). Short connect timeout: a database that is down must fail
 * a projection quickly (it is retried later), never hold up a workflow task.
 */
import { Pool } from 'pg';

export interface ReportingDbOptions {
  /** postgres://… (DATABASE_URL). */
  url: string;
  max?: number;
  connectTimeoutMs?: number;
}

export function reportingPool(o: ReportingDbOptions): Pool {
  const pool = new Pool({
    connectionString: o.url,
    max: o.max ?? 5,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 2_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server (a restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** The URL of the embedded database (./embedded.ts) on a port: PGlite takes any user and password. */
export const embeddedUrl = (host: string, port: number): string => `postgres://postgres:postgres@${host}:${port}/postgres?sslmode=disable`;
