/**
 * `npm run db:seed -- --requests 100000 [--url postgres://…] [--seed 15] [--months 12] [--end 2026-12-01] [--replace]`:
 * fills the reporting database with a deterministic synthetic data set (src/reporting/synthetic.ts) for trying and
 * benchmarking the reports. The database: --url, else DATABASE_URL, else the embedded one `npm start` serves. Its schema is migrated first. The synthetic
 * requests' ids start `sr-syn-`; --replace deletes earlier ones first (else they collide and nothing is written).
 * Exit codes: 0 ok · 1 failure · 2 bad arguments.
 */
import type { Pool } from 'pg';
import { loadConfig } from '../src/config';
import { loadPolicyFile } from '../src/policy';
import { databaseUrlOf } from '../src/reporting';
import { migrate } from '../src/reporting/migrate';
import { reportingPool } from '../src/reporting/pool';
import { insertRows } from '../src/reporting/seed';
import { syntheticBatches, type SyntheticOptions } from '../src/reporting/synthetic';
import { runMain } from './runMain';

const USAGE = 'usage: npm run db:seed -- --requests N [--url postgres://…] [--seed N] [--months N] [--end YYYY-MM-DD] [--replace]';

export interface SeedArgs extends SyntheticOptions {
  url?: string;
  replace: boolean;
}

export class SeedArgError extends Error {}

export function parseSeedArgs(argv: string[]): SeedArgs {
  const out: SeedArgs = { requests: 0, replace: false };
  let given = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new SeedArgError(`${flag} needs a value`);
      return v;
    };
    const int = (min: number, max: number): number => {
      const raw = value();
      const n = Number(raw);
      if (!/^\d+$/.test(raw) || n < min || n > max) throw new SeedArgError(`${flag}: "${raw}" is not an integer from ${min} to ${max}`);
      return n;
    };
    if (flag === '--requests') {
      out.requests = int(1, 10_000_000);
      given = true;
    } else if (flag === '--seed') out.seed = int(0, 2 ** 32 - 1);
    else if (flag === '--months') out.months = int(1, 120);
    else if (flag === '--end') {
      const v = value();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new SeedArgError(`--end: "${v}" is not YYYY-MM-DD`);
      out.end = v;
    } else if (flag === '--url') out.url = value();
    else if (flag === '--replace') out.replace = true;
    else if (flag === '--help' || flag === '-h') throw new SeedArgError(USAGE);
    else throw new SeedArgError(`unknown argument ${arg}`);
  }
  if (!given) throw new SeedArgError('--requests is required');
  return out;
}

/** Writes the data set; returns the rows and events written. */
export async function seed(pool: Pool, o: SeedArgs, progress?: (rows: number) => void): Promise<{ rows: number; events: number }> {
  await migrate(pool);
  if (o.replace) {
    await pool.query("DELETE FROM request_events WHERE request_id LIKE 'sr-syn-%'");
    await pool.query("DELETE FROM requests WHERE request_id LIKE 'sr-syn-%'");
  }
  let rows = 0;
  let events = 0;
  for (const b of syntheticBatches(o)) {
    await insertRows(pool, b.rows, b.events);
    rows += b.rows.length;
    events += b.events.length;
    progress?.(rows);
  }
  await pool.query('ANALYZE requests');
  await pool.query('ANALYZE request_events');
  return { rows, events };
}

async function main(): Promise<number> {
  let args: SeedArgs;
  try {
    args = parseSeedArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof SeedArgError)) throw err;
    console.error(`${err.message}\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  // DATABASE_URL, else the embedded database `npm start` serves.
  const url = args.url ?? databaseUrlOf(config);
  const timeZone = loadPolicyFile(config.policyFile).calendar.timeZone;
  const pool = reportingPool({ url, connectTimeoutMs: 10_000 });
  const started = Date.now();
  try {
    const done = await seed(pool, { ...args, timeZone }, (n) => {
      if (n % 10_000 === 0) process.stderr.write(`${n} requests\n`);
    });
    console.log(`seeded ${done.rows} requests and ${done.events} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (err) {
    const e = err as { code?: string };
    if (e.code === '23505') {
      console.error('synthetic requests are already there: pass --replace to write them again');
      return 1;
    }
    throw err;
  } finally {
    await pool.end();
  }
}

if (require.main === module) runMain(main);
