/**
 * The request's view: version 1 of the state callers see (HTTP responses, the workflow's `state` query, update
 * answers and results). The workflow builds it by a projection from its internal record
 * (workflows/lifecycle/view.ts), so internal fields can change without touching this contract; the API
 * serves this schema (src/api/schemas/state.ts). Workflow-safe.
 */
import { Type, type Static } from 'typebox';
import { FAULT_CAUSES } from '../charges';
import { REFUSAL_REASONS, RETURN_KINDS, RETURN_OUTCOMES } from '../returns';
import { CHANNELS, COMPLAINT_CLASSES, MILESTONES, PHOTO_KINDS, REQUEST_TYPES, STATUSES, URGENCIES } from '../types';
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

// ── Lifecycle 4: warranty, quotes, parts, payments, the service report. Amounts: integers, smallest unit (fen). ──
const Fen = Type.Integer({ description: 'Smallest currency unit (fen)' });
const Name = Type.Object({ zh: Str, en: Str });
const PricedLine = Type.Object({
  kind: StringEnum(['labour', 'part'] as const),
  ref: Type.String({ description: 'Labour code or part number' }),
  name: Name,
  quantity: Type.Integer(),
  unitPrice: Fen,
  amount: Fen,
});
const Warranty = Type.Object(
  {
    status: StringEnum(['in_warranty', 'out_of_warranty'] as const),
    coverUntil: Type.String({ description: 'Last covered local date (YYYY-MM-DD)' }),
    months: Type.Integer(),
    terms: Type.String({ description: 'Product category whose terms applied (default: none listed)' }),
    covers: Type.Array(Str),
    extendedWarrantyNumber: Opt(Str),
    proof: Opt(
      Type.Object(
        { invoicePhoto: Type.String({ description: 'Storage key of the invoice photo' }), at: Str },
        { description: 'The latest invoice photo uploaded as proof of purchase (kind invoice); the judgement stays as made at intake' },
      ),
    ),
  },
  { description: 'Judged at intake from the purchase date (lifecycle 4)' },
);
const Quote = Type.Object({
  id: Str,
  at: Str,
  by: By,
  lines: Type.Array(PricedLine),
  labour: Fen,
  parts: Fen,
  total: Fen,
  currency: Str,
  note: Opt(Str),
  expiresAt: Str,
  remindedAt: Opt(Str),
  expiredAt: Opt(Str),
  decision: Opt(Type.Object({ approved: Type.Boolean(), at: Str, via: StringEnum(['link', 'phone'] as const), by: By, note: Opt(Str) })),
});
const PartsOrder = Type.Object({
  id: Str,
  at: Str,
  by: By,
  technicianId: Str,
  lines: Type.Array(PricedLine),
  reason: Str,
  expectedBy: Str,
  shipment: Opt(Str),
  dispatchedAt: Opt(Str),
  overdue: Type.Array(Str, { description: 'Expected dates that passed without the parts' }),
  arrivedAt: Opt(Str),
  pausedResolution: Type.Boolean(),
});
const Payment = Type.Object({
  at: Str,
  method: StringEnum(['on_site', 'invoice', 'waived'] as const),
  amount: Fen,
  reason: Opt(Str),
  approvedBy: Opt(Str),
  by: By,
});
const ServiceReport = Type.Object(
  {
    at: Str,
    visit: Type.Integer(),
    technicianId: Str,
    faultCause: Opt(StringEnum(FAULT_CAUSES)),
    diagnosis: Opt(Str),
    workDone: Str,
    partsUsed: Type.Array(Type.Intersect([PricedLine, Type.Object({ oldPartShown: Type.Boolean() })])),
    charges: Type.Object({ chargeable: Type.Boolean(), reason: Str, labour: Fen, parts: Fen, total: Fen, currency: Str }),
    testRun: Type.Object({ done: Type.Boolean(), minutes: Opt(Type.Integer()) }),
    useExplained: Type.Boolean(),
    signaturePhoto: Opt(Str),
    stored: Opt(
      Type.Object(
        { at: Str, linkExpiresAt: Str, pdf: Type.Boolean() },
        { description: "Stored for the customer and linked in the completion SMS: when, the link's expiry, whether with a PDF" },
      ),
    ),
  },
  { description: 'The customer service report of the resolved visit (《客户服务报告》)' },
);

// ── Lifecycle 5: returns and exchanges ──
const Granted = StringEnum(['refund', 'replacement', 'repair'] as const);
const Returns = Type.Object(
  {
    kind: StringEnum(RETURN_KINDS),
    eligibility: Type.Object(
      {
        kind: StringEnum(RETURN_KINDS),
        countedFrom: StringEnum(['purchase', 'delivery'] as const, { description: 'Which date the days count from' }),
        fromDate: Type.String({ description: 'That date (YYYY-MM-DD)' }),
        day: Type.Integer({ description: 'Days from it to the local date the request was received (0: the same day)' }),
        terms: Type.String({ description: 'Product category whose windows applied (default: none listed)' }),
        returnDays: Type.Integer(),
        exchangeDays: Type.Integer(),
        noReasonDays: Type.Integer(),
        inWarranty: Type.Boolean(),
        eligible: Type.Boolean(),
        reason: Type.String({ description: 'Why, for staff' }),
        refusal: Opt(StringEnum(REFUSAL_REASONS)),
        alternatives: Opt(Type.Array(Granted, { description: 'Remedies still open when not eligible' })),
      },
      { description: 'Judged at intake from the purchase or delivery date and the policy windows (returns)' },
    ),
    inspection: Opt(
      Type.Object({
        at: Str,
        faultFound: Type.Boolean(),
        faultCause: Opt(StringEnum(FAULT_CAUSES)),
        findings: Str,
        intact: Opt(Type.Boolean()),
        by: By,
      }),
    ),
    assessment: Opt(
      Type.Object(
        {
          allowed: Type.Array(Granted),
          recommended: StringEnum(RETURN_OUTCOMES),
          reason: Str,
          refusal: Opt(StringEnum(REFUSAL_REASONS)),
        },
        { description: 'What the policy allows after the inspection; the supervisor decides within it' },
      ),
    ),
    decision: Opt(
      Type.Object({ at: Str, outcome: StringEnum(RETURN_OUTCOMES), reason: Opt(StringEnum(REFUSAL_REASONS)), note: Opt(Str), by: By }),
    ),
    settlement: Opt(
      Type.Object({
        at: Str,
        outcome: StringEnum(['refund', 'replacement'] as const),
        amount: Fen,
        currency: Str,
        direction: StringEnum(['to_customer', 'from_customer', 'none'] as const),
        replacementModel: Opt(Str),
        replacementSerial: Opt(Str),
        note: Opt(Str),
        by: By,
      }),
    ),
    refusal: Opt(StringEnum(REFUSAL_REASONS, { description: 'Refused: the reason the customer was told' })),
  },
  { description: 'A return or exchange (lifecycle 5): eligibility, inspection, decision, settlement' },
);

// ── Lifecycle 5: a complaint's process ──
const Complaint = Type.Object(
  {
    classification: StringEnum(COMPLAINT_CLASSES),
    classifiedAtIntake: Opt(StringEnum(COMPLAINT_CLASSES, { description: 'The class given at intake, when the analysis found another' })),
    relatesTo: Opt(
      Type.Object(
        {
          requestId: Str,
          ticket: Str,
          type: Opt(Str),
          technicianId: Opt(Type.String({ description: "That request's technician" })),
          technicianName: Opt(Str),
        },
        { description: 'The earlier request the complaint is about (intake `complaint.relatesTo`)' },
      ),
    ),
    repeatOf: Opt(
      Type.Object(
        { requestId: Str, ticket: Str, startedAt: Str },
        { description: "The customer's earlier complaint within the policy's repeat window: this one was raised a level" },
      ),
    ),
    analysis: Opt(Type.Object({ at: Str, findings: Str, by: By })),
    solution: Opt(Type.Object({ at: Str, solution: Str, note: Opt(Str), by: By })),
    implementation: Opt(Type.Object({ at: Str, notes: Str, by: By })),
    feedback: Opt(Type.Object({ at: Str, satisfied: Type.Boolean(), feedback: Str, by: By })),
    accountability: Opt(
      Type.Object({
        at: Str,
        responsible: Type.Object({
          kind: StringEnum(['person', 'department'] as const),
          name: Str,
          technicianId: Opt(Str),
        }),
        action: Str,
      }),
    ),
    productFeedback: Opt(
      Type.Object(
        {
          eventId: Str,
          sentAt: Opt(Str),
          via: Opt(StringEnum(['webhook', 'file'] as const)),
          failedAt: Opt(Str),
          error: Opt(Str),
        },
        { description: 'Product complaints: the feedback event to production and engineering, sent after closing' },
      ),
    ),
  },
  { description: "Lifecycle 5: the complaint's class, links, steps, accountability and product feedback" },
);

/** One of the customer's earlier requests, as visibility listed it when this one was taken in (customer history). */
export const EarlierRequest = Type.Object({
  requestId: Str,
  ticket: Str,
  startedAt: Str,
  status: Opt(StringEnum(STATUSES, { description: 'Its status when this request was taken in' })),
  type: Opt(StringEnum(REQUEST_TYPES, { description: 'Its request type (absent in states from before it was listed)' })),
  sameProduct: Type.Boolean({ description: 'The same unit (serial number), or the same model when neither names a serial' }),
  resolvedAt: Opt(
    Type.String({
      description: 'Same product only: when its fault was resolved (its last resolved visit or remote fix), read from its state',
    }),
  ),
  resolvedBy: Opt(Type.String({ description: 'Repairs of the same product only: the technician whose fix it was' })),
});
export type EarlierRequest = Static<typeof EarlierRequest>;

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
    warranty: Opt(Warranty),
    diagnosis: Opt(Type.Object({ at: Str, faultCause: StringEnum(FAULT_CAUSES), diagnosis: Str, technicianId: Str, by: By })),
    chargeable: Opt(
      Type.Object({ chargeable: Type.Boolean(), reason: Str }, { description: 'Whether the repair is charged, and why (lifecycle 4)' }),
    ),
    quotes: Opt(Type.Array(Quote)),
    parts: Opt(Type.Array(PartsOrder, { description: 'Spare parts ordered (lifecycle 4)' })),
    payments: Opt(Type.Array(Payment)),
    visitFee: Opt(Type.Object({ amount: Fen, currency: Str }, { description: 'Charged when the quote was declined' })),
    serviceReport: Opt(ServiceReport),
    returns: Opt(Returns),
    cancelReason: Opt(Str),
    outcome: Opt(StringEnum(['closed', 'no_feedback', 'cancelled', 'quote_declined', 'return_refused'] as const)),
    closedAt: Opt(Str),
    complaint: Opt(Complaint),
    earlierRequests: Opt(
      Type.Array(EarlierRequest, {
        description:
          "The same customer's earlier requests (same phone), newest first, at most 10, found when this one was taken in; " +
          '[] when there were none; absent when not looked up (requests from before, or visibility unavailable at intake)',
      }),
    ),
    repeatRepair: Opt(
      Type.Object(
        {
          requestId: Str,
          ticket: Str,
          resolvedAt: Type.String({ description: "When the earlier request's fault was fixed" }),
          technicianId: Opt(
            Type.String({ description: 'Whose fix did not hold: left out of automatic dispatch (ops may still assign them)' }),
          ),
        },
        {
          description:
            'Lifecycle 5: a repeat repair (二次上门) — the earlier repair of the same customer and product, resolved within ' +
            'the policy window (`repeatRepair.window`) before this one was taken in',
        },
      ),
    ),
  },
  { $id: 'ServiceRequestState', description: "Current state of one request (the workflow's state query)" },
);

/**
 * What the workflow's `state` query returns: the view plus the intake body hash, which the API needs to tell a
 * repeated start from a conflicting one and never sends out.
 */
export type ServiceRequestView = Static<typeof ServiceRequestState> & { bodyHash: string };
