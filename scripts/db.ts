/**
 * The reporting database from the command line:
 *   npm run db:migrate                    apply the schema's migrations (the worker does it at start too)
 *   npm run db:rebuild [-- --query <q>]   rewrite the tables from Temporal's histories (idempotent)
 * DATABASE_URL names the database; unset, `npm start`'s embedded one (REPORTING_DB_PORT) while that stack runs.
 * The rebuild needs Temporal (TEMPORAL_ADDRESS) and, for requests still open, a worker to answer their state query.
 */
import pino from 'pino';
import { codecDataConverter, codecFromKeys } from '../src/codec';
import { readCodecKeyFile } from '../src/codec/keyFile';
import { loadConfig } from '../src/config';
import { databaseUrlOf, hostOf, openReportingDb } from '../src/reporting';
import { rebuild } from '../src/reporting/rebuild';
import { connectClient } from '../src/temporal/connection';

const USAGE = 'usage: db.js migrate | rebuild [--query <visibility query>]';

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'migrate' && command !== 'rebuild') {
    console.error(USAGE);
    return 2;
  }
  let query: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--query' && command === 'rebuild' && rest[i + 1] !== undefined) query = rest[++i];
    else {
      console.error(`unknown argument ${rest[i]}\n${USAGE}`);
      return 2;
    }
  }
  const config = loadConfig();
  const url = databaseUrlOf(config);
  const logger = pino({ level: 'warn' });
  const db = await openReportingDb(url, logger);
  try {
    if (command === 'migrate') {
      console.log(`reporting database ${hostOf(url)} is at its latest schema`);
      return 0;
    }
    const keys = config.codec.keys.length ? config.codec.keys : (readCodecKeyFile(config.codec.keyFile)?.keys ?? []);
    const client = await connectClient(config.temporal, { dataConverter: codecDataConverter(codecFromKeys(keys)) });
    try {
      const r = await rebuild(client, db.pool, { query });
      console.log(JSON.stringify({ database: hostOf(url), rebuilt: r.rebuilt, skipped: r.skipped }, null, 2));
      const failed = r.skipped.filter((s) => !s.reason.startsWith('lifecycle 1'));
      if (failed.length) console.error(`warning: ${failed.length} request(s) could not be read (is a worker running for the open ones?)`);
      return failed.length ? 3 : 0;
    } finally {
      await client.connection.close();
    }
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
