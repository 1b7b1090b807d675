/**
 * `GET /s/<token>`: the customer's status page (issue 15; the link in the receipt SMS, purpose `status`): where the
 * request stands, read from the workflow's state query like every other page, as often as the customer likes until
 * the link expires (policy `statusLink.validity` after receipt). `/s/assets/status.css`: its styles. Every failure is
 * a friendly HTML page in the customer's language, never JSON or a stack trace: 404 invalid, forged or for something
 * else, or an unknown request; 410 expired; 503 Temporal unavailable.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { ServiceRequestState } from '../../../workflows/messages';
import { POLICY_DEFAULTS } from '../../domain/policy';
import { statusTokenLanguage } from '../../domain/statusLink';
import { isRatingTokenError, LINK_PATH, signRatingToken, verifyRatingToken } from '../../ratingLink';
import { NotFoundError, UnavailableError } from '../port';
import type { Services } from '../plugins/services';
import { customerPageErrors, htmlPage } from '../rating/htmlPage';
import { storedReport } from './reportPage';
import { type Lang, pickLanguage } from '../rating/page';
import { errorResponses, htmlResponse, RETRY_AFTER_HEADER } from '../schemas/common';
import { renderStatusMessage, renderStatusPage, STATUS_CSS, STATUS_CSS_PATH, type StatusMessage } from '../status/page';

export interface StatusPageOptions {
  /** The policy's zone (times on the page) and hotline, read per request: a reloaded policy applies at once. */
  policy?: () => { timeZone: string; hotline?: string };
}

const Params = Type.Object({ token: Type.String({ maxLength: 1024 }) });
/** Open: SMS gateways append tracking parameters. */
const Query = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 16 })) });

const STATUS: Record<StatusMessage, number> = { invalid: 404, expired: 410, unavailable: 503 };

/**
 * The stored service report's link, when one was stored and its link still works: the very token of the completion
 * SMS (same token id and expiry, signed again), so it opens the existing report page. Storage trouble leaves it out.
 */
async function reportUrl(services: Services, state: ServiceRequestState): Promise<string | undefined> {
  const r = state.serviceReport;
  if (!r?.stored || Date.parse(r.stored.linkExpiresAt) <= services.now()) return undefined;
  const doc = await storedReport(services, state.requestId, r.visit);
  if (!doc) return undefined;
  const payload = { requestId: state.requestId, tokenId: doc.tokenId, expiresAt: r.stored.linkExpiresAt };
  return `/${LINK_PATH.report}/${signRatingToken(payload, services.ratingLinkSecret, 'report')}`;
}

export const statusPageRoutes: FastifyPluginAsyncTypebox<StatusPageOptions> = async (app, opts) => {
  const services = app.services;
  const policy: NonNullable<StatusPageOptions['policy']> = opts.policy ?? (() => ({ timeZone: POLICY_DEFAULTS.timeZone }));
  // An unknown zone stops the API at start-up rather than failing every page.
  new Intl.DateTimeFormat('en', { timeZone: policy().timeZone }).format(0);

  const message = (reply: FastifyReply, lang: Lang, outcome: StatusMessage): FastifyReply => {
    if (outcome === 'unavailable') reply.header('retry-after', '5');
    return htmlPage(reply, STATUS[outcome], renderStatusMessage(lang, outcome, policy().hotline));
  };

  app.setErrorHandler(customerPageErrors('status page', message));

  app.get(STATUS_CSS_PATH, { config: { auth: false }, schema: { hide: true } }, async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STATUS_CSS),
  );

  app.get(
    '/s/:token',
    {
      config: { auth: false, ratingToken: 'params' },
      schema: {
        summary: 'Customer status page (HTML)',
        description:
          'The link in the receipt SMS (`received`, or `complaint_registered`): where the request stands — received, technician ' +
          'assigned (name and work number), visit booked, on site, completed, service report, rating; or a complaint’s or a ' +
          'return’s steps — with the next promised time in the policy’s zone and the hotline. No login: the signed link is the ' +
          'customer. zh/en: `lang`, else the request’s language, else Accept-Language. Invalid, forged or expired links and ' +
          'unknown requests get a friendly page.',
        tags: ['status page'],
        params: Params,
        querystring: Query,
        response: {
          200: htmlResponse("The request's progress"),
          404: htmlResponse('Invalid link (bad signature, a link for something else, malformed), or an unknown request: a friendly page'),
          410: htmlResponse('The status link has expired (call the hotline): a friendly page'),
          503: htmlResponse('Temporarily unavailable: a friendly page; retry after `Retry-After` seconds', RETRY_AFTER_HEADER),
          ...errorResponses(400, 414, 429),
        },
      },
    },
    async (req, reply) => {
      const asked = req.query.lang === 'zh' || req.query.lang === 'en' ? req.query.lang : undefined;
      const v = verifyRatingToken(req.params.token, services.ratingLinkSecret, services.now(), 'status');
      if (isRatingTokenError(v)) {
        return message(reply, pickLanguage(req.headers['accept-language'], asked), v.error === 'expired' ? 'expired' : 'invalid');
      }
      const lang = pickLanguage(req.headers['accept-language'], asked ?? statusTokenLanguage(v.tokenId));
      let state: ServiceRequestState;
      try {
        state = await services.requests.get(v.requestId);
      } catch (err) {
        if (err instanceof NotFoundError) return message(reply, lang, 'invalid');
        if (err instanceof UnavailableError) return message(reply, lang, 'unavailable');
        throw err;
      }
      const report = await reportUrl(services, state).catch((err: unknown) => {
        req.log.warn({ err: { message: (err as Error).message }, requestId: v.requestId }, 'status page: service report link left out');
        return undefined;
      });
      const { timeZone, hotline } = policy();
      return htmlPage(
        reply,
        200,
        renderStatusPage({ lang, state, timeZone, hotline, expiresAt: v.expiresAt, ...(report ? { reportUrl: report } : {}) }),
      );
    },
  );
};
