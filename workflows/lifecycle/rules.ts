/** The request's policy, looked up for its urgency, type and VIP flag (the policy is data passed in at start). */
import { parseSpan } from '../../src/domain/duration';
import { POLICY_DEFAULTS } from '../../src/domain/policy';
import type { CalendarSpec, DeadlineSpans, ResolvedPolicy, Span, TypeOverride } from '../../src/domain/policyTypes';
import type { Milestone, Urgency } from '../../src/domain/types';
import type { ServiceRequestStart } from '../messages';

/**
 * For a policy resolved without the lifecycle-3/4 blocks: the resolver's own defaults (it always fills them;
 * docs/policy.md), parsed the way it parses them.
 */
const D = POLICY_DEFAULTS;
/** One working day of the default calendar (08:00–18:00). */
const WORKDAY_MS = 10 * 3_600_000;
const FALLBACK = {
  appointments: { reminderLead: parseSpan(D.appointments.reminderLead), lateGrace: parseSpan(D.appointments.lateGrace) },
  callback: { earliest: parseSpan(D.callback.earliest), latest: parseSpan(D.callback.latest), maxAttempts: D.callback.maxAttempts },
  warranty: {
    categories: {},
    default: { ...D.warranty.default, covers: [...D.warranty.default.covers] },
    notCovered: [...D.warranty.notCovered],
  },
  charges: { ...D.charges },
  quotes: { expiry: parseSpan(D.quotes.expiry), reminderAfter: parseSpan(D.quotes.reminderAfter), onExpiry: D.quotes.onExpiry },
  parts: { pauseResolution: D.parts.pauseResolution, warehouse: { ...D.parts.warehouse } },
  serviceReport: { linkValidity: parseSpan(D.serviceReport.linkValidity) },
  statusLink: { validity: parseSpan(D.statusLink.validity) },
  repeatRepair: { window: parseSpan(D.repeatRepair.window) },
  // Business spans parsed with the default calendar's working day (08:00–18:00), as resolvePolicy sizes them.
  returns: {
    default: { ...D.returns.default },
    categories: {},
    notCovered: [...D.returns.notCovered],
    inspection: { within: parseSpan(D.returns.inspection.within, WORKDAY_MS), escalateTo: D.returns.inspection.escalateTo },
    approval: { within: parseSpan(D.returns.approval.within, WORKDAY_MS), escalateTo: D.returns.approval.escalateTo },
    settlement: { within: parseSpan(D.returns.settlement.within, WORKDAY_MS), escalateTo: D.returns.settlement.escalateTo },
  },
  complaints: {
    repeatWindow: parseSpan(D.complaints.repeatWindow),
    deadlines: {
      analysis: parseSpan(D.complaints.deadlines.analysis),
      solution: parseSpan(D.complaints.deadlines.solution),
      implementation: parseSpan(D.complaints.deadlines.implementation),
      feedback: parseSpan(D.complaints.deadlines.feedback),
    },
  },
} satisfies Required<
  Pick<
    ResolvedPolicy,
    | 'appointments'
    | 'callback'
    | 'warranty'
    | 'charges'
    | 'quotes'
    | 'parts'
    | 'serviceReport'
    | 'statusLink'
    | 'repeatRepair'
    | 'returns'
    | 'complaints'
  >
>;

const STRICTER: Record<Urgency, Urgency> = { normal: 'urgent', urgent: 'critical', critical: 'critical' };
type SpanMilestone = Extract<Milestone, keyof DeadlineSpans>;

export class PolicyRules {
  readonly policy: ResolvedPolicy;
  /** Critical requests run round the clock (全天候24小时). */
  readonly calendar: CalendarSpec;
  readonly overrides: TypeOverride;
  readonly language: 'zh' | 'en';

  constructor(private readonly input: ServiceRequestStart) {
    const { request, policy } = input;
    this.policy = policy;
    this.calendar = request.urgency === 'critical' ? { ...policy.calendar, allHours: true } : policy.calendar;
    this.overrides = policy.typeOverrides[request.type] ?? {};
    this.language = request.customer.language ?? policy.language;
  }

  span(m: SpanMilestone): Span {
    const o = this.overrides[m as keyof TypeOverride];
    return o ?? this.policy.deadlines[m][this.input.request.urgency];
  }

  /** Reminder lead and late-arrival grace (lifecycle 3). */
  appointments(): NonNullable<ResolvedPolicy['appointments']> {
    return this.policy.appointments ?? FALLBACK.appointments;
  }

  /** The call-back window after completion and how many unanswered calls before escalating (lifecycle 3). */
  callback(): NonNullable<ResolvedPolicy['callback']> {
    return this.policy.callback ?? FALLBACK.callback;
  }

  /** Cover per product category and the fault causes it excludes (lifecycle 4). */
  warranty(): NonNullable<ResolvedPolicy['warranty']> {
    return this.policy.warranty ?? FALLBACK.warranty;
  }

  /** Currency and the visit fee of a declined quote (lifecycle 4). */
  charges(): NonNullable<ResolvedPolicy['charges']> {
    return this.policy.charges ?? FALLBACK.charges;
  }

  /** How long a quote waits for the customer, when they are reminded, what an expiry does (lifecycle 4). */
  quotes(): NonNullable<ResolvedPolicy['quotes']> {
    return this.policy.quotes ?? FALLBACK.quotes;
  }

  /** How long the customer's service report link works (lifecycle 4). */
  serviceReport(): NonNullable<ResolvedPolicy['serviceReport']> {
    return this.policy.serviceReport ?? FALLBACK.serviceReport;
  }

  /** How long the status page link in the receipt SMS works, from receipt. */
  statusLink(): NonNullable<ResolvedPolicy['statusLink']> {
    return this.policy.statusLink ?? FALLBACK.statusLink;
  }

  /** How soon after a resolved repair another of the same product counts as a repeat (lifecycle 5). */
  repeatRepair(): NonNullable<ResolvedPolicy['repeatRepair']> {
    return this.policy.repeatRepair ?? FALLBACK.repeatRepair;
  }

  /** Whether waiting for parts stops the resolution clock, and whom late parts page (lifecycle 4). */
  parts(): NonNullable<ResolvedPolicy['parts']> {
    return this.policy.parts ?? FALLBACK.parts;
  }

  /** Return and exchange windows, causes not covered, each step's deadline and escalation (lifecycle 5). */
  returns(): NonNullable<ResolvedPolicy['returns']> {
    return this.policy.returns ?? FALLBACK.returns;
  }

  /** Complaint steps' deadlines and the repeat-complaint window (lifecycle 5). */
  complaints(): NonNullable<ResolvedPolicy['complaints']> {
    return this.policy.complaints ?? FALLBACK.complaints;
  }

  /** VIP requests use the next stricter column's dispatch deadline. */
  dispatchSpan(): Span {
    const u = this.input.request.urgency;
    return this.policy.deadlines.dispatch[this.input.request.vip && this.policy.vipStricterDispatch ? STRICTER[u] : u];
  }
}
