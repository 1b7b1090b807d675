/**
 * Lifecycle 4, spare parts (issue 13): the technician orders parts on site; the request waits in `waiting_parts`
 * with the resolution clock paused (policy `parts.pauseResolution`, default on) and the customer told the
 * expected date; the warehouse confirms dispatch and arrival; the technician comes back on a second booking and
 * completes with the parts fitted. An expected date that passes pages the warehouse contact (level 1) and tells
 * the customer; a new date from the warehouse starts the parts deadline again.
 */
import type { Handle } from './support/env';
import {
  act,
  advanceTo,
  ALL_PHOTOS,
  deadline,
  expectRejected,
  HOUR,
  near,
  onSiteNow,
  policyVariant,
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
const DAY = 24 * HOUR;
const WAREHOUSE_PHONE = '+8613900139004';

const onSite = (h: Handle): Promise<string> => onSiteNow(suite.bed, h);

test('parts: waiting_parts with the resolution clock paused → dispatched → arrived → return visit → completed', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await onSite(h);
  const before = deadline(await h.state(), 'resolution');
  const T = await serverNow(bed);
  const expectedBy = new Date(T + 2 * DAY).toISOString();

  const waiting = await act.partsRequest(h, tech, expectedBy);
  expect(waiting.status).toBe('waiting_parts');
  expect(waiting.parts).toEqual([
    expect.objectContaining({
      id: 'P1',
      technicianId: tech,
      expectedBy,
      overdue: [],
      pausedResolution: true,
      lines: [{ kind: 'part', ref: 'GWH-TC-01', name: { zh: '热电偶', en: 'Thermocouple' }, quantity: 1, unitPrice: 3500, amount: 3500 }],
    }),
  ]);
  expect(deadline(waiting, 'resolution').status).toBe('paused');
  expect(deadline(waiting, 'parts')).toMatchObject({ status: 'pending', dueAt: expectedBy });
  const told = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'parts_expected'), 'parts expected SMS');
  expect(told.find((x) => x.kind === 'parts_expected')?.text).toContain('热电偶');
  // Waiting for parts is not a visit: the technician cannot complete or arrive meanwhile.
  await expectRejected(h, () => act.complete(h, tech), /cannot completion a request that is waiting_parts/);

  await advanceTo(bed, T + DAY);
  const sent = await act.partsDispatched(h, { shipment: 'SF1234567890' });
  expect(sent.parts?.[0]).toMatchObject({ shipment: 'SF1234567890', dispatchedAt: expect.any(String) });
  const arrived = await act.partsArrived(h, '已到服务网点');
  expect(arrived.status).toBe('accepted');
  expect(deadline(arrived, 'parts')).toMatchObject({ status: 'met' });
  // The resolution clock ran on from where it stopped: due later than before by about the day spent waiting.
  const after = deadline(arrived, 'resolution');
  expect(after.status).toBe('pending');
  expect(Date.parse(after.dueAt)).toBeGreaterThan(Date.parse(before.dueAt));
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'parts_arrived'), 'parts arrived SMS');

  await act.book(h, tech, new Date(await serverNow(bed)).toISOString());
  await act.arrive(h, tech);
  await uploadPhotos(bed, h, ALL_PHOTOS);
  const done = await act.complete(h, tech);
  expect(done.status).toBe('completed');
  expect(done.visit).toBe(1);
  await untilSms(bed, h, (l) => l.some((x) => x.kind.startsWith('completed')), 'completion SMS');
  await recordHistory(h, 'v4-parts');
});

test('expected date passed → warehouse paged (level 1), customer told; a new date from the warehouse starts again', async () => {
  const { bed } = suite;
  const h = await suite.start();
  const tech = await onSite(h);
  const T = await serverNow(bed);
  const expectedBy = new Date(T + DAY).toISOString();
  await act.partsRequest(h, tech, expectedBy);

  await advanceTo(bed, T + DAY - 60_000);
  await settle(h);
  expect((await h.state()).escalations).toEqual([]);
  await advanceTo(bed, T + DAY + 60_000);
  const late = await untilState(h, (s) => s.escalations.some((e) => e.reason === 'parts_overdue'), 'parts overdue');
  expect(late.escalations).toEqual([
    expect.objectContaining({ level: 1, reason: 'parts_overdue', milestone: 'parts', contactRole: 'warehouse' }),
  ]);
  expect(late.parts?.[0]?.overdue).toEqual([expectedBy]);
  expect(late.status).toBe('waiting_parts');
  const pages = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'ops_alert'), 'warehouse page');
  expect(pages.filter((x) => x.kind === 'ops_alert').map((x) => x.to)).toEqual([WAREHOUSE_PHONE]);
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'parts_delayed'), 'parts delayed SMS');

  const newDate = new Date(T + 3 * DAY).toISOString();
  const moved = await act.partsDispatched(h, { shipment: 'SF0987654321', expectedBy: newDate });
  expect(moved.parts?.[0]?.expectedBy).toBe(newDate);
  expect(moved.deadlines.filter((d) => d.milestone === 'parts').map((d) => [d.status, d.dueAt])).toEqual([
    ['breached', expectedBy],
    ['pending', newDate],
  ]);
  const delayed = await untilSms(bed, h, (l) => l.filter((x) => x.kind === 'parts_delayed').length === 2, 'second parts delayed SMS');
  expect(delayed.filter((x) => x.kind === 'parts_delayed')).toHaveLength(2);

  // The new date passes as well: paged again.
  await advanceTo(bed, T + 3 * DAY + 60_000);
  const again = await untilState(h, (s) => s.escalations.filter((e) => e.reason === 'parts_overdue').length === 2, 'overdue again');
  expect(again.parts?.[0]?.overdue).toEqual([expectedBy, newDate]);
  await act.partsArrived(h);
  await recordHistory(h, 'v4-parts-overdue');
});

test('policy parts.pauseResolution: false — the resolution clock runs on while waiting for parts', async () => {
  const policy = policyVariant('v4-no-pause', (raw) => {
    raw.parts = { ...raw.parts, pauseResolution: false };
  });
  const h = await suite.start({}, policy);
  const tech = await onSite(h);
  const before = deadline(await h.state(), 'resolution');
  const s = await act.partsRequest(h, tech, new Date((await serverNow(suite.bed)) + DAY).toISOString());
  expect(s.parts?.[0]?.pausedResolution).toBe(false);
  expect(deadline(s, 'resolution')).toMatchObject({ status: 'pending', dueAt: near(before.dueAt, 0) });
  await untilSms(suite.bed, h, (l) => l.some((x) => x.kind === 'parts_expected'), 'parts expected SMS');
  expect(await smsOf(suite.bed, h, 'parts_expected')).toHaveLength(1);
});
