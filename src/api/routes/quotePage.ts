/**
 * `GET /q/<token>`: the customer's quote page (lifecycle 4; the link in the `quote` SMS); `POST /q/<token>`:
 * Approve / Decline, a plain form (urlencoded, no JavaScript), sent to the workflow as `quoteResponse` with the
 * token's id — no principal: the signed link is the customer. `/q/assets/quote.css`: its styles. Like the rating
 * page (./ratingPage.ts), every failure is a friendly HTML page with a 4xx (or 503) status, never JSON or a
 * stack trace: 404 invalid link, 410 expired, 409 already answered (or no longer awaiting a decision).
 */
import { customerPageErrors, htmlPage } from '../rating/htmlPage';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { ServiceRequestState } from '../../../workflows/messages';
import { POLICY_DEFAULTS } from '../../domain/policy';
import { isRatingTokenError, verifyRatingToken, type RatingTokenPayload } from '../../ratingLink';
import { NotFoundError, RejectedTransitionError, UnavailableError } from '../port';
import type { Services } from '../plugins/services';
import { QUOTE_CSS } from '../quote/assets';
import { type Quote, type QuoteOutcome, renderQuote, renderQuoteMessage } from '../quote/page';
import { type Lang, pickLanguage } from '../rating/page';
import { errorResponses, htmlOrJsonResponse, htmlResponse, RETRY_AFTER_HEADER } from '../schemas/common';

export interface QuotePageOptions {
  /** IANA zone the decision deadline is shown in: the policy's (default Asia/Shanghai). */
  timeZone?: string;
}

const Params = Type.Object({ token: Type.String({ maxLength: 1024 }) });
/** Open: SMS gateways append tracking parameters. */
const Query = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 16 })) });
const FormBody = Type.Object({
  approved: Type.Optional(
    Type.String({
      maxLength: 8,
      description: '`true` approves, `false` declines; anything else shows the quote again (400)',
      examples: ['true'],
    }),
  ),
});

const STATUS: Record<QuoteOutcome, number> = { approved: 200, declined: 200, answered: 409, expired: 410, invalid: 404, unavailable: 503 };

/** What the customer's routes answer (OpenAPI): an HTML page for every outcome; JSON only from the layers in front. */
const PAGE_RESPONSES = {
  404: htmlResponse('Invalid link (bad signature, a link for something else, unknown request, malformed input): a friendly page'),
  409: htmlResponse('The quote was already answered, or the request no longer awaits a decision: a friendly page'),
  410: htmlResponse('The quote link has expired (call the hotline): a friendly page'),
  503: htmlResponse('Temporarily unavailable: a friendly page; retry after `Retry-After` seconds', RETRY_AFTER_HEADER),
  ...errorResponses(414, 429),
};
const MALFORMED_URL = errorResponses(400)[400]!;

const page = htmlPage;

function message(reply: FastifyReply, lang: Lang, outcome: QuoteOutcome, state?: ServiceRequestState): FastifyReply {
  if (outcome === 'unavailable') reply.header('retry-after', '5');
  return page(reply, STATUS[outcome], renderQuoteMessage(lang, outcome, state?.visitFee ? { visitFee: state.visitFee } : {}));
}

/**
 * Which page an error from reading or answering means. The workflow refuses a used link (`TokenUsed`), a link of
 * an earlier quote (`InvalidToken`) and a request no longer at `quote_pending` (an invalid transition): answered.
 */
function outcomeOf(e: unknown): QuoteOutcome | undefined {
  if (e instanceof NotFoundError) return 'invalid';
  // Another action on the request at that instant: answering again in a moment works.
  if (e instanceof RejectedTransitionError) return e.failureType === 'Busy' ? 'unavailable' : 'answered';
  if (e instanceof UnavailableError) return 'unavailable';
  return undefined;
}

type Verified = { outcome: QuoteOutcome } | { link: RatingTokenPayload };
type Found = { outcome: QuoteOutcome } | { link: RatingTokenPayload; state: ServiceRequestState; quote: Quote };

function verify(services: Services, token: string): Verified {
  const v = verifyRatingToken(token, services.ratingLinkSecret, services.now(), 'quote');
  if (isRatingTokenError(v)) return { outcome: v.error === 'expired' ? 'expired' : 'invalid' };
  return { link: v };
}

/** The quote awaiting the customer: the request's last quote without a decision, while the request waits for one. */
export function pendingQuote(state: ServiceRequestState): Quote | undefined {
  if (state.status !== 'quote_pending') return undefined;
  const quotes = state.quotes ?? [];
  for (let i = quotes.length - 1; i >= 0; i--) if (!quotes[i]!.decision) return quotes[i];
  return undefined;
}

async function find(services: Services, token: string): Promise<Found> {
  const v = verify(services, token);
  if ('outcome' in v) return v;
  let state: ServiceRequestState;
  try {
    state = await services.requests.get(v.link.requestId);
  } catch (e) {
    const outcome = outcomeOf(e);
    if (!outcome) throw e;
    return { outcome };
  }
  const quote = pendingQuote(state);
  return quote ? { link: v.link, state, quote } : { outcome: 'answered' };
}

export const quotePageRoutes: FastifyPluginAsyncTypebox<QuotePageOptions> = async (app, opts) => {
  const services = app.services;
  const timeZone = opts.timeZone ?? POLICY_DEFAULTS.timeZone;
  // An unknown zone stops the API at start-up rather than failing every page.
  new Intl.DateTimeFormat('en', { timeZone }).format(0);

  // Only here: the no-JS form posts urlencoded.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.setErrorHandler(customerPageErrors('quote page', message));

  app.get('/q/assets/quote.css', { config: { auth: false }, schema: { hide: true } }, async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(QUOTE_CSS),
  );

  app.get(
    '/q/:token',
    {
      config: { auth: false, ratingToken: 'params' },
      schema: {
        summary: 'Customer quote page (HTML)',
        description:
          'The link in the `quote` SMS (lifecycle 4): the quote of a chargeable repair with Approve / Decline. ' +
          'Expired, invalid or already answered links get a friendly page with 410, 404 or 409.',
        tags: ['quotes'],
        params: Params,
        querystring: Query,
        response: { 200: htmlResponse('The quote with Approve / Decline'), 400: MALFORMED_URL, ...PAGE_RESPONSES },
      },
    },
    async (req, reply) => {
      const lang = pickLanguage(req.headers['accept-language'], req.query.lang);
      const found = await find(services, req.params.token);
      if ('outcome' in found) return message(reply, lang, found.outcome);
      return page(reply, 200, renderQuote({ lang, token: req.params.token, ticket: found.state.ticket, quote: found.quote, timeZone }));
    },
  );

  app.post(
    '/q/:token',
    {
      config: { auth: false, ratingToken: 'params' },
      schema: {
        summary: 'Quote decision without JavaScript (urlencoded `approved=true|false`)',
        description:
          "Sends the customer's decision to the workflow (update `quoteResponse` with the link's token id). Approved: " +
          'the technician goes on with the repair. Declined: the request closes as `quote_declined` and the page names ' +
          'the visit fee due.',
        tags: ['quotes'],
        params: Params,
        querystring: Query,
        body: FormBody,
        consumes: ['application/x-www-form-urlencoded'],
        response: {
          200: htmlResponse('Result page: approved, or declined with the visit fee'),
          400: htmlOrJsonResponse('No decision (`approved` neither true nor false): the quote again (HTML); a malformed URL: JSON'),
          ...PAGE_RESPONSES,
        },
      },
    },
    async (req, reply) => {
      const lang = pickLanguage(req.headers['accept-language'], req.query.lang);
      const { token } = req.params;
      const approved = req.body.approved === 'true' ? true : req.body.approved === 'false' ? false : undefined;
      if (approved === undefined) {
        const found = await find(services, token);
        if ('outcome' in found) return message(reply, lang, found.outcome);
        return page(reply, 400, renderQuote({ lang, token, ticket: found.state.ticket, quote: found.quote, timeZone, chooseAgain: true }));
      }
      const v = verify(services, token);
      if ('outcome' in v) return message(reply, lang, v.outcome);
      let state: ServiceRequestState;
      try {
        state = await services.requests.update(v.link.requestId, 'quoteResponse', { approved, tokenId: v.link.tokenId });
      } catch (e) {
        const outcome = outcomeOf(e);
        if (!outcome) throw e;
        return message(reply, lang, outcome);
      }
      req.log.info({ requestId: v.link.requestId, approved, status: state.status }, 'quote answered through the link');
      return message(reply, lang, approved ? 'approved' : 'declined', state);
    },
  );
};
