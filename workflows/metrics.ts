/**
 * Deadline counters from workflow code, through the SDK's workflow metric meter (exported by the worker's
 * Prometheus endpoint, src/metrics/worker.ts). Replay-safe: the meter records nothing while replaying and
 * adds no commands to the history. Meters only exist inside a workflow, so counters are made per use.
 */
import { metricMeter } from '@temporalio/workflow';
import type { Milestone, Urgency } from '../src/domain/types';

export const DEADLINE_WARNINGS_METRIC = 'aftercare_deadline_warnings';
export const DEADLINE_BREACHES_METRIC = 'aftercare_deadline_breaches';

export function countDeadlineWarning(milestone: Milestone, urgency: Urgency): void {
  metricMeter
    .createCounter(DEADLINE_WARNINGS_METRIC, 'deadlines', "Deadline warnings (at the policy's warningAt of the span)")
    .add(1, { milestone, urgency });
}

export function countDeadlineBreach(milestone: Milestone, urgency: Urgency): void {
  metricMeter.createCounter(DEADLINE_BREACHES_METRIC, 'deadlines', 'Deadlines that broke').add(1, { milestone, urgency });
}
