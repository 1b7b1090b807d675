/**
 * Lifecycle versions (issue 12): a request runs the version it started with to its end. A request started on
 * lifecycle 2 (before version 3 was deployed) refuses the version-3 actions — remote resolution, visit needed,
 * call-back outcome — with a reason naming its version, and keeps version 2's rules: the dispatch deadline is met
 * at the assignment, consultations are dispatched at once, no board claims, no appointment clocks.
 */
import { ACTION_UPDATES } from '../../workflows/messages';
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
  ratingTokenId,
  reachedCall,
  serverNow,
  settle,
  smsOf,
  untilSms,
  untilStatus,
  uploadPhotos,
  useBed,
} from './support/scenario';

const suite = useBed({ lifecycleVersion: 2 });
const S = 1000;
const NO_SUCH_ACTION = (action: string): RegExp =>
  new RegExp(`cannot ${action}: this request runs lifecycle version 2, which has no such action \\(from version 3\\)`);

test('lifecycle 2: dispatch met at the assignment (before any accept); remote resolution and visit needed refused', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await assignedTech(h);
  let s = await h.state();
  const A = Date.parse(s.receivedAt);
  const assignedAt = s.assignments[0]?.assignedAt as string;
  expect(s.lifecycleVersion).toBe(2);
  // Met in the same workflow task as the assignment: the same instant.
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'met', metAt: assignedAt });
  // Version 2's accept window: no warning.
  expect(deadline(s, 'accept').warnAt).toBeUndefined();
  // Version 2 takes the ranked order: nothing is claimed on the board.
  expect(bed.board.calls).toEqual([]);

  await expectRejected(h, () => act.remote(h), NO_SUCH_ACTION('remoteResolution'));
  await expectRejected(h, () => act.remote(h, { technicianId: tech }), NO_SUCH_ACTION('remoteResolution'));
  await expectRejected(h, () => act.visitNeeded(h), NO_SUCH_ACTION('visitNeeded'));

  await advanceTo(bed, A + 30 * MIN);
  s = await act.accept(h, tech);
  // Still the assignment's time, not the accept's.
  expect(deadline(s, 'dispatch')).toMatchObject({ status: 'met', metAt: assignedAt });
});

test('lifecycle 2: a consultation is dispatched at once (no first line); visitNeeded refused for the version', async () => {
  const h = await suite.start({ type: 'consultation' });
  await assignedTech(h);
  const s = await h.state();
  expect(s.timeline.map((e) => e.event)).not.toContain('first_line');
  expect(s.deadlines.map((d) => d.id)).toEqual(expect.arrayContaining(['dispatch', 'response', 'on_site']));
  await expectRejected(h, () => act.visitNeeded(h), NO_SUCH_ACTION('visitNeeded'));
});

test("lifecycle 2: the call-back outcome is refused after completion; the customer's slot moves nothing", async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await assignedTech(h);
  const A = Date.parse((await h.state()).receivedAt);
  await act.accept(h, tech);
  // A customer's slot after the on-site deadline (24 h): version 2 neither moves it nor starts an appointment clock.
  let s = await h.executeUpdate(ACTION_UPDATES.appointment, {
    args: [{ technicianId: tech, at: new Date(A + 30 * HOUR).toISOString(), requestedBy: 'customer' }],
  });
  expect(deadline(s, 'on_site').dueAt).toEqual(near(A + 24 * HOUR));
  expect(s.deadlines.map((d) => d.milestone)).not.toContain('appointment');
  expect(s.appointment).toBeUndefined();
  expect(s.timeline.map((e) => e.event)).not.toContain('on_site_moved');

  await act.book(h, tech, new Date(await serverNow(bed)).toISOString());
  await act.arrive(h, tech);
  await uploadPhotos(bed, h, ALL_PHOTOS);
  await act.complete(h, tech);
  await untilStatus(h, 'completed');
  const tokenId = await ratingTokenId(bed, h);
  await expectRejected(h, () => act.callback(h, reachedCall()), NO_SUCH_ACTION('callbackOutcome'));
  await expectRejected(h, () => act.callback(h, { reached: false }), NO_SUCH_ACTION('callbackOutcome'));
  s = await h.state();
  // Version 2's call-back: no window deadline, no call-back record; the score comes through the link.
  expect(s.deadlines.map((d) => d.milestone)).not.toContain('callback');
  expect(s.callback).toBeUndefined();

  const T = Date.parse(s.completion?.[0]?.at as string);
  await advanceTo(bed, T + 2 * HOUR + S);
  await settle(h);
  // Version 3 would send the survey at 2 h; version 2 waits for its 24-h callbackDelay.
  expect(await smsOf(bed, h, 'survey')).toEqual([]);
  await advanceTo(bed, T + 24 * HOUR + S);
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'survey'), 'survey at 24 h');
  const final = await act.feedback(h, tokenId, 5);
  expect(final).toMatchObject({ status: 'closed', outcome: 'closed' });
});
