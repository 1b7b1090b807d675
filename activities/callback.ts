import type { ServiceActivities } from './contract';
import type { ActivityDeps } from './deps';

/** The rating link in SMS and the 24-hour satisfaction call-back task for the call centre. */
export function callbackActivities(deps: ActivityDeps): Pick<ServiceActivities, 'issueRatingLink' | 'createCallbackTask'> {
  return {
    async issueRatingLink({ requestId, tokenId, expiresAt }) {
      return { url: deps.ratingLink({ requestId, tokenId, expiresAt }) };
    },
    async createCallbackTask({ requestId, ticket, phone, dueAt, ratingUrl, language, visit, attempt }) {
      const outcome = await deps.callCentre.createTask({
        // One task per call (lifecycle 3 calls again after an unanswered one, and after a revisit); the key makes retries of one call safe.
        key: attempt === undefined ? `${requestId}:callback` : `${requestId}:callback:${visit ?? 1}:${attempt}`,
        requestId,
        ticketNo: ticket,
        phone,
        dueAt,
        ratingUrl,
        language,
      });
      deps.logger.info({ requestId, outcome }, 'callback task');
    },
  };
}
