/**
 * `npm run report`: the reports of docs/operations.md on stdout.
 *
 *   npm run report -- [--date YYYY-MM-DD] [--table]               the daily summary (default today)
 *   npm run report -- --period week [--week 2026-W48]             the weekly summary (default this week)
 *   npm run report -- --period month [--month 2026-11]            the monthly summary (default this month)
 *   npm run report -- --appraisal 2026-11                         the technicians' monthly appraisal
 *   … [--format json|csv] [--tz Area/City] [--url postgres://…]
 *
 * With a reporting database (DATABASE_URL, or --url) every report reads it; without one only the daily report is
 * available, read from Temporal like GET /v1/reports/daily with the worker's environment (TEMPORAL_*,
 * AFTERCARE_POLICY, AFTERCARE_CODEC_KEYS, else `npm start`'s key file AFTERCARE_CODEC_KEY_FILE = var/codec-keys —
 * results are encrypted). JSON by default; `--format csv` (UTF-8 with a BOM) or, for the daily report, `--table`.
 * Exit codes: 0 ok · 1 failure · 2 bad arguments · 3 report incomplete (some requests unreadable).
 */
import { codecDataConverter, codecFromKeys } from '../src/codec';
import { readCodecKeyFile } from '../src/codec/keyFile';
import { loadConfig } from '../src/config';
import { loadPolicyFile } from '../src/policy';
import { appraisalCsv } from '../src/reports/appraisal';
import { reportCsv } from '../src/reports/csv';
import { dayBounds, localDate, ReportDateError } from '../src/reports/daily';
import { databaseReportSource } from '../src/reports/database';
import { fetchDailyReport, type DailyReportResult } from '../src/reports/fetch';
import { periodBounds } from '../src/reports/period';
import { formatDailyReport } from '../src/reports/table';
import { reportingPool } from '../src/reporting/pool';
import { connectClient } from '../src/temporal/connection';
import { DateTime } from 'luxon';
import { runMain } from './runMain';

const USAGE =
  'usage: npm run report -- [--date YYYY-MM-DD] [--table] | --period week [--week YYYY-Www] | --period month [--month YYYY-MM] | ' +
  '--appraisal YYYY-MM  [--format json|csv] [--tz Area/City] [--url postgres://…]';

export type Format = 'json' | 'csv' | 'table';

export interface ReportArgs {
  report: 'day' | 'week' | 'month' | 'appraisal';
  date?: string;
  week?: string;
  month?: string;
  format: Format;
  timeZone?: string;
  url?: string;
}

/** Parses the flags; a bad one throws ReportDateError naming it. */
export function parseArgs(argv: string[]): ReportArgs {
  const out: ReportArgs = { report: 'day', format: 'json' };
  let period: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0 && arg.startsWith('--')) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ReportDateError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--table') out.format = 'table';
    else if (flag === '--json') out.format = 'json';
    else if (flag === '--format') {
      const f = value();
      if (f !== 'json' && f !== 'csv' && f !== 'table') throw new ReportDateError(`--format: "${f}" is not json, csv or table`);
      out.format = f;
    } else if (flag === '--date') out.date = value();
    else if (flag === '--week') out.week = value();
    else if (flag === '--month') out.month = value();
    else if (flag === '--period') period = value();
    else if (flag === '--appraisal') {
      out.report = 'appraisal';
      out.month = value();
    } else if (flag === '--tz') out.timeZone = value();
    else if (flag === '--url') out.url = value();
    else if (flag === '--help' || flag === '-h') throw new ReportDateError(USAGE);
    else throw new ReportDateError(`unknown argument ${arg}`);
  }
  if (period !== undefined) {
    if (out.report === 'appraisal') throw new ReportDateError('--period: not with --appraisal (the appraisal is monthly)');
    if (period !== 'day' && period !== 'week' && period !== 'month')
      throw new ReportDateError(`--period: "${period}" is not day, week or month`);
    out.report = period;
  }
  const misplaced: [keyof ReportArgs, string, ReportArgs['report'][]][] = [
    ['date', '--date', ['day']],
    ['week', '--week', ['week']],
    ['month', '--month', ['month', 'appraisal']],
  ];
  for (const [key, flag, reports] of misplaced)
    if (out[key] !== undefined && !reports.includes(out.report)) throw new ReportDateError(`${flag}: not with the ${out.report} report`);
  if (out.format === 'table' && out.report !== 'day') throw new ReportDateError('--table: only for the daily report (use --format csv)');
  return out;
}

/** Checks the period's shape before connecting anywhere (a clear message naming the flag). */
export function checkPeriod(args: ReportArgs, timeZone: string): void {
  if (args.date !== undefined) dayBounds(args.date, timeZone);
  if (args.week !== undefined) periodBounds('week', args.week, timeZone);
  if (args.month !== undefined) periodBounds('month', args.month, timeZone);
}

export function flagged(err: unknown, args: ReportArgs): never {
  // periodBounds names the field (week:, month:); the CLI names the flag.
  if (err instanceof ReportDateError) {
    const m = err.message.replace(
      /^(week|month|date): /,
      (_, f: string) => `--${args.report === 'appraisal' && f === 'month' ? 'appraisal' : f}: `,
    );
    throw new ReportDateError(m);
  }
  throw err;
}

function dailyOut(report: DailyReportResult, format: Format): string {
  if (format === 'table') return `${formatDailyReport(report)}\n`;
  return format === 'csv' ? reportCsv(report) : `${JSON.stringify(report, null, 2)}\n`;
}

async function run(args: ReportArgs): Promise<number> {
  const config = loadConfig();
  const timeZone = args.timeZone ?? loadPolicyFile(config.policyFile).calendar.timeZone;
  try {
    checkPeriod(args, timeZone);
  } catch (err) {
    flagged(err, args);
  }
  const url = args.url ?? config.reporting.databaseUrl;
  if (url) {
    const pool = reportingPool({ url, connectTimeoutMs: 10_000 });
    try {
      const source = databaseReportSource(pool, { timeZone });
      const now = DateTime.now().setZone(timeZone);
      let text: string;
      if (args.report === 'day')
        text = dailyOut(await source.daily(args.date ?? localDate(Date.now(), timeZone)).catch((e) => flagged(e, args)), args.format);
      else if (args.report === 'appraisal') {
        const r = await source.appraisal(args.month ?? now.toFormat('yyyy-MM')).catch((e) => flagged(e, args));
        text = args.format === 'csv' ? appraisalCsv(r) : `${JSON.stringify(r, null, 2)}\n`;
      } else {
        const r =
          args.report === 'week'
            ? await source.weekly(args.week ?? now.toFormat("kkkk-'W'WW")).catch((e) => flagged(e, args))
            : await source.monthly(args.month ?? now.toFormat('yyyy-MM')).catch((e) => flagged(e, args));
        text = args.format === 'csv' ? reportCsv(r) : `${JSON.stringify(r, null, 2)}\n`;
      }
      process.stdout.write(text);
      return 0;
    } finally {
      await pool.end();
    }
  }
  if (args.report !== 'day') {
    console.error(`the ${args.report} report needs the reporting database: set DATABASE_URL or pass --url`);
    return 1;
  }
  const date = args.date ?? localDate(Date.now(), timeZone);
  // The embedded stack's key file (npm start) when AFTERCARE_CODEC_KEYS is unset: its histories are encrypted with it.
  const keys = config.codec.keys.length ? config.codec.keys : (readCodecKeyFile(config.codec.keyFile)?.keys ?? []);
  const client = await connectClient(config.temporal, { dataConverter: codecDataConverter(codecFromKeys(keys)) });
  try {
    const report = await fetchDailyReport(client, { date, timeZone }).catch((e) => flagged(e, args));
    process.stdout.write(dailyOut(report, args.format));
    if (report.unreadable.length) {
      console.error(`warning: ${report.unreadable.length} request(s) could not be read (is a worker running?); the report is incomplete`);
      return 3;
    }
    return 0;
  } finally {
    await client.connection.close();
  }
}

async function main(): Promise<number> {
  let args: ReportArgs;
  try {
    args = parseArgs(process.argv.slice(2));
    return await run(args);
  } catch (err) {
    if (err instanceof ReportDateError) {
      console.error(`${err.message}\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) runMain(main);
