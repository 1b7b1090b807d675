/**
 * Returns and exchanges under 三包 (lifecycle 5), their own branch instead of a technician visit:
 *   eligibility at intake (days since purchase or delivery against the policy windows of the category)
 *     not eligible → refused with the reason, customer told, closed (return_refused)
 *   → inspection (technician or store: fault found, its cause, intact) → the policy's allowed outcomes
 *   → approval (supervisor): refund / replacement → settlement (refund paid, or price difference) → completed,
 *     then the call-back (回访) as after any completion; repair instead → dispatch and a visit; refused → closed.
 * Each step has a deadline from the policy (`returns.<step>.within`); a missed one pages the level the policy
 * names (`escalateTo`) and the step keeps waiting. The customer gets an SMS at each step, in their language.
 * Only lifecycle-5 requests of type return or exchange come here (serviceRequest.ts), so older requests and
 * repairs issue exactly the commands they always did.
 */
import { formatAmount } from '../../src/domain/charges';
import { leadsTo, type Action } from '../../src/domain/lifecycle/actions';
import { MILESTONE_LABEL } from '../../src/domain/labels';
import type { ReturnStepPolicy } from '../../src/domain/policyTypes';
import { assessReturn, judgeEligibility, type RefusalReason, type ReturnKind } from '../../src/domain/returns';
import type { Milestone } from '../../src/domain/types';
import { ctxOf } from './dispatch';
import { isAction, isBreach, type ActionEvent, type BreachEvent, type InboxEvent } from './inbox';
import { close, type Kit } from './kit';
import { nowIso, type ReturnRecord } from './record';

/** settled: completed (the call-back follows); repair: a visit instead; closed: refused. */
export type ReturnEnd = 'settled' | 'repair' | 'closed';

type StepAction = Extract<Action, 'returnInspection' | 'returnApproval' | 'returnSettlement'>;

export async function returnOrExchange(k: Kit): Promise<ReturnEnd> {
  const rec = judgeAtIntake(k);
  if (!rec.eligibility.eligible) {
    const e = rec.eligibility;
    refuse(k, rec, 'window_passed', {
      day: e.day,
      window: e.kind === 'return' ? Math.max(e.returnDays, e.noReasonDays) : e.exchangeDays,
      countedFrom: e.countedFrom,
      alternatives: e.alternatives,
    });
    return 'closed';
  }
  k.notify.customer('return_accepted', { kind: rec.kind, day: rec.eligibility.day, countedFrom: rec.eligibility.countedFrom });
  k.visibility.setStatus('inspection');
  const policy = k.rules.returns();

  const inspected = await awaitStep(k, 'returnInspection', 'return_inspection', policy.inspection, k.record.data.receivedMs);
  inspect(k, rec, inspected);

  // The inspection's caller is answered once the approval's clock runs (its answer shows the deadline).
  const decided = await awaitStep(k, 'returnApproval', 'return_approval', policy.approval, Date.now(), inspected);
  const { outcome, reason, note, by } = decided.args;
  rec.decision = { at: nowIso(), outcome, reason, note, by };
  k.record.log('return_decision', `${outcome}${reason ? ` (${reason})` : ''}${note ? `: ${note}` : ''}`, by);
  if (outcome === 'refused') {
    // Answered with the closed request, as a declined quote is.
    k.inbox.drop(decided);
    refuse(k, rec, reason ?? 'other', { faultCause: rec.inspection?.faultCause });
    k.inbox.settle(decided);
    return 'closed';
  }
  k.visibility.setStatus(leadsTo('returnApproval', decided.args, ctxOf(k)));
  k.notify.customer('return_approved', { kind: rec.kind, outcome });
  // Repair instead: the request goes on as a repair, dispatched with the visit clocks from now (serviceRequest.ts).
  if (outcome === 'repair') {
    k.inbox.settle(decided);
    return 'repair';
  }

  const settled = await awaitStep(k, 'returnSettlement', 'return_settlement', policy.settlement, Date.now(), decided);
  settle(k, rec, outcome, settled);
  return 'settled';
}

/** Eligibility from the purchase or delivery date and the policy windows; the warranty was judged just before. */
function judgeAtIntake(k: Kit): ReturnRecord {
  const { product, type } = k.input.request;
  const data = k.record.data;
  const kind = type as ReturnKind;
  const eligibility = judgeEligibility(
    {
      kind,
      category: product.category,
      purchaseDate: product.purchaseDate,
      deliveryDate: product.deliveryDate,
      receivedMs: data.receivedMs,
      timeZone: k.rules.policy.calendar.timeZone,
      inWarranty: data.warranty?.status === 'in_warranty',
    },
    k.rules.returns(),
  );
  data.returns = { kind, eligibility };
  k.record.log(eligibility.eligible ? 'return_eligible' : 'return_not_eligible', eligibility.reason);
  return data.returns;
}

/**
 * Waits for the step's action with its deadline running from `fromMs`; `previous`, the step before's action, is
 * answered once this clock runs. A missed deadline pages the policy's level for the step (once: the deadline has
 * broken) and the step goes on waiting; cancel interrupts as anywhere.
 */
async function awaitStep<A extends StepAction>(
  k: Kit,
  action: A,
  milestone: Milestone,
  step: ReturnStepPolicy,
  fromMs: number,
  previous?: ActionEvent,
): Promise<ActionEvent<A>> {
  const deadline = k.deadlines.start(milestone, step.within, { fromMs });
  if (previous) k.inbox.settle(previous);
  const due = isBreach(deadline.id);
  for (;;) {
    const e = await k.inbox.next((x: InboxEvent): x is ActionEvent<A> | BreachEvent => isAction(action)(x) || due(x));
    if (e.kind === 'action') {
      k.deadlines.met(deadline.id);
      return e;
    }
    k.inbox.drop(e);
    k.escalation.raiseTo(step.escalateTo, {
      reason: 'breach',
      deadlineId: deadline.id,
      milestone,
      lateByMs: e.deadline.lateByMs,
      dueAt: e.deadline.dueAt,
      detail: `${MILESTONE_LABEL[milestone]} not done by ${e.deadline.dueAt}`,
    });
  }
}

/** The inspection's findings, and the outcomes the policy allows with them. */
function inspect(k: Kit, rec: ReturnRecord, e: ActionEvent<'returnInspection'>): void {
  const { faultFound, faultCause, findings, intact, by } = e.args;
  rec.inspection = { at: nowIso(), faultFound, faultCause, findings, intact, by };
  rec.assessment = assessReturn(rec.eligibility, { faultFound, faultCause, intact }, k.rules.returns());
  const a = rec.assessment;
  k.record.log(
    'return_inspected',
    `${faultFound ? `fault: ${faultCause}` : 'no fault'}${intact ? ', intact' : ''}; ${a.reason}; allowed: ${a.allowed.join(', ') || 'none'}; recommended: ${a.recommended}`,
    by,
  );
  k.visibility.setStatus(leadsTo('returnInspection', e.args, ctxOf(k)));
  k.notify.customer('return_inspected', { kind: rec.kind, faultFound, faultCause });
}

/** The refund paid or the replacement handed over: the return is resolved; the call-back follows. */
function settle(k: Kit, rec: ReturnRecord, outcome: 'refund' | 'replacement', e: ActionEvent<'returnSettlement'>): void {
  const { amount, direction, replacementModel, replacementSerial, note, by } = e.args;
  const { currency } = k.rules.charges();
  rec.settlement = { at: nowIso(), outcome, amount, currency, direction, replacementModel, replacementSerial, note, by };
  k.deadlines.met('resolution');
  k.deadlines.met('resolution_max');
  k.visibility.setStatus(leadsTo('returnSettlement', e.args, ctxOf(k)));
  k.record.log(
    'return_settled',
    `${outcome}: ${formatAmount(amount)} ${currency} ${direction}${replacementModel ? `; replaced by ${replacementModel}` : ''}`,
    by,
  );
  k.inbox.settle(e);
  k.notify.customer('return_settled', { outcome, amount: formatAmount(amount), currency, direction });
}

/** Refused (at intake, or by the supervisor): the customer is told why in their language, and the request closes. */
function refuse(k: Kit, rec: ReturnRecord, reason: RefusalReason, vars: Record<string, unknown>): void {
  rec.refusal = reason;
  // The customer has their answer: the request is resolved as far as its clocks go.
  k.deadlines.met('resolution');
  k.deadlines.met('resolution_max');
  k.record.log('return_refused', reason);
  k.notify.customer('return_refused', { kind: rec.kind, reason, ...withoutUndefined(vars) });
  close(k, 'return_refused');
}

const withoutUndefined = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
