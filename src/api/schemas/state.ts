/**
 * Response shapes: the workflow's state query (workflows/messages.ts ServiceRequestState) and list pages.
 * Objects stay open so a field the workflow adds later is documented late rather than breaking responses;
 * the serializer only emits what is listed here, so keep this in step with messages.ts.
 */
import { Type } from 'typebox';
import { CHANNELS, MILESTONES, PHOTO_KINDS, REQUEST_TYPES, STATUSES, URGENCIES } from '../../domain/types';
import { StringEnum } from './common';

const Str = Type.String();
const Opt = Type.Optional;

const Deadline = Type.Object({
  id: Str,
  milestone: StringEnum(MILESTONES),
  visit: Type.Integer(),
  span: Str,
  startedAt: Str,
  dueAt: Str,
  warnAt: Opt(Str),
  warnedAt: Opt(Str),
  metAt: Opt(Str),
  breachedAt: Opt(Str),
  lateByMs: Opt(Type.Number()),
  status: StringEnum(['pending', 'paused', 'met', 'breached', 'cancelled'] as const),
  business: Type.Boolean(),
});

const Assignment = Type.Object({
  technicianId: Str,
  name: Str,
  workNumber: Str,
  tier: Type.Integer(),
  visit: Type.Integer(),
  by: StringEnum(['auto', 'manual'] as const),
  assignedAt: Str,
  acceptedAt: Opt(Str),
  declinedAt: Opt(Str),
  declineReason: Opt(Str),
  timedOutAt: Opt(Str),
  replacedAt: Opt(Str),
});

const Escalation = Type.Object({
  at: Str,
  level: Type.Integer({ minimum: 0, maximum: 3 }),
  reason: Str,
  deadlineId: Opt(Str),
  milestone: Opt(Str),
  lateByMs: Opt(Type.Number()),
  contactRole: Opt(Str),
  detail: Opt(Str),
});

const Photo = Type.Object({ kind: StringEnum(PHOTO_KINDS), key: Str, at: Str });

export const ServiceRequestState = Type.Object(
  {
    requestId: Str,
    ticket: Type.String({ description: 'Ticket number the customer sees' }),
    status: StringEnum(STATUSES),
    type: StringEnum(REQUEST_TYPES),
    urgency: StringEnum(URGENCIES),
    channel: StringEnum(CHANNELS),
    vip: Type.Boolean(),
    externalId: Opt(Str),
    policyVersion: Str,
    receivedAt: Str,
    technicianId: Opt(Str),
    assignments: Type.Array(Assignment),
    visit: Type.Integer(),
    appointmentAt: Opt(Str),
    deadlines: Type.Array(Deadline, { description: 'Every deadline: due, met, breached (SPEC §2)' }),
    escalationLevel: Type.Integer({ minimum: 0, maximum: 3 }),
    escalations: Type.Array(Escalation),
    timeline: Type.Array(Type.Object({ at: Str, event: Str, detail: Opt(Str) })),
    photos: Type.Array(Photo),
    photoChecks: Type.Array(
      Type.Object({
        at: Str,
        ok: Type.Boolean(),
        missing: Type.Array(Str),
        invalid: Type.Array(Type.Object({ kind: Str, reason: Str })),
      }),
    ),
    completion: Opt(Type.Array(Type.Object({ at: Str, resolved: Type.Boolean(), notes: Str, technicianId: Str }))),
    onHold: Opt(Type.Object({ since: Str, reason: Str, resumeTo: Str })),
    feedback: Opt(Type.Object({ score: Type.Integer(), comment: Opt(Str), at: Str })),
    followUp: Opt(Type.Object({ notes: Str, at: Str })),
    cancelReason: Opt(Str),
    outcome: Opt(StringEnum(['closed', 'no_feedback', 'cancelled'] as const)),
    closedAt: Opt(Str),
  },
  { $id: 'ServiceRequestState', description: 'Current state of one request (the workflow\'s state query)' },
);

export const StateRef = Type.Unsafe({ $ref: 'ServiceRequestState#' });

export const RequestSummary = Type.Object({
  requestId: Str,
  ticket: Str,
  status: Opt(StringEnum(STATUSES)),
  urgency: Opt(StringEnum(URGENCIES)),
  type: Opt(StringEnum(REQUEST_TYPES)),
  technicianId: Opt(Str),
  escalationLevel: Type.Integer(),
  satisfactionScore: Opt(Type.Integer()),
  breachedDeadlines: Type.Array(Str),
  execution: Type.String({ description: 'Temporal execution status: RUNNING, COMPLETED, …' }),
  startedAt: Str,
  closedAt: Opt(Str),
});

export const ListResponse = Type.Object({
  items: Type.Array(RequestSummary),
  nextCursor: Opt(Type.String({ description: 'Pass as `cursor` for the next page; absent on the last page' })),
});
