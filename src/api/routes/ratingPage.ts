/**
 * `GET /r/<token>`: the customer's rating page; `POST /r/<token>`: the same form without JavaScript
 * (urlencoded); `/r/assets/*`: its script and stylesheet. Every failure is a friendly HTML page with a 4xx
 * (or 503) status, never JSON or a stack trace.
 */
import { customerPageErrors, htmlPage } from '../rating/htmlPage';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { ServiceRequestState } from '../../../workflows/messages';
import { isRatingTokenError, verifyRatingToken } from '../../ratingLink';
import { ticketNumber } from '../../temporal/ids';
import { ApiError } from '../errors';
import { NotFoundError, RejectedTransitionError, UnavailableError } from '../port';
import { RATING_CSS, RATING_JS } from '../rating/assets';
import { type Lang, type Outcome, pickLanguage, renderForm, renderMessage } from '../rating/page';
import { errorResponses, htmlOrJsonResponse, htmlResponse, RETRY_AFTER_HEADER } from '../schemas/common';
import { submitFeedback } from './feedback';

const Params = Type.Object({ token: Type.String({ maxLength: 1024 }) });
/** Open: SMS gateways append tracking parameters. */
const Query = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 16 })) });
const FormBody = Type.Object({
  score: Type.Optional(Type.String({ maxLength: 8, description: '1–5; anything else shows the form again (400)', examples: ['5'] })),
  comment: Type.Optional(Type.String({ maxLength: 4000 })),
});

const STATUS: Record<Outcome, number> = { thanks: 200, used: 409, expired: 410, invalid: 404, not_awaiting: 409, unavailable: 503 };

/**
 * What the customer's routes answer (OpenAPI): an HTML page for every outcome; JSON (ErrorBody) only from the
 * layers in front of them: the rate limits (429), the router (414: token over 1024 characters; 400: malformed URL).
 */
const PAGE_RESPONSES = {
  404: htmlResponse('Invalid link (bad signature, unknown request, malformed input): a friendly page'),
  409: htmlResponse('Already rated, or the request is not awaiting a rating: a friendly page'),
  410: htmlResponse('The rating link has expired: a friendly page'),
  503: htmlResponse('Temporarily unavailable: a friendly page; retry after `Retry-After` seconds', RETRY_AFTER_HEADER),
  ...errorResponses(414, 429),
};
const MALFORMED_URL = errorResponses(400)[400]!;

const page = htmlPage;

function message(reply: FastifyReply, lang: Lang, outcome: Outcome, opts: { lowScore?: boolean } = {}): FastifyReply {
  if (outcome === 'unavailable') reply.header('retry-after', '5');
  return page(reply, STATUS[outcome], renderMessage(lang, outcome, opts));
}

/** Which page an error from verifying or submitting means. */
function outcomeOf(e: unknown): Outcome | undefined {
  if (e instanceof ApiError) {
    if (e.code === 'token_expired') return 'expired';
    if (e.code === 'token_used') return 'used';
    if (e.code === 'invalid_token' || e.statusCode === 403) return 'invalid';
  }
  if (e instanceof NotFoundError) return 'invalid';
  // Another action on the request at that instant: reloading in a moment works (not "not awaiting").
  if (e instanceof RejectedTransitionError) return e.failureType === 'Busy' ? 'unavailable' : 'not_awaiting';
  if (e instanceof UnavailableError) return 'unavailable';
  return undefined;
}

export const ratingPageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const services = app.services;

  // Only here: the no-JS form posts urlencoded.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.setErrorHandler(customerPageErrors('rating page', message));

  const assetHeaders = { 'cache-control': 'public, max-age=3600' };
  app.get('/r/assets/rating.js', { config: { auth: false }, schema: { hide: true } }, async (_req, reply) =>
    reply.headers(assetHeaders).type('text/javascript; charset=utf-8').send(RATING_JS),
  );
  app.get('/r/assets/rating.css', { config: { auth: false }, schema: { hide: true } }, async (_req, reply) =>
    reply.headers(assetHeaders).type('text/css; charset=utf-8').send(RATING_CSS),
  );

  app.get(
    '/r/:token',
    {
      config: { auth: false, ratingToken: 'params' },
      schema: {
        summary: 'Customer rating page (HTML)',
        description: 'The link in the completion SMS. Expired, used or invalid links get a friendly page with 410, 409 or 404.',
        tags: ['feedback'],
        params: Params,
        querystring: Query,
        response: { 200: htmlResponse('The rating form'), 400: MALFORMED_URL, ...PAGE_RESPONSES },
      },
    },
    async (req, reply) => {
      const lang = pickLanguage(req.headers['accept-language'], req.query.lang);
      const v = verifyRatingToken(req.params.token, services.ratingLinkSecret, services.now());
      if (isRatingTokenError(v)) return message(reply, lang, v.error === 'expired' ? 'expired' : 'invalid');
      let state: ServiceRequestState;
      try {
        state = await services.requests.get(v.requestId);
      } catch (e) {
        const outcome = outcomeOf(e);
        if (!outcome) throw e;
        return message(reply, lang, outcome);
      }
      if (state.feedback) return message(reply, lang, 'used');
      if (state.status !== 'completed') return message(reply, lang, 'not_awaiting');
      return page(reply, 200, renderForm({ lang, token: req.params.token, requestId: v.requestId, ticket: state.ticket }));
    },
  );

  app.post(
    '/r/:token',
    {
      config: { auth: false, ratingToken: 'params' },
      schema: {
        summary: 'Rating form submit without JavaScript (urlencoded)',
        tags: ['feedback'],
        params: Params,
        querystring: Query,
        body: FormBody,
        consumes: ['application/x-www-form-urlencoded'],
        response: {
          200: htmlResponse('Thank-you page'),
          400: htmlOrJsonResponse('No valid score (1–5): the form again (HTML); a malformed URL: JSON'),
          ...PAGE_RESPONSES,
        },
      },
    },
    async (req, reply) => {
      const lang = pickLanguage(req.headers['accept-language'], req.query.lang);
      const score = Number(req.body.score);
      if (!Number.isInteger(score) || score < 1 || score > 5) {
        const v = verifyRatingToken(req.params.token, services.ratingLinkSecret, services.now());
        if (isRatingTokenError(v)) return message(reply, lang, v.error === 'expired' ? 'expired' : 'invalid');
        return page(reply, 400, renderForm({ lang, token: req.params.token, requestId: v.requestId, ticket: ticketNumber(v.requestId) }));
      }
      try {
        const comment = req.body.comment?.slice(0, 1000);
        await submitFeedback(services, { token: req.params.token, score, ...(comment ? { comment } : {}) });
      } catch (e) {
        const outcome = outcomeOf(e);
        if (!outcome) throw e;
        return message(reply, lang, outcome);
      }
      return message(reply, lang, 'thanks', { lowScore: score <= 3 });
    },
  );
};
