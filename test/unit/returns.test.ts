/**
 * Returns and exchanges under 三包 (lifecycle 5): eligibility at intake (src/domain/returns.ts) counted on local
 * dates from the purchase or delivery date, per category; the outcomes an inspection allows; and the policy's
 * `returns` block (defaults, per-category windows, one issue per bad field).
 */
import { join, resolve } from 'node:path';
import { loadPolicyFile, resolvePolicy } from '../../src/policy';
import { minimalPolicy, policyIssues as issuesOf } from '../support/policyFiles';
import { assessReturn, daysSince, judgeEligibility, type ReturnClaim } from '../../src/domain/returns';
import type { ReturnsPolicy } from '../../src/domain/policyTypes';

const ROOT = resolve(__dirname, '../..');
/** A small valid policy file without a `returns` block. */
const raw = () => minimalPolicy('test-5');
const policy = loadPolicyFile(join(ROOT, 'policy', 'default.yaml')).returns as ReturnsPolicy;
/** 2026-06-08 10:00 in Shanghai (02:00Z). */
const RECEIVED = Date.parse('2026-06-08T02:00:00Z');
const claim = (over: Partial<ReturnClaim> = {}): ReturnClaim => ({
  kind: 'return',
  category: 'gas_water_heater',
  purchaseDate: '2026-06-01',
  receivedMs: RECEIVED,
  timeZone: 'Asia/Shanghai',
  inWarranty: true,
  ...over,
});

describe('eligibility at intake', () => {
  test('days count on local dates: bought 06-01, received 06-08 (local) is day 7, still within 7 days', () => {
    expect(judgeEligibility(claim(), policy)).toMatchObject({ day: 7, eligible: true, countedFrom: 'purchase', terms: 'default' });
    // 23:30 local on 06-08 is 15:30Z: still day 7; 00:30 local on 06-09 (16:30Z on 06-08) is day 8.
    expect(daysSince('2026-06-01', Date.parse('2026-06-08T15:30:00Z'), 'Asia/Shanghai')).toBe(7);
    expect(daysSince('2026-06-01', Date.parse('2026-06-08T16:30:00Z'), 'Asia/Shanghai')).toBe(8);
  });

  test('a return on day 8 is refused (an exchange is still open); an exchange on day 15 is eligible, on day 16 not', () => {
    const late = judgeEligibility(claim({ purchaseDate: '2026-05-31' }), policy);
    expect(late).toMatchObject({ day: 8, eligible: false, refusal: 'window_passed', alternatives: ['replacement', 'repair'] });
    expect(judgeEligibility(claim({ kind: 'exchange', purchaseDate: '2026-05-24' }), policy)).toMatchObject({ day: 15, eligible: true });
    expect(judgeEligibility(claim({ kind: 'exchange', purchaseDate: '2026-05-23', inWarranty: false }), policy)).toMatchObject({
      day: 16,
      eligible: false,
      alternatives: [],
    });
  });

  test('counted from the delivery date when given (policy countFrom: delivery), else from the purchase date', () => {
    const e = judgeEligibility(claim({ purchaseDate: '2026-04-01', deliveryDate: '2026-06-05' }), policy);
    expect(e).toMatchObject({ countedFrom: 'delivery', fromDate: '2026-06-05', day: 3, eligible: true });
    const byPurchase: ReturnsPolicy = { ...policy, default: { ...policy.default, countFrom: 'purchase' } };
    expect(judgeEligibility(claim({ purchaseDate: '2026-04-01', deliveryDate: '2026-06-05' }), byPurchase)).toMatchObject({
      countedFrom: 'purchase',
      eligible: false,
    });
  });

  test("a category's own windows (keys compared like dispatch categories)", () => {
    const p = resolvePolicy({ ...raw(), returns: { categories: { 'Air-Conditioner': { returnDays: 3, exchangeDays: 10 } } } }).returns!;
    expect(judgeEligibility(claim({ category: 'air_conditioner', purchaseDate: '2026-06-04' }), p)).toMatchObject({
      terms: 'air_conditioner',
      day: 4,
      returnDays: 3,
      noReasonDays: 7,
      eligible: true, // the no-reason window (7, from the default) is still open
    });
  });
});

describe('what the inspection allows', () => {
  const e = (day: number, over: Partial<ReturnClaim> = {}) =>
    judgeEligibility(claim({ purchaseDate: `2026-06-${String(8 - day).padStart(2, '0')}`, ...over }), policy);

  test('a performance fault: by the windows (7: return, exchange or repair; 15: exchange or repair; then repair in warranty)', () => {
    expect(assessReturn(e(3), { faultFound: true, faultCause: 'quality' }, policy)).toMatchObject({
      allowed: ['refund', 'replacement', 'repair'],
      recommended: 'refund',
    });
    const ex = judgeEligibility(claim({ kind: 'exchange', purchaseDate: '2026-05-29' }), policy);
    expect(assessReturn(ex, { faultFound: true, faultCause: 'quality' }, policy)).toMatchObject({
      allowed: ['replacement', 'repair'],
      recommended: 'replacement',
    });
  });

  test('misuse or transport damage is refused; no fault is refused unless intact within the no-reason days', () => {
    expect(assessReturn(e(2), { faultFound: true, faultCause: 'transport', intact: true }, policy)).toEqual({
      allowed: [],
      recommended: 'refused',
      reason: 'transport is not covered',
      refusal: 'cause_not_covered',
    });
    expect(assessReturn(e(2), { faultFound: false }, policy)).toMatchObject({ allowed: [], refusal: 'no_fault_found' });
    expect(assessReturn(e(2), { faultFound: false, intact: true }, policy)).toMatchObject({ allowed: ['refund', 'replacement'] });
  });

  test('wear: repaired in warranty, refused out of it', () => {
    expect(assessReturn(e(2), { faultFound: true, faultCause: 'wear' }, policy)).toMatchObject({
      allowed: ['repair'],
      recommended: 'repair',
    });
    expect(assessReturn(e(2, { inWarranty: false }), { faultFound: true, faultCause: 'wear' }, policy)).toMatchObject({
      allowed: [],
      refusal: 'out_of_warranty',
    });
  });
});

describe('the policy block `returns`', () => {
  test('left out: the national 三包 defaults, steps on the business calendar', () => {
    const p = resolvePolicy(raw()).returns!;
    expect(p.default).toEqual({ returnDays: 7, exchangeDays: 15, noReasonDays: 7, countFrom: 'delivery' });
    expect(p.notCovered).toEqual(['misuse', 'transport']);
    expect(p.inspection).toEqual({ within: expect.objectContaining({ business: true, text: '1 business day' }), escalateTo: 1 });
    expect(p.approval).toEqual({ within: expect.objectContaining({ business: true, ms: 4 * 3_600_000 }), escalateTo: 2 });
    expect(p.settlement.escalateTo).toBe(1);
  });

  test('one issue per bad field, with its path', () => {
    const issues = issuesOf({
      ...raw(),
      returns: {
        default: { returnDays: 10, exchangeDays: 5 },
        categories: { '9bad': {}, fridge: { countFrom: 'arrival' } },
        notCovered: ['quality'],
        approval: { escalateTo: 4 },
      },
    });
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['returns.categories.fridge.countFrom', 'returns.approval.escalateTo']));
    const cross = issuesOf({ ...raw(), returns: { default: { returnDays: 10, exchangeDays: 5 }, notCovered: ['quality'] } });
    expect(cross.map((i) => i.path)).toEqual(['returns.default.exchangeDays', 'returns.notCovered[0]']);
  });

  test('policy/fast.yaml has the block too', () => {
    const fast = loadPolicyFile(join(ROOT, 'policy', 'fast.yaml')).returns!;
    expect(fast.approval.within.ms).toBe(2 * 60_000);
  });
});
