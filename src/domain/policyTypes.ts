/**
 * The resolved service-level policy a workflow receives as data (docs/policy.md). Produced from the policy file by
 * `resolvePolicy` in ./policy.ts; a running request keeps the copy it started with.
 * Workflow-safe: plain data only.
 */
import type { FaultCause } from './charges';
import type { EscalationLevel, RequestType, Urgency } from './types';

/** A parsed duration: `ms` of either elapsed time or business time (counted on a calendar). */
export interface Span {
  ms: number;
  business: boolean;
  /** The text it came from, for summaries ("2 business days"). */
  text: string;
}

export interface CalendarSpec {
  /** IANA zone, e.g. Asia/Shanghai. */
  timeZone: string;
  /** "HH:mm" local time. */
  workStart: string;
  workEnd: string;
  /** ISO weekdays 1 (Mon) … 7 (Sun). */
  workingDays: number[];
  /** Local dates YYYY-MM-DD that are not worked. */
  holidays: string[];
  /** Local dates YYYY-MM-DD worked although their weekday is not (调休). */
  extraWorkingDays: string[];
  /** True for the 24×7 calendar: business time == elapsed time. */
  allHours: boolean;
}

export type PerUrgency<T> = Record<Urgency, T>;

export interface DeadlineSpans {
  acknowledge: PerUrgency<Span>;
  dispatch: PerUrgency<Span>;
  accept: PerUrgency<Span>;
  response: PerUrgency<Span>;
  on_site: PerUrgency<Span>;
  resolution: PerUrgency<Span>;
  photos: PerUrgency<Span>;
  follow_up: PerUrgency<Span>;
}

export interface TypeOverride {
  response?: Span;
  on_site?: Span;
  resolution?: Span;
  /** Hard upper bound on resolution (returns/exchanges: 7 business days). */
  resolution_max?: Span;
}

export interface EscalationContact {
  level: Exclude<EscalationLevel, 0>;
  role: string;
  name: string;
  phone: string;
  webhookUrl?: string;
}

export interface DispatchPolicy {
  radiusKm: number;
  /** 0..1; technicians at or above rank first among equals ("service stars"). */
  preferredRating: number;
  /** Skills required by product category. */
  skillsByCategory: Record<string, string[]>;
  /** Skills required by request type. */
  skillsByType: Partial<Record<RequestType, string[]>>;
  /** Tier an unresolved request's next technician must exceed (derived from previous visits); min tier per level. */
  maxCandidates: number;
}

/** Booked visits (lifecycle 3; docs/policy.md, `appointments`). */
export interface AppointmentPolicy {
  /** How long before the booked slot the customer and the technician get a reminder SMS. */
  reminderLead: Span;
  /** Arriving later than the slot plus this is late: the `appointment` milestone breaks and escalates. */
  lateGrace: Span;
}

/** The satisfaction call-back window after completion (lifecycle 3; docs/policy.md, `callback`). */
export interface CallbackPolicy {
  /** The call centre calls from this long after completion (the survey SMS goes out then). */
  earliest: Span;
  /** …and has reached the customer by this long after completion: the `callback` milestone's deadline. */
  latest: Span;
  /** Unanswered calls before the customer counts as unreachable and level 1 is paged (≥ 1). */
  maxAttempts: number;
}

/** Cover of one product category (lifecycle 4; docs/policy.md, `warranty`). */
export interface WarrantyTerms {
  /** Months of cover from the purchase date. */
  months: number;
  /** Months an extended warranty bought at sale adds (its number given at intake). */
  extendedMonths: number;
  /** What the cover includes, as shown to the customer (e.g. parts, labour). */
  covers: string[];
}

export interface WarrantyPolicy {
  /** Terms per product category (the intake's `product.category`). */
  categories: Record<string, WarrantyTerms>;
  /** Terms for a category not listed. */
  default: WarrantyTerms;
  /** Fault causes found at diagnosis that take a repair out of cover (e.g. misuse). */
  notCovered: FaultCause[];
}

export interface ChargesPolicy {
  /** ISO 4217; amounts are integers in its smallest unit (fen for CNY). */
  currency: string;
  /** What a chargeable visit costs when the customer declines the quote. */
  visitFee: number;
}

export interface QuotePolicy {
  /** The customer's decision is due this long after the quote: the `quote` milestone. */
  expiry: Span;
  /** An undecided customer is reminded by SMS this long after the quote. */
  reminderAfter: Span;
  /** A quote nobody decided by its expiry: escalate to level 1 (and keep waiting), or close as declined. */
  onExpiry: 'escalate' | 'close';
}

export interface ServiceReportPolicy {
  /** How long the customer's link to the service report opens it, from completion. */
  linkValidity: Span;
}

export interface StatusLinkPolicy {
  /** How long the status page link in the receipt SMS opens the page, from receipt. */
  validity: Span;
}

export interface RepeatRepairPolicy {
  /** A repair of the same customer's same product within this span after a resolved repair is a repeat. */
  window: Span;
}

export interface PartsPolicy {
  /** Whether the resolution clock stops while the request waits for parts. */
  pauseResolution: boolean;
  /** Paged (level 1) when a part's expected date passes. */
  warehouse: { role: string; name: string; phone: string; webhookUrl?: string };
}

/** Where the return and exchange windows count from (lifecycle 5). */
export type ReturnCountFrom = 'purchase' | 'delivery';

/** The return and exchange windows of one product category (lifecycle 5; docs/policy.md, `returns`). */
export interface ReturnTerms {
  /** A performance fault within this many days may be returned for a refund (三包: 7). */
  returnDays: number;
  /** …within this many days exchanged for a new unit (三包: 15); later, only repaired within the warranty. */
  exchangeDays: number;
  /** A return within this many days needs no fault when the product is intact and unused (七日无理由退货; 0: none). */
  noReasonDays: number;
  /** `delivery`: from the delivery date when the intake gives one, else the purchase date; `purchase`: always it. */
  countFrom: ReturnCountFrom;
}

/** One step of a return or exchange: its deadline, and the level paged when it breaks. */
export interface ReturnStepPolicy {
  within: Span;
  escalateTo: Exclude<EscalationLevel, 0>;
}

export interface ReturnsPolicy {
  /** Windows of a category not listed. */
  default: ReturnTerms;
  /** Windows per product category (the intake's `product.category`, normalised). */
  categories: Record<string, ReturnTerms>;
  /** Fault causes found at inspection that refuse a return or exchange (人为损坏, 运输损坏 by the customer). */
  notCovered: FaultCause[];
  /** Inspection recorded, counted from receipt. */
  inspection: ReturnStepPolicy;
  /** The supervisor's decision, counted from the inspection. */
  approval: ReturnStepPolicy;
  /** Refund paid or replacement handed over (and the price difference settled), counted from the approval. */
  settlement: ReturnStepPolicy;
}

/** Complaints with a process (lifecycle 5; docs/policy.md, `complaints`). */
export interface ComplaintPolicy {
  /** A complaint whose customer complained before within this long is raised one level and linked to that one. */
  repeatWindow: Span;
  /** Each step's deadline, counted from the step's start (the previous step's end; analysis from receipt). */
  deadlines: { analysis: Span; solution: Span; implementation: Span; feedback: Span };
}

export interface ResolvedPolicy {
  version: string;
  /** Default language for customer messages. */
  language: 'zh' | 'en';
  /** Fraction of a deadline's span at which a warning goes out (0 disables). */
  warningAt: number;
  /** Calendar for "business" spans; critical requests always use 24×7. */
  calendar: CalendarSpec;
  deadlines: DeadlineSpans;
  typeOverrides: Partial<Record<RequestType, TypeOverride>>;
  /** Delay from completion to the satisfaction call-back (lifecycles 1 and 2; lifecycle 3 uses `callback`). */
  callbackDelay: Span;
  /** How long the survey waits for an answer before closing as "no feedback". */
  feedbackWindow: Span;
  /** Scores at or below this open a follow-up. */
  followUpThreshold: number;
  /** VIP requests take the dispatch deadline of the next stricter urgency. */
  vipStricterDispatch: boolean;
  escalation: EscalationContact[];
  dispatch: DispatchPolicy;
  /** How long a failing SMS provider is retried before ops are alerted (deadlines run on regardless). */
  smsRetryBudget?: Span;
  /** Public base URL of the API, for rating links in SMS. */
  publicBaseUrl: string;
  /**
   * Reminder and late-arrival grace of booked visits. `resolvePolicy` always fills it; optional here because
   * policies recorded in the inputs of requests started before lifecycle 3 lack it (read it with a fallback to
   * POLICY_DEFAULTS.appointments in ./policy.ts).
   */
  appointments?: AppointmentPolicy;
  /**
   * The call-back window (lifecycle 3; lifecycle 2 uses `callbackDelay`). Always filled by `resolvePolicy`;
   * optional for the same reason as `appointments` (fallback: POLICY_DEFAULTS.callback).
   */
  callback?: CallbackPolicy;
  /** Lifecycle 4 (warranty, quotes, parts). Always filled by `resolvePolicy`; optional as `appointments` is. */
  warranty?: WarrantyPolicy;
  charges?: ChargesPolicy;
  quotes?: QuotePolicy;
  parts?: PartsPolicy;
  serviceReport?: ServiceReportPolicy;
  /** The status page link in the receipt SMS (issue 15). Always filled by `resolvePolicy`; optional as `appointments` is. */
  statusLink?: StatusLinkPolicy;
  /** The service hotline the customer pages show (the status page); absent when the policy names none. */
  hotline?: string;
  /** Lifecycle 5. Always filled by `resolvePolicy`; optional as `appointments` is. */
  repeatRepair?: RepeatRepairPolicy;
  /** Lifecycle 5: returns and exchanges. Always filled by `resolvePolicy`; optional as `appointments` is. */
  returns?: ReturnsPolicy;
  /** Lifecycle 5 (complaints). Always filled by `resolvePolicy`; optional as `appointments` is. */
  complaints?: ComplaintPolicy;
}
