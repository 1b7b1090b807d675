/**
 * Deadline counters from workflow code, through the SDK's workflow metric meter (exported by the worker's
 * Prometheus endpoint, src/metrics/worker.ts). Replay-safe: the meter records nothing while replaying and
 * adds no commands to the history. Meters only exist inside a workflow, so counters are made per use.
 */
import { metricMeter } from '@temporalio/workflow';
import type { Milestone, Urgency } from '../src/domain/types';

export const DEADLINE_WARNINGS_METRIC = 'aftercare_deadline_warnings';
export const DEADLINE_BREACHES_METRIC = 'aftercare_deadline_breaches';
export const DEADLINES_MET_METRIC = 'aftercare_deadlines_met';
export const SMS_UNDELIVERED_METRIC = 'aftercare_sms_undelivered';

/** Who a message that failed for good was for: the customer, a technician, or an escalation contact (a page). */
export type SmsRecipient = 'customer' | 'technician' | 'escalation';

export function countDeadlineWarning(milestone: Milestone, urgency: Urgency): void {
  metricMeter
    .createCounter(DEADLINE_WARNINGS_METRIC, 'deadlines', "Deadline warnings (at the policy's warningAt of the span)")
    .add(1, { milestone, urgency });
}

export function countDeadlineBreach(milestone: Milestone, urgency: Urgency): void {
  metricMeter.createCounter(DEADLINE_BREACHES_METRIC, 'deadlines', 'Deadlines that broke').add(1, { milestone, urgency });
}

/** SLA compliance per milestone = met ÷ (met + breaches): a deadline met late counts as breached only. */
export function countDeadlineMet(milestone: Milestone, urgency: Urgency): void {
  metricMeter.createCounter(DEADLINES_MET_METRIC, 'deadlines', 'Deadlines met on time').add(1, { milestone, urgency });
}

/** A message that failed for good (the SMS retry budget ran out, or the provider refused it): an `sms_failure`. */
export function countSmsUndelivered(recipient: SmsRecipient, kind: string): void {
  metricMeter
    .createCounter(SMS_UNDELIVERED_METRIC, 'messages', 'SMS and pages that failed for good (retry budget spent or refused)')
    .add(1, { recipient, kind });
}
