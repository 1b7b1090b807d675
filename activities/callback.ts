import type { ServiceActivities } from './contract';
import type { ActivityDeps } from './deps';

/** The rating link in SMS and the 24-hour satisfaction call-back task for the call centre. */
export function callbackActivities(deps: ActivityDeps): Pick<ServiceActivities, 'issueRatingLink' | 'createCallbackTask'> {
  return {
    async issueRatingLink({ requestId, tokenId, expiresAt }) {
      return { url: deps.ratingLink({ requestId, tokenId, expiresAt }) };
    },
    async createCallbackTask({ requestId, ticket, phone, dueAt, ratingUrl, language }) {
      const outcome = await deps.callCentre.createTask({
        key: `${requestId}:callback`,
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
