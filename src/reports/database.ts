/**
 * Reports read from the reporting database (DATABASE_URL): the daily summary — the same computeDailyReport over the
 * day's request states as stored in `requests.state` — and the weekly, monthly and appraisal reports, which only it
 * offers (./period.ts, ./appraisal.ts).
 */
import type { Pool } from 'pg';
import type { ServiceRequestState } from '../../workflows/messages';
import { appraisalReport, type AppraisalReport } from './appraisal';
import { computeDailyReport, dayBounds, ReportDateError } from './daily';
import { ReportUnavailableError, type DailyReportResult, type ReportSource } from './fetch';
import { periodBounds, periodReport, type PeriodReport, type ReportQueryOptions } from './period';

/** The weekly, monthly and appraisal reports: only from the reporting database. */
export interface PeriodReportSource {
  timeZone: string;
  weekly(week: string): Promise<PeriodReport>;
  monthly(month: string): Promise<PeriodReport>;
  appraisal(month: string): Promise<AppraisalReport>;
}

export interface DatabaseReportOptions extends ReportQueryOptions {
  timeZone: string;
}

/** A connection or server failure (not a bad query): the caller should retry, as with Temporal's. */
function unavailable(err: unknown): unknown {
  if (err instanceof ReportDateError) return err;
  const e = err as { code?: unknown; message?: string };
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === '42P01')
    return new ReportUnavailableError('the reporting database has no schema yet (the worker migrates it at start); retry shortly', {
      cause: err,
    });
  if (
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EPIPE|57P0\d|08\d{3}|53\d{3})$/.test(code) ||
    /timeout|terminated|connect/i.test(e.message ?? '')
  )
    return new ReportUnavailableError(`the reporting database did not answer: ${e.message ?? String(err)}`, { cause: err });
  return err;
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw unavailable(err);
  }
}

/** The day's request states (received in the local day), and which of them a later repeat repair names. */
export async function dailyFromDatabase(pool: Pool, date: string, o: DatabaseReportOptions): Promise<DailyReportResult> {
  const { fromMs, toMs } = dayBounds(date, o.timeZone);
  const states = await pool.query<{ state: ServiceRequestState }>(
    'SELECT state FROM requests WHERE received_at >= $1 AND received_at < $2 ORDER BY request_id',
    [new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  const read = states.rows.map((r) => r.state);
  const repeats = await pool.query<{ id: string }>('SELECT DISTINCT repeat_of AS id FROM requests WHERE repeat_of = ANY($1::text[])', [
    read.map((s) => s.requestId),
  ]);
  const repeated = new Set(repeats.rows.map((r) => r.id));
  const report = computeDailyReport(read, { date, timeZone: o.timeZone, lowScoreAtMost: o.lowScoreAtMost, repeated });
  return { ...report, generatedAt: new Date((o.now ?? Date.now)()).toISOString(), source: 'database', unreadable: [] };
}

export function databaseReportSource(pool: Pool, o: DatabaseReportOptions): ReportSource & PeriodReportSource {
  return {
    timeZone: o.timeZone,
    daily: (date) => guarded(() => dailyFromDatabase(pool, date, o)),
    weekly: (week) => guarded(() => periodReport(pool, periodBounds('week', week, o.timeZone), o)),
    monthly: (month) => guarded(() => periodReport(pool, periodBounds('month', month, o.timeZone), o)),
    appraisal: (month) => guarded(() => appraisalReport(pool, periodBounds('month', month, o.timeZone), o)),
  };
}
