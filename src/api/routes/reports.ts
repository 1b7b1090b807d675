/** Reports for managers and ops: the daily service summary (docs/operations.md). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { localDate, ReportDateError } from '../../reports/daily';
import { ReportUnavailableError, type ReportSource } from '../../reports/fetch';
import { badRequest } from '../errors';
import { UnavailableError } from '../port';
import { COMMON_ERRORS, errorResponses } from '../schemas/common';
import { DailyReportQuery, DailyReportResponse } from '../schemas/report';

export interface ReportRoutesOptions {
  reports: ReportSource;
  /** Milliseconds since the epoch, for the default date (tests pin it). */
  now?: () => number;
}

export const reportRoutes: FastifyPluginAsyncTypebox<ReportRoutesOptions> = async (app, opts) => {
  const { reports } = opts;
  const now = opts.now ?? (() => (app.hasDecorator('services') ? app.services.now() : Date.now()));

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
          "complaints; escalations by level. Read from Temporal visibility and each request's state; the API reuses a day's " +
          'report for a minute (today) or ten minutes (past days). Ops only.',
        tags: ['reports'],
        security: [{ bearer: [] }],
        querystring: DailyReportQuery,
        response: { 200: DailyReportResponse, ...errorResponses(...COMMON_ERRORS) },
      },
    },
    async (req) => {
      const date = req.query.date ?? localDate(now(), reports.timeZone);
      try {
        return await reports.daily(date);
      } catch (err) {
        if (err instanceof ReportDateError) throw badRequest([{ path: 'query.date', message: err.message }], err.message);
        if (err instanceof ReportUnavailableError) throw new UnavailableError(err.message);
        throw err;
      }
    },
  );
};
