/**
 * The visit, from acceptance to completion: booked → on site → completed, each an explicit wait. Wherever it
 * waits, the same interruptions are handled here: re-booking, hold and resume (the clocks pause), and ops
 * assigning someone else (back to dispatch).
 */
import type { Milestone } from '../../src/domain/types';
import { leadsTo, type Action } from '../../src/domain/lifecycle/actions';
import { ctxOf, visitDeadlineId } from './dispatch';
import { isAction, type ActionEvent } from './inbox';
import type { Kit } from './kit';
import { release } from './load';
import { nowIso } from './record';

export type VisitEnd = 'resolved' | 'unresolved' | 'reassigned' | 'remote';

/** Clocks that stop while a request is on hold: resolution, and a pending on-site (the customer asked to wait). */
const PAUSED_ON_HOLD: readonly Milestone[] = ['resolution', 'resolution_max', 'on_site', 'appointment'];

export async function visit(k: Kit): Promise<VisitEnd> {
  const booked = await until(k, 'appointment');
  if (typeof booked === 'string') return booked;
  book(k, booked);
  const arrived = await until(k, 'arrival');
  if (typeof arrived === 'string') return arrived;
  arrive(k, arrived);
  const done = await until(k, 'completion');
  if (typeof done === 'string') return done;
  return complete(k, done);
}

/**
 * Waits for `target` (one of them), handling interruptions meanwhile. Ends early when ops reassigned the request
 * (dispatch takes the assignment) or, before the arrival, it was resolved remotely (the main line takes that).
 */
export async function until<A extends Action>(k: Kit, target: A | readonly A[]): Promise<ActionEvent<A> | 'reassigned' | 'remote'> {
  const targets: readonly Action[] = typeof target === 'string' ? [target] : target;
  for (;;) {
    const e = await k.inbox.next(isAction<Action>(...targets, 'appointment', 'hold', 'resume', 'assign', 'remoteResolution'));
    if (e.action === 'assign') {
      k.record.replaceCurrent();
      k.appointments.clear();
      return 'reassigned';
    }
    if (e.action === 'remoteResolution') return 'remote';
    if (targets.includes(e.action)) {
      if (mine(k, e)) return e as ActionEvent<A>;
      continue;
    }
    if (e.action === 'appointment') {
      if (mine(k, e)) book(k, e as ActionEvent<'appointment'>);
    } else if (e.action === 'hold') hold(k, e as ActionEvent<'hold'>);
    else resume(k, e as ActionEvent<'resume'>);
  }
}

/** A technician's action must come from the one assigned now (an earlier one's may still be queued). */
function mine(k: Kit, e: ActionEvent): boolean {
  const { technicianId } = e.args as { technicianId?: string };
  if (technicianId === undefined || technicianId === k.record.technicianId) return true;
  k.inbox.refuse(e, `technician ${technicianId} is no longer assigned to this request`);
  return false;
}

export function book(k: Kit, e: ActionEvent<'appointment'>): void {
  const d = k.record.data;
  const rebooked = d.status === 'scheduled';
  d.appointmentAt = new Date(e.args.at).toISOString();
  k.deadlines.met(visitDeadlineId(k, 'response'));
  k.visibility.setStatus(leadsTo('appointment', e.args, ctxOf(k)));
  const byCustomer = k.version >= 3 && e.args.requestedBy === 'customer';
  k.record.log(rebooked ? (byCustomer ? 'visit_changed_by_customer' : 'visit_changed') : 'visit_booked', d.appointmentAt, e.args.by);
  if (k.version >= 3)
    k.appointments.book(Date.parse(d.appointmentAt), byCustomer ? 'customer' : 'technician', k.input.request.customer.address);
  k.notify.customer('visit_booked', { technicianId: k.record.technicianId, visitAt: d.appointmentAt, rescheduled: rebooked });
  k.inbox.settle(e);
}

export function arrive(k: Kit, e: ActionEvent<'arrival'>): void {
  k.deadlines.met(visitDeadlineId(k, 'on_site'));
  if (k.version >= 3) k.appointments.clear(true);
  k.visibility.setStatus(leadsTo('arrival', e.args, ctxOf(k)));
  k.record.log('arrived', e.args.technicianId, e.args.by);
  k.inbox.settle(e);
}

export function complete(k: Kit, e: ActionEvent<'completion'>): VisitEnd {
  const { technicianId, resolved, notes, by } = e.args;
  k.record.data.visitResults.push({ at: nowIso(), resolved, notes, technicianId });
  release(k);
  if (resolved) {
    k.deadlines.met('resolution');
    k.deadlines.met('resolution_max');
  }
  k.visibility.setStatus(leadsTo('completion', e.args, ctxOf(k)));
  k.record.log(resolved ? 'completed' : 'completed_unresolved', notes, by);
  k.inbox.settle(e);
  return resolved ? 'resolved' : 'unresolved';
}

function hold(k: Kit, e: ActionEvent<'hold'>): void {
  const d = k.record.data;
  d.hold = { since: nowIso(), reason: e.args.reason, resumeTo: d.status };
  k.deadlines.pauseMilestones(PAUSED_ON_HOLD);
  k.visibility.setStatus(leadsTo('hold', e.args, ctxOf(k)));
  k.record.log('on_hold', e.args.reason, e.args.by);
  k.inbox.settle(e);
}

function resume(k: Kit, e: ActionEvent<'resume'>): void {
  const back = leadsTo('resume', e.args, ctxOf(k));
  const resumed = k.deadlines.resume();
  k.record.data.hold = undefined;
  k.visibility.setStatus(back);
  k.record.log('resumed', `${e.args.reason}; ${resumed.map((x) => `${x.id} due ${x.dueAt}`).join(', ')}`, e.args.by);
  k.inbox.settle(e);
}
