/**
 * The reporting database for a process: its pool, migrated on open (worker and API both open it; the advisory lock
 * lets them start together), and the sink the projection activity writes through.
 */
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { ProjectionInput } from '../domain/reporting';
import { migrate } from './migrate';
import { embeddedUrl, reportingPool } from './pool';
import { writeProjection, type ProjectionWrite } from './store';

export interface ReportingDb {
  pool: Pool;
  write(p: ProjectionInput): Promise<ProjectionWrite>;
  close(): Promise<void>;
}

export async function openReportingDb(url: string, logger: Logger): Promise<ReportingDb> {
  const pool = reportingPool({ url });
  try {
    const applied = await migrate(pool);
    if (applied.length) logger.info({ applied }, 'reporting database migrated');
  } catch (err) {
    await pool.end();
    // The URL may carry a password: say which host only.
    throw new Error(`reporting database at ${hostOf(url)}: ${(err as Error).message}`, { cause: err });
  }
  return { pool, write: (p) => writeProjection(pool, p), close: () => pool.end() };
}

export function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/** DATABASE_URL, else the embedded database `npm start` serves (src/dev.ts) — for the command-line tools. */
export function databaseUrlOf(config: { reporting: { databaseUrl?: string; embedded: { port: number } } }): string {
  return config.reporting.databaseUrl ?? embeddedUrl('127.0.0.1', config.reporting.embedded.port);
}
