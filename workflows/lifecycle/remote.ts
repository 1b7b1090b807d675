/**
 * Without a visit (lifecycle 3): a consultation starts at first-line handling (the hotline) and is dispatched
 * only when someone decides it needs a visit; any request can be resolved remotely before the technician is on
 * site (电话处理解决问题). A remote resolution stops every visit clock and needs no photos; the completion SMS,
 * rating link and call-back follow as after a visit.
 */
import { leadsTo } from '../../src/domain/lifecycle/actions';
import { ctxOf } from './dispatch';
import { isAction, type ActionEvent } from './inbox';
import type { Kit } from './kit';
import { release } from './load';
import { nowIso } from './record';

/** Clocks of a visit that a remote resolution makes moot. */
const VISIT_MILESTONES = ['dispatch', 'accept', 'response', 'on_site', 'appointment'];

/** Consultation: the hotline resolves it, or decides it needs a visit (then the visit clocks start). */
export async function firstLine(k: Kit, startVisitClocks: () => void): Promise<'remote' | 'visit'> {
  k.visibility.setStatus('first_line');
  const e = await k.inbox.next(isAction('remoteResolution', 'visitNeeded'));
  if (e.action === 'remoteResolution') {
    resolveRemotely(k, e as ActionEvent<'remoteResolution'>);
    return 'remote';
  }
  const needed = e as ActionEvent<'visitNeeded'>;
  k.record.log('visit_needed', needed.args.reason, needed.args.by);
  k.visibility.setStatus(leadsTo('visitNeeded', needed.args, ctxOf(k)));
  startVisitClocks();
  k.inbox.settle(needed);
  return 'visit';
}

/** The remote resolution waiting in the inbox (dispatch and the visit stopped for it). */
export function takeRemoteResolution(k: Kit): void {
  const e = k.inbox.find(isAction('remoteResolution'));
  if (e) resolveRemotely(k, e);
}

function resolveRemotely(k: Kit, e: ActionEvent<'remoteResolution'>): void {
  const { notes, by } = e.args;
  const { technicianId } = e.args as { technicianId?: string };
  const d = k.record.data;
  d.remoteResolution = { at: nowIso(), notes, technicianId, by };
  for (const x of k.deadlines.pending()) if (VISIT_MILESTONES.includes(x.milestone)) k.deadlines.cancel(x.id);
  k.deadlines.met('resolution');
  k.deadlines.met('resolution_max');
  k.appointments.clear();
  release(k);
  k.visibility.setStatus(leadsTo('remoteResolution', e.args, ctxOf(k)));
  k.record.log('resolved_remotely', notes, by);
  k.inbox.settle(e);
}
