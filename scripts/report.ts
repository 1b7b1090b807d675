/**
 * `npm run report -- --date 2026-11-25 [--table]`: the daily service summary (docs/operations.md) for one local day of
 * the policy's time zone, read from Temporal like GET /v1/reports/daily. JSON on stdout by default, a
 * readable sheet with --table. Uses the same environment as the worker (TEMPORAL_*, AFTERCARE_POLICY,
 * AFTERCARE_CODEC_KEYS, else `npm start`'s key file AFTERCARE_CODEC_KEY_FILE = var/codec-keys — results are encrypted).
 * Exit codes: 0 ok · 1 failure · 2 bad arguments · 3 report incomplete (some requests unreadable).
 */
import { codecDataConverter, codecFromKeys } from '../src/codec';
import { readCodecKeyFile } from '../src/codec/keyFile';
import { loadConfig } from '../src/config';
import { loadPolicyFile } from '../src/policy';
import { localDate, ReportDateError } from '../src/reports/daily';
import { fetchDailyReport } from '../src/reports/fetch';
import { formatDailyReport } from '../src/reports/table';
import { connectClient } from '../src/temporal/connection';

const USAGE = 'usage: npm run report -- [--date YYYY-MM-DD] [--table] [--tz Area/City]';

export interface ReportArgs {
  date?: string;
  table: boolean;
  timeZone?: string;
}

export function parseArgs(argv: string[]): ReportArgs {
  const out: ReportArgs = { table: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ReportDateError(`${a} needs a value`);
      return v;
    };
    if (a === '--table') out.table = true;
    else if (a === '--json') out.table = false;
    else if (a === '--date') out.date = value();
    else if (a.startsWith('--date=')) out.date = a.slice(7);
    else if (a === '--tz') out.timeZone = value();
    else if (a.startsWith('--tz=')) out.timeZone = a.slice(5);
    else if (a === '--help' || a === '-h') throw new ReportDateError(USAGE);
    else throw new ReportDateError(`unknown argument ${a}`);
  }
  return out;
}

async function main(): Promise<number> {
  let args: ReportArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const timeZone = args.timeZone ?? loadPolicyFile(config.policyFile).calendar.timeZone;
  const date = args.date ?? localDate(Date.now(), timeZone);
  // The embedded stack's key file (npm start) when AFTERCARE_CODEC_KEYS is unset: its histories are encrypted with it.
  const keys = config.codec.keys.length ? config.codec.keys : (readCodecKeyFile(config.codec.keyFile)?.keys ?? []);
  const client = await connectClient(config.temporal, { dataConverter: codecDataConverter(codecFromKeys(keys)) });
  try {
    const report = await fetchDailyReport(client, { date, timeZone });
    process.stdout.write(args.table ? `${formatDailyReport(report)}\n` : `${JSON.stringify(report, null, 2)}\n`);
    if (report.unreadable.length) {
      console.error(`warning: ${report.unreadable.length} request(s) could not be read (is a worker running?); the report is incomplete`);
      return 3;
    }
    return 0;
  } catch (err) {
    if (err instanceof ReportDateError) {
      console.error(`${err.message}\n${USAGE}`);
      return 2;
    }
    throw err;
  } finally {
    await client.connection.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
