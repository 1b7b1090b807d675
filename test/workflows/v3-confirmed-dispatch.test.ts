/**
 * Lifecycle 3, confirmed dispatch (issue 12): the dispatch deadline is met when a technician ACCEPTS, not when one
 * is assigned; the accept window depends on the urgency (normal 1 h, urgent 15 min, critical 5 min) and warns at
 * 80 % like any other deadline. Candidates on the demo roster (see dispatch.test.ts): t1007, t1001, t1004, t1010,
 * t1014 for a gas water heater in Xuhui; nobody has the `sauna` skill.
 */
import type { ServiceRequestState } from '../../workflows/messages';
import type { Handle } from './support/env';
import {
  act,
  advanceTo,
  assignedTech,
  deadline,
  HOUR,
  MIN,
  near,
  recordHistory,
  settle,
  smsOf,
  untilSms,
  untilState,
  untilStatus,
  useBed,
} from './support/scenario';

const suite = useBed();
const S = 1000;
const L1_PHONE = '+8613900139001';
const SAUNA = { product: { model: 'SAUNA-1', purchaseDate: '2025-01-01', category: 'sauna' } };

const nextAssignment = (h: Handle, count: number): Promise<ServiceRequestState> =>
  untilState(h, (s) => s.assignments.length === count && s.status === 'assigned', `assignment #${count}`);

const pagesOf = async (h: Handle): Promise<string[]> =>
  (await smsOf(suite.bed, h, 'escalation_warning', 'escalation_breach')).map((l) => `${l.kind} ${l.to}`);

test('critical: silent for 5 min → next candidate (warned at 4 min); dispatch stays pending and breaks at 10 min → level 1', async () => {
  const { bed } = suite;
  const h = await suite.start({ urgency: 'critical' });
  expect(await assignedTech(h)).toBe('t1007');
  let s = await h.state();
  // Receipt (dispatch counts from it) and the first assignment (the accept window does); apart by the first task.
  const A = Date.parse(s.receivedAt);
  const B = Date.parse(s.assignments[0]?.assignedAt as string);
  // Assigned but not confirmed: the dispatch clock runs on. The accept window is critical's 5 min, with a warning.
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'pending', dueAt: near(A + 10 * MIN), warnAt: near(A + 8 * MIN) });
  expect(deadline(s, 'accept')).toMatchObject({ status: 'pending', dueAt: near(B + 5 * MIN), warnAt: near(B + 4 * MIN) });

  await advanceTo(bed, B + 4 * MIN - S);
  await settle(h);
  expect(await pagesOf(h)).toEqual([]);
  await advanceTo(bed, B + 4 * MIN + S);
  const warned = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'escalation_warning'), 'accept warning');
  // The warning goes to whoever a breach would page (level 1) and names the accept window.
  expect(warned.filter((x) => x.kind === 'escalation_warning').map((x) => [x.to, x.text])).toEqual([
    [L1_PHONE, expect.stringContaining('工程师接单')],
  ]);
  s = await h.state();
  expect(deadline(s, 'accept').warnedAt).toEqual(near(B + 4 * MIN));
  expect(s.escalationLevel).toBe(0);

  // 5 min without an accept: the next candidate; a silent window is not an escalation.
  await advanceTo(bed, B + 5 * MIN + S);
  s = await nextAssignment(h, 2);
  expect(s.technicianId).toBe('t1001');
  expect(s.assignments[0]).toMatchObject({ technicianId: 't1007', timedOutAt: near(B + 5 * MIN) });
  expect(deadline(s, 'accept')).toMatchObject({ status: 'breached' });
  expect(deadline(s, 'accept#2')).toMatchObject({ status: 'pending', startedAt: near(B + 5 * MIN), dueAt: near(B + 10 * MIN) });
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'pending' });
  expect(s.escalations).toEqual([]);

  // t1001 is silent too: the dispatch deadline (10 min from receipt) breaks → level 1, milestone dispatch.
  await advanceTo(bed, B + 10 * MIN + S);
  s = await untilState(h, (x) => x.escalationLevel === 1 && x.assignments.length === 3 && x.status === 'assigned', 'dispatch breach');
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'breached', breachedAt: near(A + 10 * MIN) });
  expect(s.escalations).toEqual([
    expect.objectContaining({ level: 1, reason: 'breach', deadlineId: 'dispatch', milestone: 'dispatch', contactRole: 'dispatch_lead' }),
  ]);
  expect(s.technicianId).toBe('t1004');

  // t1004 confirms late: the deadline stays breached, with when it was finally met.
  await advanceTo(bed, B + 11 * MIN);
  s = await act.accept(h, 't1004');
  expect(s.status).toBe('accepted');
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'breached', metAt: near(B + 11 * MIN) });
  expect(s.escalations).toHaveLength(1);
  await settle(h);
  // Warnings: accept (4 min), dispatch (8 min), accept#2 (9 min); then the dispatch breach. One delay SMS.
  expect(await pagesOf(h)).toEqual([
    `escalation_warning ${L1_PHONE}`,
    `escalation_warning ${L1_PHONE}`,
    `escalation_warning ${L1_PHONE}`,
    `escalation_breach ${L1_PHONE}`,
  ]);
  expect(await smsOf(bed, h, 'delay')).toHaveLength(1);
  await recordHistory(h, 'v3-accept-timeout-dispatch-breach');
});

test('normal: accepted within the hour → dispatch met at the accept, not at the assignment; no warning', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await assignedTech(h);
  let s = await h.state();
  const A = Date.parse(s.receivedAt);
  const B = Date.parse(s.assignments[0]?.assignedAt as string);
  expect(deadline(s, 'accept')).toMatchObject({ dueAt: near(B + HOUR), warnAt: near(B + 48 * MIN) });
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'pending', dueAt: near(A + 2 * HOUR) });

  await advanceTo(bed, A + 40 * MIN);
  expect(deadline(await h.state(), 'dispatch').status).toBe('pending');
  s = await act.accept(h, tech);
  expect(s.status).toBe('accepted');
  expect(deadline(s, 'accept')).toMatchObject({ status: 'met', metAt: near(A + 40 * MIN) });
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'met', metAt: near(A + 40 * MIN) });
  expect(Date.parse(deadline(s, 'dispatch').metAt as string) - Date.parse(s.assignments[0]?.assignedAt as string)).toBeGreaterThan(
    39 * MIN,
  );

  // Past both warning times (accept 48 min, dispatch 96 min): met before them, so nobody is warned.
  await advanceTo(bed, A + 2 * HOUR + S);
  await settle(h);
  expect(await pagesOf(h)).toEqual([]);
  expect((await h.state()).escalations).toEqual([]);
});

test("ops' manual assignment needs an accept too: dispatch stays pending until the chosen technician accepts", async () => {
  const { bed } = suite;
  const h = await suite.start(SAUNA);
  let s = await untilState(h, (x) => x.escalationLevel === 1 && x.status === 'dispatching', 'no candidate → level 1');
  const A = Date.parse(s.receivedAt);
  expect(s.escalations).toEqual([expect.objectContaining({ reason: 'no_candidate' })]);

  await advanceTo(bed, A + 20 * MIN);
  s = await act.assign(h, 't1008');
  expect(s).toMatchObject({ status: 'assigned', technicianId: 't1008' });
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'pending' });
  // The answer comes as the assignment is made; the accept window opens right after it.
  s = await untilState(h, (x) => x.deadlines.some((d) => d.id === 'accept'), 'accept window');
  expect(deadline(s, 'accept')).toMatchObject({ status: 'pending', startedAt: near(A + 20 * MIN), dueAt: near(A + 80 * MIN) });
  // The board holds the chosen technician (reserved as chosen, whatever their load).
  expect(bed.board.load().counts).toEqual({ t1008: 1 });

  await advanceTo(bed, A + 50 * MIN);
  s = await act.accept(h, 't1008');
  expect(s.status).toBe('accepted');
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'met', metAt: near(A + 50 * MIN) });
});

test('ops replace the automatic choice before it is accepted: the new technician must accept; silent → automatic candidates go on', async () => {
  const { bed } = suite;
  const h = await suite.start();
  expect(await assignedTech(h)).toBe('t1007');
  const A = Date.parse((await h.state()).receivedAt);

  await advanceTo(bed, A + 10 * MIN);
  let s = await act.assign(h, 't1004');
  expect(s).toMatchObject({ status: 'assigned', technicianId: 't1004' });
  expect(s.assignments[0]).toMatchObject({ technicianId: 't1007', replacedAt: near(A + 10 * MIN) });
  expect(deadline(s, 'dispatch').status).toBe('pending');
  s = await untilState(h, (x) => x.deadlines.some((d) => d.id === 'accept#2'), 'accept window #2');
  expect(deadline(s, 'accept')).toMatchObject({ status: 'cancelled' });
  expect(deadline(s, 'accept#2')).toMatchObject({ status: 'pending', dueAt: near(A + 70 * MIN) });
  // t1007's reservation was replaced by t1004's.
  await settle(h);
  expect(bed.board.load().counts).toEqual({ t1004: 1 });

  // t1004 does not accept within the hour: dispatch carries on with the next automatic candidate (not t1007 again).
  await advanceTo(bed, A + 70 * MIN + S);
  s = await nextAssignment(h, 3);
  expect(s.technicianId).toBe('t1001');
  expect(deadline(s, 'dispatch').status).toBe('pending');
  await advanceTo(bed, A + 90 * MIN);
  s = await act.accept(h, 't1001');
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'met', metAt: near(A + 90 * MIN) });
  expect(s.escalations).toEqual([]);
  await untilStatus(h, 'accepted');
});
