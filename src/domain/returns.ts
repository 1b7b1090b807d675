/**
 * Returns and exchanges under 三包 (lifecycle 5; docs/lifecycle.md, "Returns and exchanges"; docs/policy.md,
 * `returns`): whether a request is eligible at intake, and which outcomes an inspection allows. Pure and
 * workflow-safe: no I/O, no clock (the time is passed in), so the workflow judges itself and replay agrees.
 *
 * The national defaults (《部分商品修理更换退货责任规定》): a performance fault (性能故障, fault cause `quality`)
 * within 7 days may be returned, exchanged or repaired; within 15 days exchanged or repaired; later repaired
 * within the warranty. Damage by the customer (misuse, transport) is not covered. An intact, unused product
 * may be returned within 7 days without a fault (七日无理由退货). Days count on local dates (policy time zone)
 * from the purchase date, or from the delivery date when the intake gives one and the terms say so: bought
 * (or delivered) on 06-01, a request received on 06-08 is on day 7, still within "7 days".
 */
import { DateTime } from 'luxon';
import type { FaultCause } from './charges';
import { normaliseSkill } from './dispatch';
import type { ReturnCountFrom, ReturnsPolicy, ReturnTerms } from './policyTypes';

/** The request types this branch serves. */
export const RETURN_KINDS = ['return', 'exchange'] as const;
export type ReturnKind = (typeof RETURN_KINDS)[number];

/** What the supervisor may decide: a refund, a replacement unit, a repair instead, or a refusal. */
export const RETURN_OUTCOMES = ['refund', 'replacement', 'repair', 'refused'] as const;
export type ReturnOutcome = (typeof RETURN_OUTCOMES)[number];
export type GrantedOutcome = Exclude<ReturnOutcome, 'refused'>;

/**
 * Why a return or exchange is refused, as a code: the customer's SMS says it in their language (templates.ts).
 * window_passed: too late for this kind; cause_not_covered: damage by misuse or transport; no_fault_found: the
 * inspection found no fault (and no no-reason return applies); out_of_warranty: too late for a repair as well;
 * other: the supervisor's own reason (the note is kept on the request, not sent).
 */
export const REFUSAL_REASONS = ['window_passed', 'cause_not_covered', 'no_fault_found', 'out_of_warranty', 'other'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export const isReturnKind = (type: string): type is ReturnKind => (RETURN_KINDS as readonly string[]).includes(type);

/** Eligibility at intake, recorded on the request with its reason. */
export interface ReturnEligibility {
  kind: ReturnKind;
  /** Which date the days count from, and that date (YYYY-MM-DD). */
  countedFrom: ReturnCountFrom;
  fromDate: string;
  /** Days from it to the local date the request was received (0: the same day). */
  day: number;
  /** The category whose windows applied (`default` when the policy lists none for the request's). */
  terms: string;
  returnDays: number;
  exchangeDays: number;
  noReasonDays: number;
  /** The product is in warranty (the warranty judged at intake): a repair is still possible. */
  inWarranty: boolean;
  eligible: boolean;
  /** Short English phrase for staff and the timeline, e.g. "day 10 of 7 days for a return". */
  reason: string;
  /** When not eligible: the code the customer's SMS explains, and the remedies still open. */
  refusal?: RefusalReason;
  alternatives?: GrantedOutcome[];
}

export interface ReturnClaim {
  kind: ReturnKind;
  category: string;
  purchaseDate: string;
  deliveryDate?: string;
  receivedMs: number;
  timeZone: string;
  inWarranty: boolean;
}

/** The windows that apply to a category: its own, or the policy's `default`. */
export function returnTerms(category: string, policy: ReturnsPolicy): { key: string; terms: ReturnTerms } {
  const cat = normaliseSkill(category);
  const key = Object.keys(policy.categories).find((k) => normaliseSkill(k) === cat);
  const terms = key !== undefined ? policy.categories[key] : undefined;
  return terms && key !== undefined ? { key: normaliseSkill(key), terms } : { key: 'default', terms: policy.default };
}

const localDate = (iso: string): DateTime => {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? DateTime.fromISO(iso, { zone: 'utc' }) : undefined;
  if (!d?.isValid) throw new RangeError(`${JSON.stringify(iso)} is not a date (YYYY-MM-DD)`);
  return d;
};

/** Days from `from` (YYYY-MM-DD) to the local date of `receivedMs` in `timeZone`; never negative. */
export function daysSince(from: string, receivedMs: number, timeZone: string): number {
  const received = DateTime.fromMillis(receivedMs, { zone: timeZone });
  if (!received.isValid) throw new RangeError(`cannot count days in time zone ${JSON.stringify(timeZone)}`);
  const day = DateTime.fromISO(received.toISODate() as string, { zone: 'utc' });
  return Math.max(0, Math.round(day.diff(localDate(from), 'days').days));
}

/** Eligibility of a return or exchange at intake, on the windows of its category. */
export function judgeEligibility(claim: ReturnClaim, policy: ReturnsPolicy): ReturnEligibility {
  const { key, terms } = returnTerms(claim.category, policy);
  const byDelivery = terms.countFrom === 'delivery' && claim.deliveryDate !== undefined;
  const countedFrom: ReturnCountFrom = byDelivery ? 'delivery' : 'purchase';
  const fromDate = byDelivery ? (claim.deliveryDate as string) : claim.purchaseDate;
  const day = daysSince(fromDate, claim.receivedMs, claim.timeZone);
  const base = {
    kind: claim.kind,
    countedFrom,
    fromDate,
    day,
    terms: key,
    returnDays: terms.returnDays,
    exchangeDays: terms.exchangeDays,
    noReasonDays: terms.noReasonDays,
    inWarranty: claim.inWarranty,
  };
  const window = claim.kind === 'return' ? Math.max(terms.returnDays, terms.noReasonDays) : terms.exchangeDays;
  const since = `day ${day} since ${countedFrom} (${fromDate})`;
  if (day <= window) return { ...base, eligible: true, reason: `${since}, within ${window} days for ${article(claim.kind)}` };
  const alternatives: GrantedOutcome[] = [];
  if (claim.kind === 'return' && day <= terms.exchangeDays) alternatives.push('replacement');
  if (claim.inWarranty) alternatives.push('repair');
  return {
    ...base,
    eligible: false,
    reason: `${since}, past ${window} days for ${article(claim.kind)}${alternatives.length ? `; still possible: ${alternatives.join(', ')}` : ''}`,
    refusal: 'window_passed',
    alternatives,
  };
}

const article = (kind: ReturnKind): string => (kind === 'return' ? 'a return' : 'an exchange');

/** What the inspection found (technician or store). */
export interface InspectionFinding {
  faultFound: boolean;
  faultCause?: FaultCause;
  /** Complete and unused, packaging and accessories included (商品完好): a no-reason return is possible. */
  intact?: boolean;
}

/** The outcomes an inspection allows, the one to recommend, and why; `refusal` when none is allowed. */
export interface ReturnAssessment {
  allowed: GrantedOutcome[];
  recommended: ReturnOutcome;
  reason: string;
  refusal?: RefusalReason;
}

/**
 * The outcomes the policy allows after the inspection: a performance fault (`quality`) by the windows; an intact
 * product within the no-reason days may be returned without one; damage the policy does not cover, or no fault
 * at all, is refused; another cause (wear …) is repaired while the warranty runs.
 */
export function assessReturn(e: ReturnEligibility, f: InspectionFinding, policy: ReturnsPolicy): ReturnAssessment {
  const noReason = e.kind === 'return' && f.intact === true && e.day <= e.noReasonDays;
  const cause = f.faultFound ? f.faultCause : undefined;
  const excluded = cause !== undefined && policy.notCovered.includes(cause);
  let allowed: GrantedOutcome[] = [];
  let reason: string;
  let refusal: RefusalReason | undefined;
  if (noReason && !excluded) {
    allowed = ['refund', 'replacement'];
    reason = `intact and unused, day ${e.day} of ${e.noReasonDays} for a return without reason`;
  } else if (!f.faultFound) {
    refusal = 'no_fault_found';
    reason = 'the inspection found no fault';
  } else if (excluded) {
    refusal = 'cause_not_covered';
    reason = `${cause} is not covered`;
  } else if (cause === 'quality') {
    if (e.day <= e.returnDays) allowed = ['refund', 'replacement', 'repair'];
    else if (e.day <= e.exchangeDays) allowed = ['replacement', 'repair'];
    else if (e.inWarranty) allowed = ['repair'];
    reason = `performance fault on day ${e.day} (return ${e.returnDays}, exchange ${e.exchangeDays} days${e.inWarranty ? ', in warranty' : ''})`;
    if (!allowed.length) refusal = 'out_of_warranty';
  } else {
    if (e.inWarranty) allowed = ['repair'];
    else refusal = 'out_of_warranty';
    reason = `${cause ?? 'unknown'} fault: ${e.inWarranty ? 'repaired in warranty' : 'out of warranty'}`;
  }
  const wish: GrantedOutcome[] = e.kind === 'return' ? ['refund', 'replacement', 'repair'] : ['replacement', 'repair'];
  const recommended = wish.find((o) => allowed.includes(o)) ?? 'refused';
  return { allowed, recommended, reason, ...(refusal ? { refusal } : {}) };
}
