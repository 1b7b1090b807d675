/**
 * `GET /report/<token>`: the customer's service report (lifecycle 4; the link in the `completed_report` SMS), a
 * printable page in zh/en; `GET /report/<token>/pdf?lang=zh|en`: the same report as PDF, when the worker stored one.
 * Both read the report the worker stored beside the photos, not the workflow: the link works after the request
 * closed and while Temporal is down. The link may be opened as often as the customer likes until it expires; only
 * the link that was sent opens the report (its token id is stored with it). Failures are friendly HTML pages:
 * 404 invalid link or no report stored, 410 expired, 503 storage unavailable — never JSON or a stack trace.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import {
  reportTokenVisit,
  SERVICE_REPORT_DOCUMENT_VERSION,
  serviceReportName,
  type ServiceReportDocument,
} from '../../domain/serviceReport';
import { isRatingTokenError, verifyRatingToken, type RatingTokenPayload } from '../../ratingLink';
import type { Services } from '../plugins/services';
import { REPORT_CSS } from '../report/assets';
import { REPORT_CSS_PATH, renderReportMessage, renderReportPage, type ReportOutcome } from '../report/page';
import { customerPageErrors, htmlPage } from '../rating/htmlPage';
import { type Lang, pickLanguage } from '../rating/page';
import { errorResponses, htmlResponse, RETRY_AFTER_HEADER } from '../schemas/common';

const Params = Type.Object({ token: Type.String({ maxLength: 1024 }) });
/** Open: SMS gateways append tracking parameters. */
const Query = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 16 })) });

const STATUS: Record<ReportOutcome, number> = { invalid: 404, missing: 404, expired: 410, unavailable: 503 };

const PAGE_RESPONSES = {
  404: htmlResponse('Invalid link (bad signature, a link for something else, malformed), or no report stored: a friendly page'),
  410: htmlResponse('The report link has expired (call the hotline): a friendly page'),
  503: htmlResponse('Storage temporarily unavailable: a friendly page; retry after `Retry-After` seconds', RETRY_AFTER_HEADER),
  ...errorResponses(400, 414, 429),
};

function message(reply: FastifyReply, lang: Lang, outcome: ReportOutcome): FastifyReply {
  if (outcome === 'unavailable') reply.header('retry-after', '30');
  return htmlPage(reply, STATUS[outcome], renderReportMessage(lang, outcome));
}

type Found = { outcome: ReportOutcome } | { link: RatingTokenPayload; doc: ServiceReportDocument };

/** The stored report this link opens: the visit is in the token id (`v<visit>-…`), one read. */
async function find(services: Services, token: string): Promise<Found> {
  const v = verifyRatingToken(token, services.ratingLinkSecret, services.now(), 'report');
  if (isRatingTokenError(v)) return { outcome: v.error === 'expired' ? 'expired' : 'invalid' };
  const visit = reportTokenVisit(v.tokenId);
  if (visit === undefined) return { outcome: 'invalid' };
  const doc = await storedReport(services, v.requestId, visit);
  // A later report of the same visit number (never today): not this link's.
  if (!doc || doc.tokenId !== v.tokenId) return { outcome: 'missing' };
  return { link: v, doc };
}

/** The report stored for a visit of the request (the status page links it too), or null: none, or another version's or request's. */
export async function storedReport(services: Services, requestId: string, visit: number): Promise<ServiceReportDocument | null> {
  const stored = await services.storage.getDocument(requestId, serviceReportName(visit, 'json'));
  if (!stored) return null;
  const doc = JSON.parse(stored.body.toString('utf8')) as ServiceReportDocument;
  return doc.version === SERVICE_REPORT_DOCUMENT_VERSION && doc.requestId === requestId ? doc : null;
}

export const reportPageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const services = app.services;

  app.setErrorHandler(customerPageErrors('service report page', message));

  app.get(REPORT_CSS_PATH, { config: { auth: false }, schema: { hide: true } }, async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(REPORT_CSS),
  );

  app.get(
    '/report/:token',
    {
      config: { auth: false, ratingToken: 'params' },
      schema: {
        summary: 'Customer service report page (HTML)',
        description:
          'The report link in the `completed_report` SMS (lifecycle 4): the customer service report of the completed visit — ' +
          'fault cause, diagnosis, work done, parts (old part shown), charges, payments, test run, signature — printable, ' +
          'zh/en (`lang` or Accept-Language), with a PDF link when one was stored. Expired or invalid links get a friendly page.',
        tags: ['service reports'],
        params: Params,
        querystring: Query,
        response: { 200: htmlResponse('The service report'), ...PAGE_RESPONSES },
      },
    },
    async (req, reply) => {
      const found = await find(services, req.params.token);
      const lang = pickLanguage(req.headers['accept-language'], req.query.lang);
      if ('outcome' in found) return message(reply, lang, found.outcome);
      const pdfUrl = found.doc.pdf?.includes(lang) ? `/report/${req.params.token}/pdf?lang=${lang}` : undefined;
      return htmlPage(reply, 200, renderReportPage(found.doc, lang, { pdfUrl }));
    },
  );

  app.get(
    '/report/:token/pdf',
    {
      config: { auth: false, ratingToken: 'params' },
      schema: {
        summary: 'Customer service report (PDF)',
        description: 'The same report as a PDF in zh or en (`lang`), as the worker stored it. 404 (a friendly page) when none was stored.',
        tags: ['service reports'],
        params: Params,
        querystring: Query,
        response: {
          200: { description: 'The PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
          ...PAGE_RESPONSES,
        },
      },
    },
    async (req, reply) => {
      const found = await find(services, req.params.token);
      const lang = pickLanguage(req.headers['accept-language'], req.query.lang);
      if ('outcome' in found) return message(reply, lang, found.outcome);
      const stored = found.doc.pdf?.includes(lang)
        ? await services.storage.getDocument(found.doc.requestId, serviceReportName(found.doc.visit, 'pdf', lang))
        : null;
      if (!stored) return message(reply, lang, 'missing');
      return reply
        .code(200)
        .header('cache-control', 'no-store')
        .header('x-robots-tag', 'noindex')
        .header('content-disposition', `inline; filename="service-report-${found.doc.ticket}-${lang}.pdf"`)
        .type('application/pdf')
        .send(stored.body);
    },
  );
};
