/**
 * Waiting for spare parts (lifecycle 4): the technician orders them on site; the customer is told the expected
 * date; the resolution clock stops while waiting when the policy says so (`parts.pauseResolution`). The warehouse
 * (or ops) confirms dispatch — a new expected date tells the customer again — and arrival, after which the
 * technician books the return visit. An expected date that passes pages the warehouse contact (level 1) and
 * tells the customer, each time it passes.
 */
import type { Milestone } from '../../src/domain/types';
import { leadsTo } from '../../src/domain/lifecycle/actions';
import { MILESTONE_LABEL } from '../../src/domain/labels';
import { ctxOf } from './dispatch';
import { isAction, isBreach, type ActionEvent, type BreachEvent, type InboxEvent } from './inbox';
import type { Kit } from './kit';
import { nowIso, type PartsOrder } from './record';

/** The clocks waiting for parts stops (policy switch). */
const PAUSED_FOR_PARTS: readonly Milestone[] = ['resolution', 'resolution_max'];

type PartsEvent = ActionEvent<'partsDispatched' | 'partsArrived'> | BreachEvent;

export async function waitForParts(k: Kit, e: ActionEvent<'partsRequest'>): Promise<void> {
  const data = k.record.data;
  const policy = k.rules.parts();
  const n = data.parts.length + 1;
  const order: PartsOrder = {
    id: `P${n}`,
    at: nowIso(),
    by: e.args.by,
    technicianId: e.args.technicianId,
    lines: e.priced?.lines ?? [],
    reason: e.args.reason,
    expectedBy: e.args.expectedBy,
    overdue: [],
    pausedResolution: policy.pauseResolution,
  };
  data.parts.push(order);
  if (policy.pauseResolution) k.deadlines.pauseMilestones(PAUSED_FOR_PARTS);
  // The n-th order's deadline is `parts#n`; a new expected date after a miss starts it again.
  let deadline = expect(k, order, n);
  k.visibility.setStatus(leadsTo('partsRequest', e.args, ctxOf(k)));
  k.record.log('parts_requested', `${order.id}: ${partNames(order)}; expected by ${order.expectedBy}; ${order.reason}`, e.args.by);
  k.inbox.settle(e);
  k.notify.customer('parts_expected', { expectedBy: order.expectedBy, partNames: partNames(order) });
  for (;;) {
    const due = isBreach(deadline.id);
    const next = await k.inbox.next((x: InboxEvent): x is PartsEvent => isAction('partsDispatched', 'partsArrived')(x) || due(x));
    if (next.kind === 'breach') {
      k.inbox.drop(next);
      overdue(k, order);
      continue;
    }
    if (next.action === 'partsArrived') {
      arrived(k, order, deadline.id, next as ActionEvent<'partsArrived'>);
      return;
    }
    deadline = dispatched(k, order, n, deadline.id, next as ActionEvent<'partsDispatched'>);
  }
}

function expect(k: Kit, order: PartsOrder, n: number) {
  const ms = Math.max(1, Date.parse(order.expectedBy) - Date.now());
  return k.deadlines.start('parts', { ms, business: false, text: `until ${order.expectedBy}` }, { warn: false, visit: n });
}

function overdue(k: Kit, order: PartsOrder): void {
  const warehouse = k.rules.parts().warehouse;
  order.overdue.push(order.expectedBy);
  k.record.log('parts_overdue', `${order.id}: not arrived by ${order.expectedBy}`);
  k.escalation.raiseTo(1, {
    reason: 'parts_overdue',
    milestone: 'parts',
    detail: `${order.id} ${partNames(order)} expected ${order.expectedBy}`,
    contact: { level: 1, ...warehouse },
  });
  k.notify.customer('parts_delayed', { expectedBy: order.expectedBy });
}

function dispatched(k: Kit, order: PartsOrder, n: number, deadlineId: string, e: ActionEvent<'partsDispatched'>) {
  const { shipment, expectedBy, note, by } = e.args;
  order.dispatchedAt = nowIso();
  if (shipment) order.shipment = shipment;
  let deadline = k.deadlines.get(deadlineId)!;
  const moved = expectedBy !== undefined && expectedBy !== order.expectedBy;
  if (moved) {
    const before = order.expectedBy;
    order.expectedBy = expectedBy;
    // A pending deadline moves; one that already broke starts again at the new date.
    if (!k.deadlines.moveDue(deadlineId, Date.parse(expectedBy), 'new expected date from the warehouse')) deadline = expect(k, order, n);
    if (order.overdue.length) k.notify.customer('parts_delayed', { expectedBy: before, newExpectedBy: expectedBy });
    else k.notify.customer('parts_expected', { expectedBy, partNames: partNames(order) });
  }
  const detail = [shipment, moved ? `expected by ${expectedBy}` : undefined, note].filter(Boolean).join('; ');
  k.record.log('parts_dispatched', `${order.id}${detail ? `: ${detail}` : ''}`, by);
  k.inbox.settle(e);
  return deadline;
}

function arrived(k: Kit, order: PartsOrder, deadlineId: string, e: ActionEvent<'partsArrived'>): void {
  order.arrivedAt = nowIso();
  k.deadlines.met(deadlineId);
  const resumed = order.pausedResolution ? k.deadlines.resume() : [];
  k.visibility.setStatus(leadsTo('partsArrived', e.args, ctxOf(k)));
  const clocks = resumed.map((x) => `${MILESTONE_LABEL[x.milestone]} due ${x.dueAt}`).join(', ');
  k.record.log('parts_arrived', `${order.id}${e.args.note ? `: ${e.args.note}` : ''}${clocks ? `; ${clocks}` : ''}`, e.args.by);
  k.inbox.settle(e);
  k.notify.customer('parts_arrived', {});
}

const partNames = (order: PartsOrder): string => order.lines.map((l) => `${l.name.zh} ×${l.quantity}`).join('、');
