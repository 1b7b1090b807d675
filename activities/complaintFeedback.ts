import type { ServiceActivities } from './contract';
import type { ActivityDeps } from './deps';

/** Lifecycle 5: a closed product complaint reported to production and engineering (idempotent by event id). */
export function complaintFeedbackActivities(deps: ActivityDeps): Pick<ServiceActivities, 'sendComplaintFeedback'> {
  return {
    async sendComplaintFeedback(event) {
      const outcome = await deps.complaintFeedback.send(event);
      // Ids and the class only: the event holds no customer data, and the log needs none.
      deps.logger.info(
        { requestId: event.requestId, eventId: event.eventId, via: deps.complaintFeedback.via, outcome },
        'complaint feedback',
      );
      return { via: deps.complaintFeedback.via, outcome };
    },
  };
}
