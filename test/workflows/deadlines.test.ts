/**
 * Due times (docs/lifecycle.md, Deadlines) and "met when reached": every milestone for each urgency, VIP dispatch, complaint and
 * return/exchange clocks, and the business calendar (weekend, after hours, holiday, 调休, critical 24×7).
 * Breaches are in escalation.test.ts. Anchors are Shanghai local times picked in an ordinary week.
 */
import type { Urgency } from '../../src/domain/types';
import type { Handle } from './support/env';
import {
  act,
  ALL_PHOTOS,
  anchorAt,
  advanceTo,
  assignedTech,
  at,
  deadline,
  HOUR,
  iso,
  near,
  MIN,
  policyVariant,
  ratingTokenId,
  recordHistory,
  smsOf,
  untilSms,
  untilState,
  untilStatus,
  uploadPhotos,
  useBed,
} from './support/scenario';

// Lifecycle 2's rules, for the requests still running on it; lifecycle 3's changes are in v3-*.test.ts.
const suite = useBed({ lifecycleVersion: 2 });
const ESCALATION_PHONES = ['+8613900139001', '+8613900139002', '+8613900139003'];

/** A visit that meets every clock of every urgency: accept +5m, book +30m, on site +1h15m, done +3h. */
async function punctualVisit(h: Handle, A: number, tech: string): Promise<void> {
  const { bed } = suite;
  await advanceTo(bed, A + 5 * MIN);
  await act.accept(h, tech);
  await advanceTo(bed, A + 30 * MIN);
  await act.book(h, tech, iso(A + 75 * MIN));
  await advanceTo(bed, A + 75 * MIN);
  await act.arrive(h, tech);
  await uploadPhotos(bed, h, ALL_PHOTOS);
  await advanceTo(bed, A + 3 * HOUR);
  await act.complete(h, tech);
}

describe.each([
  // Monday 09:00. Normal resolution: 2 business days = 20 working hours → Mon 9 h + Tue 10 h + Wed 1 h = Wed 09:00;
  // its 80 % warning (16 h) → Tue 15:00. Urgent: 1 business day (10 h) → Tue 09:00; warning (8 h) → Mon 17:00.
  // Critical: 8 h round the clock → Mon 17:00; warning 6 h 24 m → 15:24.
  {
    urgency: 'normal' as Urgency,
    dispatch: 2 * HOUR,
    response: 4 * HOUR,
    onSite: 24 * HOUR,
    resolution: (A: number) => near(at(A, 2, '09:00')),
    resolutionWarn: (A: number) => near(at(A, 1, '15:00')),
    business: true,
  },
  {
    urgency: 'urgent' as Urgency,
    dispatch: 30 * MIN,
    accept: 15 * MIN,
    response: 2 * HOUR,
    onSite: 8 * HOUR,
    resolution: (A: number) => near(at(A, 1, '09:00')),
    resolutionWarn: (A: number) => near(at(A, 0, '17:00')),
    business: true,
  },
  {
    urgency: 'critical' as Urgency,
    dispatch: 10 * MIN,
    accept: 5 * MIN,
    response: 1 * HOUR,
    onSite: 2 * HOUR,
    resolution: (A: number) => near(at(A, 0, '17:00')),
    resolutionWarn: (A: number) => near(at(A, 0, '15:24')),
    business: false,
  },
])(
  '$urgency request: every milestone of the deadline table',
  ({ urgency, dispatch, accept, response, onSite, resolution, resolutionWarn, business }) => {
    test('due times as the policy says, each met when reached, then call-back and follow-up', async () => {
      const { bed } = suite;
      const A = await anchorAt(bed, 1, '09:00');
      const h = await suite.start({ urgency });
      const tech = await assignedTech(h);
      expect(tech).toBe('t1007');

      // Received and acknowledged at once; dispatched at once.
      let s = await untilState(h, (x) => deadline(x, 'acknowledge').status === 'met', 'acknowledge met');
      expect(s.receivedAt).toEqual(near(A));
      const due = (id: string) => deadline(s, id);
      // Met when an activity finished (SMS sent, candidates found): the clock does not skip while one runs, so on a
      // busy machine that is seconds after A, not milliseconds.
      const soon = (ms: number) => near(ms, MIN);
      expect(due('acknowledge')).toMatchObject({ dueAt: near(A + 10 * MIN), metAt: soon(A), status: 'met' });
      expect(due('dispatch')).toMatchObject({ dueAt: near(A + dispatch), warnAt: near(A + 0.8 * dispatch), metAt: soon(A), status: 'met' });
      expect(due('accept')).toMatchObject({ dueAt: soon(A + (accept ?? HOUR)), status: 'pending' });
      expect(due('response')).toMatchObject({
        dueAt: near(A + response),
        warnAt: near(A + 0.8 * response),
        status: 'pending',
        business: false,
      });
      expect(due('on_site')).toMatchObject({ dueAt: near(A + onSite), warnAt: near(A + 0.8 * onSite), status: 'pending', business: false });
      expect(due('resolution')).toMatchObject({ dueAt: resolution(A), warnAt: resolutionWarn(A), status: 'pending', business });
      expect(s.deadlines.map((d) => d.id)).not.toContain('resolution_max');

      await punctualVisit(h, A, tech);
      s = await untilState(h, (x) => x.deadlines.some((d) => d.id === 'photos' && d.status === 'met'), 'photos met');
      expect(due('accept')).toMatchObject({ metAt: near(A + 5 * MIN), status: 'met' });
      expect(due('response')).toMatchObject({ metAt: near(A + 30 * MIN), status: 'met' });
      expect(due('on_site')).toMatchObject({ metAt: near(A + 75 * MIN), status: 'met' });
      expect(due('resolution')).toMatchObject({ metAt: near(A + 3 * HOUR), status: 'met' });
      expect(due('photos')).toMatchObject({ dueAt: near(A + 3.5 * HOUR), metAt: near(A + 3 * HOUR), status: 'met' });
      expect(s.status).toBe('completed');

      // Satisfaction call-back 24 h after completion (not a second earlier), with the survey SMS.
      const tokenId = await ratingTokenId(bed, h);
      await advanceTo(bed, A + 27 * HOUR - 1000);
      expect(await smsOf(bed, h, 'survey')).toEqual([]);
      await advanceTo(bed, A + 27 * HOUR + 2000);
      await untilSms(bed, h, (l) => l.some((x) => x.kind === 'survey'), 'survey');
      s = await h.state();
      expect(s.timeline.find((e) => e.event === 'callback')?.at).toEqual(near(A + 27 * HOUR));

      // Score 3 of 5: follow-up within 2 h of the score; ops call back after 1 h.
      await advanceTo(bed, A + 28 * HOUR);
      s = await act.feedback(h, tokenId, 3, '师傅来得晚');
      expect(s.feedback).toMatchObject({ score: 3, comment: '师傅来得晚' });
      s = await untilStatus(h, 'follow_up');
      expect(due('follow_up')).toMatchObject({
        startedAt: near(A + 28 * HOUR),
        dueAt: near(A + 30 * HOUR),
        warnAt: near(A + 28 * HOUR + 96 * MIN),
      });
      await advanceTo(bed, A + 29 * HOUR);
      await act.followUp(h);
      const final = await h.result();
      expect(final).toMatchObject({
        status: 'closed',
        outcome: 'closed',
        escalationLevel: 0,
        escalations: [],
        closedAt: near(A + 29 * HOUR),
      });
      expect(final.deadlines.find((d) => d.id === 'follow_up')).toMatchObject({ metAt: near(A + 29 * HOUR), status: 'met' });
      expect(final.deadlines.filter((d) => d.status !== 'met')).toEqual([]);

      // One of each customer/technician message, none to an escalation contact.
      const kinds = (await smsOf(bed, h)).map((l) => l.kind).sort();
      expect(kinds).toEqual(['assigned', 'completed', 'follow_up_apology', 'received', 'survey', 'tech_assignment', 'visit_booked']);
      expect((await smsOf(bed, h)).filter((l) => ESCALATION_PHONES.includes(l.to))).toEqual([]);
      if (urgency === 'normal') await recordHistory(h, 'happy-path');
    });

    test("VIP takes the next stricter column's dispatch deadline, nothing else", async () => {
      const { bed } = suite;
      const A = await anchorAt(bed, 1, '09:00');
      const stricter = { normal: 30 * MIN, urgent: 10 * MIN, critical: 10 * MIN }[urgency];
      const vip = await suite.start({ urgency, vip: true });
      const plain = await suite.start({ urgency });
      const [sv, sp] = [await untilStatus(vip, 'assigned'), await untilStatus(plain, 'assigned')];
      expect(deadline(sv, 'dispatch').dueAt).toEqual(near(A + stricter));
      expect(deadline(sp, 'dispatch').dueAt).toEqual(near(A + dispatch));
      for (const id of ['response', 'on_site', 'resolution']) expect(deadline(sv, id).dueAt).toEqual(near(deadline(sp, id).dueAt));
      expect(sv.vip).toBe(true);
    });
  },
);

describe('type-specific clocks', () => {
  test('complaint: contact (booked visit) within 2 h, on site within 24 h, resolved within 3 days round the clock', async () => {
    const { bed } = suite;
    const A = await anchorAt(bed, 1, '09:00');
    const h = await suite.start({
      type: 'complaint',
      problem: { description: '第二次上门后热水器仍熄火，要求投诉', occursWhen: '每天', symptoms: 'E1' },
    });
    const tech = await assignedTech(h);
    expect(tech).toBe('t1007'); // the only active gas technician with complaint_handling
    let s = await h.state();
    expect(deadline(s, 'dispatch').dueAt).toEqual(near(A + 2 * HOUR));
    expect(deadline(s, 'response').dueAt).toEqual(near(A + 2 * HOUR));
    expect(deadline(s, 'on_site').dueAt).toEqual(near(A + 24 * HOUR));
    // "3 days" are elapsed days: Thursday 09:00, whatever the calendar.
    expect(deadline(s, 'resolution')).toMatchObject({ dueAt: near(at(A, 3, '09:00')), business: false });
    await punctualVisit(h, A, tech);
    s = await h.state();
    for (const id of ['response', 'on_site', 'resolution']) expect(deadline(s, id).status).toBe('met');
  });

  test.each(['return', 'exchange'] as const)('%s: resolved within 3 business days, 7 at most — both met on completion', async (type) => {
    const { bed } = suite;
    const A = await anchorAt(bed, 1, '09:00');
    const h = await suite.start({ type });
    const tech = await assignedTech(h);
    let s = await h.state();
    // 3 business days = 30 working hours: Mon 9 + Tue 10 + Wed 10 + Thu 1 → Thu 09:00.
    expect(deadline(s, 'resolution')).toMatchObject({ dueAt: near(at(A, 3, '09:00')), business: true });
    // 7 business days = 70 h: Mon 9, Tue–Sat 5 × 10 = 59, (Sunday off), Mon 10 = 69, Tue 1 → next Tuesday 09:00;
    // its warning at 56 h → Saturday 15:00.
    expect(deadline(s, 'resolution_max')).toMatchObject({
      dueAt: near(at(A, 8, '09:00')),
      warnAt: near(at(A, 5, '15:00')),
      business: true,
    });
    await punctualVisit(h, A, tech);
    s = await h.state();
    expect(deadline(s, 'resolution')).toMatchObject({ status: 'met', metAt: near(A + 3 * HOUR) });
    expect(deadline(s, 'resolution_max')).toMatchObject({ status: 'met', metAt: near(A + 3 * HOUR) });
  });
});

describe('business calendar (Asia/Shanghai 08:00–18:00 Mon–Sat)', () => {
  test('received Saturday 17:00: Sunday is skipped', async () => {
    const { bed } = suite;
    const A = await anchorAt(bed, 6, '17:00');
    const urgent = await suite.start({ urgency: 'urgent' });
    const normal = await suite.start({ urgency: 'normal' });
    // Urgent, 10 h: Sat 17–18 (1 h), Mon 08–17 (9 h) → Monday 17:00; warning at 8 h → Monday 15:00.
    expect(deadline(await urgent.state(), 'resolution')).toMatchObject({ dueAt: near(at(A, 2, '17:00')), warnAt: near(at(A, 2, '15:00')) });
    // Normal, 20 h: Sat 1 h, Mon 10 h, Tue 9 h → Tuesday 17:00.
    expect(deadline(await normal.state(), 'resolution').dueAt).toEqual(near(at(A, 3, '17:00')));
    // Elapsed milestones ignore the calendar.
    expect(deadline(await urgent.state(), 'on_site').dueAt).toEqual(near(A + 8 * HOUR));
  });

  test('received after closing (Monday 20:00): the clock starts at Tuesday 08:00', async () => {
    const { bed } = suite;
    const A = await anchorAt(bed, 1, '20:00');
    const h = await suite.start({ urgency: 'urgent' });
    expect(deadline(await h.state(), 'resolution').dueAt).toEqual(near(at(A, 1, '18:00')));
  });

  test('a holiday is skipped and a 调休 Sunday is worked (policy variants)', async () => {
    const { bed } = suite;
    const A = await anchorAt(bed, 6, '17:00');
    // Shanghai dates (noon is the same date in UTC); the variants replace the file's holiday / 调休 lists.
    const localDate = (days: number) => at(A, days, '12:00').slice(0, 10);
    const holiday = policyVariant('test-holiday', (p) => (p.calendar.holidays = [localDate(2)]));
    const makeUp = policyVariant('test-makeup', (p) => (p.calendar.extraWorkingDays = [localDate(1)]));
    const onHoliday = await suite.start({ urgency: 'urgent' }, holiday);
    const onMakeUp = await suite.start({ urgency: 'urgent' }, makeUp);
    // Holiday Monday: Sat 1 h, Tue 9 h → Tuesday 17:00.
    expect(deadline(await onHoliday.state(), 'resolution').dueAt).toEqual(near(at(A, 3, '17:00')));
    // Sunday worked: Sat 1 h, Sun 9 h → Sunday 17:00.
    expect(deadline(await onMakeUp.state(), 'resolution').dueAt).toEqual(near(at(A, 1, '17:00')));
    expect((await onHoliday.state()).policyVersion).toBe('test-holiday');
  });

  test('critical runs round the clock: received Saturday 22:00, resolved by Sunday 06:00', async () => {
    const { bed } = suite;
    const A = await anchorAt(bed, 6, '22:00');
    const h = await suite.start({ urgency: 'critical' });
    const s = await h.state();
    expect(deadline(s, 'resolution')).toMatchObject({ dueAt: near(at(A, 1, '06:00')), business: false });
    expect(deadline(s, 'on_site').dueAt).toEqual(near(at(A, 1, '00:00')));
    expect(deadline(s, 'dispatch').dueAt).toEqual(near(at(A, 0, '22:10')));
  });
});
