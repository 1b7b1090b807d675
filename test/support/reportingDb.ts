/**
 * A fresh, migrated in-memory reporting database for one test file (see ./embeddedDbChild.js for why it runs in a
 * child process), with a pool on it. `stop()` ends the pool and the database.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { migrate } from '../../src/reporting/migrate';
import { reportingPool } from '../../src/reporting/pool';

export interface TestDb {
  url: string;
  pool: Pool;
  stop(): Promise<void>;
}

export async function startTestDb(): Promise<TestDb> {
  const child = spawn(process.execPath, [join(__dirname, 'embeddedDbChild.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`embedded database exited (${code}): ${err}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pool = reportingPool({ url, connectTimeoutMs: 10_000 });
  await migrate(pool);
  return {
    url,
    pool,
    async stop() {
      await pool.end();
      child.stdin.end();
      await exited;
    },
  };
}
