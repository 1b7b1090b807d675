/**
 * Lifecycle 5: a repeat repair (二次上门) — the same customer's same product back soon after an earlier repair was
 * fixed. Flagged and linked at intake, raised to level 1 (the service team works to avoid a second visit for the
 * same fault), and automatic dispatch leaves out the technician whose fix did not hold (record.excludedTechnicians;
 * ops may still assign them).
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { repeatOf } from '../../src/domain/repeatRepair';
import { SA } from '../../src/temporal/searchAttributes';
import type { Kit } from './kit';

export function repeatRepairAtIntake(k: Kit): void {
  const data = k.record.data;
  const earlier = repeatOf(k.input.request.type, k.input.history, data.receivedMs, k.rules.repeatRepair().window.ms);
  if (!earlier) return;
  data.repeatRepair = earlier;
  // Ops find repeats in the Temporal UI, and the daily report counts the earlier request's visit as not a first-time fix.
  upsertSearchAttributes([{ key: SA.RepeatOf, value: earlier.requestId }]);
  const by = earlier.technicianId ? ` by ${earlier.technicianId}` : '';
  k.record.log('repeat_repair', `repeats ${earlier.ticket} (${earlier.requestId}), fixed ${earlier.resolvedAt}${by}`);
  k.escalation.raiseTo(1, { reason: 'repeat_repair', detail: `repeats ${earlier.ticket}` });
}
