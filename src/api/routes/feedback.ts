/**
 * Customer feedback (docs/api.md, Customer feedback): authenticated by the signed token from the SMS link, not a bearer token.
 * Signature and expiry are checked here; single use by the workflow (its validator refuses a used token id).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceRequestState } from '../../../workflows/messages';
import { isRatingTokenError, verifyRatingToken } from '../../ratingLink';
import { ApiError, forbidden } from '../errors';
import { RejectedTransitionError } from '../port';
import type { Services } from '../plugins/services';
import { errorResponses, RequestIdParams } from '../schemas/common';
import { Type } from 'typebox';
import { FeedbackBody } from '../schemas/transitions';

export interface FeedbackInput {
  token: string;
  score: number;
  comment?: string;
  /** The id in the URL, when there is one: must be the token's. */
  requestId?: string;
}

/** Drops control characters except tab and line breaks. */
function stripControl(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c !== 0x7f)) out += ch;
  }
  return out;
}

export async function submitFeedback(services: Services, f: FeedbackInput): Promise<ServiceRequestState> {
  const v = verifyRatingToken(f.token, services.ratingLinkSecret, services.now());
  if (isRatingTokenError(v)) {
    if (v.error === 'expired')
      throw new ApiError(410, 'token_expired', 'this rating link has expired', [{ path: 'token', message: 'expired' }]);
    throw new ApiError(401, 'invalid_token', 'this rating link is not valid', [{ path: 'token', message: 'not a valid rating token' }]);
  }
  if (f.requestId !== undefined && f.requestId !== v.requestId) throw forbidden('the rating token belongs to another request', 'token');
  // The no-JS form is not schema-checked like the JSON body: drop control characters here for both.
  const comment = f.comment === undefined ? undefined : stripControl(f.comment).trim();
  try {
    return await services.requests.update(v.requestId, 'feedback', { score: f.score, tokenId: v.tokenId, ...(comment ? { comment } : {}) });
  } catch (e) {
    if (!(e instanceof RejectedTransitionError)) throw e;
    const state = await services.requests.get(v.requestId).catch(() => undefined);
    if (state?.feedback) {
      throw new ApiError(409, 'token_used', 'this rating link has already been used', [{ path: 'token', message: 'already used' }]);
    }
    throw e;
  }
}

const FeedbackResponse = Type.Object({
  requestId: Type.String(),
  ticket: Type.String(),
  status: Type.String(),
  score: Type.Integer(),
});

export const feedbackRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/service-requests/:id/feedback',
    {
      // Limited per IP and per rating token (in the body), never per Authorization header.
      config: { auth: false, ratingToken: 'body' },
      schema: {
        summary: 'Customer rating (1–5) with the signed token from the rating link',
        description:
          'No bearer token: the `token` from the SMS link authenticates. 401 invalid token, 403 token of another ' +
          'request, 410 expired, 409 already used or the request is not awaiting a rating.',
        tags: ['feedback'],
        params: RequestIdParams,
        body: FeedbackBody,
        response: { 200: FeedbackResponse, ...errorResponses(400, 401, 403, 404, 409, 410, 413, 414, 415, 429, 503) },
      },
    },
    async (req) => {
      const state = await submitFeedback(app.services, { ...req.body, requestId: req.params.id });
      req.log.info({ requestId: req.params.id, score: req.body.score }, 'feedback received');
      // The customer sees their own answer, not the request's internals (technicians, escalations).
      return { requestId: state.requestId, ticket: state.ticket, status: state.status, score: req.body.score };
    },
  );
};
