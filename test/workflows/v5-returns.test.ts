/**
 * Lifecycle 5, returns and exchanges under 三包 (their own branch, not a technician visit): eligibility at intake
 * from the purchase (or delivery) date against the policy windows, with the reason recorded; the inspection by the
 * store or a technician (fault, cause, intact); the supervisor's approval within what the policy allows; the
 * settlement of the refund or the price difference; the call-back (回访) at the end. Each step's deadline and its
 * escalation come from the policy (`returns`). The clock is fixed on a quiet week (anchorAt) and the purchase
 * dates are written relative to it, so nothing depends on today's date.
 */
import { DateTime } from 'luxon';
import type { ServiceRequestInput } from '../../src/domain/types';
import type { Handle } from './support/env';
import {
  act,
  advanceTo,
  anchorAt,
  at,
  deadline,
  expectRejected,
  HOUR,
  MIN,
  near,
  reachedCall,
  recordHistory,
  serverNow,
  smsOf,
  untilSms,
  untilState,
  untilStatus,
  useBed,
  ZONE,
} from './support/scenario';

const suite = useBed();
const L1_PHONE = '+8613900139001';
const L2_PHONE = '+8613900139002';

/** The local date `days` before the anchor's (YYYY-MM-DD, Shanghai). */
const daysBefore = (anchor: number, days: number): string =>
  DateTime.fromMillis(anchor, { zone: ZONE }).minus({ days }).toISODate() as string;

/** A return or exchange of a gas water heater (in warranty for 36 months) bought `days` before the anchor. */
function returnOf(kind: 'return' | 'exchange', anchor: number, days: number, over: Partial<ServiceRequestInput> = {}) {
  return {
    type: kind,
    problem: { description: '新买的热水器点火失败，显示 E1，无法使用' },
    product: { model: 'JSQ25-13A', purchaseDate: daysBefore(anchor, days), category: 'gas_water_heater' },
    ...over,
  } satisfies Partial<ServiceRequestInput>;
}

/** The kinds of SMS the customer got, once there are `n` (they run beside the main line, in any order). */
const kinds = async (h: Handle, n: number): Promise<string[]> => {
  const lines = await untilSms(suite.bed, h, (l) => l.filter((x) => x.to === '+8613812345678').length >= n, `${n} customer SMS`);
  return lines
    .filter((l) => l.to === '+8613812345678')
    .map((l) => l.kind)
    .sort();
};

/** After the settlement: the call-back window opens (survey SMS), the call centre reaches the customer, closed. */
async function callBack(h: Handle): Promise<void> {
  await untilSms(suite.bed, h, (l) => l.some((x) => x.kind === 'completed'), 'completion SMS with the rating link');
  await advanceTo(suite.bed, (await serverNow(suite.bed)) + 2 * HOUR + MIN);
  await untilSms(suite.bed, h, (l) => l.some((x) => x.kind === 'survey'), 'survey SMS');
  const closed = await act.callback(h, reachedCall());
  expect(closed).toMatchObject({ status: 'closed', outcome: 'closed', callback: { outcome: { score: 5, fixed: true } } });
}

test('return within 7 days: eligible → inspection → approval → refund settled → call-back (回访) → closed', async () => {
  const { bed } = suite;
  const A = await anchorAt(bed, 1, '09:00');
  const h = await suite.start(returnOf('return', A, 3));
  const s0 = await untilStatus(h, 'inspection');
  expect(s0.returns?.eligibility).toMatchObject({
    kind: 'return',
    countedFrom: 'purchase',
    day: 3,
    eligible: true,
    returnDays: 7,
    exchangeDays: 15,
  });
  // Not a visit: no technician is dispatched, no visit clocks; the inspection is due in 1 business day.
  expect(s0.deadlines.map((d) => d.id).sort()).toEqual(['acknowledge', 'resolution', 'resolution_max', 'return_inspection']);
  expect(deadline(s0, 'return_inspection').dueAt).toEqual(near(at(A, 1, '09:00')));
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'return_accepted'), 'accepted SMS');
  expect((await smsOf(bed, h, 'return_accepted'))[0]?.text).toContain('您的退货申请（服务单');

  await advanceTo(bed, Date.parse(at(A, 0, '14:00')));
  const inspected = await act.returnInspection(h, {
    faultFound: true,
    faultCause: 'quality',
    findings: '点火针断裂，出厂缺陷',
    intact: false,
  });
  expect(inspected.status).toBe('approval');
  expect(inspected.returns?.inspection).toMatchObject({ faultFound: true, faultCause: 'quality', by: 'store (ops)' });
  expect(inspected.returns?.assessment).toMatchObject({ allowed: ['refund', 'replacement', 'repair'], recommended: 'refund' });
  expect(deadline(inspected, 'return_inspection').status).toBe('met');
  // 4 business hours from the inspection at 14:00 run out at closing time: due when work starts, 08:00 the next day.
  expect(deadline(inspected, 'return_approval').dueAt).toEqual(near(at(A, 1, '08:00')));
  // Only the supervisor's decision moves it on; settling before it is refused.
  await expectRejected(
    h,
    () => act.returnSettlement(h, { amount: 1, direction: 'to_customer' }),
    /cannot returnSettlement a request that is approval/,
  );

  const approved = await act.returnApproval(h, { outcome: 'refund', note: '七日内性能故障，同意退货' });
  expect(approved.status).toBe('settlement');
  expect(approved.returns?.decision).toMatchObject({ outcome: 'refund', by: 'supervisor (supervisor)' });
  expect(deadline(approved, 'return_settlement')).toMatchObject({ status: 'pending', dueAt: near(at(A, 2, '14:00')) });
  // A refund goes to the customer: "from_customer" is the caller's mistake (400 at the API).
  await expectRejected(
    h,
    () => act.returnSettlement(h, { amount: 299_900, direction: 'from_customer' }),
    /direction: a refund goes to_customer/,
  );

  const settled = await act.returnSettlement(h, { amount: 299_900, direction: 'to_customer', note: '原路退回' });
  expect(settled.status).toBe('completed');
  expect(settled.returns?.settlement).toMatchObject({ outcome: 'refund', amount: 299_900, currency: 'CNY', direction: 'to_customer' });
  expect(['resolution', 'resolution_max', 'return_settlement'].map((id) => deadline(settled, id).status)).toEqual(['met', 'met', 'met']);
  const done = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'return_settled'), 'settled SMS');
  expect(done.find((x) => x.kind === 'return_settled')?.text).toContain('退款 2999.00 元 已办理');

  await callBack(h);
  expect(await kinds(h, 7)).toEqual(
    ['received', 'return_accepted', 'return_inspected', 'return_approved', 'return_settled', 'completed', 'survey'].sort(),
  );
  await recordHistory(h, 'v5-return-refund');
});

test('exchange on day 10 for a performance fault: a replacement (no refund), the price difference settled', async () => {
  const { bed } = suite;
  const A = await anchorAt(bed, 2, '10:00');
  const h = await suite.start(returnOf('exchange', A, 10));
  const s0 = await untilStatus(h, 'inspection');
  expect(s0.returns?.eligibility).toMatchObject({ kind: 'exchange', day: 10, eligible: true });

  const inspected = await act.returnInspection(
    h,
    { faultFound: true, faultCause: 'quality', findings: '比例阀故障，热水忽冷忽热' },
    { name: 'tech t1001', role: 'technician' },
  );
  expect(inspected.returns?.assessment).toMatchObject({ allowed: ['replacement', 'repair'], recommended: 'replacement' });
  expect(inspected.returns?.inspection?.by).toBe('tech t1001 (technician)');
  // Day 10 is past the 7-day return window: the supervisor cannot grant a refund (409 with the reason).
  await expectRejected(
    h,
    () => act.returnApproval(h, { outcome: 'refund' }),
    /refund is not allowed for this exchange .*allowed: replacement, repair/,
  );

  await act.returnApproval(h, { outcome: 'replacement' });
  await expectRejected(h, () => act.returnSettlement(h, { amount: 20_000, direction: 'from_customer' }), /replacementModel: required/);
  const settled = await act.returnSettlement(h, {
    amount: 20_000,
    direction: 'from_customer',
    replacementModel: 'JSQ25-16B',
    replacementSerial: 'SN-2026-0042',
  });
  expect(settled.status).toBe('completed');
  expect(settled.returns?.settlement).toMatchObject({ outcome: 'replacement', replacementModel: 'JSQ25-16B', direction: 'from_customer' });
  const sms = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'return_settled'), 'settled SMS');
  expect(sms.find((x) => x.kind === 'return_approved')?.text).toContain('同意为您更换新机');
  expect(sms.find((x) => x.kind === 'return_settled')?.text).toContain('已收到您补交的差价 200.00 元');
  await callBack(h);
  await recordHistory(h, 'v5-exchange-day10');
});

test('return on day 20: refused at intake with the reason, the customer told in their language, closed', async () => {
  const { bed } = suite;
  const A = await anchorAt(bed, 3, '11:00');
  const customer = { name: 'Jing Chen', phone: '+8613812345678', address: '88 Caoxi North Road, Shanghai 1201', language: 'en' as const };
  const h = await suite.start(returnOf('return', A, 20, { customer }));
  const s = await untilState(h, (x) => x.outcome === 'return_refused', 'refused');
  expect(s.status).toBe('closed');
  expect(s.returns).toMatchObject({
    refusal: 'window_passed',
    eligibility: { day: 20, eligible: false, refusal: 'window_passed', alternatives: ['repair'], inWarranty: true },
  });
  expect(s.returns?.eligibility.reason).toBe(
    `day 20 since purchase (${daysBefore(A, 20)}), past 7 days for a return; still possible: repair`,
  );
  expect(s.returns?.inspection).toBeUndefined();
  expect(deadline(s, 'resolution').status).toBe('met');
  const told = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'return_refused'), 'refusal SMS');
  expect(told.find((x) => x.kind === 'return_refused')?.text).toContain(
    'cannot be granted: it is day 20 since purchase, past the 7-day return period. You may still ask for a free repair.',
  );
  expect(await kinds(h, 2)).toEqual(['received', 'return_refused']);
  await recordHistory(h, 'v5-return-refused-day20');
});

test('approval deadline missed → escalated to the policy level (L2 paged), the approval still taken afterwards', async () => {
  const { bed } = suite;
  const A = await anchorAt(bed, 1, '09:00');
  const h = await suite.start(returnOf('return', A, 2));
  await untilStatus(h, 'inspection');
  await advanceTo(bed, Date.parse(at(A, 0, '14:00')));
  await act.returnInspection(h, { faultFound: true, faultCause: 'quality', findings: '水泵异响' });

  // 4 business hours from 14:00: due at 08:00 the next working day (the warning at 80 %, 17:12).
  await advanceTo(bed, Date.parse(at(A, 1, '07:55')));
  expect((await h.state()).escalations).toEqual([]);
  await advanceTo(bed, Date.parse(at(A, 1, '08:05')));
  const late = await untilState(h, (s) => s.escalations.length > 0, 'approval escalated');
  expect(late.status).toBe('approval');
  expect(late.escalationLevel).toBe(2);
  expect(late.escalations).toEqual([
    expect.objectContaining({
      level: 2,
      reason: 'breach',
      milestone: 'return_approval',
      deadlineId: 'return_approval',
      contactRole: 'service_supervisor',
    }),
  ]);
  expect(deadline(late, 'return_approval').status).toBe('breached');
  const pages = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'escalation_breach'), 'breach page');
  expect(pages.filter((x) => x.kind === 'escalation_breach').map((x) => x.to)).toEqual([L2_PHONE]);
  // The 80 % warning went to the contact the breach would reach first (level 1).
  expect(pages.filter((x) => x.kind === 'escalation_warning').map((x) => x.to)).toEqual([L1_PHONE]);

  await advanceTo(bed, Date.parse(at(A, 1, '09:30')));
  const approved = await act.returnApproval(h, { outcome: 'replacement' });
  expect(approved.status).toBe('settlement');
  await recordHistory(h, 'v5-return-approval-late');
});

test('inspection late → level 1; misuse found → the supervisor refuses (cause not covered), customer told why', async () => {
  const { bed } = suite;
  const A = await anchorAt(bed, 4, '09:00');
  const h = await suite.start(returnOf('return', A, 1));
  await untilStatus(h, 'inspection');
  await advanceTo(bed, Date.parse(at(A, 1, '09:05')));
  const late = await untilState(h, (s) => s.escalations.length > 0, 'inspection escalated');
  expect(late.escalations).toEqual([expect.objectContaining({ level: 1, milestone: 'return_inspection', contactRole: 'dispatch_lead' })]);

  const inspected = await act.returnInspection(h, { faultFound: true, faultCause: 'misuse', findings: '外壳摔裂，进水' });
  expect(inspected.returns?.assessment).toEqual({
    allowed: [],
    recommended: 'refused',
    reason: 'misuse is not covered',
    refusal: 'cause_not_covered',
  });
  await expectRejected(h, () => act.returnApproval(h, { outcome: 'repair' }), /repair is not allowed .*allowed: refused only/);
  const refused = await act.returnApproval(h, { outcome: 'refused', reason: 'cause_not_covered', note: '人为摔裂' });
  expect(refused).toMatchObject({ status: 'closed', outcome: 'return_refused', returns: { refusal: 'cause_not_covered' } });
  const told = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'return_refused'), 'refusal SMS');
  expect(told.find((x) => x.kind === 'return_refused')?.text).toContain('经检测，故障系人为损坏所致，不属于三包范围');
  await recordHistory(h, 'v5-return-misuse-refused');
});

test('counted from the delivery date; repair instead → dispatched as a repair with visit clocks from the decision', async () => {
  const { bed } = suite;
  const A = await anchorAt(bed, 2, '09:00');
  const h = await suite.start(
    returnOf('return', A, 40, {
      product: { model: 'JSQ25-13A', purchaseDate: daysBefore(A, 40), deliveryDate: daysBefore(A, 2), category: 'gas_water_heater' },
    }),
  );
  const s0 = await untilStatus(h, 'inspection');
  expect(s0.returns?.eligibility).toMatchObject({ countedFrom: 'delivery', fromDate: daysBefore(A, 2), day: 2, eligible: true });
  await act.returnInspection(h, { faultFound: true, faultCause: 'quality', findings: '点火器接触不良' });
  await advanceTo(bed, Date.parse(at(A, 0, '10:00')));
  const s1 = await act.returnApproval(h, { outcome: 'repair', note: '客户同意维修' });
  expect(s1.status).toBe('dispatching');
  const assigned = await untilStatus(h, 'assigned');
  expect(deadline(assigned, 'dispatch').startedAt).toEqual(near(at(A, 0, '10:00')));
  const told = await untilSms(bed, h, (l) => l.some((x) => x.kind === 'return_approved'), 'approved SMS');
  expect(told.find((x) => x.kind === 'return_approved')?.text).toContain('将为您安排免费维修');
  await recordHistory(h, 'v5-return-repair-instead');
});

test('7-day no-reason return: intact, no fault → refund allowed; settlement late → level 1; cancel still closes it', async () => {
  const { bed } = suite;
  const A = await anchorAt(bed, 1, '09:00');
  const h = await suite.start(returnOf('return', A, 5));
  await untilStatus(h, 'inspection');
  const inspected = await act.returnInspection(h, { faultFound: false, findings: '包装完好，未安装使用', intact: true });
  expect(inspected.returns?.assessment).toMatchObject({ allowed: ['refund', 'replacement'], recommended: 'refund' });
  expect(inspected.returns?.assessment?.reason).toBe('intact and unused, day 5 of 7 for a return without reason');
  await advanceTo(bed, Date.parse(at(A, 0, '10:00')));
  const approved = await act.returnApproval(h, { outcome: 'refund' });
  // 2 business days from Monday 10:00: Wednesday 10:00.
  expect(deadline(approved, 'return_settlement').dueAt).toEqual(near(at(A, 2, '10:00')));

  await advanceTo(bed, Date.parse(at(A, 2, '10:05')));
  const late = await untilState(h, (s) => s.escalations.length > 0, 'settlement escalated');
  expect(late.escalations).toEqual([expect.objectContaining({ level: 1, milestone: 'return_settlement', contactRole: 'dispatch_lead' })]);
  expect(late.status).toBe('settlement');

  const cancelled = await act.cancel(h, '客户撤回退货申请');
  expect(cancelled).toMatchObject({ status: 'cancelled', outcome: 'cancelled' });
  await untilSms(bed, h, (l) => l.some((x) => x.kind === 'cancelled'), 'cancellation SMS');
});
