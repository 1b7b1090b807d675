/**
 * Lifecycle 3, appointments kept (必须按时上门，不得失约; issue 12): a booked slot gets a reminder SMS to the
 * customer and the technician `reminderLead` (2 h) ahead; arriving later than slot + `lateGrace` (15 min) breaks
 * the `appointment` deadline (late arrival, escalated). A slot the CUSTOMER chose that lies after the on-site
 * deadline moves that deadline to the slot (+ grace): their choice is not a breach; the technician's choice does not
 * move it. Normal requests received on a Monday 09:00 of an ordinary week: on site due Tuesday 09:00.
 */
import { ACTION_UPDATES, type ServiceRequestState } from '../../workflows/messages';
import type { Handle } from './support/env';
import {
  act,
  advanceTo,
  anchorAt,
  assignedTech,
  at,
  deadline,
  HOUR,
  MIN,
  near,
  recordHistory,
  settle,
  smsOf,
  untilSms,
  untilState,
  useBed,
} from './support/scenario';

const suite = useBed();
const S = 1000;
const CUSTOMER_PHONE = '+8613812345678';
const L1_PHONE = '+8613900139001';

/** Books (or re-books) the visit, saying who chose the slot. */
const book = (h: Handle, technicianId: string, slot: string, requestedBy: 'customer' | 'technician') =>
  h.executeUpdate(ACTION_UPDATES.appointment, { args: [{ technicianId, at: slot, requestedBy }] });

const techPhone = (id: string): string => `+86138001380${id.slice(-2)}`;

/** A normal request received Monday 09:00, accepted at 09:10; returns the anchor and the technician. */
async function accepted(): Promise<{ A: number; h: Handle; tech: string }> {
  const { bed } = suite;
  const A = await anchorAt(bed, 1, '09:00');
  const h = await suite.start();
  const tech = await assignedTech(h);
  await advanceTo(bed, A + 10 * MIN);
  await act.accept(h, tech);
  return { A, h, tech };
}

const events = (s: ServiceRequestState): string[] => s.timeline.map((e) => e.event);

test('reminder SMS to the customer and the technician 2 h before the slot; on time: appointment met', async () => {
  const { bed } = suite;
  const { A, h, tech } = await accepted();
  await advanceTo(bed, A + 30 * MIN);
  let s = await act.book(h, tech, at(A, 0, '15:00'));
  expect(s.appointment).toEqual({ at: near(at(A, 0, '15:00'), 0), requestedBy: 'technician', reminderAt: near(at(A, 0, '13:00'), 0) });
  expect(deadline(s, 'appointment')).toMatchObject({ status: 'pending', dueAt: near(at(A, 0, '15:15'), 0), span: '15m' });
  expect(deadline(s, 'appointment').warnAt).toBeUndefined();

  await advanceTo(bed, Date.parse(at(A, 0, '13:00')) - S);
  await settle(h);
  expect(await smsOf(bed, h, 'visit_reminder', 'tech_visit_reminder')).toEqual([]);
  await advanceTo(bed, Date.parse(at(A, 0, '13:00')) + S);
  const sms = await untilSms(
    bed,
    h,
    (l) => l.some((x) => x.kind === 'visit_reminder') && l.some((x) => x.kind === 'tech_visit_reminder'),
    'visit reminders',
  );
  const customer = sms.find((x) => x.kind === 'visit_reminder');
  const technician = sms.find((x) => x.kind === 'tech_visit_reminder');
  expect(customer).toMatchObject({ to: CUSTOMER_PHONE, text: expect.stringContaining('15:00') });
  expect(technician).toMatchObject({ to: techPhone(tech), text: expect.stringMatching(/15:00.*漕溪北路 88 号/) });
  s = await h.state();
  expect(s.appointment?.reminderSentAt).toEqual(near(at(A, 0, '13:00')));
  expect(events(s)).toContain('visit_reminder');

  await advanceTo(bed, Date.parse(at(A, 0, '15:05')));
  s = await act.arrive(h, tech);
  expect(deadline(s, 'appointment')).toMatchObject({ status: 'met', metAt: near(at(A, 0, '15:05')) });
  expect(s.appointment?.lateArrival).toBeUndefined();
  await advanceTo(bed, Date.parse(at(A, 0, '16:00')));
  await settle(h);
  // One reminder each, and nothing escalated.
  expect(await smsOf(bed, h, 'visit_reminder', 'tech_visit_reminder')).toHaveLength(2);
  expect((await h.state()).escalations).toEqual([]);
});

test('a slot closer than the reminder lead: no separate reminder (the booking SMS is it)', async () => {
  const { bed } = suite;
  const { A, h, tech } = await accepted();
  const s = await act.book(h, tech, at(A, 0, '10:30'));
  expect(s.appointment).toEqual({ at: near(at(A, 0, '10:30'), 0), requestedBy: 'technician' });
  await advanceTo(bed, Date.parse(at(A, 0, '10:20')));
  await act.arrive(h, tech);
  await settle(h);
  expect(await smsOf(bed, h, 'visit_reminder', 'tech_visit_reminder')).toEqual([]);
  expect((await smsOf(bed, h, 'visit_booked')).map((l) => l.to)).toEqual([CUSTOMER_PHONE]);
});

test('late arrival: not on site by slot + 15 min → appointment breached, level 1, lateArrival', async () => {
  const { bed } = suite;
  const { A, h, tech } = await accepted();
  await advanceTo(bed, A + 30 * MIN);
  await act.book(h, tech, at(A, 0, '14:00'));

  await advanceTo(bed, Date.parse(at(A, 0, '14:15')) - S);
  let s = await h.state();
  expect(s.escalations).toEqual([]);
  expect(s.appointment?.lateArrival).toBeUndefined();
  await advanceTo(bed, Date.parse(at(A, 0, '14:15')) + S);
  s = await untilState(h, (x) => x.escalationLevel === 1, 'late arrival → level 1');
  expect(deadline(s, 'appointment')).toMatchObject({ status: 'breached', breachedAt: near(at(A, 0, '14:15')) });
  expect(s.escalations).toEqual([
    expect.objectContaining({
      level: 1,
      reason: 'breach',
      deadlineId: 'appointment',
      milestone: 'appointment',
      contactRole: 'dispatch_lead',
    }),
  ]);
  expect(s.appointment).toMatchObject({ at: near(at(A, 0, '14:00'), 0), lateArrival: true });
  expect(events(s)).toContain('late_arrival');
  const pages = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'escalation_breach'), 'breach page');
  expect(pages.filter((x) => x.kind === 'escalation_breach').map((x) => [x.to, x.text])).toEqual([
    [L1_PHONE, expect.stringContaining('「按约上门」')],
  ]);

  // The technician turns up at 14:40: on site is in time (due Tuesday 09:00); the appointment stays broken.
  await advanceTo(bed, Date.parse(at(A, 0, '14:40')));
  s = await act.arrive(h, tech);
  expect(deadline(s, 'on_site')).toMatchObject({ status: 'met', metAt: near(at(A, 0, '14:40')) });
  expect(deadline(s, 'appointment')).toMatchObject({ status: 'breached', metAt: near(at(A, 0, '14:40')) });
  expect(Math.abs((deadline(s, 'appointment').lateByMs ?? 0) - 25 * MIN)).toBeLessThan(2 * S);
  expect(s.escalations).toHaveLength(1);
  await recordHistory(h, 'v3-late-arrival');
});

test("the customer's slot after the on-site deadline moves on_site to the slot (+ grace): arriving then is no breach", async () => {
  const { bed } = suite;
  const { A, h, tech } = await accepted();
  expect(deadline(await h.state(), 'on_site').dueAt).toEqual(near(at(A, 1, '09:00')));
  await advanceTo(bed, A + HOUR);
  let s = await book(h, tech, at(A, 1, '14:00'), 'customer');
  expect(deadline(s, 'on_site')).toMatchObject({ status: 'pending', dueAt: near(at(A, 1, '14:15'), 0), span: "customer's slot + 15m" });
  // Moved before its 80 % mark (Tuesday 04:12): no warning for it any more.
  expect(deadline(s, 'on_site').warnAt).toBeUndefined();
  expect(s.appointment).toMatchObject({ requestedBy: 'customer', onSiteMovedTo: near(at(A, 1, '14:15'), 0) });
  expect(s.timeline.find((e) => e.event === 'on_site_moved')).toMatchObject({ at: near(A + HOUR) });
  // The moved on-site deadline is the appointment's: no second clock for the same arrival.
  expect(s.deadlines.map((d) => d.milestone)).not.toContain('appointment');

  // Past the original due time: nothing breaks, nobody is paged.
  await advanceTo(bed, Date.parse(at(A, 1, '09:00')) + S);
  await settle(h);
  s = await h.state();
  expect(s.escalations).toEqual([]);
  expect(deadline(s, 'on_site').status).toBe('pending');

  await advanceTo(bed, Date.parse(at(A, 1, '14:00')));
  s = await act.arrive(h, tech);
  expect(deadline(s, 'on_site')).toMatchObject({ status: 'met', metAt: near(at(A, 1, '14:00')) });
  expect(s.appointment?.lateArrival).toBeUndefined();
  expect(s.escalations).toEqual([]);
  await settle(h);
  expect(await smsOf(bed, h, 'escalation_warning', 'escalation_breach')).toEqual([]);
  await recordHistory(h, 'v3-customer-slot');
});

test("the customer's late slot, and the technician late for it: one breach (on site), counted as a late arrival", async () => {
  const { bed } = suite;
  const { A, h, tech } = await accepted();
  await book(h, tech, at(A, 1, '14:00'), 'customer');
  await advanceTo(bed, Date.parse(at(A, 1, '14:15')) + S);
  await untilState(h, (x) => x.escalationLevel === 1, 'late for the moved on-site deadline');
  await settle(h);
  const s = await h.state();
  expect(s.escalations).toEqual([expect.objectContaining({ reason: 'breach', milestone: 'on_site' })]);
  expect(s.appointment?.lateArrival).toBe(true);
});

test("a technician's slot after the on-site deadline does not move it: on site breaks at its time", async () => {
  const { bed } = suite;
  const { A, h, tech } = await accepted();
  await advanceTo(bed, A + HOUR);
  let s = await book(h, tech, at(A, 1, '14:00'), 'technician');
  expect(deadline(s, 'on_site')).toMatchObject({ status: 'pending', dueAt: near(at(A, 1, '09:00')), span: '24h' });
  expect(s.appointment?.onSiteMovedTo).toBeUndefined();
  expect(events(s)).not.toContain('on_site_moved');
  expect(deadline(s, 'appointment')).toMatchObject({ dueAt: near(at(A, 1, '14:15'), 0) });

  await advanceTo(bed, Date.parse(at(A, 1, '09:00')) + S);
  s = await untilState(h, (x) => x.escalationLevel === 1, 'on-site breach');
  expect(deadline(s, 'on_site')).toMatchObject({ status: 'breached', breachedAt: near(at(A, 1, '09:00')) });
  expect(s.escalations).toEqual([expect.objectContaining({ level: 1, reason: 'breach', milestone: 'on_site' })]);
  // The slot itself is kept: not a late arrival.
  expect(s.appointment?.lateArrival).toBeUndefined();

  await advanceTo(bed, Date.parse(at(A, 1, '14:00')));
  s = await act.arrive(h, tech);
  expect(deadline(s, 'appointment').status).toBe('met');
  expect(s.escalations).toHaveLength(1);
});

test('a customer re-booking is recorded as visit_changed_by_customer; the reminder and late clock follow the new slot', async () => {
  const { bed } = suite;
  const { A, h, tech } = await accepted();
  await advanceTo(bed, A + 30 * MIN);
  await act.book(h, tech, at(A, 0, '15:00'));
  await advanceTo(bed, Date.parse(at(A, 0, '11:00')));
  let s = await book(h, tech, at(A, 0, '17:00'), 'customer');
  expect(s.status).toBe('scheduled');
  expect(s.timeline.filter((e) => ['visit_booked', 'visit_changed', 'visit_changed_by_customer'].includes(e.event))).toEqual([
    expect.objectContaining({ event: 'visit_booked', at: near(A + 30 * MIN) }),
    expect.objectContaining({ event: 'visit_changed_by_customer', at: near(at(A, 0, '11:00')) }),
  ]);
  expect(s.appointment).toEqual({ at: near(at(A, 0, '17:00'), 0), requestedBy: 'customer', reminderAt: near(at(A, 0, '15:00'), 0) });
  // Within the on-site deadline: nothing moves.
  expect(deadline(s, 'on_site').dueAt).toEqual(near(at(A, 1, '09:00')));
  const pendingAppointment = s.deadlines.filter((d) => d.milestone === 'appointment' && d.status === 'pending');
  expect(pendingAppointment).toEqual([expect.objectContaining({ dueAt: near(at(A, 0, '17:15'), 0) })]);

  // The old slot's reminder (13:00) and late clock (15:15) are gone: only the new slot's fire.
  await advanceTo(bed, Date.parse(at(A, 0, '15:00')) - S);
  await settle(h);
  expect(await smsOf(bed, h, 'visit_reminder')).toEqual([]);
  expect((await h.state()).escalations).toEqual([]);
  await advanceTo(bed, Date.parse(at(A, 0, '15:00')) + S);
  const sms = await untilSms(bed, h, (l) => l.filter((x) => x.kind.endsWith('visit_reminder')).length === 2, 'reminders for 17:00');
  expect(sms.find((x) => x.kind === 'visit_reminder')?.text).toContain('17:00');
  await advanceTo(bed, Date.parse(at(A, 0, '17:10')));
  s = await act.arrive(h, tech);
  expect(s.escalations).toEqual([]);
  expect(s.appointment?.lateArrival).toBeUndefined();
});

test("a new visit starts without the last visit's slot: its on-site breach is not a late arrival", async () => {
  const { bed } = suite;
  const { A, h, tech } = await accepted();
  // Visit 1: the customer's late slot moved on_site; the technician came on time but could not fix it.
  await book(h, tech, at(A, 1, '14:00'), 'customer');
  await advanceTo(bed, Date.parse(at(A, 1, '14:00')));
  await act.arrive(h, tech);
  await act.complete(h, tech, false);
  let s = await untilState(h, (x) => x.visit === 2 && x.deadlines.some((d) => d.id === 'on_site#2'), 'visit 2');
  const U = Date.parse(s.completion?.[0]?.at as string);
  // Nothing is booked for visit 2 yet.
  expect(s.appointment).toBeUndefined();

  // Visit 2's on-site deadline (24 h from the unresolved visit) breaks with no slot booked: a breach, not a late arrival.
  await advanceTo(bed, U + 24 * HOUR + S);
  s = await untilState(h, (x) => x.escalations.some((e) => e.deadlineId === 'on_site#2'), 'on_site#2 breach');
  expect(events(s)).not.toContain('late_arrival');
  expect(s.appointment?.lateArrival).toBeUndefined();
});
