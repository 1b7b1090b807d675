/**
 * The photo check (docs/lifecycle.md): before / after / signature must be in storage as real images (checked by their bytes,
 * not by the upload announcement). Missing or fake at the 30-minute mark → reminder SMS to the technician and
 * a level-1 escalation; the check repeats when photos arrive. The completion SMS waits only for the first check.
 */
import type { Handle } from './support/env';
import {
  act,
  advanceTo,
  assignedTech,
  deadline,
  JPEG,
  MIN,
  near,
  PNG,
  ratingTokenId,
  recordHistory,
  serverNow,
  settle,
  smsOf,
  TEXT_NOT_IMAGE,
  untilSms,
  untilState,
  uploadPhotos,
  useBed,
} from './support/scenario';

const suite = useBed();
const S = 1000;
const TECH_PHONE = '+8613800138007';

/** Starts a request and takes it to on site with t1007; returns the time of arrival. */
async function onSite(h: Handle): Promise<string> {
  const tech = await assignedTech(h);
  expect(tech).toBe('t1007');
  await act.accept(h, tech);
  await act.book(h, tech, new Date(await serverNow(suite.bed)).toISOString());
  await act.arrive(h, tech);
  return tech;
}

test('real JPEG and PNG photos uploaded during the visit: the check passes at completion, completion SMS goes out at once', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await onSite(h);
  await uploadPhotos(bed, h, { before: JPEG, after: PNG, signature: PNG });
  const done = await act.complete(h, tech);
  const T = Date.parse(done.completion?.[0]?.at as string);
  const s = await untilState(h, (x) => deadline(x, 'photos').status === 'met', 'photos met');
  expect(deadline(s, 'photos')).toMatchObject({ dueAt: near(T + 30 * MIN), metAt: near(T) });
  expect(s.photoChecks).toEqual([{ at: near(T), ok: true, missing: [], invalid: [] }]);
  expect(s.photos.map((p) => p.kind)).toEqual(['before', 'after', 'signature']);
  await untilSms(bed, h, (l) => l.some((x) => x.kind.startsWith('completed')), 'completion SMS');
  // Nothing more happens at the 30-minute mark.
  await advanceTo(bed, T + 31 * MIN);
  await settle(h);
  expect(await smsOf(bed, h, 'tech_photo_reminder')).toEqual([]);
  expect((await h.state()).escalationLevel).toBe(0);
});

test('photos uploaded after completion: the check runs when the last kind arrives, not at the 30-minute mark', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await onSite(h);
  const T = Date.parse((await act.complete(h, tech)).completion?.[0]?.at as string);
  await advanceTo(bed, T + 5 * MIN);
  await uploadPhotos(bed, h, { before: JPEG, after: PNG });
  expect((await h.state()).photoChecks).toEqual([]);
  expect(await smsOf(bed, h, 'completed', 'completed_report')).toEqual([]);
  await advanceTo(bed, T + 12 * MIN);
  await uploadPhotos(bed, h, { signature: JPEG });
  const s = await untilState(h, (x) => deadline(x, 'photos').status === 'met', 'photos met');
  expect(deadline(s, 'photos').metAt).toEqual(near(T + 12 * MIN));
  await untilSms(bed, h, (l) => l.some((x) => x.kind.startsWith('completed')), 'completion SMS');
});

test('signature missing at 30 min → reminder to the technician + level 1; the check repeats when it arrives', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await onSite(h);
  await uploadPhotos(bed, h, { before: JPEG, after: PNG });
  const T = Date.parse((await act.complete(h, tech)).completion?.[0]?.at as string);

  await advanceTo(bed, T + 30 * MIN - S);
  expect((await h.state()).photoChecks).toEqual([]);
  await advanceTo(bed, T + 30 * MIN + S);
  let s = await untilState(h, (x) => x.escalationLevel === 1, 'photos escalation');
  expect(deadline(s, 'photos')).toMatchObject({ status: 'breached', breachedAt: near(T + 30 * MIN) });
  expect(s.photoChecks).toEqual([{ at: near(T + 30 * MIN), ok: false, missing: ['signature'], invalid: [] }]);
  expect(s.escalations).toEqual([
    expect.objectContaining({ level: 1, reason: 'photos_missing', milestone: 'photos', detail: 'signature', contactRole: 'dispatch_lead' }),
  ]);
  const sms = await untilSms(
    bed,
    h,
    (l) =>
      l.some((x) => x.kind === 'tech_photo_reminder') &&
      l.some((x) => x.kind === 'ops_alert') &&
      l.some((x) => x.kind.startsWith('completed')),
    'reminder, alert, completion',
  );
  expect(sms.filter((x) => x.kind === 'tech_photo_reminder').map((x) => x.to)).toEqual([TECH_PHONE]);
  expect(sms.filter((x) => x.kind === 'ops_alert').map((x) => x.to)).toEqual(['+8613900139001']);

  // The signed service report arrives 20 minutes later: checked again, passes; the photo deadline records the lateness.
  await advanceTo(bed, T + 50 * MIN);
  await uploadPhotos(bed, h, { signature: PNG });
  s = await untilState(h, (x) => x.photoChecks.length === 2, 'second check');
  expect(s.photoChecks[1]).toEqual({ at: near(T + 50 * MIN), ok: true, missing: [], invalid: [] });
  expect(deadline(s, 'photos')).toMatchObject({ status: 'breached', metAt: near(T + 50 * MIN) });
  expect(Math.abs((deadline(s, 'photos').lateByMs ?? 0) - 20 * MIN)).toBeLessThan(2 * S);
  expect(await smsOf(bed, h, 'tech_photo_reminder')).toHaveLength(1);

  await act.feedback(h, await ratingTokenId(bed, h), 5);
  expect(await h.result()).toMatchObject({ outcome: 'closed', escalationLevel: 1 });
  await recordHistory(h, 'photo-failure');
});

test('a text file uploaded as the "after" photo does not count: checked at once, reminded at 30 min, passes once a real one arrives', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await onSite(h);
  await uploadPhotos(bed, h, { before: JPEG, signature: PNG });
  await uploadPhotos(bed, h, { after: TEXT_NOT_IMAGE }, 'image/jpeg');
  const T = Date.parse((await act.complete(h, tech)).completion?.[0]?.at as string);

  // Every kind was announced, so the check runs at completion — and finds no real "after" image.
  let s = await untilState(h, (x) => x.photoChecks.length === 1, 'first check');
  expect(s.photoChecks[0]).toMatchObject({
    at: near(T),
    ok: false,
    missing: ['after'],
    invalid: [{ kind: 'after', reason: expect.stringContaining('text, not an image') }],
  });
  expect(s.escalationLevel).toBe(0);
  await untilSms(bed, h, (l) => l.some((x) => x.kind.startsWith('completed')), 'completion SMS after the first check');
  expect(await smsOf(bed, h, 'tech_photo_reminder')).toEqual([]);

  await advanceTo(bed, T + 30 * MIN + S);
  s = await untilState(h, (x) => x.escalationLevel === 1, 'photos escalation');
  expect(s.escalations).toEqual([expect.objectContaining({ reason: 'photos_missing', detail: 'after' })]);
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'tech_photo_reminder'), 'reminder');

  // Another fake does not help; a real JPEG does.
  await uploadPhotos(bed, h, { after: Buffer.from('still not a photo') }, 'image/png');
  s = await untilState(h, (x) => x.photoChecks.length === 2, 'second check');
  expect(s.photoChecks[1]?.ok).toBe(false);
  await uploadPhotos(bed, h, { after: JPEG });
  s = await untilState(h, (x) => x.photoChecks.length === 3, 'third check');
  expect(s.photoChecks[2]?.ok).toBe(true);
  expect(deadline(s, 'photos')).toMatchObject({ status: 'breached', metAt: expect.any(String) });
  expect(await smsOf(bed, h, 'tech_photo_reminder')).toHaveLength(1);
  expect(s.escalations).toHaveLength(1);
});

test('announcements without uploads do not count: the check reads storage', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await onSite(h);
  // The app claims three uploads, but only one object is stored.
  await uploadPhotos(bed, h, { before: JPEG });
  for (const kind of ['after', 'signature'] as const) {
    const at = new Date(await serverNow(bed)).toISOString();
    await h.signal('photoUploaded', { kind, key: `${h.workflowId}/${kind}/${'0'.repeat(64)}.jpg`, at });
  }
  await act.complete(h, tech);
  const s = await untilState(h, (x) => x.photoChecks.length === 1, 'first check');
  expect(s.photoChecks[0]).toMatchObject({ ok: false, missing: ['after', 'signature'], invalid: [] });
});

test('a photo announced while a check is reading storage is checked again, not taken as seen', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await onSite(h);
  await uploadPhotos(bed, h, { before: JPEG, after: PNG });
  const T = Date.parse((await act.complete(h, tech)).completion?.[0]?.at as string);
  await advanceTo(bed, T + 30 * MIN + S);
  await untilState(h, (x) => x.photoChecks.length === 1 && x.escalationLevel === 1, 'first check: signature missing');

  // The next check lists storage before the signature is stored, then waits: the signature is announced meanwhile.
  const list = bed.storage.list.bind(bed.storage);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let listing!: () => void;
  const listed = new Promise<void>((r) => (listing = r));
  bed.storage.list = async (requestId: string) => {
    const snapshot = await list(requestId);
    listing();
    await gate;
    return snapshot;
  };
  try {
    await uploadPhotos(bed, h, { after: JPEG });
    await listed;
    await uploadPhotos(bed, h, { signature: PNG });
  } finally {
    bed.storage.list = list;
    release();
  }
  const s = await untilState(h, (x) => x.photoChecks.length === 3, 'the signature checked after the check that missed it');
  expect(s.photoChecks.map((c) => c.ok)).toEqual([false, false, true]);
  expect(deadline(s, 'photos')).toMatchObject({ status: 'breached', metAt: expect.any(String) });
  await recordHistory(h, 'v4-photo-recheck');
});
