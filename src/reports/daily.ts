/**
 * The daily service summary (日服务数据汇总表; docs/operations.md), computed from request states. Pure: the caller
 * fetches the states (./fetch.ts) and this decides which belong to the day and what they add up to.
 *
 * Definitions (the numbers a service manager reads off the sheet):
 * - a request belongs to the local calendar day (policy time zone) its `receivedAt` falls on;
 * - SLA per milestone counts deadline instances (a revisit's `dispatch#2` counts as a second dispatch):
 *   met on time / breached (also when met late) / pending (still running or paused); cancelled ones — not
 *   applicable any more, e.g. the request was cancelled — are left out. Compliance = met / (met + breached);
 * - first-time fix: among requests with at least one finished visit, those whose first visit was resolved. A
 *   request a call-back reopened (the fault was not fixed after all) was not fixed first time, nor one that
 *   waited for spare parts and was finished on the return visit; requests resolved remotely are counted apart
 *   (`remoteResolutions`), not as visited;
 * - resolution rate: requests resolved (by a visit or remotely, and not reopened since) / requests received
 *   that were not cancelled and whose quote the customer did not decline (lifecycle 4);
 * - call-backs (lifecycle 3): calls that reached the customer, unanswered calls, customers never reached,
 *   answers "not fixed" (each of which reopened its request: `revisits` counts those requests), and the
 *   complaints raised in the calls. A request keeps only its last completion's call-back, so unanswered calls
 *   before a reopening are not counted;
 * - satisfaction: average of the scores given; "low" = score ≤ 3 (the default follow-up threshold);
 * - escalations: requests by the highest level they reached, and escalation events by level;
 * - lifecycle 4 (requests of older lifecycles have none of its fields and add nothing to these):
 *   - warranty: requests judged in / out of warranty at intake, and those chargeable (`chargeable.chargeable`:
 *     out of warranty, or a cause the warranty excludes found at diagnosis);
 *   - quotes, each counted: issued; approved; declined (the customer said no, or the request closed
 *     `quote_declined` with the quote undecided: it expired under `quotes.onExpiry: close`); expired (its expiry
 *     passed, whatever happened next); pending (undecided, the request still open);
 *   - revenue (integers, fen): labour and parts charged on the service report of requests it shows chargeable
 *     (an approved quote whose repair is not completed yet is not revenue yet), the visit fees of declined quotes,
 *     and their currency; payments recorded per method, waivers apart (not in `paid`);
 *   - parts consumed: per part number, the quantity fitted (service reports' `partsUsed`) and the lines whose old
 *     part was shown to the customer;
 *   - waited for parts: requests with a parts order; per arrived order the hours from the order to the arrival
 *     (count, average, max); orders whose expected date passed at least once.
 * - lifecycle 5, returns and exchanges (requests with `returns`): received; refused at intake (window passed) or by
 *   the supervisor; refunds, replacements and repairs instead approved; settled; still open. A settled one counts
 *   as resolved; a refused one, like a declined quote, leaves the resolution rate's denominator.
 * Rates are plain fractions (0..1), `null` when their denominator is 0.
 */
import { DateTime } from 'luxon';
import {
  CHANNELS,
  COMPLAINT_CLASSES,
  MILESTONES,
  REQUEST_TYPES,
  STATUSES,
  URGENCIES,
  type Channel,
  type ComplaintClass,
  type Milestone,
  type RequestType,
  type Status,
  type Urgency,
} from '../domain/types';
import type { ServiceRequestState } from '../../workflows/messages';
import { lastFix } from '../domain/lifecycle/resolution';

const HOUR_MS = 3_600_000;

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export interface SlaLine {
  met: number;
  breached: number;
  pending: number;
  /** met / (met + breached) */
  complianceRate: number | null;
}

export interface DailyReport {
  /** Local date, YYYY-MM-DD. */
  date: string;
  timeZone: string;
  /** The day in UTC: [from, to). */
  from: string;
  to: string;
  volume: {
    total: number;
    byType: Record<RequestType, number>;
    byChannel: Record<Channel, number>;
    byUrgency: Record<Urgency, number>;
    vip: number;
  };
  /** Where the day's requests are now. */
  byStatus: Record<Status, number>;
  sla: Record<Milestone, SlaLine>;
  /** `repeated`: visited requests whose fix a later repeat repair undid (not counted as fixed first visit). */
  firstTimeFix: { visited: number; fixedFirstVisit: number; repeated: number; rate: number | null };
  resolution: { eligible: number; resolved: number; cancelled: number; rate: number | null };
  satisfaction: { rated: number; averageScore: number | null; lowScores: number; lowScoreShare: number | null };
  complaints: number;
  /**
   * Lifecycle 5: complaints with a process among the day's requests — by class (as analysed), repeats (raised a level),
   * closed with an accountability outcome, product complaints reported to production and engineering.
   */
  complaintProcess: { byClass: Record<ComplaintClass, number>; repeats: number; accountability: number; productFeedback: number };
  /** Requests resolved without a visit (lifecycle 3); not in `firstTimeFix.visited`. */
  remoteResolutions: number;
  /** Requests reopened for a revisit because a call-back found the fault not fixed. */
  revisits: number;
  /** Repairs taken in this day that repeat an earlier fixed repair of the same product (二次上门, lifecycle 5). */
  repeatRepairs: number;
  callbacks: {
    /** Call-backs that reached the customer (answers and score recorded). */
    reached: number;
    /** Calls that did not reach the customer, each attempt counted. */
    notReached: number;
    /** Requests whose customer was not reached in the allowed attempts. */
    unreachable: number;
    /** Call-backs in which the customer said the fault was not fixed. */
    notFixed: number;
  };
  /** Complaints raised during call-backs, about staff and about the product. */
  callbackComplaints: { staff: number; product: number };
  escalations: {
    /** Requests that reached level ≥ 1. */
    escalatedRequests: number;
    /** Requests by the highest level reached (0 = never escalated). */
    requestsByLevel: Record<'0' | '1' | '2' | '3', number>;
    /** Escalation events recorded at each level (a request raised twice counts twice). */
    eventsByLevel: Record<'1' | '2' | '3', number>;
  };
  /** Warranty judged at intake (lifecycle 4); requests without a judgement are not counted. */
  warranty: {
    inWarranty: number;
    outOfWarranty: number;
    /** Charged: out of warranty, or a cause the warranty excludes found at diagnosis. */
    chargeable: number;
  };
  /** Quotes to customers, each counted (a request may have several). */
  quotes: {
    issued: number;
    approved: number;
    /** Declined by the customer, or closed as declined when it expired undecided (`quotes.onExpiry: close`). */
    declined: number;
    /** Whose expiry passed (also when decided afterwards). */
    expired: number;
    /** Undecided, the request still open. */
    pending: number;
  };
  /** Amounts in the smallest currency unit (fen). */
  revenue: {
    /** Labour charged on the service reports of chargeable repairs. */
    labour: number;
    /** Parts charged on the service reports of chargeable repairs. */
    parts: number;
    /** Visit fees of declined quotes. */
    visitFees: number;
    /** labour + parts + visitFees. */
    total: number;
    /** Currency of the amounts; null when there were none; several (comma-separated) would mean a policy change mid-day. */
    currency: string | null;
  };
  /** Payments recorded, per method; `paid` = on site + invoice (waivers are not). Amounts in fen. */
  payments: Record<'on_site' | 'invoice' | 'paid' | 'waived', PaymentLine>;
  /** Parts fitted per part number (service reports), by part number. */
  partsConsumed: PartConsumed[];
  waitedForParts: {
    /** Requests with at least one parts order. */
    requests: number;
    orders: number;
    /** Orders that arrived; the hours are theirs (order → arrival). */
    arrived: number;
    averageHours: number | null;
    maxHours: number | null;
    /** Orders whose expected date passed at least once. */
    overdueOrders: number;
  };
  /** Returns and exchanges (lifecycle 5), each request once. */
  returns: DailyReturns;
}

export interface DailyReturns {
  received: number;
  /** Refused at intake: the window had passed. */
  refusedAtIntake: number;
  /** Refused by the supervisor after the inspection. */
  refusedAfterInspection: number;
  /** Approved outcomes. */
  refunds: number;
  replacements: number;
  repairs: number;
  /** Refund paid or replacement handed over. */
  settled: number;
  /** Not decided yet (waiting for the inspection or the approval), the request still open. */
  open: number;
}

export interface PaymentLine {
  count: number;
  amount: number;
}

export interface PartConsumed {
  /** Part number. */
  ref: string;
  name: { zh: string; en: string };
  /** Units fitted. */
  quantity: number;
  /** Service-report lines of this part whose old part was shown to the customer. */
  oldPartShown: number;
}

export interface DayOptions {
  /** Local date YYYY-MM-DD. */
  date: string;
  /** IANA zone of the policy calendar, e.g. Asia/Shanghai. */
  timeZone: string;
  /** Scores at or below are "low" (default 3). */
  lowScoreAtMost?: number;
  /**
   * Ids among the day's requests that a later repeat repair names (search attribute `RepeatOf`): their fix did not
   * hold, so their visit is no first-time fix.
   */
  repeated?: ReadonlySet<string>;
}

export class ReportDateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportDateError';
  }
}

/** The local day as a UTC half-open interval [fromMs, toMs); correct on DST days (23 or 25 hours). */
export function dayBounds(date: string, timeZone: string): { fromMs: number; toMs: number } {
  if (!DATE_PATTERN.test(date)) throw new ReportDateError(`date: "${date}" is not YYYY-MM-DD`);
  const start = DateTime.fromISO(date, { zone: timeZone });
  if (!start.isValid) {
    throw new ReportDateError(
      start.invalidReason === 'unsupported zone' ? `unknown time zone ${timeZone}` : `date: "${date}" is not a calendar date`,
    );
  }
  const day = start.startOf('day');
  return { fromMs: day.toMillis(), toMs: day.plus({ days: 1 }).toMillis() };
}

/** Today's local date in the zone (for defaults). */
export function localDate(ms: number, timeZone: string): string {
  return DateTime.fromMillis(ms, { zone: timeZone }).toISODate() ?? '';
}

/**
 * Resolved by a visit or remotely (or, lifecycle 5, a return or exchange settled), after the last reopening if any
 * (a call-back's "not fixed" undoes a fix).
 */
const isResolved = (r: ServiceRequestState): boolean => lastFix(r) !== undefined;

/** One request's call-backs. Each reopening was a reached call that heard "not fixed"; the current outcome is counted unless it is that call. */
function callbackCounts(r: ServiceRequestState): { reached: number; notReached: number; unreachable: number; notFixed: number } {
  const reopened = r.reopened ?? [];
  const cb = r.callback;
  const outcome = cb?.outcome;
  const fresh = outcome !== undefined && !reopened.some((x) => Date.parse(x.at) >= Date.parse(outcome.at));
  return {
    reached: reopened.length + (fresh ? 1 : 0),
    notReached: cb?.attempts.length ?? 0,
    unreachable: cb?.unreachable ? 1 : 0,
    notFixed: reopened.length + (fresh && !outcome.fixed ? 1 : 0),
  };
}

/** Labour and parts the repair was charged: the service report's charges (approved quotes of a chargeable repair). */
function repairCharges(r: ServiceRequestState): { labour: number; parts: number; currency: string } | undefined {
  const report = r.serviceReport;
  if (!report) return undefined;
  const charges = report.charges as typeof report.charges | undefined;
  if (charges) return charges.chargeable ? charges : undefined;
  // A report without its charges: the approved quotes of a chargeable repair, as the workflow computes them.
  if (!r.chargeable?.chargeable) return undefined;
  const approved = (r.quotes ?? []).filter((q) => q.decision?.approved);
  if (approved.length === 0) return undefined;
  return {
    labour: approved.reduce((sum, q) => sum + q.labour, 0),
    parts: approved.reduce((sum, q) => sum + q.parts, 0),
    currency: approved[0]!.currency,
  };
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

export function computeDailyReport(requests: readonly ServiceRequestState[], opts: DayOptions): DailyReport {
  const { fromMs, toMs } = dayBounds(opts.date, opts.timeZone);
  const lowAtMost = opts.lowScoreAtMost ?? 3;
  const seen = new Set<string>();
  const day = requests.filter((r) => {
    const t = Date.parse(r.receivedAt);
    if (!(t >= fromMs && t < toMs) || seen.has(r.requestId)) return false;
    seen.add(r.requestId);
    return true;
  });

  const byType = zeros(REQUEST_TYPES);
  const byChannel = zeros(CHANNELS);
  const byUrgency = zeros(URGENCIES);
  const byStatus = zeros(STATUSES);
  const slaCounts = Object.fromEntries(MILESTONES.map((m) => [m, { met: 0, breached: 0, pending: 0 }])) as Record<
    Milestone,
    Omit<SlaLine, 'complianceRate'>
  >;
  const requestsByLevel = { '0': 0, '1': 0, '2': 0, '3': 0 };
  const eventsByLevel = { '1': 0, '2': 0, '3': 0 };
  let vip = 0;
  let visited = 0;
  let fixedFirstVisit = 0;
  let resolved = 0;
  let cancelled = 0;
  let quoteDeclined = 0;
  let rated = 0;
  let scoreSum = 0;
  let lowScores = 0;
  let complaints = 0;
  const complaintProcess: DailyReport['complaintProcess'] = {
    byClass: Object.fromEntries(COMPLAINT_CLASSES.map((c) => [c, 0])) as Record<ComplaintClass, number>,
    repeats: 0,
    accountability: 0,
    productFeedback: 0,
  };
  let remoteResolutions = 0;
  let revisits = 0;
  let repeatRepairs = 0;
  let repeated = 0;
  const callbacks = { reached: 0, notReached: 0, unreachable: 0, notFixed: 0 };
  const callbackComplaints = { staff: 0, product: 0 };
  const warranty = { inWarranty: 0, outOfWarranty: 0, chargeable: 0 };
  const quotes = { issued: 0, approved: 0, declined: 0, expired: 0, pending: 0 };
  const revenue = { labour: 0, parts: 0, visitFees: 0 };
  const currencies = new Set<string>();
  const payments = Object.fromEntries(['on_site', 'invoice', 'paid', 'waived'].map((k) => [k, { count: 0, amount: 0 }])) as Record<
    keyof DailyReport['payments'],
    PaymentLine
  >;
  const partsConsumed = new Map<string, PartConsumed>();
  const waited = { requests: 0, orders: 0, arrived: 0, overdueOrders: 0 };
  const waitedHours: number[] = [];
  const returns: DailyReturns = {
    received: 0,
    refusedAtIntake: 0,
    refusedAfterInspection: 0,
    refunds: 0,
    replacements: 0,
    repairs: 0,
    settled: 0,
    open: 0,
  };
  let returnsRefused = 0;

  for (const r of day) {
    if (r.type in byType) byType[r.type] += 1;
    if (r.channel in byChannel) byChannel[r.channel] += 1;
    if (r.urgency in byUrgency) byUrgency[r.urgency] += 1;
    if (r.status in byStatus) byStatus[r.status] += 1;
    if (r.vip) vip += 1;
    if (r.type === 'complaint') complaints += 1;
    if (r.complaint) {
      if (r.complaint.classification in complaintProcess.byClass) complaintProcess.byClass[r.complaint.classification] += 1;
      if (r.complaint.repeatOf) complaintProcess.repeats += 1;
      if (r.complaint.accountability) complaintProcess.accountability += 1;
      if (r.complaint.productFeedback) complaintProcess.productFeedback += 1;
    }

    for (const d of r.deadlines) {
      const line = slaCounts[d.milestone];
      if (!line) continue;
      if (d.status === 'met') line.met += 1;
      else if (d.status === 'breached') line.breached += 1;
      else if (d.status === 'pending' || d.status === 'paused') line.pending += 1;
    }

    const visits = r.completion ?? [];
    const reopened = (r.reopened ?? []).length > 0;
    if (r.remoteResolution) remoteResolutions += 1;
    else if (visits.length > 0) {
      visited += 1;
      // A repair finished on the return visit after waiting for parts took two trips (二次上门): not first time;
      // nor is a fix that a later repeat repair of the same product undid.
      const repeatedLater = opts.repeated?.has(r.requestId) ?? false;
      if (repeatedLater) repeated += 1;
      if (visits[0]?.resolved && !reopened && !r.parts?.length && !repeatedLater) fixedFirstVisit += 1;
    }
    if (reopened) revisits += 1;
    if (r.repeatRepair) repeatRepairs += 1;
    if (isResolved(r)) resolved += 1;

    const calls = callbackCounts(r);
    for (const k of Object.keys(callbacks) as (keyof typeof callbacks)[]) callbacks[k] += calls[k];
    for (const c of r.callbackComplaints ?? []) if (c.kind in callbackComplaints) callbackComplaints[c.kind] += 1;
    if (r.status === 'cancelled' || r.outcome === 'cancelled') cancelled += 1;
    if (r.outcome === 'quote_declined') quoteDeclined += 1;
    const ret = r.returns;
    if (ret) {
      returns.received += 1;
      const outcome = ret.decision?.outcome;
      if (!ret.eligibility.eligible) returns.refusedAtIntake += 1;
      else if (outcome === 'refused') returns.refusedAfterInspection += 1;
      else if (outcome === 'refund') returns.refunds += 1;
      else if (outcome === 'replacement') returns.replacements += 1;
      else if (outcome === 'repair') returns.repairs += 1;
      else if (r.outcome === undefined) returns.open += 1;
      if (ret.settlement) returns.settled += 1;
      if (r.outcome === 'return_refused') returnsRefused += 1;
    }

    if (r.feedback && Number.isFinite(r.feedback.score)) {
      rated += 1;
      scoreSum += r.feedback.score;
      if (r.feedback.score <= lowAtMost) lowScores += 1;
    }

    const highest = Math.max(r.escalationLevel, ...r.escalations.map((e) => e.level)) as 0 | 1 | 2 | 3;
    requestsByLevel[String(Math.min(3, Math.max(0, highest))) as '0'] += 1;
    for (const e of r.escalations) if (e.level >= 1) eventsByLevel[String(Math.min(3, e.level)) as '1'] += 1;

    // Lifecycle 4: none of these fields exist on older lifecycles' requests.
    if (r.warranty?.status === 'in_warranty') warranty.inWarranty += 1;
    else if (r.warranty?.status === 'out_of_warranty') warranty.outOfWarranty += 1;
    if (r.chargeable?.chargeable) warranty.chargeable += 1;

    const rq = r.quotes ?? [];
    rq.forEach((q, i) => {
      quotes.issued += 1;
      if (q.expiredAt) quotes.expired += 1;
      if (q.decision) {
        if (q.decision.approved) quotes.approved += 1;
        else quotes.declined += 1;
      } else if (r.outcome === 'quote_declined' && i === rq.length - 1) quotes.declined += 1;
      else if (r.outcome === undefined) quotes.pending += 1;
    });

    const charged = repairCharges(r);
    if (charged) {
      revenue.labour += charged.labour;
      revenue.parts += charged.parts;
      if (charged.labour + charged.parts > 0) currencies.add(charged.currency);
    }
    if (r.visitFee) {
      revenue.visitFees += r.visitFee.amount;
      if (r.visitFee.amount > 0) currencies.add(r.visitFee.currency);
    }
    for (const p of r.payments ?? []) {
      const line = payments[p.method];
      if (!line) continue;
      line.count += 1;
      line.amount += p.amount;
      if (p.method !== 'waived') {
        payments.paid.count += 1;
        payments.paid.amount += p.amount;
      }
    }

    for (const used of r.serviceReport?.partsUsed ?? []) {
      if (used.kind !== 'part') continue;
      const part = partsConsumed.get(used.ref) ?? { ref: used.ref, name: { ...used.name }, quantity: 0, oldPartShown: 0 };
      part.quantity += used.quantity;
      if (used.oldPartShown) part.oldPartShown += 1;
      partsConsumed.set(used.ref, part);
    }

    const orders = r.parts ?? [];
    if (orders.length > 0) waited.requests += 1;
    for (const o of orders) {
      waited.orders += 1;
      if (o.overdue.length > 0) waited.overdueOrders += 1;
      if (!o.arrivedAt) continue;
      const hours = (Date.parse(o.arrivedAt) - Date.parse(o.at)) / HOUR_MS;
      if (!Number.isFinite(hours)) continue;
      waited.arrived += 1;
      waitedHours.push(hours);
    }
  }

  const sla = Object.fromEntries(
    MILESTONES.map((m) => {
      const c = slaCounts[m];
      return [m, { ...c, complianceRate: ratio(c.met, c.met + c.breached) }];
    }),
  ) as Record<Milestone, SlaLine>;
  // The customer's own choice, like a cancel: a declined quote is not a repair we failed to resolve.
  const eligible = day.length - cancelled - quoteDeclined - returnsRefused;

  return {
    date: opts.date,
    timeZone: opts.timeZone,
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    volume: { total: day.length, byType, byChannel, byUrgency, vip },
    byStatus,
    sla,
    firstTimeFix: { visited, fixedFirstVisit, repeated, rate: ratio(fixedFirstVisit, visited) },
    resolution: { eligible, resolved, cancelled, rate: ratio(resolved, eligible) },
    satisfaction: { rated, averageScore: ratio(scoreSum, rated), lowScores, lowScoreShare: ratio(lowScores, rated) },
    complaints,
    complaintProcess,
    remoteResolutions,
    revisits,
    repeatRepairs,
    callbacks,
    callbackComplaints,
    escalations: {
      escalatedRequests: requestsByLevel['1'] + requestsByLevel['2'] + requestsByLevel['3'],
      requestsByLevel,
      eventsByLevel,
    },
    warranty,
    quotes,
    revenue: {
      ...revenue,
      total: revenue.labour + revenue.parts + revenue.visitFees,
      currency: currencies.size ? [...currencies].sort().join(',') : null,
    },
    payments,
    partsConsumed: [...partsConsumed.values()].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0)),
    waitedForParts: {
      ...waited,
      averageHours: ratio(
        waitedHours.reduce((sum, h) => sum + h, 0),
        waitedHours.length,
      ),
      maxHours: waitedHours.length ? Math.max(...waitedHours) : null,
    },
    returns,
  };
}
