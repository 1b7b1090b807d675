/**
 * Escalation (docs/lifecycle.md): deadlines that break. The 80 % warning reaches the outbox before the breach; each breach raises
 * the level by one (capped at 3), pages that level's contact (escalation_breach SMS to their phone), and is
 * recorded with the milestone and lateness; BreachedDeadlines lists it. Per urgency, and for complaints and
 * returns (resolution_max). A deadline met after it broke keeps "breached" and records how late it was.
 */
import type { Urgency } from '../../src/domain/types';
import { SA } from '../../src/temporal/searchAttributes';
import type { Bed, Handle } from './support/env';
import {
  act,
  advanceTo,
  ALL_PHOTOS,
  anchorAt,
  assignedTech,
  at,
  between,
  deadline,
  HOUR,
  MIN,
  near,
  ratingTokenId,
  recordHistory,
  serverNow,
  settle,
  smsOf,
  until,
  untilSms,
  untilState,
  uploadPhotos,
  useBed,
} from './support/scenario';

// Lifecycle 2's rules, for the requests still running on it; lifecycle 3's changes are in v3-*.test.ts.
const suite = useBed({ lifecycleVersion: 2 });
const PHONE = { 1: '+8613900139001', 2: '+8613900139002', 3: '+8613900139003' } as const;
const ROLE = { 1: 'dispatch_lead', 2: 'service_supervisor', 3: 'service_centre_manager' } as const;
type Level = 1 | 2 | 3;
const S = 1000;

/** Escalation messages of the request as [kind, level-by-phone], oldest first. */
async function pages(bed: Bed, h: Handle): Promise<string[]> {
  const byPhone = Object.fromEntries(Object.entries(PHONE).map(([l, p]) => [p, `L${l}`]));
  return (await smsOf(bed, h)).filter((l) => byPhone[l.to]).map((l) => `${l.kind} ${byPhone[l.to]}`);
}

/**
 * Steps through one deadline: just after its warning only the warning has gone out (to the contact that the
 * breach would page); just after its due time it is breached, the level is `level`, and that level's contact got
 * the escalation_breach SMS. Pages are counted only once the request has settled (no activity or workflow task
 * in flight), so a page still on its way from an earlier step is never taken for, or missed as, a new one.
 */
async function warnThenBreach(h: Handle, id: string, warnAt: number | string, dueAt: number | string, level: Level): Promise<void> {
  const { bed } = suite;
  const warnMs = typeof warnAt === 'number' ? warnAt : Date.parse(warnAt);
  const dueMs = typeof dueAt === 'number' ? dueAt : Date.parse(dueAt);
  await settle(h);
  const before = (await pages(bed, h)).length;
  /** The pages since `before`, once at least `n` are there and the request has settled (so no more are coming). */
  const newPages = async (n: number, what: string) => {
    await until(
      () => pages(bed, h),
      (p) => p.length >= before + n,
      `${h.workflowId}: ${what}`,
    );
    await settle(h);
    return (await pages(bed, h)).slice(before);
  };

  await advanceTo(bed, warnMs - S);
  await settle(h);
  expect(await pages(bed, h)).toHaveLength(before);
  await advanceTo(bed, warnMs + S);
  expect(await newPages(1, `${id} warning`)).toEqual([`escalation_warning L${level}`]);
  let s = await h.state();
  // Warned when its timer fired: not before warnAt, and by the time the page was seen (well before the due time).
  const seenMs = await serverNow(bed);
  expect(seenMs).toBeLessThan(dueMs);
  expect(deadline(s, id)).toMatchObject({
    status: 'pending',
    dueAt: near(dueMs),
    warnAt: near(warnMs),
    warnedAt: between(warnMs - S, seenMs),
  });
  expect(s.escalationLevel).toBe(level - 1);

  await advanceTo(bed, dueMs - S);
  expect(deadline(await h.state(), id).status).toBe('pending');
  await advanceTo(bed, dueMs + S);
  s = await untilState(h, (x) => x.escalationLevel === level && deadline(x, id).status === 'breached', `${id} breached, level ${level}`);
  expect(deadline(s, id)).toMatchObject({ breachedAt: near(dueMs) });
  expect(s.escalations[s.escalations.length - 1]).toEqual({
    at: near(dueMs),
    level,
    reason: 'breach',
    deadlineId: id,
    milestone: deadline(s, id).milestone,
    lateByMs: expect.any(Number),
    contactRole: ROLE[level],
  });
  expect(s.escalations[s.escalations.length - 1]?.lateByMs).toBeLessThan(S);
  expect(await newPages(2, `${id} breach page`)).toEqual([`escalation_warning L${level}`, `escalation_breach L${level}`]);
  const page = (await smsOf(bed, h, 'escalation_breach')).pop();
  expect(page?.text).toContain(s.ticket);
}

/** BreachedDeadlines search attribute, as ops filter on it. */
async function breachedAttribute(h: Handle): Promise<string[] | undefined> {
  return (await h.describe()).typedSearchAttributes.get(SA.BreachedDeadlines);
}

describe.each([
  // Received Monday 11:00 (chosen so no two timers coincide). Warnings at 80 % of each span.
  {
    urgency: 'normal' as Urgency,
    response: { warn: 3 * HOUR + 12 * MIN, due: 4 * HOUR }, // 14:12 / 15:00
    onSite: { warn: 19 * HOUR + 12 * MIN, due: 24 * HOUR }, // Tue 06:12 / Tue 11:00
    resolution: { warn: (A: number) => at(A, 1, '17:00'), due: (A: number) => at(A, 2, '11:00') }, // 16 / 20 business h
  },
  {
    urgency: 'urgent' as Urgency,
    response: { warn: 96 * MIN, due: 2 * HOUR }, // 12:36 / 13:00
    onSite: { warn: 6 * HOUR + 24 * MIN, due: 8 * HOUR }, // 17:24 / 19:00
    resolution: { warn: (A: number) => at(A, 1, '09:00'), due: (A: number) => at(A, 1, '11:00') }, // 8 / 10 business h
  },
  {
    urgency: 'critical' as Urgency,
    response: { warn: 48 * MIN, due: 1 * HOUR },
    onSite: { warn: 96 * MIN, due: 2 * HOUR },
    resolution: { warn: (A: number) => at(A, 0, '17:24'), due: (A: number) => at(A, 0, '19:00') }, // 8 h round the clock
  },
])('$urgency: the escalation chain', ({ urgency, response, onSite, resolution }) => {
  test('technician accepts and then does nothing: response → L1, on site → L2, resolution → L3, each warned first', async () => {
    const { bed } = suite;
    const A = await anchorAt(bed, 1, '11:00');
    const h = await suite.start({ urgency });
    const tech = await assignedTech(h);
    await advanceTo(bed, A + 5 * MIN);
    await act.accept(h, tech);

    await warnThenBreach(h, 'response', A + response.warn, A + response.due, 1);
    expect(await breachedAttribute(h)).toEqual(['response']);
    await warnThenBreach(h, 'on_site', A + onSite.warn, A + onSite.due, 2);
    await warnThenBreach(h, 'resolution', resolution.warn(A), resolution.due(A), 3);
    expect(await breachedAttribute(h)).toEqual(['response', 'on_site', 'resolution']);

    // The technician finally turns up and fixes it: the deadlines stay breached and record how late they were met.
    const late = Date.parse(resolution.due(A)) + 2 * HOUR;
    await advanceTo(bed, late);
    await act.book(h, tech, new Date(late + 30 * MIN).toISOString());
    await act.arrive(h, tech);
    await uploadPhotos(bed, h, ALL_PHOTOS);
    await act.complete(h, tech);
    const s = await h.state();
    expect(deadline(s, 'response')).toMatchObject({ status: 'breached', metAt: near(late), lateByMs: expect.any(Number) });
    expect(deadline(s, 'response').lateByMs).toBeGreaterThan(late - A - response.due - 5 * S);
    expect(deadline(s, 'resolution')).toMatchObject({ status: 'breached', metAt: near(late) });
    expect(Math.abs((deadline(s, 'resolution').lateByMs ?? 0) - 2 * HOUR)).toBeLessThan(5 * S);
    expect(s.escalations.map((e) => `${e.milestone} L${e.level}`)).toEqual(['response L1', 'on_site L2', 'resolution L3']);

    // Closes normally; the level stays where it got to.
    const tokenId = await ratingTokenId(bed, h);
    await act.feedback(h, tokenId, 5);
    const final = await h.result();
    expect(final).toMatchObject({ outcome: 'closed', escalationLevel: 3 });
    if (urgency === 'normal') await recordHistory(h, 'escalation-chain');
  });

  test('nobody can be dispatched: level 1 at once, then the dispatch deadline breaks → level 2', async () => {
    const { bed } = suite;
    const A = await anchorAt(bed, 1, '11:00');
    const span = { normal: 2 * HOUR, urgent: 30 * MIN, critical: 10 * MIN }[urgency];
    const h = await suite.start({ urgency, product: { model: 'SAUNA-1', purchaseDate: '2025-01-01', category: 'sauna' } });
    let s = await untilState(h, (x) => x.escalationLevel === 1, 'no-candidate escalation');
    expect(s.status).toBe('dispatching');
    const alert = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'ops_alert'), 'ops alert');
    expect(alert.filter((x) => x.kind === 'ops_alert').map((x) => x.to)).toEqual([PHONE[1]]);
    await warnThenBreach(h, 'dispatch', A + 0.8 * span, A + span, 2);
    s = await h.state();
    expect(s.escalations.map((e) => `${e.reason} L${e.level}`)).toEqual(['no_candidate L1', 'breach L2']);
  });
});

/**
 * The worker goes down once `h` has settled; the test server skips to the timer at `timerAt` and waits there for a
 * worker; the visit is booked meanwhile; a worker comes back, and the timer and the booking reach the workflow in
 * one task. `check` runs once that task is through; the request is terminated afterwards.
 */
async function bookWhileWorkerDown(
  h: Handle,
  worker: { stop(): Promise<void> },
  tech: string,
  timerAt: number,
  timer: string,
  check: () => Promise<void>,
): Promise<void> {
  const { bed } = suite;
  await settle(h);
  await worker.stop(); // (queries need a worker too: none until the next unpark)
  const skipping = advanceTo(bed, timerAt + 5 * MIN);
  await until(
    () => serverNow(bed),
    (now) => now >= timerAt,
    `${timer} to fire`,
  );
  const booked = act.book(h, tech, new Date(timerAt + HOUR).toISOString());
  await new Promise((r) => setTimeout(r, 300)); // let the update reach the server first
  const back = await bed.unpark();
  try {
    await booked;
    await skipping;
    await settle(h);
    await check();
  } finally {
    await settle(h).catch(() => undefined);
    await h.terminate().catch(() => undefined);
    await back.stop();
  }
}

test('VIP: the dispatch deadline that breaks is the stricter one (normal VIP → 30 min)', async () => {
  const { bed } = suite;
  const A = await anchorAt(bed, 1, '11:00');
  const h = await suite.start({ vip: true, product: { model: 'SAUNA-1', purchaseDate: '2025-01-01', category: 'sauna' } });
  await untilState(h, (x) => x.escalationLevel === 1, 'no-candidate escalation');
  // The level is recorded before its page is sent: wait for the page, and for nothing else to be on its way.
  await until(
    () => pages(bed, h),
    (p) => p.includes('ops_alert L1'),
    `${h.workflowId}: no-candidate page`,
  );
  await settle(h);
  expect(await pages(bed, h)).toEqual(['ops_alert L1']);
  await warnThenBreach(h, 'dispatch', A + 24 * MIN, A + 30 * MIN, 2);
});

test('complaint: no visit booked within 2 h → L1; not on site in 24 h → L2; unresolved after 3 days → L3', async () => {
  const { bed } = suite;
  const A = await anchorAt(bed, 1, '11:00');
  const h = await suite.start({ type: 'complaint' });
  const tech = await assignedTech(h);
  await act.accept(h, tech);
  await warnThenBreach(h, 'response', A + 96 * MIN, A + 2 * HOUR, 1);
  await warnThenBreach(h, 'on_site', A + 19 * HOUR + 12 * MIN, A + 24 * HOUR, 2);
  await warnThenBreach(h, 'resolution', A + 57 * HOUR + 36 * MIN, A + 72 * HOUR, 3);
});

test('return: resolution (3 business days) and its hard limit (7) break; the level stays at 3 and L3 is paged again', async () => {
  const { bed } = suite;
  const A = await anchorAt(bed, 1, '11:00');
  const h = await suite.start({
    type: 'return',
    product: { model: 'JSQ25-13A', purchaseDate: '2026-01-02', category: 'gas_water_heater' },
  });
  const tech = await assignedTech(h);
  await act.accept(h, tech);
  await warnThenBreach(h, 'response', A + 3 * HOUR + 12 * MIN, A + 4 * HOUR, 1);
  await warnThenBreach(h, 'on_site', A + 19 * HOUR + 12 * MIN, A + 24 * HOUR, 2);
  // 30 business h from Mon 11:00: Mon 7, Tue 10, Wed 10, Thu 3 → Thu 11:00; 80 % (24 h): Mon 7, Tue 10, Wed 7 → Wed 15:00.
  await warnThenBreach(h, 'resolution', at(A, 2, '15:00'), at(A, 3, '11:00'), 3);
  // 70 business h: Mon 7, Tue–Sat 50 (57), Mon 10 (67), Tue 3 → next Tue 11:00; 80 % (56 h): … Fri 47, Sat 9 → Sat 17:00.
  const s0 = await h.state();
  expect(deadline(s0, 'resolution_max')).toMatchObject({ dueAt: near(at(A, 8, '11:00')), warnAt: near(at(A, 5, '17:00')) });
  await advanceTo(bed, Date.parse(at(A, 5, '17:00')) + S);
  expect(deadline(await h.state(), 'resolution_max').warnedAt).toEqual(near(at(A, 5, '17:00')));
  await untilSms(bed, h, (l) => l.filter((x) => x.kind === 'escalation_warning' && x.to === PHONE[3]).length === 2, 'second L3 warning');
  await advanceTo(bed, Date.parse(at(A, 8, '11:00')) + S);
  const s = await untilState(h, (x) => deadline(x, 'resolution_max').status === 'breached', 'resolution_max breached');
  expect(s.escalationLevel).toBe(3);
  expect(s.escalations.map((e) => `${e.milestone} L${e.level}`)).toEqual([
    'response L1',
    'on_site L2',
    'resolution L3',
    'resolution_max L3',
  ]);
  await untilSms(bed, h, (l) => l.filter((x) => x.kind === 'escalation_breach' && x.to === PHONE[3]).length === 2, 'second L3 page');
  expect(await breachedAttribute(h)).toEqual(['response', 'on_site', 'resolution', 'resolution_max']);
});

test('acknowledge: the received SMS cannot be sent → ops alerted at once (L1); 10 minutes on, the deadline breaks → L2', async () => {
  // A number the gateway refuses outright (too short for E.164): the SMS fails for good, nothing acknowledges.
  const { bed } = suite;
  const h = await suite.start({ customer: { name: '陈静', phone: '+86138', address: '上海市徐汇区漕溪北路 88 号', language: 'zh' } });
  let s = await untilState(
    h,
    (x) => x.escalations.some((e) => e.reason === 'sms_failure' && /customer SMS received/.test(e.detail ?? '')),
    'SMS failure alert',
  );
  expect(s.escalationLevel).toBe(1);
  const A = Date.parse(s.receivedAt);
  expect(deadline(s, 'acknowledge')).toMatchObject({ status: 'pending', dueAt: near(A + 10 * MIN) });
  await advanceTo(bed, A + 10 * MIN + S);
  s = await untilState(h, (x) => deadline(x, 'acknowledge').status === 'breached', 'acknowledge breached');
  expect(s.escalationLevel).toBe(2);
  expect(s.escalations.filter((e) => e.reason === 'breach')).toEqual([
    expect.objectContaining({ milestone: 'acknowledge', level: 2, contactRole: 'service_supervisor' }),
  ]);
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'escalation_breach' && x.to === PHONE[2]), 'L2 paged');
  expect((await smsOf(bed, h)).filter((l) => l.to === '+86138')).toEqual([]);
});

test('a visit booked while the worker was down, after the response deadline expired: breach, L1 paged, lateness kept', async () => {
  // The timer and the booking reach the workflow in one task. Whatever their order there, the booking came late
  // (test/workflows/deadlineRules.test.ts has the rule itself: a deadline met after its due time is breached).
  const { bed } = suite;
  const h = suite.track(await bed.startParked());
  const worker = await bed.unpark();
  const tech = await assignedTech(h);
  await act.accept(h, tech);
  const response = deadline(await h.state(), 'response');
  const dueAt = Date.parse(response.dueAt);
  await advanceTo(bed, Date.parse(response.warnAt as string) + MIN);
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'escalation_warning' && x.to === PHONE[1]), 'response warning');
  await bookWhileWorkerDown(h, worker, tech, dueAt, 'the response timer', async () => {
    const s = await h.state();
    const r = deadline(s, 'response');
    expect(r.status).toBe('breached');
    expect(Date.parse(r.metAt as string)).toBeGreaterThan(dueAt);
    expect(r.lateByMs).toBe(Date.parse(r.metAt as string) - dueAt);
    expect(s.status).toBe('scheduled');
    expect(s.escalations).toEqual([expect.objectContaining({ reason: 'breach', milestone: 'response', level: 1 })]);
    await untilSms(bed, h, (l) => l.some((x) => x.kind === 'escalation_breach' && x.to === PHONE[1]), 'L1 paged');
    expect(await breachedAttribute(h)).toEqual(['response']);
    await recordHistory(h, 'booked-late-worker-down');
  });
});

test('the gateway cannot reach L1 for longer than the SMS budget: the failed pages are recorded for ops, later deadlines still fire and page L2', async () => {
  const { bed } = suite;
  const A = await anchorAt(bed, 1, '09:00');
  bed.gatewayDown.add(PHONE[1]);
  try {
    const h = await suite.start();
    const tech = await assignedTech(h);
    await act.accept(h, tech);
    // Response (4 h): its warning (3 h 12 m) and its breach page L1; each is retried for the 2 h budget, then fails.
    await advanceTo(bed, A + 6 * HOUR + 10 * MIN);
    let s = await untilState(h, (x) => x.escalations.filter((e) => e.reason === 'sms_failure').length === 2, 'both failed pages recorded');
    expect(s.escalations.map((e) => [e.reason, e.level, e.milestone ?? null])).toEqual([
      ['breach', 1, 'response'],
      ['sms_failure', 1, null],
      ['sms_failure', 1, null],
    ]);
    expect(s.escalations[1]?.detail).toMatch(/^Warning L1 → dispatch_lead: Response.*\(warning\) failed/);
    expect(s.escalations[2]?.detail).toMatch(/^Escalation L1 → dispatch_lead: Response.*\(breach\) failed/);
    await settle(h);
    await act.book(h, tech, new Date(A + 20 * HOUR).toISOString());
    // On site (24 h): the warning at 19 h 12 m goes to L2 (level + 1), the breach raises to L2 and pages it.
    await advanceTo(bed, A + 24 * HOUR + MIN);
    s = await untilState(h, (x) => deadline(x, 'on_site').status === 'breached', 'on site breached');
    expect(s.escalationLevel).toBe(2);
    await untilSms(bed, h, (l) => l.some((x) => x.kind === 'escalation_breach' && x.to === PHONE[2]), 'L2 paged');
    expect((await smsOf(bed, h)).filter((l) => l.to === PHONE[1])).toEqual([]);
    // A failed page is not paged about again (to the same dead gateway, every 2 h, forever): still two failures.
    expect(s.escalations.filter((e) => e.reason === 'sms_failure')).toHaveLength(2);
    await recordHistory(h, 'gateway-down-for-l1');
  } finally {
    bed.gatewayDown.delete(PHONE[1]);
  }
});

test('a warning is delivered even when its deadline is met in the same moment (the SMS is not cancelled with the timer)', async () => {
  // The worker is down when the response warning (3 h 12 m) fires; the visit gets booked meanwhile; both reach
  // the workflow in one task. Whatever their order there, a warning that was recorded must have been sent.
  const { bed } = suite;
  const h = suite.track(await bed.startParked());
  const worker = await bed.unpark();
  const tech = await assignedTech(h);
  await act.accept(h, tech);
  const warnAt = Date.parse(deadline(await h.state(), 'response').warnAt as string);
  await bookWhileWorkerDown(h, worker, tech, warnAt, 'the warning timer', async () => {
    const s = await h.state();
    expect(deadline(s, 'response')).toMatchObject({ status: 'met' });
    const warned = deadline(s, 'response').warnedAt !== undefined;
    const warnings = (await smsOf(bed, h, 'escalation_warning')).filter((l) => l.to === PHONE[1]);
    expect(warnings).toHaveLength(warned ? 1 : 0);
    expect(s.escalations).toEqual([]);
  });
});
