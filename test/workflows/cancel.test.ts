/**
 * Cancellation: any state before completed → cancelled, with the reason, the customer told, every timer gone, the
 * result "cancelled". Refused once the work is completed.
 *
 * `received` lasts only for the first workflow task: it can be cancelled in it only when the cancel was waiting
 * for the workflow to start (workers down), which is what the "received" case does. `escalated` is left in
 * the workflow task that enters it (→ dispatching for the next tier); its case is the re-dispatch after it.
 */
import type { ServiceRequestState } from '../../workflows/messages';
import type { Handle } from './support/env';
import {
  act,
  advanceTo,
  ALL_PHOTOS,
  assignedTech,
  EventType,
  expectRejected,
  HOUR,
  ratingTokenId,
  historyEvents,
  recordHistory,
  smsOf,
  untilSms,
  untilState,
  untilStatus,
  uploadPhotos,
  useBed,
} from './support/scenario';

const suite = useBed();
const SAUNA = { product: { model: 'SAUNA-1', purchaseDate: '2025-01-01', category: 'sauna' } };

type Setup = (h: Handle, tech: () => Promise<string>) => Promise<void>;
const toAccepted: Setup = async (h, tech) => {
  await act.accept(h, await tech());
};
const toScheduled: Setup = async (h, tech) => {
  await toAccepted(h, tech);
  await act.book(h, await tech(), new Date(Date.parse((await h.state()).receivedAt) + HOUR).toISOString());
};
const toOnSite: Setup = async (h, tech) => {
  await toScheduled(h, tech);
  await act.arrive(h, await tech());
};

const STATES: [string, Partial<Parameters<typeof suite.start>[0]>, Setup, ServiceRequestState['status']][] = [
  ['dispatching (nobody to send)', SAUNA, async () => undefined, 'dispatching'],
  ['assigned', {}, async (_h, tech) => void (await tech()), 'assigned'],
  ['accepted', {}, toAccepted, 'accepted'],
  ['scheduled', {}, toScheduled, 'scheduled'],
  ['on_site', {}, toOnSite, 'on_site'],
  [
    'on_hold',
    {},
    async (h, tech) => {
      await toScheduled(h, tech);
      await act.hold(h, 'customer travelling');
    },
    'on_hold',
  ],
  [
    're-dispatch after an unresolved visit (escalated)',
    {},
    async (h, tech) => {
      await toOnSite(h, tech);
      await act.complete(h, await tech(), false);
      // t1007 failed; nobody above tier 3 → waiting for ops at level 2.
      await untilState(h, (s) => s.visit === 2 && s.escalations.length === 2, 'visit 2 waiting');
    },
    'dispatching',
  ],
];

test.each(STATES)('cancel while %s', async (_label, over, setup, status) => {
  const { bed } = suite;
  const h = await suite.start(over);
  const tech = async () => (over === SAUNA ? '' : await assignedTech(h));
  if (over === SAUNA) await untilState(h, (s) => s.escalationLevel === 1, 'no candidate');
  await setup(h, async () => (await h.state()).technicianId ?? (await tech()));
  expect((await h.state()).status).toBe(status);
  await advanceTo(bed, Date.parse((await h.state()).receivedAt) + 10 * 60_000);

  const answer = await act.cancel(h, '客户已自行修好');
  expect(answer.cancelReason).toBe('客户已自行修好');
  const final = await h.result();
  expect(final).toMatchObject({ status: 'cancelled', outcome: 'cancelled', cancelReason: '客户已自行修好', closedAt: expect.any(String) });
  // No clock left running: nothing pending or paused, and every timer started was fired or cancelled.
  expect(final.deadlines.filter((d) => d.status === 'pending' || d.status === 'paused')).toEqual([]);
  const events = await historyEvents(h);
  const started = events
    .filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)
    .map((e) => e.timerStartedEventAttributes?.timerId);
  const ended = events
    .map((e) => e.timerFiredEventAttributes?.timerId ?? e.timerCanceledEventAttributes?.timerId)
    .filter((x): x is string => typeof x === 'string');
  expect(started.length).toBeGreaterThan(0);
  expect(started.filter((id) => !ended.includes(id as string))).toEqual([]);
  // The customer is told, once.
  const told = await smsOf(bed, h, 'cancelled');
  expect(told).toHaveLength(1);
  expect(told[0]).toMatchObject({ to: '+8613812345678', text: expect.stringContaining('客户已自行修好') });
  if (status === 'on_hold') await recordHistory(h, 'cancel-on-hold');
});

test('cancel while received: the workers were down, the request and its cancel reach the workflow together', async () => {
  const { bed } = suite;
  const h = suite.track(await bed.startParked());
  const cancelled = act.cancel(h, 'duplicate request');
  await new Promise((r) => setTimeout(r, 500)); // let the update reach the server before any worker polls
  const parked = await bed.unpark();
  try {
    const answer = await cancelled;
    expect(answer.cancelReason).toBe('duplicate request');
    const final = await h.result();
    expect(final).toMatchObject({ status: 'cancelled', outcome: 'cancelled', assignments: [] });
    // The cancel was validated and handled while the request was still "received", before dispatch began.
    const events = final.timeline.map((e) => `${e.event}${e.event === 'status' ? ` ${e.detail}` : ''}`);
    expect(events.slice(0, 2)).toEqual(['received', 'cancel']);
    expect(events).not.toContain('candidates');
    expect(final.deadlines.filter((d) => d.status === 'pending' || d.status === 'paused')).toEqual([]);
    await untilSms(bed, h, (l) => l.some((x) => x.kind === 'cancelled'), 'cancelled SMS');
    expect((await smsOf(bed, h)).map((l) => l.kind).sort()).toEqual(['cancelled', 'received']);
  } finally {
    await h.result().catch(() => undefined);
    await parked.stop();
  }
});

test('refused once completed, and once closed the request is gone for updates', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await assignedTech(h);
  await toOnSite(h, async () => tech);
  await uploadPhotos(bed, h, ALL_PHOTOS);
  await act.complete(h, tech);
  await untilSms(bed, h, (l) => l.some((x) => x.kind.startsWith('completed')), 'completion SMS');
  await expectRejected(h, () => act.cancel(h), /cannot cancel a request that is completed/);

  // Score 3 → follow_up: still refused.
  await act.feedback(h, await ratingTokenId(bed, h), 3);
  await untilStatus(h, 'follow_up');
  await expectRejected(h, () => act.cancel(h), /cannot cancel a request that is follow_up/);
  await act.followUp(h);
  expect((await h.result()).outcome).toBe('closed');
  await expect(act.cancel(h)).rejects.toThrow();
  expect(await smsOf(bed, h, 'cancelled')).toEqual([]);
});
