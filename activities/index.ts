import type { ServiceActivities } from './contract';
import type { ActivityDeps } from './deps';
import { callbackActivities } from './callback';
import { chargeActivities } from './charges';
import { complaintFeedbackActivities } from './complaintFeedback';
import { dispatchActivities } from './dispatch';
import { escalateActivities } from './escalate';
import { notifyActivities } from './notify';
import { photoActivities } from './photos';
import { projectionActivities } from './projection';
import { serviceReportActivities } from './serviceReport';

export type { ActivityDeps, DispatchBoard } from './deps';
export { ClaimRefusedError } from './deps';
export type { ServiceActivities } from './contract';

/** The activity implementations the worker registers, built from their dependencies. */
export function createActivities(deps: ActivityDeps): ServiceActivities {
  return {
    ...notifyActivities(deps),
    ...escalateActivities(deps),
    ...dispatchActivities(deps),
    ...photoActivities(deps),
    ...callbackActivities(deps),
    ...chargeActivities(deps),
    ...serviceReportActivities(deps),
    ...complaintFeedbackActivities(deps),
    ...projectionActivities(deps),
  };
}
