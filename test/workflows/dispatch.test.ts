/**
 * Dispatch (docs/lifecycle.md) on the demo roster (policy/technicians.yaml). A gas water heater in Xuhui needs
 * gas_water_heater + gas: t1007 (0.2 km, ★99 %), t1001 (7.8 km, ★97 %), t1004 (15.7 km, 93 %), t1010 (15.9 km, 88 %),
 * t1014 (48.4 km, outside 30 km, ★97 %); t1012 is on leave. Decline / silence → next candidate, the customer
 * is told of the delay once; nobody left → level 1 at once and ops assign by hand.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ServiceRequestState } from '../../workflows/messages';
import type { Handle } from './support/env';
import {
  act,
  advanceTo,
  assignedTech,
  deadline,
  HOUR,
  near,
  recordHistory,
  serverNow,
  settle,
  smsOf,
  untilSms,
  untilState,
  untilStatus,
  useBed,
} from './support/scenario';

// Lifecycle 2's rules, for the requests still running on it; lifecycle 3's changes are in v3-*.test.ts.
const suite = useBed({ lifecycleVersion: 2 });
const S = 1000;
const SAUNA = { product: { model: 'SAUNA-1', purchaseDate: '2025-01-01', category: 'sauna' } };

const candidatesLogged = (s: ServiceRequestState): string[] =>
  (s.timeline.find((e) => e.event === 'candidates')?.detail ?? '').split('; ').map((c) => c.split(' ')[0] as string);
const assignedIn = (s: ServiceRequestState): string[] => s.assignments.map((a) => a.technicianId);

/** The next automatic assignment after `prev` (waits for the status to come back to assigned with a new technician). */
const nextAssignment = (h: Handle, count: number): Promise<ServiceRequestState> =>
  untilState(h, (s) => s.assignments.length === count && s.status === 'assigned', `assignment #${count}`);

test('best candidate first: within 30 km, then service stars, then load, then distance; outsiders last', async () => {
  const { bed } = suite;
  const h = await suite.start();
  expect(await assignedTech(h)).toBe('t1007');
  const s = await h.state();
  expect(candidatesLogged(s)).toEqual(['t1007', 't1001', 't1004', 't1010', 't1014']);
  expect(s.assignments[0]).toMatchObject({ technicianId: 't1007', name: '赵军', workNumber: 'T-1007', tier: 3, by: 'auto', visit: 1 });
  // Customer told who is coming (name, work number, phone); the technician gets the work order.
  const sms = await untilSms(
    bed,
    h,
    (l) => l.some((x) => x.kind === 'assigned') && l.some((x) => x.kind === 'tech_assignment'),
    'assignment SMS',
  );
  expect(sms.find((x) => x.kind === 'assigned')?.text).toEqual(expect.stringMatching(/赵军.*T-1007.*\+8613800138007/));
  expect(sms.find((x) => x.kind === 'tech_assignment')?.to).toBe('+8613800138007');
});

test('load decides among equals: two open jobs put t1007 behind t1001, but never behind a technician without a star', async () => {
  const { bed } = suite;
  bed.openJobs.t1007 = 2;
  const busy = await suite.start();
  expect(await assignedTech(busy)).toBe('t1001');
  expect(candidatesLogged(await busy.state())).toEqual(['t1001', 't1007', 't1004', 't1010', 't1014']);

  // t1004 has no open jobs, t1001 and t1007 have three each: rating still comes before load.
  Object.assign(bed.openJobs, { t1001: 3, t1007: 3, t1004: 0 });
  const loaded = await suite.start();
  expect(await assignedTech(loaded)).toBe('t1007');
  expect(candidatesLogged(await loaded.state())).toEqual(['t1007', 't1001', 't1004', 't1010', 't1014']);
});

test('declined → next candidate; the customer gets one delay SMS however many decline', async () => {
  const { bed } = suite;
  const h = await suite.start();
  expect(await assignedTech(h)).toBe('t1007');
  await act.decline(h, 't1007', '今天排满了');
  let s = await nextAssignment(h, 2);
  expect(s.technicianId).toBe('t1001');
  expect(s.assignments[0]).toMatchObject({ technicianId: 't1007', declinedAt: expect.any(String), declineReason: '今天排满了' });
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'delay'), 'delay SMS');

  await act.decline(h, 't1001');
  s = await nextAssignment(h, 3);
  expect(s.technicianId).toBe('t1004');
  await act.accept(h, 't1004');
  s = await untilStatus(h, 'accepted');
  expect(assignedIn(s)).toEqual(['t1007', 't1001', 't1004']);
  expect(s.escalationLevel).toBe(0);
  // The last work order may still be on its way when the accept is in: count once nothing is in flight.
  await settle(h);
  expect(await smsOf(bed, h, 'delay')).toHaveLength(1);
  // Each technician tried got their own work order.
  expect((await smsOf(bed, h, 'tech_assignment')).map((l) => l.to).sort()).toEqual(['+8613800138001', '+8613800138004', '+8613800138007']);
});

test('no accept within 1 h → next candidate (one delay SMS, no escalation)', async () => {
  const { bed } = suite;
  const h = await suite.start();
  expect(await assignedTech(h)).toBe('t1007');
  const A = Date.parse((await h.state()).receivedAt);
  expect(deadline(await h.state(), 'accept').dueAt).toEqual(near(A + HOUR));

  await advanceTo(bed, A + HOUR - S);
  expect((await h.state()).technicianId).toBe('t1007');
  await advanceTo(bed, A + HOUR + S);
  let s = await nextAssignment(h, 2);
  expect(s.technicianId).toBe('t1001');
  expect(s.assignments[0]).toMatchObject({ technicianId: 't1007', timedOutAt: near(A + HOUR) });
  expect(deadline(s, 'accept')).toMatchObject({ status: 'breached' });
  expect(deadline(s, 'accept#2')).toMatchObject({ startedAt: near(A + HOUR), dueAt: near(A + 2 * HOUR) });

  await advanceTo(bed, A + 2 * HOUR + S);
  s = await nextAssignment(h, 3);
  expect(s.technicianId).toBe('t1004');
  await act.accept(h, 't1004');
  s = await untilStatus(h, 'accepted');
  // The accept window re-dispatches; it does not escalate. The dispatch deadline was met by the first assignment.
  expect(s.escalationLevel).toBe(0);
  expect(s.escalations).toEqual([]);
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'met', metAt: near(A) });
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'delay'), 'delay SMS');
  await settle(h);
  expect(await smsOf(bed, h, 'delay')).toHaveLength(1);
  // A late accept from someone no longer assigned is refused.
  await expect(act.accept(h, 't1007')).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  await recordHistory(h, 'redispatch-after-timeouts');
});

test('no technician has the skills → level 1 at once; a manual assignment gets it going', async () => {
  const { bed } = suite;
  const h = await suite.start(SAUNA);
  let s = await untilState(h, (x) => x.escalationLevel === 1, 'level 1');
  expect(s.status).toBe('dispatching');
  expect(s.escalations).toEqual([expect.objectContaining({ level: 1, reason: 'no_candidate', contactRole: 'dispatch_lead' })]);
  expect(candidatesLogged(s)).toEqual(['none']);
  const alert = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'ops_alert'), 'ops alert');
  expect(alert.find((x) => x.kind === 'ops_alert')?.to).toBe('+8613900139001');

  // Ops pick someone by hand (manual override); the request carries on.
  s = await act.assign(h, 't1008');
  expect(s).toMatchObject({ status: 'assigned', technicianId: 't1008' });
  expect(s.assignments).toEqual([expect.objectContaining({ technicianId: 't1008', by: 'manual' })]);
  expect(deadline(s, 'dispatch').status).toBe('met');
  await act.accept(h, 't1008');
  expect((await untilStatus(h, 'accepted')).escalationLevel).toBe(1);
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'tech_assignment' && x.to === '+8613800138008'), 'work order to t1008');
});

test('everyone declines → level 1; an unknown or inactive technician cannot be assigned; a real one can', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const order = ['t1007', 't1001', 't1004', 't1010', 't1014'];
  for (const [i, tech] of order.entries()) {
    await nextAssignment(h, i + 1);
    expect((await h.state()).technicianId).toBe(tech);
    await act.decline(h, tech);
  }
  let s = await untilState(h, (x) => x.escalationLevel === 1 && x.status === 'dispatching', 'all declined → level 1');
  expect(s.escalations).toEqual([expect.objectContaining({ reason: 'no_candidate', level: 1 })]);
  await settle(h);
  expect(await smsOf(bed, h, 'delay')).toHaveLength(1);

  for (const bad of ['t9999', 't1012' /* on leave */]) {
    const err = await act.assign(h, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((err as WorkflowUpdateFailedError).cause?.message).toMatch(/unknown or inactive/);
  }
  expect((await h.state()).status).toBe('dispatching');
  s = await act.assign(h, 't1007'); // ops talked them into it
  expect(s).toMatchObject({ status: 'assigned', technicianId: 't1007' });
  expect(s.assignments.at(-1)).toMatchObject({ technicianId: 't1007', by: 'manual' });
});

test('ops can reassign before the visit: the first technician is replaced, the new one must accept', async () => {
  const { bed } = suite;
  const h = await suite.start();
  expect(await assignedTech(h)).toBe('t1007');
  await act.accept(h, 't1007');
  const s = await act.assign(h, 't1004');
  expect(s).toMatchObject({ status: 'assigned', technicianId: 't1004' });
  expect(s.assignments[0]).toMatchObject({ technicianId: 't1007', acceptedAt: expect.any(String), replacedAt: expect.any(String) });
  await expect(act.book(h, 't1007', new Date(await serverNow(bed)).toISOString())).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  await act.accept(h, 't1004');
  await untilStatus(h, 'accepted');
  await settle(h);
  expect(await smsOf(bed, h, 'delay')).toHaveLength(0);
});
