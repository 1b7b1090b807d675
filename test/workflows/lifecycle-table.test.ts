/**
 * The route tests' fake and the workflow cannot disagree: both take their lifecycle from one definition
 * (src/domain/lifecycle/actions.ts). Every action is run through the real workflow (time-skipping) and, from
 * the same state, through the fake; both must answer with the same status, and every action of the definition
 * must have been taken. Air conditioner in Zhangjiang: t1002 (tier 2) first, then t1005 / t1011 / t1013 / t1015.
 */
import { DateTime } from 'luxon';
import { ACTIONS, type Action, type ActionArgs } from '../../src/domain/lifecycle/actions';
import type { ServiceRequestState } from '../../workflows/messages';
import { FakePort } from '../api/fakePort';
import type { Handle } from './support/env';
import {
  act,
  ALL_PHOTOS,
  assignedTech,
  quoteToken,
  ratingTokenId,
  reachedCall,
  untilState,
  serverNow,
  untilStatus,
  uploadPhotos,
  useBed,
  ZONE,
} from './support/scenario';

const suite = useBed();
const AIRCON_ZHANGJIANG = {
  product: { model: 'KFR-35GW', purchaseDate: '2023-06-01', category: 'air_conditioner' },
  problem: { description: '空调制冷效果差，外机结霜', occursWhen: '开机半小时后', symptoms: '出风口不凉' },
  location: { lat: 31.204, lng: 121.59 },
};

const taken = new Set<Action>();

/** Runs `action` on the workflow, then on a fake seeded with the state the workflow had; same status. */
async function both<A extends Action>(
  h: Handle,
  action: A,
  args: ActionArgs<A>,
  run: () => Promise<ServiceRequestState>,
): Promise<ServiceRequestState> {
  const before = await h.state();
  const answer = await run();
  const fake = new FakePort();
  fake.seed({
    requestId: h.workflowId,
    status: before.status,
    visit: before.visit,
    ...(before.technicianId ? { technicianId: before.technicianId } : {}),
    ...(before.onHold ? { onHold: before.onHold } : {}),
  });
  const fakeAnswer = await fake.update(h.workflowId, action, args);
  expect({ action, from: before.status, to: answer.status }).toEqual({ action, from: before.status, to: fakeAnswer.status });
  taken.add(action);
  return answer;
}

/** The automatic assignment accepted, booked `hours` after receipt and arrived: on site. */
async function onSite(h: Handle, hours: number): Promise<string> {
  const tech = await assignedTech(h);
  await act.accept(h, tech);
  await act.book(h, tech, await soon(h, hours));
  await act.arrive(h, tech);
  return tech;
}

const soon = async (h: Handle, hours: number): Promise<string> =>
  new Date(Date.parse((await h.state()).receivedAt) + hours * 3_600_000).toISOString();

test('every action of the definition: the workflow and the fake answer with the same status', async () => {
  const { bed } = suite;
  const h = await suite.start(AIRCON_ZHANGJIANG);
  expect(await assignedTech(h)).toBe('t1002');

  await both(h, 'decline', { technicianId: 't1002', reason: '今天排满' }, () => act.decline(h, 't1002', '今天排满'));
  await untilState(h, (s) => s.status === 'assigned' && s.technicianId === 't1005', 'next candidate');
  await both(h, 'assign', { technicianId: 't1011' }, () => act.assign(h, 't1011'));
  await both(h, 'accept', { technicianId: 't1011' }, () => act.accept(h, 't1011'));
  const at = await soon(h, 2);
  await both(h, 'appointment', { technicianId: 't1011', at }, () => act.book(h, 't1011', at));
  const later = await soon(h, 3);
  await both(h, 'appointment', { technicianId: 't1011', at: later }, () => act.book(h, 't1011', later));
  await both(h, 'arrival', { technicianId: 't1011' }, () => act.arrive(h, 't1011'));
  await both(h, 'hold', { reason: 'waiting for parts' }, () => act.hold(h));
  await both(h, 'resume', { reason: 'parts arrived' }, () => act.resume(h));
  await both(h, 'completion', { technicianId: 't1011', resolved: false, notes: 'control board fault, needs L2' }, () =>
    act.complete(h, 't1011', false),
  );

  // The next tier: a higher-tier technician visits and fixes it.
  const second = (await untilState(h, (s) => s.visit === 2 && s.status === 'assigned', 'visit 2 assigned')).technicianId as string;
  await act.accept(h, second);
  await act.book(h, second, await soon(h, 4));
  await act.arrive(h, second);
  await uploadPhotos(bed, h, ALL_PHOTOS);
  await act.complete(h, second);
  const tokenId = await ratingTokenId(bed, h);
  await both(h, 'feedback', { score: 2, tokenId }, () => act.feedback(h, tokenId, 2));
  await both(h, 'followUp', { notes: 'called back, apologised' }, () => act.followUp(h, 'called back, apologised'));
  expect((await h.result()).status).toBe('closed');

  const c = await suite.start(AIRCON_ZHANGJIANG);
  await untilStatus(c, 'assigned');
  await both(c, 'cancel', { reason: 'customer fixed it' }, () => act.cancel(c, 'customer fixed it'));

  // Lifecycle 3: a consultation starts at first line; a visit is decided; the technician fixes it by phone;
  // the call-back misses the customer once, then hears it is not fixed (a revisit).
  const q = await suite.start({ ...AIRCON_ZHANGJIANG, type: 'consultation' });
  await untilStatus(q, 'first_line');
  await both(q, 'visitNeeded', { reason: 'needs a look at the outdoor unit' }, () =>
    act.visitNeeded(q, 'needs a look at the outdoor unit'),
  );
  const tech = await assignedTech(q);
  await act.accept(q, tech);
  const notes = 'talked the customer through a filter clean';
  await both(q, 'remoteResolution', { technicianId: tech, notes, by: { name: tech, role: 'technician' } }, () =>
    act.remote(q, { technicianId: tech }, notes),
  );
  await both(q, 'callbackOutcome', { reached: false }, () => act.callback(q, { reached: false }));
  const notFixed = reachedCall({ fixed: false, score: 2 });
  await both(q, 'callbackOutcome', notFixed, () => act.callback(q, notFixed));
  // The revisit goes to someone else. (Cancelled once assigned: a cancel in the very task that completes the
  // candidate search makes the time-skipping server refuse the activity's cancellation, ACTIVITY_UNKNOWN.)
  const again = await untilState(q, (s) => s.visit === 2 && s.status === 'assigned', 'revisit assigned');
  expect(again.technicianId).not.toBe(tech);
  await both(q, 'cancel', { reason: 'customer bought a new unit' }, () => act.cancel(q, 'customer bought a new unit'));

  // Lifecycle 4: an air conditioner out of its six years' cover — diagnosis, a quote approved through the link,
  // payment on site, parts ordered, dispatched and arrived; a second request's quote declined by phone.
  const OLD_AIRCON = { ...AIRCON_ZHANGJIANG, product: { ...AIRCON_ZHANGJIANG.product, purchaseDate: '2012-06-01' } };
  const r = await suite.start(OLD_AIRCON);
  const fixer = await onSite(r, 5);
  const cause = { technicianId: fixer, faultCause: 'wear' as const, diagnosis: '压缩机电容老化' };
  await both(r, 'diagnosis', cause, () => act.diagnose(r, fixer, cause.faultCause, cause.diagnosis));
  const lines = [{ kind: 'part' as const, partNumber: 'AC-CAP-01', quantity: 1 }];
  await both(r, 'quote', { technicianId: fixer, lines }, () => act.quote(r, fixer, lines));
  const { tokenId: quoteTokenId } = await quoteToken(bed, r);
  await both(r, 'quoteResponse', { approved: true, tokenId: quoteTokenId }, () => act.quoteResponse(r, quoteTokenId, true));
  const paid = { method: 'on_site' as const, amount: 4500 };
  await both(r, 'payment', { technicianId: fixer, ...paid }, () => act.payment(r, fixer, paid));
  const expectedBy = await soon(r, 48);
  const parts = [{ partNumber: 'AC-CAP-01', quantity: 1 }];
  await both(r, 'partsRequest', { technicianId: fixer, parts, reason: 'not on the van', expectedBy }, () =>
    act.partsRequest(r, fixer, expectedBy, parts),
  );
  await both(r, 'partsDispatched', { shipment: 'SF1234567890' }, () => act.partsDispatched(r, { shipment: 'SF1234567890' }));
  await both(r, 'partsArrived', {}, () => act.partsArrived(r));
  await act.cancel(r, 'test over');

  const d = await suite.start(OLD_AIRCON);
  const other = await onSite(d, 6);
  await act.quote(d, other, lines);
  await both(d, 'quoteDecision', { approved: false, note: '客户不修了' }, () => act.quoteDecision(d, false, '客户不修了'));

  // Lifecycle 5: a complaint's process, every step by ops.
  const cp = await suite.start({ ...AIRCON_ZHANGJIANG, type: 'complaint', complaint: { classification: 'product_quality' } });
  await untilStatus(cp, 'analysis');
  const ops = { name: 'ops desk', role: 'ops' } as const;
  const findings = { findings: '外机结霜为同批次膨胀阀缺陷' };
  await both(cp, 'complaintAnalysis', { ...findings, by: ops }, () => act.complaintAnalysis(cp, findings));
  const solution = { solution: '免费更换膨胀阀' };
  await both(cp, 'complaintSolution', { ...solution, by: ops }, () => act.complaintSolution(cp, solution));
  await both(cp, 'complaintImplementation', { notes: '已更换', by: ops }, () => act.complaintImplementation(cp, '已更换'));
  const closing = { satisfied: true, feedback: '客户接受处理结果' };
  await both(cp, 'complaintFeedback', { ...closing, by: ops }, () => act.complaintFeedback(cp, closing));

  // Lifecycle 5: a return two days after purchase — inspected by the store, refund approved, settled.
  const twoDaysAgo = DateTime.fromMillis(await serverNow(bed), { zone: ZONE })
    .minus({ days: 2 })
    .toISODate() as string;
  const rt = await suite.start({
    ...AIRCON_ZHANGJIANG,
    type: 'return',
    product: { ...AIRCON_ZHANGJIANG.product, purchaseDate: twoDaysAgo },
  });
  await untilStatus(rt, 'inspection');
  const inspection = { faultFound: true, faultCause: 'quality' as const, findings: '压缩机不启动' };
  await both(rt, 'returnInspection', { ...inspection, by: ops }, () => act.returnInspection(rt, inspection, ops));
  const supervisor = { name: 'supervisor', role: 'supervisor' } as const;
  await both(rt, 'returnApproval', { outcome: 'refund', by: supervisor }, () => act.returnApproval(rt, { outcome: 'refund' }));
  const refund = { amount: 399_900, direction: 'to_customer' as const };
  await both(rt, 'returnSettlement', { ...refund, by: { name: 'store', role: 'ops' } }, () => act.returnSettlement(rt, refund));

  expect([...taken].sort()).toEqual([...ACTIONS].sort());
});
