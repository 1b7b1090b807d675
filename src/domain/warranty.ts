/**
 * Warranty judgement (lifecycle 4; docs/policy.md, `warranty`): is a request in cover, on which terms, and is a
 * repair chargeable. Pure and workflow-safe: no I/O, no Node built-ins, no clock (the time is passed in), so a
 * workflow may judge itself and replay gives the same answer. luxon is used as in ./calendar.ts.
 *
 * Cover runs from the purchase date for the terms' calendar months (plus the extended months when an
 * extended-warranty number was given), through the day before the same day of the month: bought 2024-03-18
 * with 12 months → covered through 2025-03-17. When that month has no such day (bought on the 31st, or on
 * 29 February), the cover runs through the month's last day: bought 2024-01-31 with 1 month → through
 * 2024-02-29; bought 2024-02-29 with 12 months → through 2025-02-28. 0 months: no cover.
 * A request is judged on the local date (policy time zone) it was received.
 */
import { DateTime } from 'luxon';
import type { FaultCause, WarrantyJudgement } from './charges';
import { normaliseSkill } from './dispatch';
import type { WarrantyPolicy, WarrantyTerms } from './policyTypes';

export interface WarrantyClaim {
  /** Product category of the request (normalised like dispatch: "Gas-Water-Heater" = gas_water_heater). */
  category: string;
  /** Local date YYYY-MM-DD of the purchase. */
  purchaseDate: string;
  /** Number of an extended warranty bought at sale; blank = none. */
  extendedWarrantyNumber?: string;
  /** When the request was received (ms since the epoch). */
  receivedMs: number;
  /** IANA zone of the local date the request is judged on (the policy calendar's). */
  timeZone: string;
}

/** The terms that apply to a category: its own, or the policy's `default` (key `default`). */
export function warrantyTerms(category: string, policy: WarrantyPolicy): { key: string; terms: WarrantyTerms } {
  const cat = normaliseSkill(category);
  // Keys compared normalised too: a policy built by hand may spell them as written.
  const key = Object.keys(policy.categories).find((k) => normaliseSkill(k) === cat);
  const terms = key !== undefined ? policy.categories[key] : undefined;
  return terms && key !== undefined ? { key: normaliseSkill(key), terms } : { key: 'default', terms: policy.default };
}

/** Last local date (YYYY-MM-DD) covered by `months` calendar months from `purchaseDate` (rule: module comment). */
export function coverUntil(purchaseDate: string, months: number): string {
  const start = /^\d{4}-\d{2}-\d{2}$/.test(purchaseDate) ? DateTime.fromISO(purchaseDate, { zone: 'utc' }) : undefined;
  if (!start?.isValid) throw new RangeError(`purchase date ${JSON.stringify(purchaseDate)} is not a date (YYYY-MM-DD)`);
  if (!Number.isInteger(months) || months < 0) throw new RangeError(`${months} is not a number of months`);
  const end = start.plus({ months });
  // luxon clamps a missing day to the month's end (01-31 + 1 month = 02-29): the cover then runs through that day.
  const last = end.day !== start.day ? end : end.minus({ days: 1 });
  return last.toISODate() as string;
}

/** Cover of a request at its receipt, on the terms of its category. */
export function judgeWarranty(claim: WarrantyClaim, policy: WarrantyPolicy): WarrantyJudgement {
  const { key, terms } = warrantyTerms(claim.category, policy);
  const extended = claim.extendedWarrantyNumber?.trim() || undefined;
  const months = terms.months + (extended ? terms.extendedMonths : 0);
  const until = coverUntil(claim.purchaseDate, months);
  const received = DateTime.fromMillis(claim.receivedMs, { zone: claim.timeZone });
  if (!received.isValid) throw new RangeError(`cannot judge warranty in time zone ${JSON.stringify(claim.timeZone)}`);
  const day = received.toISODate() as string;
  return {
    status: day <= until ? 'in_warranty' : 'out_of_warranty',
    coverUntil: until,
    months,
    terms: key,
    covers: [...terms.covers],
    ...(extended ? { extendedWarrantyNumber: extended } : {}),
  };
}

/**
 * Whether the customer pays for a repair: out of warranty, or a cause found at diagnosis that the policy does not
 * cover (misuse …). The reason is a short English phrase for records and staff, e.g. "out of warranty since
 * 2025-03-18" (the first day without cover) or "misuse is not covered"; not chargeable: "in warranty until 2025-03-17".
 */
export function chargeable(
  judgement: WarrantyJudgement,
  faultCause: FaultCause | undefined,
  policy: WarrantyPolicy,
): { chargeable: boolean; reason: string } {
  if (judgement.status === 'out_of_warranty') {
    const since = DateTime.fromISO(judgement.coverUntil, { zone: 'utc' }).plus({ days: 1 }).toISODate() as string;
    return { chargeable: true, reason: `out of warranty since ${since}` };
  }
  if (faultCause !== undefined && policy.notCovered.includes(faultCause))
    return { chargeable: true, reason: `${faultCause} is not covered` };
  return { chargeable: false, reason: `in warranty until ${judgement.coverUntil}` };
}
