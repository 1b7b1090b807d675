/**
 * What the workflow may ask of the outside world. The workflow imports these types only; `createActivities`
 * provides the implementations from their dependencies.
 */
import type { LineInput, LineProblem, PricedLines } from '../src/domain/charges';
import type { BoardCandidate } from '../src/domain/load';
import type { ServiceReportToStore } from '../src/domain/serviceReport';
import type { ComplaintFeedbackEvent } from '../src/domain/complaints';
import type { ProjectionInput } from '../src/domain/reporting';
import type { DispatchPolicy, EscalationContact } from '../src/domain/policyTypes';
import type { EscalationLevel, GeoPoint, Milestone, PhotoKind, RequestType } from '../src/domain/types';

export type CustomerSmsKind =
  | 'received'
  | 'assigned'
  | 'delay'
  | 'visit_booked'
  | 'visit_reminder'
  | 'completed'
  | 'survey'
  | 'revisit'
  | 'follow_up_apology'
  | 'cancelled'
  | 'quote'
  | 'quote_reminder'
  | 'completed_report'
  | 'quote_declined'
  | 'parts_expected'
  | 'parts_delayed'
  | 'parts_arrived'
  | 'return_accepted'
  | 'return_refused'
  | 'return_inspected'
  | 'return_approved'
  | 'return_settled'
  | 'complaint_registered'
  | 'complaint_analysed'
  | 'complaint_solution'
  | 'complaint_implemented'
  | 'complaint_closed';
export type TechnicianSmsKind = 'tech_assignment' | 'tech_visit_reminder' | 'tech_photo_reminder';

/** Template variables (see src/adapters/sms/templates.ts); `technicianId` is expanded by the activity. */
export type SmsVars = Record<string, unknown>;

export interface CandidateSummary {
  technicianId: string;
  name: string;
  workNumber: string;
  tier: number;
  distanceKm?: number;
  reason: string;
  /** Within policy.radiusKm (null: the request has no location). Optional: absent in histories from before the board. */
  withinRadius?: boolean | null;
  /** A "service star" (rating ≥ policy.preferredRating). Optional, as withinRadius. */
  starred?: boolean;
}

export interface PhotoCheckResult {
  ok: boolean;
  present: PhotoKind[];
  missing: PhotoKind[];
  invalid: { kind: PhotoKind; reason: string }[];
}

/** Why a request was raised or its contact paged, besides a deadline's warning (also the record's escalation reason). */
export type EscalationReason =
  | 'breach'
  | 'no_candidate'
  | 'unresolved'
  | 'photos_missing'
  | 'sms_failure'
  | 'callback_unreached'
  | 'parts_overdue'
  | 'quote_expired'
  | 'repeat_repair'
  | 'repeat_complaint'
  | 'complaint_feedback_failed';

export interface EscalationNotice {
  requestId: string;
  ticket: string;
  /** Distinguishes repeated notices of one request for idempotency. */
  seq: number;
  level: EscalationLevel;
  /**
   * `warning` and `breach` have SMS kinds of their own; the others are paged as `ops_alert` (activities/escalate.ts).
   * Lifecycle 4: `parts_overdue`, a spare part's expected date passed (paged to the warehouse contact);
   * `quote_expired`, nobody decided a quote by its expiry. Lifecycle 5: `repeat_repair`, a repair of the same product
   * soon after an earlier one was fixed; `repeat_complaint`, `complaint_feedback_failed`.
   */
  kind: 'warning' | EscalationReason;
  contact: EscalationContact;
  milestone?: Milestone;
  dueAt?: string;
  lateByMs?: number;
  detail?: string;
}

export interface ServiceActivities {
  sendCustomerSms(a: {
    requestId: string;
    kind: CustomerSmsKind;
    seq: number;
    phone: string;
    language: 'zh' | 'en';
    vars: SmsVars;
  }): Promise<void>;
  sendTechnicianSms(a: { requestId: string; kind: TechnicianSmsKind; seq: number; technicianId: string; vars: SmsVars }): Promise<void>;
  notifyEscalation(n: EscalationNotice): Promise<void>;
  findCandidates(a: {
    requestId: string;
    category: string;
    type: RequestType;
    location?: GeoPoint;
    exclude: string[];
    minTier: number;
    policy: DispatchPolicy;
  }): Promise<CandidateSummary[]>;
  getTechnician(a: { technicianId: string }): Promise<CandidateSummary | null>;
  /**
   * Reserves the least loaded of `candidates` (or `force`, ops' choice) on the dispatch board for the request,
   * replacing its earlier reservation; null when there is no candidate. Idempotent per claimId.
   */
  claimTechnician(a: {
    requestId: string;
    claimId: string;
    candidates: BoardCandidate[];
    force?: string;
  }): Promise<{ technicianId: string; openJobs: number } | null>;
  /** Drops the request's reservation if it is still this claim's. Idempotent. */
  releaseTechnician(a: { requestId: string; claimId: string }): Promise<void>;
  checkPhotos(a: { requestId: string; required: PhotoKind[] }): Promise<PhotoCheckResult>;
  issueRatingLink(a: { requestId: string; tokenId: string; expiresAt: string; language: 'zh' | 'en' }): Promise<{ url: string }>;
  /** Lifecycle 4: a signed single-use link for the customer to a quote (approve / decline) or the service report. */
  issueCustomerLink(a: { purpose: 'quote' | 'report'; requestId: string; tokenId: string; expiresAt: string }): Promise<{ url: string }>;
  /**
   * Lifecycle 4: prices quote or parts lines from the price list and parts catalogue loaded at start-up; the
   * problems name each bad line by its path in the caller's body (e.g. `lines[1].partNumber`).
   */
  priceLines(a: { lines: LineInput[]; category: string; path: string }): Promise<{ priced?: PricedLines; problems: LineProblem[] }>;
  /**
   * Lifecycle 4: stores a completed visit's customer service report beside the photos — the document the report
   * page shows and, when a CJK font is installed, its PDF. Idempotent: a retry writes the same names again.
   */
  storeServiceReport(a: ServiceReportToStore): Promise<{ json: string; pdf: string[] }>;
  /**
   * Lifecycle 5: a closed product complaint's feedback to production and engineering — a signed webhook POST, or one
   * JSON line in a file by default. Idempotent by `eventId`: a retry delivers the same event, never a second line.
   */
  sendComplaintFeedback(e: ComplaintFeedbackEvent): Promise<{ via: 'webhook' | 'file'; outcome: 'delivered' | 'duplicate' }>;
  createCallbackTask(a: {
    requestId: string;
    ticket: string;
    phone: string;
    dueAt: string;
    ratingUrl: string;
    language: 'zh' | 'en';
    /** Lifecycle 3: which completion (visit) and which call of its call-back; absent in lifecycle 2 (one task per request). */
    visit?: number;
    attempt?: number;
  }): Promise<void>;
  /**
   * Writes the request's row and events to the reporting database (idempotent; a no-op without one). Run as a local
   * activity while the request lives (workflows/lifecycle/projection.ts) and as a normal one for its last projection.
   */
  projectRequest(p: ProjectionInput): Promise<{ written: boolean }>;
}
