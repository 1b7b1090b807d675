/**
 * On hold (docs/lifecycle.md, Holds; waiting for parts, customer asked to postpone): the resolution clock pauses and, on
 * resume, its due time moves by the time spent on hold — business time on the business calendar, elapsed
 * time round the clock for critical requests. The on-site clock pauses with it.
 */
import {
  act,
  advanceTo,
  ALL_PHOTOS,
  anchorAt,
  assignedTech,
  at,
  deadline,
  HOUR,
  MIN,
  near,
  untilStatus,
  uploadPhotos,
  useBed,
} from './support/scenario';

// Lifecycle 2's rules, for the requests still running on it; lifecycle 3's changes are in v3-*.test.ts.
const suite = useBed({ lifecycleVersion: 2 });

test('business calendar: a day on hold moves the resolution deadline by the 10 working hours it spanned; a night moves nothing', async () => {
  const { bed } = suite;
  const A = await anchorAt(bed, 1, '09:00'); // Monday 09:00, normal: resolution Wed 09:00, on site Tue 09:00
  const h = await suite.start();
  const tech = await assignedTech(h);
  await act.accept(h, tech);
  await act.book(h, tech, at(A, 0, '14:00'));

  // On hold Monday 12:00 → Tuesday 12:00: Mon 12–18 (6 h) + Tue 08–12 (4 h) = 10 business hours, 24 elapsed.
  await advanceTo(bed, Date.parse(at(A, 0, '12:00')));
  let s = await act.hold(h, '等配件：点火控制器');
  expect(s.status).toBe('on_hold');
  expect(s.onHold).toMatchObject({ reason: '等配件：点火控制器', resumeTo: 'scheduled', since: near(at(A, 0, '12:00')) });
  expect(deadline(s, 'resolution').status).toBe('paused');
  expect(deadline(s, 'on_site').status).toBe('paused');

  // Nothing fires while paused: the on-site deadline (Tue 09:00) and the resolution warning (Tue 15:00) pass by.
  await advanceTo(bed, Date.parse(at(A, 1, '12:00')));
  s = await h.state();
  expect(s.escalations).toEqual([]);
  expect(deadline(s, 'on_site').status).toBe('paused');

  s = await act.resume(h, '配件到货');
  expect(s.status).toBe('scheduled');
  expect(s.onHold).toBeUndefined();
  // Resolution had 17 business hours left (Mon 6, Tue 10, Wed 1): Tue 12:00 + 17 h = Tue 6, Wed 10, Thu 1 → Thu 09:00,
  // one business day later than before. Its warning (13 h left) → Wed 15:00.
  expect(deadline(s, 'resolution')).toMatchObject({ status: 'pending', dueAt: near(at(A, 3, '09:00')), warnAt: near(at(A, 2, '15:00')) });
  // On site counts elapsed time: 21 h left → Wednesday 09:00.
  expect(deadline(s, 'on_site')).toMatchObject({ status: 'pending', dueAt: near(at(A, 2, '09:00')) });

  // Put on hold again overnight (Tue 19:00 → Wed 07:30): no business time passes, the due time stays.
  await advanceTo(bed, Date.parse(at(A, 1, '19:00')));
  await act.hold(h, 'customer away tonight');
  await advanceTo(bed, Date.parse(at(A, 2, '07:30')));
  s = await act.resume(h);
  expect(deadline(s, 'resolution').dueAt).toEqual(near(at(A, 3, '09:00')));
  // The on-site clock counts elapsed time: it moves by the 12.5 h.
  expect(deadline(s, 'on_site').dueAt).toEqual(near(Date.parse(at(A, 2, '09:00')) + 12.5 * HOUR));

  // Fixed on Wednesday afternoon: before the moved deadline, so met — it would have broken without the holds.
  await advanceTo(bed, Date.parse(at(A, 2, '16:00')));
  await act.arrive(h, tech);
  await uploadPhotos(bed, h, ALL_PHOTOS);
  s = await act.complete(h, tech);
  expect(deadline(s, 'resolution')).toMatchObject({ status: 'met', metAt: near(at(A, 2, '16:00')) });
  expect(deadline(s, 'on_site')).toMatchObject({ status: 'met' });
  expect(s.escalations).toEqual([]);
  expect(s.timeline.filter((e) => e.event === 'on_hold' || e.event === 'resumed').map((e) => e.event)).toEqual([
    'on_hold',
    'resumed',
    'on_hold',
    'resumed',
  ]);
});

test('critical (24×7): three hours on hold from on site move resolution by exactly three hours, and it goes back to on site', async () => {
  const { bed } = suite;
  const h = await suite.start({ urgency: 'critical' });
  const tech = await assignedTech(h);
  const A = Date.parse((await h.state()).receivedAt);
  expect(deadline(await h.state(), 'resolution').dueAt).toEqual(near(A + 8 * HOUR));
  await act.accept(h, tech);
  await act.book(h, tech, new Date(A + 30 * MIN).toISOString());
  await advanceTo(bed, A + 40 * MIN);
  await act.arrive(h, tech);
  await advanceTo(bed, A + 1 * HOUR);
  let s = await act.hold(h, 'waiting for a replacement valve');
  expect(s.onHold?.resumeTo).toBe('on_site');
  await advanceTo(bed, A + 4 * HOUR);
  s = await act.resume(h);
  expect(s.status).toBe('on_site');
  expect(deadline(s, 'resolution')).toMatchObject({
    status: 'pending',
    dueAt: near(A + 11 * HOUR),
    warnAt: near(A + 9 * HOUR + 24 * MIN),
    business: false,
  });

  // Past the original due time (A+8h) but before the moved one: no breach.
  await advanceTo(bed, A + 9 * HOUR);
  expect((await h.state()).escalations).toEqual([]);
  await uploadPhotos(bed, h, ALL_PHOTOS);
  s = await act.complete(h, tech);
  expect(deadline(s, 'resolution')).toMatchObject({ status: 'met', metAt: near(A + 9 * HOUR) });
  await untilStatus(h, 'completed');
});

test('after resume the clock runs on: it breaks when the time left at the hold runs out', async () => {
  const { bed } = suite;
  const h = await suite.start({ urgency: 'critical' });
  const tech = await assignedTech(h);
  const A = Date.parse((await h.state()).receivedAt);
  await act.accept(h, tech);
  await act.book(h, tech, new Date(A + 30 * MIN).toISOString());
  await advanceTo(bed, A + 1 * HOUR);
  await act.arrive(h, tech);
  await act.hold(h);
  await advanceTo(bed, A + 2 * HOUR);
  await act.resume(h);
  // 7 h were left at the hold: due A+9h.
  await advanceTo(bed, A + 9 * HOUR + 1000);
  const s = await h.state();
  expect(deadline(s, 'resolution')).toMatchObject({ status: 'breached', dueAt: near(A + 9 * HOUR), breachedAt: near(A + 9 * HOUR) });
  expect(s.escalations.map((e) => `${e.milestone} L${e.level}`)).toEqual(['resolution L1']);
});
