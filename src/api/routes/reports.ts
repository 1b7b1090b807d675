/**
 * Reports for managers and ops: the daily service summary, and — from the reporting database only — the weekly and
 * monthly summaries and the technicians' monthly appraisal (docs/operations.md). JSON, or CSV with `?format=csv`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { appraisalCsv } from '../../reports/appraisal';
import { reportCsv } from '../../reports/csv';
import { localDate, ReportDateError } from '../../reports/daily';
import type { PeriodReportSource } from '../../reports/database';
import { ReportUnavailableError, type ReportSource } from '../../reports/fetch';
import { badRequest } from '../errors';
import { UnavailableError } from '../port';
import { COMMON_ERRORS, errorResponses } from '../schemas/common';
import {
  AppraisalReportResponse,
  DailyReportQuery,
  DailyReportResponse,
  MonthlyReportQuery,
  PeriodReportResponse,
  WeeklyReportQuery,
} from '../schemas/report';

export interface ReportRoutesOptions {
  reports: ReportSource;
  /** Weekly, monthly and appraisal reports; absent without a reporting database (DATABASE_URL): those answer 503. */
  periods?: PeriodReportSource;
  /** Milliseconds since the epoch, for the default date (tests pin it). */
  now?: () => number;
}

export const NO_DATABASE =
  'weekly, monthly and appraisal reports need the reporting database: set DATABASE_URL (docs/operations.md, Reports)';

/** A report's 200: its JSON, or the same figures as CSV with `?format=csv` (both documented, as the API answers). */
const jsonOrCsv = <T extends object>(schema: T) => ({
  content: {
    'application/json': { schema },
    'text/csv': { schema: { type: 'string', description: 'UTF-8 with a byte-order mark; one row per figure' } },
  },
});

const CSV_NOTE = ' `?format=csv`: the same figures as CSV (text/csv, UTF-8 with a byte-order mark). Ops only.';

/** The report as JSON, or its CSV sent here (then nothing to return). */
function send<T extends object>(
  reply: FastifyReply,
  format: 'json' | 'csv' | undefined,
  body: T,
  csv: (b: T) => string,
  name: string,
): T | undefined {
  if (format !== 'csv') return body;
  void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(csv(body));
  return undefined;
}

export const reportRoutes: FastifyPluginAsyncTypebox<ReportRoutesOptions> = async (app, opts) => {
  const { reports, periods } = opts;
  const now = opts.now ?? (() => (app.hasDecorator('services') ? app.services.now() : Date.now()));
  const local = () => DateTime.fromMillis(now(), { zone: reports.timeZone });

  /** Runs a report: a bad period is a 400 naming `field`, an unreachable store a 503. */
  const run = async <T>(field: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ReportDateError) throw badRequest([{ path: `query.${field}`, message: err.message }], err.message);
      if (err instanceof ReportUnavailableError) throw new UnavailableError(err.message);
      throw err;
    }
  };
  const needPeriods = (): PeriodReportSource => {
    if (!periods) throw new UnavailableError(NO_DATABASE, 60);
    return periods;
  };

  app.get(
    '/v1/reports/daily',
    {
      // Ops only: the day's totals span every integration's requests (an integration lists its own).
      config: { auth: { roles: ['ops'] } },
      schema: {
        summary: 'Daily service summary (日服务数据汇总表)',
        description:
          `Requests received on one local day (time zone ${reports.timeZone}), as they stand now: volume by type, channel and ` +
          'urgency; SLA compliance per milestone; first-time-fix rate; resolution rate; average score and share of scores ≤ 3; ' +
          "complaints; escalations by level. Read from the reporting database when one is configured (DATABASE_URL), else from Temporal visibility and each request's state (`source` says which); the API reuses a day's " +
          'report for a minute (today) or ten minutes (past days).' +
          CSV_NOTE,
        tags: ['reports'],
        security: [{ bearer: [] }],
        querystring: DailyReportQuery,
        response: { 200: jsonOrCsv(DailyReportResponse), ...errorResponses(...COMMON_ERRORS) },
      },
    },
    async (req, reply) => {
      const date = req.query.date ?? localDate(now(), reports.timeZone);
      const report = await run('date', () => reports.daily(date));
      return send(reply, req.query.format, report, reportCsv, `daily-${date}`);
    },
  );

  app.get(
    '/v1/reports/weekly',
    {
      config: { auth: { roles: ['ops'] } },
      schema: {
        summary: 'Weekly summary (周报)',
        description:
          `Requests received in one ISO week (Monday 00:00 to Monday 00:00, time zone ${reports.timeZone}): totals, SLA per ` +
          'milestone, response and arrival times, first-time fix, repeat repairs, complaints by class, satisfaction, charges; ' +
          'by product model, fault cause, region, channel and type; the frequent problems. Reporting database only: 503 ' +
          'without one.' +
          CSV_NOTE,
        tags: ['reports'],
        security: [{ bearer: [] }],
        querystring: WeeklyReportQuery,
        response: { 200: jsonOrCsv(PeriodReportResponse), ...errorResponses(...COMMON_ERRORS) },
      },
    },
    async (req, reply) => {
      const source = needPeriods();
      const week = req.query.week ?? local().toFormat("kkkk-'W'WW");
      const report = await run('week', () => source.weekly(week));
      return send(reply, req.query.format, report, reportCsv, `weekly-${week}`);
    },
  );

  app.get(
    '/v1/reports/monthly',
    {
      config: { auth: { roles: ['ops'] } },
      schema: {
        summary: 'Monthly summary (月报)',
        description:
          `Requests received in one calendar month (time zone ${reports.timeZone}; a request belongs to the month it was ` +
          'received in, even when it closes in the next): the weekly report’s figures for the month. Reporting database only: ' +
          '503 without one.' +
          CSV_NOTE,
        tags: ['reports'],
        security: [{ bearer: [] }],
        querystring: MonthlyReportQuery,
        response: { 200: jsonOrCsv(PeriodReportResponse), ...errorResponses(...COMMON_ERRORS) },
      },
    },
    async (req, reply) => {
      const source = needPeriods();
      const month = req.query.month ?? local().toFormat('yyyy-MM');
      const report = await run('month', () => source.monthly(month));
      return send(reply, req.query.format, report, reportCsv, `monthly-${month}`);
    },
  );

  app.get(
    '/v1/reports/appraisal',
    {
      config: { auth: { roles: ['ops'] } },
      schema: {
        summary: "Technicians' monthly appraisal (服务人员月度考核)",
        description:
          `Per technician, over the requests received in the month (time zone ${reports.timeZone}): satisfaction, accept ` +
          'time, arrival time and on-time rate, first-time fix, repeat repairs of their fixes, complaints against them, ' +
          'complete service records (definitions: docs/operations.md). Reporting database only: 503 without one. CSV: one ' +
          'line per technician.' +
          CSV_NOTE,
        tags: ['reports'],
        security: [{ bearer: [] }],
        querystring: MonthlyReportQuery,
        response: { 200: jsonOrCsv(AppraisalReportResponse), ...errorResponses(...COMMON_ERRORS) },
      },
    },
    async (req, reply) => {
      const source = needPeriods();
      const month = req.query.month ?? local().toFormat('yyyy-MM');
      const report = await run('month', () => source.appraisal(month));
      return send(reply, req.query.format, report, appraisalCsv, `appraisal-${month}`);
    },
  );
};
