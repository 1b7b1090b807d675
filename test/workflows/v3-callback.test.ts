/**
 * Lifecycle 3, the satisfaction call-back (回访; issue 12): the call centre calls between `callback.earliest` (2 h)
 * and `callback.latest` (24 h) after completion — its own deadline — and reports each call. Not reached: another
 * call is due (a task per attempt, FileCallCentre → bed.dir/callbacks.jsonl); after `maxAttempts` (3) the customer
 * counts as unreachable and level 1 is paged. Reached: answers A–D and a score; "not fixed" reopens the request
 * for a revisit by another technician; complaints raised in the call are recorded; a score ≤ 3 opens the follow-up.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Handle } from './support/env';
import {
  act,
  advanceTo,
  ALL_PHOTOS,
  assignedTech,
  deadline,
  expectRejected,
  HOUR,
  MIN,
  near,
  reachedCall,
  recordHistory,
  serverNow,
  settle,
  smsOf,
  untilSms,
  untilState,
  uploadPhotos,
  useBed,
} from './support/scenario';

const suite = useBed();
const S = 1000;
const L1_PHONE = '+8613900139001';

/** Takes the assigned technician through a punctual, resolved visit; returns the completion time. */
async function visitAndComplete(h: Handle, tech: string, completions = 1): Promise<number> {
  const { bed } = suite;
  await act.accept(h, tech);
  await act.book(h, tech, new Date(await serverNow(bed)).toISOString());
  await act.arrive(h, tech);
  await uploadPhotos(bed, h, ALL_PHOTOS);
  const s = await act.complete(h, tech);
  await untilSms(bed, h, (l) => l.filter((x) => x.kind.startsWith('completed')).length === completions, `completion SMS #${completions}`);
  return Date.parse(s.completion?.[completions - 1]?.at as string);
}

async function completed(h: Handle): Promise<{ T: number; tech: string }> {
  const tech = await assignedTech(h);
  return { T: await visitAndComplete(h, tech), tech };
}

type Task = { requestId: string; phone: string; dueAt: string; ratingUrl: string };

/** The request's call-back tasks (FileCallCentre's JSON Lines; no file before the first task). */
const tasksOf = (h: Handle): Task[] => {
  const file = join(suite.bed.dir, 'callbacks.jsonl');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Task)
    .filter((t) => t.requestId === h.workflowId);
};

const notReached = (h: Handle, note = '无人接听') => act.callback(h, { reached: false, note });

test('not reached three times → unreachable, level 1 (callback_unreached); one call-back task per attempt', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const { T } = await completed(h);
  let s = await h.state();
  expect(s.callback).toEqual({ dueFrom: near(T + 2 * HOUR), dueBy: near(T + 24 * HOUR), attempts: [] });
  expect(deadline(s, 'callback')).toMatchObject({ status: 'pending', dueAt: near(T + 24 * HOUR) });

  // The window opens at 2 h: survey SMS and the first call's task, not before.
  await advanceTo(bed, T + 2 * HOUR - S);
  await settle(h);
  expect(tasksOf(h)).toEqual([]);
  await advanceTo(bed, T + 2 * HOUR + S);
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'survey'), 'survey');
  await settle(h);
  expect(tasksOf(h)).toHaveLength(1);

  for (const [i, hours] of [3, 6].entries()) {
    await advanceTo(bed, T + hours * HOUR);
    s = await notReached(h);
    expect(s.status).toBe('completed');
    expect(s.callback?.attempts).toHaveLength(i + 1);
    await settle(h);
    // The next call is due: its own task.
    expect(tasksOf(h)).toHaveLength(i + 2);
  }
  expect((await h.state()).escalations).toEqual([]);

  await advanceTo(bed, T + 9 * HOUR);
  // The third unanswered call: its answer already shows the customer unreachable and the escalation.
  s = await notReached(h, '关机');
  expect(s.status).toBe('completed');
  expect(s.callback?.unreachable).toBe(true);
  expect(s.callback?.attempts.map((a) => a.at)).toEqual([near(T + 3 * HOUR), near(T + 6 * HOUR), near(T + 9 * HOUR)]);
  expect(s.callback?.attempts[2]).toMatchObject({ note: '关机', by: 'callcentre (callcentre)' });
  expect(s.escalations).toEqual([
    expect.objectContaining({ level: 1, reason: 'callback_unreached', milestone: 'callback', contactRole: 'dispatch_lead' }),
  ]);
  // One escalation for one failure: the window's own deadline is off.
  expect(deadline(s, 'callback').status).toBe('cancelled');
  const alert = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'ops_alert'), 'ops alert');
  expect(alert.filter((x) => x.kind === 'ops_alert').map((x) => x.to)).toEqual([L1_PHONE]);
  await settle(h);
  expect(tasksOf(h)).toHaveLength(3);
  expect(tasksOf(h).map((t) => t.dueAt)).toEqual([near(T + 24 * HOUR), near(T + 24 * HOUR), near(T + 24 * HOUR)]);

  // Past the window's end: no second escalation. No score by the link's expiry → closed as no feedback.
  await advanceTo(bed, T + 24 * HOUR + S);
  await settle(h);
  expect((await h.state()).escalations).toHaveLength(1);
  const final = await h.result();
  expect(final).toMatchObject({ status: 'closed', outcome: 'no_feedback', closedAt: near(T + 96 * HOUR) });
  expect(final.escalations).toHaveLength(1);
  await recordHistory(h, 'v3-callback-unreached');
});

test('no outcome by 24 h after completion → the callback deadline breaks (warned at 80 %) and escalates', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const { T } = await completed(h);
  expect(deadline(await h.state(), 'callback')).toMatchObject({ warnAt: near(T + 19 * HOUR + 12 * MIN) });
  await advanceTo(bed, T + 24 * HOUR - S);
  await settle(h);
  expect((await h.state()).escalations).toEqual([]);
  expect((await smsOf(bed, h, 'escalation_warning')).map((l) => l.text)).toEqual([expect.stringContaining('「回访」')]);

  await advanceTo(bed, T + 24 * HOUR + S);
  let s = await untilState(h, (x) => x.escalationLevel === 1, 'callback breach');
  expect(deadline(s, 'callback')).toMatchObject({ status: 'breached', breachedAt: near(T + 24 * HOUR) });
  expect(s.escalations).toEqual([
    expect.objectContaining({ level: 1, reason: 'breach', deadlineId: 'callback', milestone: 'callback', contactRole: 'dispatch_lead' }),
  ]);
  expect(s.status).toBe('completed');
  const pages = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'escalation_breach'), 'breach page');
  expect(pages.filter((x) => x.kind === 'escalation_breach').map((x) => [x.to, x.text])).toEqual([
    [L1_PHONE, expect.stringContaining('「回访」')],
  ]);

  // Reached the next day: met late, still counted as breached; closed.
  await advanceTo(bed, T + 30 * HOUR);
  s = await act.callback(h, reachedCall({ score: 4 }));
  expect(s).toMatchObject({ status: 'closed', outcome: 'closed' });
  expect(deadline(s, 'callback')).toMatchObject({ status: 'breached', metAt: near(T + 30 * HOUR) });
});

test('reached, not fixed → reopened: a revisit by another technician with its own clocks; fixed at the second call-back → closed', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const { T, tech: first } = await completed(h);
  const R = T + 3 * HOUR;
  await advanceTo(bed, R);
  let s = await act.callback(h, reachedCall({ fixed: false, satisfiedWithTechnician: false, score: 2, suggestions: '还是会熄火' }));
  // Not fixed comes before a low score: a revisit, not a follow-up.
  expect(s.status).toBe('dispatching');
  expect(s.callback?.outcome).toMatchObject({
    at: near(R),
    fixed: false,
    score: 2,
    suggestions: '还是会熄火',
    by: 'callcentre (callcentre)',
  });
  expect(deadline(s, 'callback')).toMatchObject({ status: 'met', metAt: near(R) });

  s = await untilState(h, (x) => x.visit === 2 && x.status === 'assigned', 'revisit assigned');
  expect(s.reopened).toEqual([{ at: near(R), visit: 2, excluded: [first] }]);
  const second = s.technicianId as string;
  expect(second).not.toBe(first);
  // Automatic dispatch left the first technician out.
  const candidates = s.timeline.filter((e) => e.event === 'candidates').at(-1)?.detail ?? '';
  expect(candidates).not.toContain(first);
  expect(s.assignments.at(-1)).toMatchObject({ technicianId: second, visit: 2, by: 'auto' });
  // The revisit's own clocks, from the call-back; resolution (met at the first completion) is not restarted.
  expect(deadline(s, 'dispatch#2')).toMatchObject({ status: 'pending', startedAt: near(R), dueAt: near(R + 2 * HOUR) });
  expect(deadline(s, 'response#2')).toMatchObject({ status: 'pending', dueAt: near(R + 4 * HOUR) });
  expect(deadline(s, 'on_site#2')).toMatchObject({ status: 'pending', dueAt: near(R + 24 * HOUR) });
  expect(s.deadlines.filter((d) => d.milestone === 'resolution')).toHaveLength(1);
  expect(s.timeline.map((e) => e.event)).toContain('reopened');
  const revisitSms = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'revisit'), 'revisit SMS');
  expect(revisitSms.find((x) => x.kind === 'revisit')?.to).toBe('+8613812345678');

  await advanceTo(bed, R + 30 * MIN);
  const T2 = await visitAndComplete(h, second, 2);
  s = await h.state();
  expect(deadline(s, 'dispatch#2')).toMatchObject({ status: 'met', metAt: near(R + 30 * MIN) });
  expect(deadline(s, 'response#2').status).toBe('met');
  expect(deadline(s, 'on_site#2').status).toBe('met');
  expect(s.completion?.map((c) => [c.technicianId, c.resolved])).toEqual([
    [first, true],
    [second, true],
  ]);
  // A new call-back for the new completion.
  expect(s.callback).toEqual({ dueFrom: near(T2 + 2 * HOUR), dueBy: near(T2 + 24 * HOUR), attempts: [] });
  expect(deadline(s, 'callback#2')).toMatchObject({ status: 'pending', dueAt: near(T2 + 24 * HOUR) });

  await advanceTo(bed, T2 + 3 * HOUR);
  const final = await act.callback(h, reachedCall({ score: 5 }));
  expect(final).toMatchObject({ status: 'closed', outcome: 'closed', feedback: { score: 5 } });
  expect(deadline(final, 'callback#2')).toMatchObject({ status: 'met', metAt: near(T2 + 3 * HOUR) });
  expect(final.escalations).toEqual([]);
  expect(await smsOf(bed, h, 'follow_up_apology')).toEqual([]);
  await settle(h);
  // One call-back task per completion (both windows opened before the call).
  expect(tasksOf(h)).toHaveLength(2);
  await recordHistory(h, 'v3-callback-revisit');
});

test('reached with a staff and a product complaint: both recorded; fixed and scored 4 → closed (before the window: no task)', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const { T } = await completed(h);
  // The answers are required when the customer was reached.
  await expectRejected(h, () => act.callback(h, { reached: true, score: 4 }), /answers: required/);
  await expectRejected(h, () => act.callback(h, { reached: false, score: 4 }), /score: only when the customer was reached/);

  await advanceTo(bed, T + HOUR);
  const s = await act.callback(h, {
    ...reachedCall({ score: 4 }),
    staffComplaint: '工程师进门没有穿鞋套',
    productComplaint: '面板按键太硬',
  });
  expect(s).toMatchObject({ status: 'closed', outcome: 'closed', feedback: { score: 4 } });
  expect(s.callbackComplaints).toEqual([
    { at: near(T + HOUR), kind: 'staff', text: '工程师进门没有穿鞋套' },
    { at: near(T + HOUR), kind: 'product', text: '面板按键太硬' },
  ]);
  expect(s.timeline.filter((e) => e.event === 'callback_complaint').map((e) => e.detail)).toEqual([
    'staff: 工程师进门没有穿鞋套',
    'product: 面板按键太硬',
  ]);
  await settle(h);
  expect(tasksOf(h)).toEqual([]);
  expect(await smsOf(bed, h, 'survey')).toEqual([]);
});

test('reached, fixed, score 3 → follow-up (apology, 2-h deadline); recorded → closed', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const { T } = await completed(h);
  await advanceTo(bed, T + 4 * HOUR);
  let s = await act.callback(h, reachedCall({ score: 3, useExplained: false }));
  expect(s.status).toBe('follow_up');
  expect(s.feedback).toMatchObject({ score: 3, at: near(T + 4 * HOUR) });
  expect(s.callback?.outcome).toMatchObject({ fixed: true, useExplained: false, score: 3 });
  s = await untilState(h, (x) => x.deadlines.some((d) => d.id === 'follow_up'), 'follow-up deadline');
  expect(deadline(s, 'follow_up')).toMatchObject({ status: 'pending', dueAt: near(T + 6 * HOUR) });
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'follow_up_apology'), 'apology');

  await advanceTo(bed, T + 5 * HOUR);
  await act.followUp(h);
  const final = await h.result();
  expect(final).toMatchObject({ status: 'closed', outcome: 'closed' });
  expect(deadline(final, 'follow_up')).toMatchObject({ status: 'met', metAt: near(T + 5 * HOUR) });
});

test('unreachable after three calls, then reached after all: the later call still counts and closes it', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const { T } = await completed(h);
  for (const hours of [3, 4, 5]) {
    await advanceTo(bed, T + hours * HOUR);
    await notReached(h);
  }
  expect((await h.state()).escalations).toEqual([expect.objectContaining({ reason: 'callback_unreached' })]);
  await advanceTo(bed, T + 30 * HOUR);
  const s = await act.callback(h, reachedCall({ score: 5 }));
  expect(s).toMatchObject({ status: 'closed', outcome: 'closed', feedback: { score: 5 } });
  expect(s.callback).toMatchObject({ unreachable: true, outcome: { score: 5, at: near(T + 30 * HOUR) } });
  expect(s.escalations).toHaveLength(1);
});
