/**
 * One service request, lifecycle versions 2 and 3 (docs/lifecycle.md), top to bottom:
 *   received → dispatching → assigned → accepted → scheduled → on_site → completed
 *   completed(resolved)   → photo check → completion SMS → call-back → score → (follow-up) → closed
 *   completed(unresolved) → escalated → re-dispatch to a higher tier → …
 *   anything before completed → cancelled;  scheduled/on_site ↔ on_hold
 * Version 3 adds: consultations start at first-line handling; confirmed dispatch (met on accept) with exact
 * load; resolved remotely before a visit; appointments kept (reminder, late arrival); the call-back's outcome,
 * where "not fixed" reopens the request for a revisit. Version 4 adds warranty at intake, and on site the
 * diagnosis, the quote of a chargeable repair (declined → closed with the visit fee), spare parts (waiting for
 * them, then a return visit) and the service report (repair.ts). Version 5 gives returns and exchanges their own
 * branch (returns.ts): eligibility, inspection, approval, settlement, then the call-back; or a repair instead; runs
 * complaints on a process of their own (complaint.ts); and flags repeat repairs at intake (repeatRepair.ts).
 * Version 2 requests in flight run exactly as before.
 * Outside actions reach the main line through the inbox (handlers.ts); the main line alone moves the status.
 */
import { allHandlersFinished, CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { ServiceRequestStart, ServiceRequestState } from '../messages';
import { afterCompletion } from './aftercare';
import { dispatch } from './dispatch';
import { registerHandlers } from './handlers';
import { close, makeKit, type Kit } from './kit';
import { visit } from './visit';
import { afterCompletion3 } from './callback';
import { release } from './load';
import { firstLine, takeRemoteResolution } from './remote';
import { judgeAtIntake, repairVisit } from './repair';
import { repeatRepairAtIntake } from './repeatRepair';
import { returnOrExchange } from './returns';
import { isReturnKind } from '../../src/domain/returns';
import { complaintProcess, isComplaintProcess } from './complaint';

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
    k.appointments.clear();
    release(k);
    k.notify.customer('cancelled', { reason: k.record.data.cancelReason });
    close(k, 'cancelled');
  }
  await condition(allHandlersFinished);
  await k.notify.drain();
  await k.projection.final();
  return k.view();
}

async function lifecycle(k: Kit): Promise<void> {
  if (k.version >= 3) return lifecycle3(k);
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

async function lifecycle3(k: Kit): Promise<void> {
  if (k.version >= 4) judgeAtIntake(k);
  if (k.version >= 5) repeatRepairAtIntake(k);
  // Lifecycle 5: a complaint runs its own process (register → analyse → solution → implement → feedback), no visit.
  if (isComplaintProcess(k)) return complaintProcess(k);
  acknowledge(k);
  startResolutionDeadlines(k);
  const receipt = { fromMs: k.record.data.receivedMs };
  let how: 'visit' | 'remote' | 'closed' | 'settled' = 'visit';
  if (k.input.request.type === 'consultation') how = await firstLine(k, () => startVisitDeadlines(k, {}));
  else if (k.version >= 5 && isReturnKind(k.input.request.type)) how = await returnBranch(k);
  else startVisitDeadlines(k, receipt);
  for (;;) {
    if (how === 'visit') how = await serveVisit(k);
    if (how === 'closed') return; // a declined quote closed it (lifecycle 4)
    if (how === 'remote') takeRemoteResolution(k);
    if ((await afterCompletion3(k, how)) === 'closed') return;
    reopen(k);
    how = 'visit';
  }
}

/** Lifecycle 5: a return or exchange; a repair instead is dispatched with the visit clocks from the decision. */
async function returnBranch(k: Kit): Promise<'visit' | 'closed' | 'settled'> {
  const end = await returnOrExchange(k);
  if (end !== 'repair') return end;
  startVisitDeadlines(k, {});
  return 'visit';
}

/** Dispatch and visits until one resolves the fault, or it is resolved remotely before a visit (or a quote is declined). */
async function serveVisit(k: Kit): Promise<'visit' | 'remote' | 'closed'> {
  for (;;) {
    if ((await dispatch(k)) === 'remote') return 'remote';
    const end = k.version >= 4 ? await repairVisit(k) : await visit(k);
    if (end === 'closed') return 'closed';
    if (end === 'resolved') return 'visit';
    if (end === 'remote') return 'remote';
    if (end === 'unresolved') nextTier(k);
  }
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

function startResolutionDeadlines(k: Kit): void {
  const from = { fromMs: k.record.data.receivedMs };
  k.deadlines.start('resolution', k.rules.span('resolution'), from);
  const max = k.rules.overrides.resolution_max;
  if (max) k.deadlines.start('resolution_max', max, from);
}

/** A visit's clocks: from receipt for the first, from the decision for a consultation's or a revisit's. */
function startVisitDeadlines(k: Kit, opts: { fromMs?: number }): void {
  const o = { ...opts, visit: k.record.data.visit };
  k.deadlines.start('dispatch', k.rules.dispatchSpan(), o);
  k.deadlines.start('response', k.rules.span('response'), o);
  k.deadlines.start('on_site', k.rules.span('on_site'), o);
}

/**
 * The call-back found the fault not fixed: a repeat visit on the same request (it counts against first-time
 * fix), with its own clocks; automatic dispatch skips the technician whose fix did not hold (ops may choose them).
 */
function reopen(k: Kit): void {
  const data = k.record.data;
  // Whoever did the job that did not hold: the last visit's technician, or the one assigned when it was fixed remotely.
  const excluded = k.record.technicianId ? [k.record.technicianId] : [];
  data.visit += 1;
  // The new visit has no slot yet: the last one's must not count as its appointment (nor its late arrival).
  data.appointment = undefined;
  data.reopened.push({ at: new Date().toISOString(), visit: data.visit, excluded });
  k.record.log('reopened', `visit ${data.visit}: the call-back found it not fixed${excluded.length ? `; not ${excluded.join(', ')}` : ''}`);
  k.notify.customer('revisit', {});
  startVisitDeadlines(k, {});
}

/** An unresolved visit goes to the next support tier (level 2; the second reaches level 3) and is re-dispatched. */
function nextTier(k: Kit): void {
  const data = k.record.data;
  const unresolved = data.visitResults.filter((c) => !c.resolved).length;
  k.escalation.raiseTo(unresolved >= 2 ? 3 : 2, { reason: 'unresolved', detail: `visit ${data.visit} unresolved` });
  data.visit += 1;
  // As in reopen(); lifecycle 2 never books an `appointment`, so this is a no-op there.
  data.appointment = undefined;
  const v = { visit: data.visit };
  // The revisit gets its own dispatch, response and on-site clocks; resolution keeps counting from receipt.
  k.deadlines.start('dispatch', k.rules.dispatchSpan(), v);
  k.deadlines.start('response', k.rules.span('response'), v);
  k.deadlines.start('on_site', k.rules.span('on_site'), v);
}
