/**
 * What the workflow may ask of the outside world. The workflow imports these types only; `createActivities`
 * provides the implementations from their dependencies.
 */
import type { DispatchPolicy, EscalationContact } from '../src/domain/policyTypes';
import type { EscalationLevel, GeoPoint, Milestone, PhotoKind, RequestType } from '../src/domain/types';

export type CustomerSmsKind =
  'received' | 'assigned' | 'delay' | 'visit_booked' | 'completed' | 'survey' | 'follow_up_apology' | 'cancelled';
export type TechnicianSmsKind = 'tech_assignment' | 'tech_photo_reminder';

/** Template variables (see src/adapters/sms/templates.ts); `technicianId` is expanded by the activity. */
export type SmsVars = Record<string, unknown>;

export interface CandidateSummary {
  technicianId: string;
  name: string;
  workNumber: string;
  tier: number;
  distanceKm?: number;
  reason: string;
}

export interface PhotoCheckResult {
  ok: boolean;
  present: PhotoKind[];
  missing: PhotoKind[];
  invalid: { kind: PhotoKind; reason: string }[];
}

export interface EscalationNotice {
  requestId: string;
  ticket: string;
  /** Distinguishes repeated notices of one request for idempotency. */
  seq: number;
  level: EscalationLevel;
  kind: 'warning' | 'breach' | 'no_candidate' | 'unresolved' | 'photos_missing' | 'sms_failure';
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
  checkPhotos(a: { requestId: string; required: PhotoKind[] }): Promise<PhotoCheckResult>;
  issueRatingLink(a: { requestId: string; tokenId: string; expiresAt: string; language: 'zh' | 'en' }): Promise<{ url: string }>;
  createCallbackTask(a: {
    requestId: string;
    ticket: string;
    phone: string;
    dueAt: string;
    ratingUrl: string;
    language: 'zh' | 'en';
  }): Promise<void>;
}
