/**
 * One service request, lifecycle version 2 (docs/lifecycle.md), top to bottom:
 *   received → dispatching → assigned → accepted → scheduled → on_site → completed
 *   completed(resolved)   → photo check → completion SMS → call-back → score → (follow-up) → closed
 *   completed(unresolved) → escalated → re-dispatch to a higher tier → …
 *   anything before completed → cancelled;  scheduled/on_site ↔ on_hold
 * Outside actions reach the main line through the inbox (handlers.ts); the main line alone moves the status.
 */
import { allHandlersFinished, CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { ServiceRequestStart, ServiceRequestState } from '../messages';
import { afterCompletion } from './aftercare';
import { dispatch } from './dispatch';
import { registerHandlers } from './handlers';
import { close, makeKit, type Kit } from './kit';
import { visit } from './visit';

export async function serviceRequestV2(input: ServiceRequestStart): Promise<ServiceRequestState> {
  const k = makeKit(input);
  const main = new CancellationScope();
  registerHandlers(k, main);
  try {
    await main.run(() => lifecycle(k));
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled (cancel update): every clock stops, the customer is told.
    k.deadlines.cancelAll();
    k.notify.customer('cancelled', { reason: k.record.data.cancelReason });
    close(k, 'cancelled');
  }
  await condition(allHandlersFinished);
  await k.notify.drain();
  return k.view();
}

async function lifecycle(k: Kit): Promise<void> {
  acknowledge(k);
  startRequestDeadlines(k);
  for (;;) {
    await dispatch(k);
    const end = await visit(k);
    if (end === 'resolved') break;
    if (end === 'unresolved') nextTier(k);
  }
  await afterCompletion(k);
}

/** Ticket number to the customer at once. */
function acknowledge(k: Kit): void {
  const d = k.deadlines.start('acknowledge', k.rules.span('acknowledge'), { warn: false, fromMs: k.record.data.receivedMs });
  k.notify.customer('received', {}, () => k.deadlines.met(d.id));
}

/** Deadlines that count from receipt, with type overrides and the VIP dispatch rule. */
function startRequestDeadlines(k: Kit): void {
  const from = { fromMs: k.record.data.receivedMs };
  k.deadlines.start('dispatch', k.rules.dispatchSpan(), from);
  k.deadlines.start('response', k.rules.span('response'), from);
  k.deadlines.start('on_site', k.rules.span('on_site'), from);
  k.deadlines.start('resolution', k.rules.span('resolution'), from);
  const max = k.rules.overrides.resolution_max;
  if (max) k.deadlines.start('resolution_max', max, from);
}

/** An unresolved visit goes to the next support tier (level 2; the second reaches level 3) and is re-dispatched. */
function nextTier(k: Kit): void {
  const data = k.record.data;
  const unresolved = data.visitResults.filter((c) => !c.resolved).length;
  k.escalation.raiseTo(unresolved >= 2 ? 3 : 2, { reason: 'unresolved', detail: `visit ${data.visit} unresolved` });
  data.visit += 1;
  const v = { visit: data.visit };
  // The revisit gets its own dispatch, response and on-site clocks; resolution keeps counting from receipt.
  k.deadlines.start('dispatch', k.rules.dispatchSpan(), v);
  k.deadlines.start('response', k.rules.span('response'), v);
  k.deadlines.start('on_site', k.rules.span('on_site'), v);
}
