/**
 * Lifecycle 3, without a visit (issue 12): a consultation starts at first-line handling (`first_line`) with no
 * dispatch and no visit clocks; the hotline resolves it remotely, or decides it needs a visit — then it is
 * dispatched and its dispatch/response/on-site clocks count from that decision. Any request can be resolved
 * remotely before the visit, by ops or by the technician assigned to it: the visit clocks stop, resolution is
 * met, no photos are asked for; the completion SMS with its rating link and the call-back follow as usual.
 */
import type { Handle } from './support/env';
import {
  act,
  advanceTo,
  assignedTech,
  deadline,
  expectRejected,
  HOUR,
  MIN,
  near,
  ratingTokenId,
  reachedCall,
  recordHistory,
  settle,
  smsOf,
  untilSms,
  untilState,
  untilStatus,
  useBed,
} from './support/scenario';

const suite = useBed();
const CONSULTATION = { type: 'consultation' as const, problem: { description: '热水器怎么调节出水温度？' } };
const VISIT_MILESTONES = ['dispatch', 'accept', 'response', 'on_site', 'appointment'];

const ids = (s: { deadlines: { id: string }[] }): string[] => s.deadlines.map((d) => d.id);

/** First line with nothing going on: no candidate search, no assignment, no visit clock, no technician SMS. */
async function expectFirstLineOnly(h: Handle): Promise<void> {
  await settle(h);
  const s = await h.state();
  expect(s.status).toBe('first_line');
  expect(ids(s).sort()).toEqual(['acknowledge', 'resolution']);
  expect(s.assignments).toEqual([]);
  expect(s.timeline.map((e) => e.event)).not.toContain('candidates');
  expect((await smsOf(suite.bed, h)).map((l) => l.kind)).toEqual(['received']);
}

test('consultation resolved by the hotline: first_line, no dispatch; completed with the rating link, no photo check', async () => {
  const { bed } = suite;
  const h = await suite.start(CONSULTATION);
  await untilStatus(h, 'first_line');
  const A = Date.parse((await h.state()).receivedAt);
  // Three hours on (a repair's 2-h dispatch clock would have broken) it is still only at the hotline.
  await advanceTo(bed, A + 3 * HOUR);
  await expectFirstLineOnly(h);

  let s = await act.remote(h, {}, '指导客户调节温度旋钮，已解决');
  expect(s.status).toBe('completed');
  expect(s.remoteResolution).toEqual({ at: near(A + 3 * HOUR), notes: '指导客户调节温度旋钮，已解决', by: 'hotline (ops)' });
  expect(deadline(s, 'resolution')).toMatchObject({ status: 'met', metAt: near(A + 3 * HOUR) });
  expect(s.timeline.map((e) => e.event)).toContain('resolved_remotely');

  // Completion SMS with a working rating link; no photos asked for (no check, no photos deadline).
  await ratingTokenId(bed, h);
  await settle(h);
  s = await h.state();
  expect(s.photoChecks).toEqual([]);
  expect(ids(s)).not.toContain('photos');
  expect(s.deadlines.filter((d) => VISIT_MILESTONES.includes(d.milestone))).toEqual([]);
  expect(await smsOf(bed, h, 'tech_assignment', 'tech_photo_reminder')).toEqual([]);
  expect(s.escalations).toEqual([]);

  // The call-back follows as after a visit; a good answer closes it, and the link is spent.
  await advanceTo(bed, A + 6 * HOUR);
  const final = await act.callback(h, reachedCall({ score: 5 }));
  expect(final).toMatchObject({ status: 'closed', outcome: 'closed', feedback: { score: 5 } });
  expect(await h.result()).toMatchObject({ outcome: 'closed' });
  await recordHistory(h, 'v3-remote-consultation');
});

test('consultation needs a visit: dispatched from the decision, its dispatch/response/on-site clocks count from then', async () => {
  const { bed } = suite;
  const h = await suite.start(CONSULTATION);
  await untilStatus(h, 'first_line');
  const A = Date.parse((await h.state()).receivedAt);
  const D = A + 90 * MIN;
  await advanceTo(bed, D);
  await expectFirstLineOnly(h);

  let s = await act.visitNeeded(h, '客户描述像是比例阀故障，需上门');
  expect(s.status).toBe('dispatching');
  expect(s.timeline.find((e) => e.event === 'visit_needed')).toMatchObject({ at: near(D), detail: '客户描述像是比例阀故障，需上门' });
  // Normal urgency: 2 h, 4 h, 24 h — from the decision, not from receipt. Resolution still counts from receipt.
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'pending', startedAt: near(D), dueAt: near(D + 2 * HOUR) });
  expect(deadline(s, 'response')).toMatchObject({ startedAt: near(D), dueAt: near(D + 4 * HOUR) });
  expect(deadline(s, 'on_site')).toMatchObject({ startedAt: near(D), dueAt: near(D + 24 * HOUR) });
  expect(deadline(s, 'resolution').startedAt).toEqual(near(A));

  const tech = await assignedTech(h);
  s = await act.accept(h, tech);
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'met', metAt: near(D) });
  // Past receipt + 2 h (where a repair's dispatch would have broken) but inside the decision's 2 h: nothing broke.
  await advanceTo(bed, A + 2 * HOUR + 30 * MIN);
  expect((await h.state()).escalations).toEqual([]);
  // visitNeeded is first-line only.
  await expectRejected(h, () => act.visitNeeded(h), /cannot visitNeeded a request that is accepted/);
});

test('repair resolved by phone by the assigned technician after accepting: visit clocks cancelled, resolution met', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await assignedTech(h);
  const A = Date.parse((await h.state()).receivedAt);
  await advanceTo(bed, A + 20 * MIN);
  await act.accept(h, tech);
  await advanceTo(bed, A + 45 * MIN);

  // Only the technician the request is assigned to may do it.
  const other = tech === 't1001' ? 't1004' : 't1001';
  await expectRejected(h, () => act.remote(h, { technicianId: other }), `technician ${other} is not assigned to this request`);

  let s = await act.remote(h, { technicianId: tech }, '电话指导客户清理进气口，点火正常');
  expect(s.status).toBe('completed');
  expect(s.remoteResolution).toEqual({
    at: near(A + 45 * MIN),
    notes: '电话指导客户清理进气口，点火正常',
    technicianId: tech,
    by: `${tech} (technician)`,
  });
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'met', metAt: near(A + 20 * MIN) });
  expect(deadline(s, 'response').status).toBe('cancelled');
  expect(deadline(s, 'on_site').status).toBe('cancelled');
  expect(deadline(s, 'resolution')).toMatchObject({ status: 'met', metAt: near(A + 45 * MIN) });

  await untilSms(bed, h, (l) => l.some((x) => x.kind.startsWith('completed')), 'completion SMS');
  await settle(h);
  s = await h.state();
  expect(s.photoChecks).toEqual([]);
  expect(ids(s)).not.toContain('photos');
  // The technician's reservation was released: the job is over for them.
  expect(bed.board.load().counts).toEqual({});
  // Past where response (4 h) and on site (24 h) would have broken: cancelled clocks stay silent. (The call-back,
  // due 24 h after the resolution, has warned by now: the only page.)
  await advanceTo(bed, A + 24 * HOUR + 30 * MIN);
  await settle(h);
  s = await h.state();
  expect(s.escalations).toEqual([]);
  expect((await smsOf(bed, h, 'escalation_warning', 'escalation_breach')).map((l) => [l.kind, l.text])).toEqual([
    ['escalation_warning', expect.stringContaining('「回访」')],
  ]);
  await recordHistory(h, 'v3-remote-repair');
});

test('before accepting, another technician cannot resolve it; ops can, while it is still being dispatched', async () => {
  const h = await suite.start();
  const tech = await assignedTech(h);
  const other = tech === 't1001' ? 't1004' : 't1001';
  await expectRejected(h, () => act.remote(h, { technicianId: other }), `technician ${other} is not assigned to this request`);
  expect((await h.state()).status).toBe('assigned');

  const s = await act.remote(h, {}, 'customer found the gas valve closed');
  expect(s.status).toBe('completed');
  expect(deadline(s, 'accept').status).toBe('cancelled');
  expect(deadline(s, 'dispatch').status).toBe('cancelled');
  expect(s.remoteResolution).toMatchObject({ by: 'hotline (ops)' });
  await untilState(h, (x) => x.timeline.some((e) => e.event === 'resolved_remotely'), 'resolved');
});
