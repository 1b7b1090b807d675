/**
 * Dispatch (派工): ranked candidates one after another until one accepts. A manual assignment by ops takes
 * precedence wherever the request waits; no candidate left → level 1 and wait for ops.
 */
import { leadsTo } from '../../src/domain/lifecycle/actions';
import type { CandidateSummary } from '../../activities/contract';
import { acts } from '../proxies';
import { claimChosen, claimNext, release } from './load';
import { isAction, isBreach, type ActionEvent } from './inbox';
import type { Kit } from './kit';
import { nowIso } from './record';

type Answer = 'accepted' | 'declined' | 'timeout' | 'reassigned' | 'remote';

/** Ends when a technician accepted, or (lifecycle 3) when the request was resolved remotely meanwhile. */
export async function dispatch(k: Kit): Promise<'accepted' | 'remote'> {
  const { record } = k;
  k.visibility.setStatus('dispatching');
  const tried = new Set(record.data.assignments.filter((a) => a.visit === record.data.visit).map((a) => a.technician.technicianId));
  const candidates = await findCandidates(k);
  record.log('candidates', candidates.map((c) => `${c.technicianId} (${c.reason})`).join('; ') || 'none');
  let delayed = false;
  for (;;) {
    const manual = k.inbox.find(isAction('assign'));
    // Version 2 takes the next in ranked order without an await: its recorded histories order commands so.
    const remaining = candidates.filter((c) => !tried.has(c.technicianId));
    const next = manual?.technician ?? (k.version >= 3 ? await claimNext(k, remaining) : remaining[0]);
    if (!next) {
      k.visibility.setStatus('dispatching');
      k.escalation.raiseTo(1, { reason: 'no_candidate', detail: 'no technician left to try' });
      const e = await k.inbox.next(isAction('assign', 'remoteResolution'));
      if (e.action === 'remoteResolution') return 'remote';
      continue;
    }
    if (manual && k.version >= 3) await claimChosen(k, next);
    tried.add(next.technicianId);
    assign(k, next, manual);
    const answer = await awaitAnswer(k, next.technicianId);
    if (answer === 'accepted' || answer === 'remote') return answer;
    if (answer === 'reassigned') continue;
    // Declined or silent: not their job any more (the next claim would replace it, unless nobody is left).
    release(k);
    // Skip to the next candidate and tell the customer of the delay once.
    if (!delayed) {
      k.notify.customer('delay', {});
      delayed = true;
    }
  }
}

async function findCandidates(k: Kit): Promise<CandidateSummary[]> {
  const { record } = k;
  const r = k.input.request;
  const visit = record.data.visit;
  const minTier = record.minTier();
  return acts.findCandidates.executeWithOptions(
    { summary: `Find technicians: ${r.product.category}${visit > 1 ? `, visit ${visit}, tier ≥ ${minTier}` : ''}` },
    [
      {
        requestId: record.requestId,
        category: r.product.category,
        type: r.type,
        location: r.location,
        exclude: [...record.excludedTechnicians()],
        minTier,
        policy: k.input.policy.dispatch,
      },
    ],
  );
}

function assign(k: Kit, tech: CandidateSummary, manual?: ActionEvent<'assign'>): void {
  k.record.assign(tech, manual ? 'manual' : 'auto', manual?.args.by);
  // Lifecycle 3: confirmed dispatch — the dispatch deadline is met when the technician accepts.
  if (k.version < 3) k.deadlines.met(visitDeadlineId(k, 'dispatch'));
  k.visibility.setStatus(leadsTo('assign', { technicianId: tech.technicianId }, ctxOf(k)));
  if (manual) k.inbox.settle(manual);
  const r = k.input.request;
  k.notify.customer('assigned', { technicianId: tech.technicianId });
  k.notify.technician(tech.technicianId, 'tech_assignment', {
    urgency: r.urgency,
    productModel: r.product.model,
    address: r.customer.address,
    problem: r.problem.description,
  });
}

/** The accept window raced against the technician's answer and ops' manual assignment. */
async function awaitAnswer(k: Kit, technicianId: string): Promise<Answer> {
  const { record, deadlines } = k;
  // Lifecycle 3 warns before the accept window closes like before any other deadline.
  const warn = k.version >= 3 ? undefined : false;
  const accept = deadlines.start('accept', k.rules.span('accept'), { visit: record.data.assignments.length, warn });
  for (;;) {
    const e = await k.inbox.next((x) => isAction('accept', 'decline', 'assign', 'remoteResolution')(x) || isBreach(accept.id)(x));
    const current = record.current();
    if (e.kind === 'breach') {
      k.inbox.drop(e);
      if (current) current.timedOutAt = nowIso();
      record.log('accept_timeout', technicianId);
      return 'timeout';
    }
    if (e.action === 'assign') {
      deadlines.cancel(accept.id);
      record.replaceCurrent();
      return 'reassigned'; // the dispatch loop takes the assignment
    }
    if (e.action === 'remoteResolution') {
      deadlines.cancel(accept.id);
      return 'remote'; // the main line takes it
    }
    if (e.args.technicianId !== technicianId) {
      k.inbox.refuse(e, `technician ${e.args.technicianId} is no longer assigned to this request`);
      continue;
    }
    if (e.action === 'accept') {
      if (current) current.acceptedAt = nowIso();
      record.log('accepted', technicianId, e.args.by);
      k.visibility.setStatus(leadsTo('accept', e.args, ctxOf(k)));
      deadlines.met(accept.id);
      if (k.version >= 3) deadlines.met(visitDeadlineId(k, 'dispatch'));
      k.inbox.settle(e);
      return 'accepted';
    }
    const { reason } = e.args as { reason?: string };
    deadlines.cancel(accept.id);
    if (current) {
      current.declinedAt = nowIso();
      current.declineReason = reason;
    }
    record.log('declined', `${technicianId}${reason ? `: ${reason}` : ''}`, e.args.by);
    k.visibility.setStatus(leadsTo('decline', e.args, ctxOf(k)));
    k.inbox.settle(e);
    return 'declined';
  }
}

export function visitDeadlineId(k: Kit, milestone: string): string {
  const visit = k.record.data.visit;
  return visit > 1 ? `${milestone}#${visit}` : milestone;
}

export function ctxOf(k: Kit): { resumeTo?: ReturnType<Kit['view']>['status']; followUpThreshold: number } {
  return { resumeTo: k.record.data.hold?.resumeTo, followUpThreshold: k.input.policy.followUpThreshold };
}
