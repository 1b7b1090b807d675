/**
 * The request's record: what happened to it, kept by the workflow (internal; callers see the projection in
 * view.ts). Timeline entries name who took an action.
 */
import { log as wfLog, workflowInfo } from '@temporalio/workflow';
import type { Actor } from '../../src/domain/roles';
import type { EscalationLevel, Milestone, PhotoKind, Status } from '../../src/domain/types';
import { ticketNumber } from '../../src/temporal/ids';
import type { CandidateSummary, EscalationReason } from '../../activities/contract';
import type { FaultCause, PricedLine, PricedLines, WarrantyJudgement } from '../../src/domain/charges';
import type { EarlierRequest, PhotoRecord, ServiceRequestStart } from '../messages';
import type { VisitReport } from '../../src/domain/serviceReport';
import type { RepeatOf } from '../../src/domain/repeatRepair';
import type {
  GrantedOutcome,
  RefusalReason,
  ReturnAssessment,
  ReturnEligibility,
  ReturnKind,
  ReturnOutcome,
} from '../../src/domain/returns';
import type { Accountability, ComplaintClass, ComplaintLink } from '../../src/domain/complaints';

export interface Assignment {
  technician: CandidateSummary;
  visit: number;
  by: 'auto' | 'manual';
  /** Ops principal of a manual assignment. */
  dispatcher?: Actor;
  assignedAt: string;
  acceptedAt?: string;
  declinedAt?: string;
  declineReason?: string;
  timedOutAt?: string;
  replacedAt?: string;
}

export interface Escalation {
  at: string;
  level: EscalationLevel;
  reason: EscalationReason;
  deadlineId?: string;
  milestone?: Milestone;
  lateByMs?: number;
  contactRole?: string;
  detail?: string;
}

export interface VisitResult {
  at: string;
  resolved: boolean;
  notes: string;
  technicianId: string;
}

export type Outcome = 'closed' | 'no_feedback' | 'cancelled' | 'quote_declined' | 'return_refused';

/** A return or exchange (lifecycle 5): eligibility at intake, the inspection, the supervisor's decision, the settlement. */
export interface ReturnRecord {
  kind: ReturnKind;
  eligibility: ReturnEligibility;
  inspection?: { at: string; faultFound: boolean; faultCause?: FaultCause; findings: string; intact?: boolean; by?: Actor };
  /** What the policy allows after the inspection, and why (the supervisor decides within it). */
  assessment?: ReturnAssessment;
  decision?: { at: string; outcome: ReturnOutcome; reason?: RefusalReason; note?: string; by?: Actor };
  settlement?: {
    at: string;
    outcome: Exclude<GrantedOutcome, 'repair'>;
    amount: number;
    currency: string;
    direction: 'to_customer' | 'from_customer' | 'none';
    replacementModel?: string;
    replacementSerial?: string;
    note?: string;
    by?: Actor;
  };
  /** Refused (at intake or by the supervisor): the code the customer was told. */
  refusal?: RefusalReason;
}

/** A quote to the customer and their decision (lifecycle 4). Prices are fixed when it is issued. */
export interface QuoteRecord extends PricedLines {
  id: string;
  at: string;
  by?: Actor;
  note?: string;
  expiresAt: string;
  remindedAt?: string;
  expiredAt?: string;
  decision?: { approved: boolean; at: string; via: 'link' | 'phone'; by?: Actor; note?: string };
}

/** Spare parts ordered for the repair and their way to the customer (lifecycle 4). */
export interface PartsOrder {
  id: string;
  at: string;
  by?: Actor;
  technicianId: string;
  lines: PricedLine[];
  reason: string;
  expectedBy: string;
  shipment?: string;
  dispatchedAt?: string;
  overdue: string[];
  arrivedAt?: string;
  /** Whether the resolution clock stopped while waiting (policy `parts.pauseResolution` when ordered). */
  pausedResolution: boolean;
}

export interface PaymentRecord {
  at: string;
  method: 'on_site' | 'invoice' | 'waived';
  amount: number;
  reason?: string;
  approvedBy?: string;
  by?: Actor;
}

/** The customer service report (《客户服务报告》) of a resolved visit (lifecycle 4). */
export type ServiceReport = VisitReport;

/** A complaint's process (lifecycle 5): its class, links, each step's record, accountability and product feedback. */
export interface ComplaintRecord {
  classification: ComplaintClass;
  /** The class given at intake, when the analysis found another. */
  classifiedAtIntake?: ComplaintClass;
  /** The earlier request it is about (`complaint.relatesTo` at intake), with that request's technician. */
  relatesTo?: ComplaintLink;
  /** The customer's earlier complaint within the repeat window: this one was raised a level. */
  repeatOf?: { requestId: string; ticket: string; startedAt: string };
  analysis?: { at: string; findings: string; by?: Actor };
  solution?: { at: string; solution: string; note?: string; by?: Actor };
  implementation?: { at: string; notes: string; by?: Actor };
  feedback?: { at: string; satisfied: boolean; feedback: string; by?: Actor };
  accountability?: Accountability & { at: string };
  /** Product complaints: the event to production and engineering (id fixed at closing; sent or failed later). */
  productFeedback?: { eventId: string; sentAt?: string; via?: 'webhook' | 'file'; failedAt?: string; error?: string };
}

/** The booked slot of the current visit and what became of it (lifecycle 3). */
export interface AppointmentRecord {
  at: string;
  requestedBy: 'customer' | 'technician';
  reminderAt?: string;
  reminderSentAt?: string;
  lateArrival?: boolean;
  onSiteMovedTo?: string;
}

/** The call-back (回访) of the last completion (lifecycle 3). */
export interface CallbackRecord {
  dueFrom: string;
  dueBy: string;
  attempts: { at: string; note?: string; by?: Actor }[];
  unreachable?: boolean;
  outcome?: {
    at: string;
    satisfiedWithTechnician: boolean;
    useExplained: boolean;
    fixed: boolean;
    suggestions?: string;
    score: number;
    note?: string;
    by?: Actor;
  };
}

export interface RecordData {
  status: Status;
  receivedMs: number;
  assignments: Assignment[];
  visit: number;
  appointmentAt?: string;
  escalationLevel: EscalationLevel;
  escalations: Escalation[];
  timeline: { at: string; event: string; detail?: string; by?: Actor }[];
  photos: PhotoRecord[];
  photoChecks: { at: string; ok: boolean; missing: PhotoKind[]; invalid: { kind: PhotoKind; reason: string }[] }[];
  visitResults: VisitResult[];
  hold?: { since: string; reason: string; resumeTo: Status };
  feedback?: { score: number; comment?: string; at: string };
  followUp?: { notes: string; at: string };
  ratingTokens: string[];
  cancelReason?: string;
  // ── Lifecycle 3 ──
  remoteResolution?: { at: string; notes: string; technicianId?: string; by?: Actor };
  appointment?: AppointmentRecord;
  callback?: CallbackRecord;
  callbackComplaints: { at: string; kind: 'staff' | 'product'; text: string }[];
  reopened: { at: string; visit: number; excluded: string[] }[];
  /** The board reservation (exact load) of the current assignment, released when the job ends for its technician. */
  claimId?: string;
  // ── Lifecycle 4 ──
  warranty?: WarrantyJudgement;
  diagnosis?: { at: string; faultCause: FaultCause; diagnosis: string; technicianId: string; by?: Actor };
  /** Whether the repair is charged, and why (warranty at intake, then the fault cause found). */
  chargeable?: { chargeable: boolean; reason: string };
  quotes: QuoteRecord[];
  /** Ids of the live quote link (single use: emptied once the customer decided). */
  quoteTokens: string[];
  parts: PartsOrder[];
  payments: PaymentRecord[];
  /** Charged when the customer declined the quote (policy `charges.visitFee`). */
  visitFee?: { amount: number; currency: string };
  serviceReport?: ServiceReport;
  // ── Lifecycle 5 ──
  returns?: ReturnRecord;
  outcome?: Outcome;
  closedAt?: string;
  /** The customer's earlier requests from the start input (customer history); absent when the API did not look them up. */
  earlierRequests?: EarlierRequest[];
  // ── Lifecycle 5 ──
  /** The earlier repair of the same product this one repeats (二次上门). */
  repeatRepair?: RepeatOf;
  complaint?: ComplaintRecord;
}

export const nowIso = (): string => new Date().toISOString();

export class RequestRecord {
  readonly data: RecordData;
  readonly ticket: string;

  constructor(readonly input: ServiceRequestStart) {
    this.ticket = ticketNumber(input.requestId);
    this.data = {
      status: 'received',
      receivedMs: workflowInfo().startTime.getTime(),
      assignments: [],
      visit: 1,
      escalationLevel: 0,
      escalations: [],
      timeline: [],
      photos: [],
      photoChecks: [],
      visitResults: [],
      ratingTokens: [],
      callbackComplaints: [],
      reopened: [],
      quotes: [],
      quoteTokens: [],
      parts: [],
      payments: [],
      // A copy of input data, nothing else: no command, so histories from before it replay unchanged.
      ...(input.history ? { earlierRequests: input.history.map((e) => ({ ...e })) } : {}),
    };
  }

  get requestId(): string {
    return this.input.requestId;
  }

  // ── Idempotency keys of actions: per principal and action, the hash of the body each key came with ──
  private readonly keys = new Map<string, string>();

  private static keyOf(action: string, by: Actor | undefined, key: string): string {
    return `${by?.role ?? ''}\u0000${by?.name ?? ''}\u0000${action}\u0000${key}`;
  }

  /** True when this principal already used `key` for `action` with another body. */
  keyReused(action: string, by: Actor | undefined, idem: { key: string; bodyHash: string }): boolean {
    const known = this.keys.get(RequestRecord.keyOf(action, by, idem.key));
    return known !== undefined && known !== idem.bodyHash;
  }

  rememberKey(action: string, by: Actor | undefined, idem: { key: string; bodyHash: string }): void {
    this.keys.set(RequestRecord.keyOf(action, by, idem.key), idem.bodyHash);
  }

  log(event: string, detail?: string, by?: Actor): void {
    this.data.timeline.push({ at: nowIso(), event, detail, ...(by ? { by } : {}) });
    wfLog.info(event, { requestId: this.requestId, detail, ...(by ? { by: by.name, role: by.role } : {}) });
  }

  // ── Assignments ──
  assign(t: CandidateSummary, by: 'auto' | 'manual', dispatcher?: Actor): void {
    this.data.assignments.push({ technician: t, visit: this.data.visit, by, dispatcher, assignedAt: nowIso() });
    this.log('assigned', `${t.technicianId} (${by}: ${t.reason})`, dispatcher);
  }

  current(): Assignment | undefined {
    return this.data.assignments[this.data.assignments.length - 1];
  }

  get technicianId(): string | undefined {
    return this.current()?.technician.technicianId;
  }

  replaceCurrent(): void {
    const a = this.current();
    if (a && !a.replacedAt) a.replacedAt = nowIso();
  }

  /** Technicians whose visit ended unresolved: the next tier must be someone else. */
  unresolvedTechnicians(): Set<string> {
    return new Set(this.data.visitResults.filter((c) => !c.resolved).map((c) => c.technicianId));
  }

  /**
   * Whom automatic dispatch skips: the unresolved, on a revisit the technician whose fix did not hold, and on a
   * repeat repair the earlier request's (ops may still choose them).
   */
  excludedTechnicians(): Set<string> {
    const out = this.unresolvedTechnicians();
    for (const r of this.data.reopened) if (r.visit === this.data.visit) for (const t of r.excluded) out.add(t);
    // A repeat repair: whoever fixed the earlier request, on every visit of this one.
    const earlier = this.data.repeatRepair?.technicianId;
    if (earlier) out.add(earlier);
    return out;
  }

  /** After an unresolved visit the next technician must be of a higher skill tier than any who failed. */
  minTier(): number {
    const failed = this.unresolvedTechnicians();
    const tiers = this.data.assignments.filter((a) => failed.has(a.technician.technicianId)).map((a) => a.technician.tier);
    return tiers.length ? Math.max(...tiers) + 1 : 0;
  }
}
