/**
 * The service-request workflow's public surface: start input, updates, signals and the state query.
 * Shared by the workflow, the API and the tests; workflow-safe (no Node built-ins).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ResolvedPolicy } from '../src/domain/policyTypes';
import type {
  Channel,
  EscalationLevel,
  Milestone,
  PhotoKind,
  RequestType,
  ServiceRequestInput,
  Status,
  Urgency,
} from '../src/domain/types';

export const SERVICE_REQUEST_WORKFLOW = 'serviceRequest';

export interface ServiceRequestStart {
  /** Workflow id (`sr-…`). */
  requestId: string;
  request: ServiceRequestInput;
  /** The policy this request lives by, resolved when it was received. */
  policy: ResolvedPolicy;
  /** SHA-256 of the normalised request body: the same key with another body is a conflict. */
  bodyHash: string;
  /** Random id of the HTTP call that started it, so update-with-start can tell "created" from "existing". */
  startAttemptId: string;
}

export interface DeadlineState {
  /** Unique per instance: `dispatch`, or `dispatch#2` for the second visit's. */
  id: string;
  milestone: Milestone;
  visit: number;
  span: string;
  startedAt: string;
  dueAt: string;
  warnAt?: string;
  warnedAt?: string;
  metAt?: string;
  breachedAt?: string;
  /** How late it was met or how late it was when it broke, in ms. */
  lateByMs?: number;
  status: 'pending' | 'paused' | 'met' | 'breached' | 'cancelled';
  business: boolean;
}

export interface AssignmentRecord {
  technicianId: string;
  name: string;
  workNumber: string;
  tier: number;
  visit: number;
  by: 'auto' | 'manual';
  assignedAt: string;
  acceptedAt?: string;
  declinedAt?: string;
  declineReason?: string;
  timedOutAt?: string;
  replacedAt?: string;
}

export interface EscalationRecord {
  at: string;
  level: EscalationLevel;
  reason: 'breach' | 'no_candidate' | 'unresolved' | 'photos_missing' | 'sms_failure';
  deadlineId?: string;
  milestone?: Milestone;
  lateByMs?: number;
  contactRole?: string;
  detail?: string;
}

export interface TimelineEntry {
  at: string;
  event: string;
  detail?: string;
}

export interface PhotoRecord {
  kind: PhotoKind;
  key: string;
  at: string;
}

export interface PhotoCheckRecord {
  at: string;
  ok: boolean;
  missing: PhotoKind[];
  invalid: { kind: PhotoKind; reason: string }[];
}

export type Outcome = 'closed' | 'no_feedback' | 'cancelled';

export interface ServiceRequestState {
  requestId: string;
  ticket: string;
  status: Status;
  type: RequestType;
  urgency: Urgency;
  channel: Channel;
  vip: boolean;
  externalId?: string;
  bodyHash: string;
  policyVersion: string;
  receivedAt: string;
  technicianId?: string;
  assignments: AssignmentRecord[];
  visit: number;
  appointmentAt?: string;
  deadlines: DeadlineState[];
  escalationLevel: EscalationLevel;
  escalations: EscalationRecord[];
  timeline: TimelineEntry[];
  photos: PhotoRecord[];
  photoChecks: PhotoCheckRecord[];
  completion?: { at: string; resolved: boolean; notes: string; technicianId: string }[];
  onHold?: { since: string; reason: string; resumeTo: Status };
  feedback?: { score: number; comment?: string; at: string };
  followUp?: { notes: string; at: string };
  cancelReason?: string;
  outcome?: Outcome;
  closedAt?: string;
}

// ── Updates: transitions from outside. Each has a synchronous validator; a rejected one writes nothing. ──
export interface TechnicianAction {
  technicianId: string;
}
export const intakeUpdate = defineUpdate<
  { created: boolean; bodyHashMatches: boolean; state: ServiceRequestState },
  [{ startAttemptId: string; bodyHash: string }]
>('intake');
export const assignUpdate = defineUpdate<ServiceRequestState, [{ technicianId: string; by?: string }]>('assign');
export const acceptUpdate = defineUpdate<ServiceRequestState, [TechnicianAction]>('accept');
export const declineUpdate = defineUpdate<ServiceRequestState, [TechnicianAction & { reason?: string }]>('decline');
export const appointmentUpdate = defineUpdate<ServiceRequestState, [TechnicianAction & { at: string }]>('appointment');
export const arrivalUpdate = defineUpdate<ServiceRequestState, [TechnicianAction]>('arrival');
export const completionUpdate = defineUpdate<
  ServiceRequestState,
  [TechnicianAction & { resolved: boolean; notes: string }]
>('completion');
export const holdUpdate = defineUpdate<ServiceRequestState, [{ reason: string }]>('hold');
export const resumeUpdate = defineUpdate<ServiceRequestState, [{ reason: string }]>('resume');
/** `tokenId` comes from the signed rating link, already verified (signature, expiry) by the API. */
export const feedbackUpdate = defineUpdate<
  ServiceRequestState,
  [{ score: number; comment?: string; tokenId: string }]
>('feedback');
export const followUpUpdate = defineUpdate<ServiceRequestState, [{ notes: string }]>('followUp');
export const cancelUpdate = defineUpdate<ServiceRequestState, [{ reason: string }]>('cancel');

// ── Signals: fire-and-forget events. ──
export const photoUploadedSignal = defineSignal<[PhotoRecord]>('photoUploaded');

// ── Queries ──
export const stateQuery = defineQuery<ServiceRequestState>('state');
