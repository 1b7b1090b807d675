/**
 * Unresolved visits (docs/lifecycle.md): an unresolved visit goes to the next support tier (level ≥ 2) and is re-dispatched to a
 * different technician of a higher skill tier; a second unresolved visit reaches level 3.
 * An air conditioner in Zhangjiang: t1002 (tier 2, 0 km, ★95 %) first; tier 3 are t1005 (22 km) and t1015 (93 km).
 */
import type { Handle } from './support/env';
import {
  act,
  ALL_PHOTOS,
  assignedTech,
  deadline,
  ratingTokenId,
  recordHistory,
  serverNow,
  smsOf,
  untilSms,
  untilState,
  uploadPhotos,
  useBed,
} from './support/scenario';

// Lifecycle 2's rules, for the requests still running on it; lifecycle 3's changes are in v3-*.test.ts.
const suite = useBed({ lifecycleVersion: 2 });
const AIRCON_ZHANGJIANG = {
  product: { model: 'KFR-35GW', purchaseDate: '2023-06-01', category: 'air_conditioner' },
  problem: { description: '空调制冷效果差，外机结霜', occursWhen: '开机半小时后', symptoms: '出风口不凉' },
  location: { lat: 31.204, lng: 121.59 },
};

async function visitEndsUnresolved(h: Handle, tech: string): Promise<void> {
  await act.accept(h, tech);
  await act.book(h, tech, new Date(Date.parse((await h.state()).receivedAt) + 3_600_000).toISOString());
  await act.arrive(h, tech);
  await act.complete(h, tech, false);
}

test('unresolved → level 2 and a higher tier; unresolved again → level 3; then ops assign by hand and it closes', async () => {
  const { bed } = suite;
  const h = await suite.start(AIRCON_ZHANGJIANG);
  expect(await assignedTech(h)).toBe('t1002');
  const resolutionDue = deadline(await h.state(), 'resolution').dueAt;

  // Visit 1: tier 2 cannot fix it.
  await visitEndsUnresolved(h, 't1002');
  let s = await untilState(h, (x) => x.visit === 2 && x.status === 'assigned', 'visit 2 assigned');
  expect(s.escalationLevel).toBe(2);
  expect(s.escalations).toEqual([
    expect.objectContaining({ level: 2, reason: 'unresolved', contactRole: 'service_supervisor', detail: 'visit 1 unresolved' }),
  ]);
  expect(s.technicianId).toBe('t1005');
  expect(s.assignments.map((a) => `${a.technicianId} tier ${a.tier} visit ${a.visit}`)).toEqual([
    't1002 tier 2 visit 1',
    't1005 tier 3 visit 2',
  ]);
  // Only tier ≥ 3, never the technician who failed.
  expect(s.timeline.filter((e) => e.event === 'candidates').map((e) => (e.detail ?? '').split('; ').map((c) => c.split(' ')[0]))).toEqual([
    ['t1002', 't1005', 't1011', 't1013', 't1015'],
    ['t1005', 't1015'],
  ]);
  // The revisit has its own dispatch, response and on-site clocks; resolution keeps counting from receipt.
  expect(s.deadlines.map((d) => d.id)).toEqual(expect.arrayContaining(['dispatch#2', 'response#2', 'on_site#2']));
  expect(deadline(s, 'dispatch#2')).toMatchObject({ status: 'met', visit: 2 });
  expect(deadline(s, 'resolution')).toMatchObject({ status: 'pending', dueAt: resolutionDue });
  expect(s.completion).toEqual([expect.objectContaining({ resolved: false, technicianId: 't1002' })]);
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'ops_alert' && x.to === '+8613900139002'), 'L2 paged');

  // Visit 2: the senior technician cannot fix it either → level 3; nobody above tier 3 → wait for ops.
  await visitEndsUnresolved(h, 't1005');
  s = await untilState(h, (x) => x.visit === 3 && x.status === 'dispatching' && x.escalations.length === 3, 'visit 3, no candidate');
  expect(s.escalations.map((e) => `${e.reason} L${e.level}`)).toEqual(['unresolved L2', 'unresolved L3', 'no_candidate L3']);
  expect(s.escalations[1]).toMatchObject({ contactRole: 'service_centre_manager', detail: 'visit 2 unresolved' });
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'ops_alert' && x.to === '+8613900139003'), 'L3 paged');

  // The service-centre manager sends the Suzhou specialist; the third visit fixes it.
  s = await act.assign(h, 't1015');
  expect(s).toMatchObject({ status: 'assigned', technicianId: 't1015', visit: 3 });
  await act.accept(h, 't1015');
  await act.book(h, 't1015', new Date(await serverNow(suite.bed)).toISOString());
  await act.arrive(h, 't1015');
  await uploadPhotos(bed, h, ALL_PHOTOS);
  await act.complete(h, 't1015', true, '更换膨胀阀，补充冷媒');
  await act.feedback(h, await ratingTokenId(bed, h), 4);
  const final = await h.result();
  expect(final).toMatchObject({ outcome: 'closed', escalationLevel: 3, visit: 3 });
  expect(final.completion?.map((c) => `${c.technicianId}:${c.resolved}`)).toEqual(['t1002:false', 't1005:false', 't1015:true']);
  expect(deadline(final, 'resolution').status).toBe('met');
  // Each technician got exactly one work order.
  expect((await smsOf(bed, h, 'tech_assignment')).map((l) => l.to)).toEqual(['+8613800138002', '+8613800138005', '+8613800138015']);
  await recordHistory(h, 'unresolved-twice');
});

test('an unresolved visit never goes back to a technician who failed, even when they are the only tier left', async () => {
  // Gas water heater in Xuhui: t1007 (tier 3) first. Unresolved → nobody above tier 3 → level 2 and no candidate.
  const h = await suite.start();
  expect(await assignedTech(h)).toBe('t1007');
  await visitEndsUnresolved(h, 't1007');
  const s = await untilState(h, (x) => x.visit === 2 && x.status === 'dispatching' && x.escalations.length === 2, 'no candidate');
  expect(s.escalations.map((e) => `${e.reason} L${e.level}`)).toEqual(['unresolved L2', 'no_candidate L2']);
  expect(s.timeline.filter((e) => e.event === 'candidates').at(-1)?.detail).toBe('none');
});
