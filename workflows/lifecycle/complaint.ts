/**
 * A complaint with a process (lifecycle 5; docs/lifecycle.md, Complaints): registered at intake (classified, linked
 * to the earlier request it is about and through it to that request's technician; a repeat within the policy's
 * window is raised one level and linked to the earlier complaint), then
 *   analysis → solution → implementation → complaint_feedback → closed,
 * each step an ops action with its own deadline from the step's start (a missed one escalates one level and the
 * step keeps waiting). Closing takes the customer's feedback; a service complaint needs an accountability outcome
 * (validated in handlers.ts), a product complaint is reported to production and engineering after it closes.
 * No dispatch and no visit: a technician is not sent to a complaint about them.
 */
import { ActivityFailure } from '@temporalio/workflow';
import {
  complaintFeedbackEventId,
  needsProductFeedback,
  repeatOf,
  type ComplaintFeedbackEvent,
  type ComplaintStep,
} from '../../src/domain/complaints';
import type { Action } from '../../src/domain/lifecycle/actions';
import type { Milestone, Status } from '../../src/domain/types';
import { notifier } from '../proxies';
import { isAction, type ActionEvent } from './inbox';
import { close, type Kit } from './kit';
import { nowIso, type ComplaintRecord } from './record';
import { sendReceipt } from './statusLink';

/** Lifecycle 5 runs complaints on their own process; older versions (and every other type) dispatch them as before. */
export const isComplaintProcess = (k: Kit): boolean => k.version >= 5 && k.input.request.type === 'complaint';

const STEP_ACTION = {
  analysis: 'complaintAnalysis',
  solution: 'complaintSolution',
  implementation: 'complaintImplementation',
  feedback: 'complaintFeedback',
} as const satisfies Record<ComplaintStep, Action>;
const STEP_STATUS: Record<ComplaintStep, Status> = {
  analysis: 'analysis',
  solution: 'solution',
  implementation: 'implementation',
  feedback: 'complaint_feedback',
};
const milestoneOf = (step: ComplaintStep): Milestone => `complaint_${step}`;

export async function complaintProcess(k: Kit): Promise<void> {
  const c = register(k);
  let due = begin(k, 'analysis', k.record.data.receivedMs);
  const analysed = await taken(k, 'analysis', due);
  analyse(k, c, analysed);
  due = begin(k, 'solution');
  settle(k, analysed, () => k.notify.customer('complaint_analysed', {}));
  const solved = await taken(k, 'solution', due);
  solve(k, c, solved);
  due = begin(k, 'implementation');
  settle(k, solved, () => k.notify.customer('complaint_solution', { solution: solved.args.solution }));
  const done = await taken(k, 'implementation', due);
  implement(k, c, done);
  due = begin(k, 'feedback');
  settle(k, done, () => k.notify.customer('complaint_implemented', {}));
  closeComplaint(k, c, await taken(k, 'feedback', due));
}

/** 投诉登记: class, link, repeat; the acknowledgement (ticket number) and the resolution clock start at once. */
function register(k: Kit): ComplaintRecord {
  const data = k.record.data;
  const { complaint } = k.input.request;
  const c: ComplaintRecord = { classification: complaint?.classification ?? 'other' };
  if (k.input.complaintLink) c.relatesTo = { ...k.input.complaintLink };
  data.complaint = c;
  const link = c.relatesTo;
  k.record.log(
    'complaint_registered',
    `${c.classification}${link ? `; about ${link.ticket}${link.technicianId ? ` (technician ${link.technicianId})` : ''}` : ''}`,
  );

  const ack = k.deadlines.start('acknowledge', k.rules.span('acknowledge'), { warn: false, fromMs: data.receivedMs });
  sendReceipt(k, 'complaint_registered', () => k.deadlines.met(ack.id));
  // As every request: the resolution deadline (the complaint type's override, 3 days) counts from receipt.
  const from = { fromMs: data.receivedMs };
  k.deadlines.start('resolution', k.rules.span('resolution'), from);
  const max = k.rules.overrides.resolution_max;
  if (max) k.deadlines.start('resolution_max', max, from);

  // 重复投诉: the customer complained before within the window (customer history at intake) → one level up, linked.
  const policy = k.rules.complaints();
  const earlier = repeatOf(data.earlierRequests, data.receivedMs, policy.repeatWindow.ms);
  if (earlier) {
    c.repeatOf = { requestId: earlier.requestId, ticket: earlier.ticket, startedAt: earlier.startedAt };
    k.escalation.raiseBy(1, {
      reason: 'repeat_complaint',
      detail: `repeat of complaint ${earlier.ticket} (${earlier.startedAt}, within ${policy.repeatWindow.text})`,
    });
  }
  return c;
}

/** A step starts: its status, and its deadline from now (the analysis: from receipt). A breach only escalates (kit.ts). */
function begin(k: Kit, s: ComplaintStep, fromMs?: number): string {
  k.visibility.setStatus(STEP_STATUS[s]);
  return k.deadlines.start(milestoneOf(s), k.rules.complaints().deadlines[s], fromMs === undefined ? {} : { fromMs }).id;
}

/** The ops action that completes the step, once it comes; the step's deadline is met then (late counts as breached). */
async function taken<S extends ComplaintStep>(k: Kit, s: S, deadlineId: string): Promise<ActionEvent<(typeof STEP_ACTION)[S]>> {
  const e = await k.inbox.next(isAction(STEP_ACTION[s]));
  k.deadlines.met(deadlineId);
  return e as ActionEvent<(typeof STEP_ACTION)[S]>;
}

/** The caller's answer shows the next step already begun (its status and deadline); then the customer is told. */
function settle(k: Kit, e: ActionEvent, tell: () => void): void {
  k.inbox.settle(e);
  tell();
}

function analyse(k: Kit, c: ComplaintRecord, e: ActionEvent<'complaintAnalysis'>): void {
  const { findings, classification, by } = e.args;
  c.analysis = { at: nowIso(), findings, by };
  if (classification && classification !== c.classification) {
    c.classifiedAtIntake ??= c.classification;
    c.classification = classification;
  }
  k.record.log('complaint_analysed', `${c.classification}: ${findings}`, by);
}

function solve(k: Kit, c: ComplaintRecord, e: ActionEvent<'complaintSolution'>): void {
  const { solution, note, by } = e.args;
  c.solution = { at: nowIso(), solution, note, by };
  k.record.log('complaint_solution', solution, by);
}

function implement(k: Kit, c: ComplaintRecord, e: ActionEvent<'complaintImplementation'>): void {
  const { notes, by } = e.args;
  c.implementation = { at: nowIso(), notes, by };
  k.record.log('complaint_implemented', notes, by);
}

/** 反馈 and closing: the customer's word, accountability (checked by the validator), the product feedback event. */
function closeComplaint(k: Kit, c: ComplaintRecord, e: ActionEvent<'complaintFeedback'>): void {
  const { satisfied, feedback, accountability, by } = e.args;
  const at = nowIso();
  c.feedback = { at, satisfied, feedback, by };
  if (accountability) {
    c.accountability = { ...accountability, responsible: { ...accountability.responsible }, at };
    k.record.log(
      'complaint_accountability',
      `${accountability.responsible.kind} ${accountability.responsible.name}: ${accountability.action}`,
      by,
    );
  }
  k.record.log('complaint_feedback', `${satisfied ? 'satisfied' : 'not satisfied'}: ${feedback}`, by);
  // The complaint is resolved: its resolution clocks are met, not cancelled.
  k.deadlines.met('resolution');
  if (k.deadlines.get('resolution_max')) k.deadlines.met('resolution_max');
  if (needsProductFeedback(c.classification)) c.productFeedback = { eventId: complaintFeedbackEventId(k.record.requestId) };
  k.inbox.drop(e);
  close(k, 'closed');
  k.inbox.settle(e);
  k.notify.customer('complaint_closed', {});
  if (c.productFeedback) reportToProduction(k, c, at);
}

/**
 * 及时反馈给技术、生产: the event goes out beside the closing (the caller is not held while a webhook is down), retried
 * for the SMS budget; the workflow waits for it before it ends. Still failing then: level 1 is paged.
 */
function reportToProduction(k: Kit, c: ComplaintRecord, closedAt: string): void {
  const r = k.input.request;
  const fb = c.productFeedback!;
  const event: ComplaintFeedbackEvent = {
    eventId: fb.eventId,
    type: 'complaint.product_feedback',
    requestId: k.record.requestId,
    ticket: k.record.ticket,
    classification: c.classification,
    product: {
      model: r.product.model,
      category: r.product.category,
      purchaseDate: r.product.purchaseDate,
      ...(r.product.serialNumber ? { serialNumber: r.product.serialNumber } : {}),
    },
    problem: r.problem.description,
    ...(c.analysis ? { findings: c.analysis.findings } : {}),
    ...(c.solution ? { solution: c.solution.solution } : {}),
    ...(c.implementation ? { implementation: c.implementation.notes } : {}),
    ...(c.relatesTo ? { relatesTo: { requestId: c.relatesTo.requestId, ticket: c.relatesTo.ticket } } : {}),
    ...(c.repeatOf ? { repeatOf: { requestId: c.repeatOf.requestId, ticket: c.repeatOf.ticket } } : {}),
    closedAt,
  };
  const acts = notifier(k.rules.policy.smsRetryBudget?.ms ?? 2 * 3600_000);
  k.notify.alongside(async () => {
    try {
      const res = await acts.sendComplaintFeedback.executeWithOptions(
        { summary: 'Product complaint feedback to production and engineering' },
        [event],
      );
      fb.sentAt = nowIso();
      fb.via = res.via;
      k.record.log('complaint_feedback_sent', `${fb.eventId} via ${res.via}${res.outcome === 'duplicate' ? ' (already there)' : ''}`);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      fb.failedAt = nowIso();
      fb.error = err.cause?.message ?? err.message;
      k.escalation.raiseTo(1, { reason: 'complaint_feedback_failed', detail: `${fb.eventId}: ${fb.error}` });
    }
  });
}
