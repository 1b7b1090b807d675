/**
 * Every transition is validated (docs/lifecycle.md, Actions): one the current state does not allow is refused with a clear reason
 * and changes nothing. One request is walked through every state (dispatching → … → follow_up → closed) and at
 * each, every action the lifecycle does not allow there is tried: WorkflowUpdateFailedError with the reason,
 * the state unchanged, and not one event added to the history.
 *
 * This file runs on a real dev server (real time; nothing here waits for a timer): a rejected update there
 * leaves the history byte-for-byte as it was, because the validator runs in a speculative workflow task. The
 * time-skipping test server cannot show that (it records the workflow task of every update); see
 * expectRejected in support/scenario.ts.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Action } from '../../src/domain/lifecycle/actions';
import type { Status } from '../../src/domain/types';
import type { Handle } from './support/env';
import {
  act,
  ALL_PHOTOS,
  expectRejected,
  historyEvents,
  ratingTokenId,
  untilSms,
  untilState,
  untilStatus,
  uploadPhotos,
  useBed,
} from './support/scenario';

const suite = useBed({ server: 'dev' });
const TECH = 't1007';

/** What the lifecycle allows in each state a request can be met in (written out here, not read from the table). */
const ALLOWED: Partial<Record<Status, Action[]>> = {
  dispatching: ['assign', 'remoteResolution', 'cancel'],
  assigned: ['assign', 'accept', 'decline', 'remoteResolution', 'cancel'],
  accepted: ['assign', 'appointment', 'remoteResolution', 'cancel'],
  scheduled: ['assign', 'appointment', 'arrival', 'hold', 'remoteResolution', 'cancel'],
  on_site: ['completion', 'hold', 'cancel', 'diagnosis', 'quote', 'payment', 'partsRequest'],
  on_hold: ['resume', 'cancel'],
  completed: ['feedback', 'callbackOutcome', 'payment'],
  follow_up: ['followUp', 'payment'],
};
const ACTIONS: Action[] = [
  'assign',
  'accept',
  'decline',
  'appointment',
  'arrival',
  'completion',
  'hold',
  'resume',
  'feedback',
  'followUp',
  'remoteResolution',
  'visitNeeded',
  'callbackOutcome',
  'diagnosis',
  'quote',
  'quoteDecision',
  'quoteResponse',
  'payment',
  'partsRequest',
  'partsDispatched',
  'partsArrived',
  'returnInspection',
  'returnApproval',
  'returnSettlement',
  'complaintAnalysis',
  'complaintSolution',
  'complaintImplementation',
  'complaintFeedback',
  'cancel',
];

/** Each action as the API would send it, by the assigned technician where one is needed. */
const attempt: Record<Action, (h: Handle) => Promise<unknown>> = {
  assign: (h) => act.assign(h, 't1004'),
  accept: (h) => act.accept(h, TECH),
  decline: (h) => act.decline(h, TECH),
  appointment: (h) => act.book(h, TECH, '2030-01-01T10:00:00+08:00'),
  arrival: (h) => act.arrive(h, TECH),
  completion: (h) => act.complete(h, TECH),
  hold: (h) => act.hold(h),
  resume: (h) => act.resume(h),
  feedback: (h) => act.feedback(h, 'not-a-token-id', 5),
  followUp: (h) => act.followUp(h),
  remoteResolution: (h) => act.remote(h),
  visitNeeded: (h) => act.visitNeeded(h),
  callbackOutcome: (h) => act.callback(h, { reached: false }),
  diagnosis: (h) => act.diagnose(h, TECH),
  quote: (h) => act.quote(h, TECH),
  quoteDecision: (h) => act.quoteDecision(h, true),
  quoteResponse: (h) => act.quoteResponse(h, 'not-a-token-id', true),
  payment: (h) => act.payment(h, TECH, { method: 'on_site', amount: 5000 }),
  partsRequest: (h) => act.partsRequest(h, TECH, '2030-01-05T10:00:00+08:00'),
  partsDispatched: (h) => act.partsDispatched(h),
  partsArrived: (h) => act.partsArrived(h),
  returnInspection: (h) => act.returnInspection(h, { faultFound: true, faultCause: 'quality', findings: '开机无反应' }),
  returnApproval: (h) => act.returnApproval(h, { outcome: 'refund' }),
  returnSettlement: (h) => act.returnSettlement(h, { amount: 299_900, direction: 'to_customer' }),
  complaintAnalysis: (h) => act.complaintAnalysis(h),
  complaintSolution: (h) => act.complaintSolution(h),
  complaintImplementation: (h) => act.complaintImplementation(h),
  complaintFeedback: (h) => act.complaintFeedback(h),
  cancel: (h) => act.cancel(h),
};

async function everyOtherActionRefused(h: Handle, status: Status): Promise<void> {
  expect((await h.state()).status).toBe(status);
  const refused = ACTIONS.filter((a) => !ALLOWED[status]?.includes(a));
  expect(refused.length).toBeGreaterThan(0);
  for (const action of refused) {
    await expectRejected(h, () => attempt[action](h), new RegExp(`cannot ${action} a request that is ${status}`), true);
  }
}

test('a request walked through every state refuses, at each, every action its state does not allow — writing nothing', async () => {
  const { bed } = suite;
  const h = await suite.start({ product: { model: 'SAUNA-1', purchaseDate: '2025-01-01', category: 'sauna' } });
  await untilState(h, (s) => s.status === 'dispatching' && s.escalationLevel === 1, 'waiting for a manual assignment');
  await everyOtherActionRefused(h, 'dispatching');

  await act.assign(h, TECH);
  await everyOtherActionRefused(h, 'assigned');
  // Allowed action, wrong person or wrong argument: refused the same way.
  await expectRejected(h, () => act.accept(h, 't1001'), /technician t1001 is not assigned to this request/, true);
  await expectRejected(h, () => act.decline(h, 't1001'), /technician t1001 is not assigned/, true);
  await expectRejected(h, () => act.assign(h, TECH), /technician t1007 is already assigned/, true);

  await act.accept(h, TECH);
  await everyOtherActionRefused(h, 'accepted');
  await expectRejected(h, () => act.book(h, TECH, 'next Tuesday'), /at: "next Tuesday" is not a date-time/, true);
  await expectRejected(h, () => act.book(h, 't1004', '2030-01-01T10:00:00+08:00'), /t1004 is not assigned/, true);

  await act.book(h, TECH, '2030-01-01T10:00:00+08:00');
  await everyOtherActionRefused(h, 'scheduled');
  await expectRejected(h, () => act.arrive(h, 't1004'), /t1004 is not assigned/, true);

  await act.arrive(h, TECH);
  await everyOtherActionRefused(h, 'on_site');
  await expectRejected(h, () => act.complete(h, 't1004'), /t1004 is not assigned/, true);

  await act.hold(h);
  await everyOtherActionRefused(h, 'on_hold');
  await act.resume(h);

  await uploadPhotos(bed, h, ALL_PHOTOS);
  await act.complete(h, TECH);
  await untilSms(bed, h, (l) => l.some((x) => x.kind.startsWith('completed')), 'completion SMS');
  await everyOtherActionRefused(h, 'completed');
  const tokenId = await ratingTokenId(bed, h);
  for (const score of [0, 6, 2.5]) {
    await expectRejected(h, () => act.feedback(h, tokenId, score), /score: must be an integer 1\.\.5/, true);
  }
  await expectRejected(
    h,
    () => act.feedback(h, 'f0f0f0f0-0000-4000-8000-000000000000', 4),
    /rating link is not valid for this request/,
    true,
  );

  await act.feedback(h, tokenId, 2);
  await untilStatus(h, 'follow_up');
  await everyOtherActionRefused(h, 'follow_up');

  await act.followUp(h);
  expect((await h.result()).status).toBe('closed');
  // Closed: the workflow is gone for updates; nothing is written either.
  const before = (await historyEvents(h)).length;
  for (const action of ACTIONS) {
    const err = await attempt[action](h).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowNotFoundError);
  }
  expect((await historyEvents(h)).length).toBe(before);
});
