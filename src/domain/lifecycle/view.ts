/**
 * The request's view: version 1 of the state callers see (HTTP responses, the workflow's `state` query, update
 * answers and results). The workflow builds it by a projection from its internal record
 * (workflows/lifecycle/view.ts), so internal fields can change without touching this contract; the API
 * serves this schema (src/api/schemas/state.ts). Workflow-safe.
 */
import { Type, type Static } from 'typebox';
import { CHANNELS, MILESTONES, PHOTO_KINDS, REQUEST_TYPES, STATUSES, URGENCIES } from '../types';
import { StringEnum } from './fields';

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
  assignedBy: Opt(Type.String({ description: 'Who dispatched by hand (token name)' })),
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

const By = Opt(Type.String({ description: 'Who took the action: token name (role)' }));

const CallbackOutcome = Type.Object({
  at: Str,
  satisfiedWithTechnician: Type.Boolean(),
  useExplained: Type.Boolean(),
  fixed: Type.Boolean(),
  suggestions: Opt(Str),
  score: Type.Integer({ minimum: 1, maximum: 5 }),
  note: Opt(Str),
  by: By,
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
    owner: Opt(Type.String({ description: 'The integration that started it (its token name); absent in requests from before owners' })),
    policyVersion: Str,
    receivedAt: Str,
    technicianId: Opt(Str),
    assignments: Type.Array(Assignment),
    visit: Type.Integer(),
    appointmentAt: Opt(Str),
    deadlines: Type.Array(Deadline, { description: 'Every deadline: due, met, breached (docs/lifecycle.md, Deadlines)' }),
    escalationLevel: Type.Integer({ minimum: 0, maximum: 3 }),
    escalations: Type.Array(Escalation),
    timeline: Type.Array(
      Type.Object({
        at: Str,
        event: Str,
        detail: Opt(Str),
        by: Opt(Type.String({ description: 'Who took the action: token name (role)' })),
      }),
    ),
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
    onHold: Opt(Type.Object({ since: Str, reason: Str, resumeTo: StringEnum(STATUSES) })),
    feedback: Opt(Type.Object({ score: Type.Integer(), comment: Opt(Str), at: Str })),
    followUp: Opt(Type.Object({ notes: Str, at: Str })),
    lifecycleVersion: Opt(Type.Integer({ description: 'The lifecycle the request runs (docs/lifecycle.md, Versions)' })),
    remoteResolution: Opt(
      Type.Object({ at: Str, notes: Str, technicianId: Opt(Str), by: By }, { description: 'Resolved without a visit' }),
    ),
    appointment: Opt(
      Type.Object(
        {
          at: Str,
          requestedBy: StringEnum(['customer', 'technician'] as const),
          reminderAt: Opt(Type.String({ description: 'When the reminder SMS goes out (slot minus the policy lead)' })),
          reminderSentAt: Opt(Str),
          lateArrival: Opt(Type.Boolean({ description: 'Arrived after the slot plus the grace, or not yet and already late' })),
          onSiteMovedTo: Opt(Type.String({ description: 'The customer chose a slot after the on-site deadline: it moved here' })),
        },
        { description: "The current visit's booked slot" },
      ),
    ),
    callback: Opt(
      Type.Object(
        {
          dueFrom: Str,
          dueBy: Str,
          attempts: Type.Array(Type.Object({ at: Str, note: Opt(Str), by: By }), { description: 'Calls that did not reach the customer' }),
          unreachable: Opt(Type.Boolean({ description: 'Not reached in the allowed attempts: escalated' })),
          outcome: Opt(CallbackOutcome),
        },
        { description: 'The satisfaction call-back of the last completion (回访)' },
      ),
    ),
    callbackComplaints: Opt(
      Type.Array(Type.Object({ at: Str, kind: StringEnum(['staff', 'product'] as const), text: Str }), {
        description: 'Complaints raised during call-backs',
      }),
    ),
    reopened: Opt(
      Type.Array(Type.Object({ at: Str, visit: Type.Integer(), excluded: Type.Array(Str) }), {
        description: 'Revisits after a call-back found the fault not fixed',
      }),
    ),
    cancelReason: Opt(Str),
    outcome: Opt(StringEnum(['closed', 'no_feedback', 'cancelled'] as const)),
    closedAt: Opt(Str),
  },
  { $id: 'ServiceRequestState', description: "Current state of one request (the workflow's state query)" },
);

/**
 * What the workflow's `state` query returns: the view plus the intake body hash, which the API needs to tell a
 * repeated start from a conflicting one and never sends out.
 */
export type ServiceRequestView = Static<typeof ServiceRequestState> & { bodyHash: string };
