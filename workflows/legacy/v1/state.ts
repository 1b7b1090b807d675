/**
 * The state record of lifecycle version 1, frozen with its code: its handlers and query return this object
 * as it is, and it has the shape of the HTTP state (version 1) that the API serves.
 */
import type { EscalationLevel, Milestone, PhotoKind, RequestType, Status, Urgency, Channel } from '../../../src/domain/types';
import type { DeadlineState } from '../../deadlines';
import type { PhotoRecord } from '../../messages';

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
