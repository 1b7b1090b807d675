/**
 * The request's lifecycle, defined once: every outside action with the arguments its callers send, the roles
 * that may take it, the states it is allowed from, what it records and the status it leads to
 * (docs/lifecycle.md). Derived from this table: the workflow's updates and their validators
 * (workflows/messages.ts, workflows/lifecycle/handlers.ts), the API's routes, bodies and OpenAPI entries
 * (src/api/routes/transitions.ts) and the route tests' fake. Adding an action = one entry here + its step in
 * the workflow's main line. Workflow-safe: data and pure functions.
 */
import { Type, type Static, type TSchema } from 'typebox';
import type { Actor, Role } from '../roles';
import type { Status } from '../types';
import { FAULT_CAUSES } from '../charges';
import { REFUSAL_REASONS, RETURN_OUTCOMES } from '../returns';
import { COMPLAINT_CLASSES } from '../types';
import { LongText, StringEnum, TechnicianId, Text } from './fields';

/** What an action's outcome may depend on besides its arguments. */
export interface ActionContext {
  /** Where a held request returns to on resume. */
  resumeTo?: Status;
  /** Scores at or below this get a follow-up (policy `followUpThreshold`). */
  followUpThreshold: number;
  /** The request's status when the action is taken (actions that keep it, e.g. a payment). */
  status?: Status;
}

export interface FieldProblem {
  path: string;
  message: string;
}

export interface ActionSpec<B extends TSchema = TSchema> {
  /** Route under `/v1/service-requests/{id}/`; absent when the action has its own route (feedback: rating link). */
  path?: string;
  summary: string;
  /** Token roles that may take it over HTTP (none: only through a signed customer link). */
  roles: readonly Role[];
  /**
   * A technician caller must be the one assigned to the request; the body's `technicianId` defaults to the
   * token's. With ops among the roles too, ops may take it for anyone (technicianId optional then).
   */
  assignee: boolean;
  /** The lifecycle version that introduced it; requests on an older one refuse it (absent: every version). */
  since?: number;
  from: readonly Status[];
  /** The arguments as callers send them (HTTP body; the workflow update's argument adds `technicianId`, `by`). */
  body: B;
  /** Timeline event the workflow writes when it takes the action (a re-booking writes `visit_changed`, an unresolved visit `completed_unresolved`). */
  records: string;
  /** The status the request has once the workflow's main line has taken the action. */
  leadsTo(args: Static<B>, ctx: ActionContext): Status;
  /**
   * Checks the schema cannot express: the API runs them with its clock for a 400; the workflow's validator
   * without one (only what does not depend on when the caller asked).
   */
  check?(args: Static<B>, nowMs?: number): FieldProblem[];
  /** The canonical form of valid arguments (e.g. times in UTC), applied before they are sent and recorded. */
  normalise?(args: Static<B>): Static<B>;
}

const spec = <B extends TSchema, const A extends boolean>(s: ActionSpec<B> & { assignee: A }) => s;

const closed = { additionalProperties: false } as const;
const OwnTechnician = Type.Optional(TechnicianId);
const TECH: readonly Role[] = ['technician'];
const OPS: readonly Role[] = ['ops'];
const OPS_OR_TECH: readonly Role[] = ['ops', 'technician'];
const CALL_CENTRE: readonly Role[] = ['ops', 'callcentre'];
const WAREHOUSE: readonly Role[] = ['ops', 'warehouse'];
const SUPERVISOR: readonly Role[] = ['supervisor'];

/** States before completion: a request can still be cancelled from them. */
const OPEN: readonly Status[] = [
  'received',
  'first_line',
  'dispatching',
  'assigned',
  'accepted',
  'scheduled',
  'on_site',
  'on_hold',
  'escalated',
  'quote_pending',
  'waiting_parts',
  'inspection',
  'approval',
  'settlement',
  // Lifecycle 5: a complaint in its process.
  'analysis',
  'solution',
  'implementation',
  'complaint_feedback',
];

const DAY_MS = 86_400_000;
/** Visits are booked from a day back (late entry) to 90 days ahead. */
export const APPOINTMENT_WINDOW = { pastMs: DAY_MS, futureMs: 90 * DAY_MS };
/** Spare parts are expected within 90 days (a later date is a typo, not a plan). */
export const PARTS_WINDOW_MS = 90 * DAY_MS;

const DateTimeField = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description });
const Code = (description: string) => Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]*$', description });
const Quantity = Type.Integer({ minimum: 1, maximum: 99 });
/** Amounts are integers in the smallest currency unit (fen), never floats. */
const Amount = (description: string) => Type.Integer({ minimum: 0, maximum: 100_000_000, description });

/** A quote line: a labour item of the price list, or a part of the parts catalogue (priced by the workflow's activity). */
const QuoteLine = Type.Union([
  Type.Object({ kind: Type.Literal('labour'), code: Code('Labour code from the price list'), quantity: Quantity }, closed),
  Type.Object({ kind: Type.Literal('part'), partNumber: Code('Part number from the parts catalogue'), quantity: Quantity }, closed),
]);
const PartLine = Type.Object({ partNumber: Code('Part number from the parts catalogue'), quantity: Quantity }, closed);

/** An ISO date-time that must lie within (now, now + window]; [] when fine (without a clock: only the format). */
function futureProblem(path: string, at: string, nowMs: number | undefined, windowMs: number): FieldProblem[] {
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) return [{ path, message: `"${at}" is not a date-time (ISO-8601 with offset)` }];
  if (nowMs !== undefined && (ms <= nowMs || ms > nowMs + windowMs)) {
    return [{ path, message: `must be in the future, at most ${Math.round(windowMs / DAY_MS)} days ahead` }];
  }
  return [];
}
const iso = (at: string): string => new Date(at).toISOString();

export const LIFECYCLE = {
  assign: spec({
    path: 'assignment',
    summary: 'Manual dispatch to a technician',
    roles: OPS,
    assignee: false,
    from: ['received', 'dispatching', 'assigned', 'accepted', 'scheduled', 'escalated'],
    body: Type.Object({ technicianId: TechnicianId }, closed),
    records: 'assigned',
    leadsTo: () => 'assigned',
  }),
  accept: spec({
    path: 'accept',
    summary: 'Technician accepts the assignment',
    roles: TECH,
    assignee: true,
    from: ['assigned'],
    body: Type.Object({ technicianId: OwnTechnician }, closed),
    records: 'accepted',
    leadsTo: () => 'accepted',
  }),
  decline: spec({
    path: 'decline',
    summary: 'Technician declines; the next candidate is tried',
    roles: TECH,
    assignee: true,
    from: ['assigned'],
    body: Type.Object({ technicianId: OwnTechnician, reason: Type.Optional(LongText(500)) }, closed),
    records: 'declined',
    leadsTo: () => 'dispatching',
  }),
  appointment: spec({
    path: 'appointment',
    summary: 'Visit booked with the customer (or re-booked)',
    roles: TECH,
    assignee: true,
    // Re-booking a visit keeps the request scheduled.
    from: ['accepted', 'scheduled'],
    body: Type.Object(
      {
        technicianId: OwnTechnician,
        at: Type.String({ format: 'date-time', maxLength: 40, description: 'Booked visit time, ISO-8601 with offset' }),
        requestedBy: Type.Optional(
          StringEnum(['customer', 'technician'] as const, {
            description:
              'Who chose the slot (default technician). A slot the customer asked for that is later than the on-site ' +
              'deadline moves that deadline to the slot (lifecycle 3); a customer re-booking is recorded as such.',
          }),
        ),
      },
      closed,
    ),
    records: 'visit_booked',
    leadsTo: () => 'scheduled',
    check: ({ at }, nowMs) => {
      const ms = Date.parse(at);
      if (!Number.isFinite(ms)) return [{ path: 'at', message: `"${at}" is not a date-time (ISO-8601 with offset)` }];
      if (nowMs !== undefined && (ms < nowMs - APPOINTMENT_WINDOW.pastMs || ms > nowMs + APPOINTMENT_WINDOW.futureMs)) {
        return [{ path: 'at', message: 'must be between one day ago and 90 days ahead' }];
      }
      return [];
    },
    normalise: (args) => ({ ...args, at: new Date(args.at).toISOString() }),
  }),
  arrival: spec({
    path: 'arrival',
    summary: 'Technician on site',
    roles: TECH,
    assignee: true,
    from: ['scheduled'],
    body: Type.Object({ technicianId: OwnTechnician }, closed),
    records: 'arrived',
    leadsTo: () => 'on_site',
  }),
  completion: spec({
    path: 'completion',
    summary: 'Visit finished, resolved or not',
    roles: TECH,
    assignee: true,
    from: ['on_site'],
    body: Type.Object(
      {
        technicianId: OwnTechnician,
        resolved: Type.Boolean({ description: 'false: the fault persists → next support tier, re-dispatch' }),
        notes: LongText(2000, { description: 'What was done' }),
        partsUsed: Type.Optional(
          Type.Array(
            Type.Object(
              {
                partNumber: Code('Part number from the parts catalogue'),
                quantity: Quantity,
                oldPartShown: Type.Boolean({ description: 'The replaced part was shown to the customer (配件更换需展示旧件)' }),
              },
              closed,
            ),
            { maxItems: 20, description: 'Lifecycle 4: the parts fitted on this visit' },
          ),
        ),
        report: Type.Optional(
          Type.Object(
            {
              faultCause: Type.Optional(StringEnum(FAULT_CAUSES, { description: 'When no diagnosis was recorded before' })),
              diagnosis: Type.Optional(LongText(2000)),
              testRun: Type.Object(
                {
                  done: Type.Boolean({ description: 'The appliance was run after the repair (试机)' }),
                  minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 600 })),
                },
                closed,
              ),
              useExplained: Type.Boolean({ description: 'Use and care were explained to the customer' }),
            },
            { ...closed, description: 'Lifecycle 4: the customer service report (《客户服务报告》); the signature is the signature photo' },
          ),
        ),
      },
      closed,
    ),
    records: 'completed',
    leadsTo: ({ resolved }) => (resolved ? 'completed' : 'escalated'),
  }),
  hold: spec({
    path: 'hold',
    summary: 'Pause the resolution clock (parts, customer postponed)',
    roles: OPS,
    assignee: false,
    from: ['scheduled', 'on_site'],
    body: Type.Object({ reason: LongText(500) }, closed),
    records: 'on_hold',
    leadsTo: () => 'on_hold',
  }),
  resume: spec({
    path: 'resume',
    summary: 'Resume the resolution clock',
    roles: OPS,
    assignee: false,
    from: ['on_hold'],
    body: Type.Object({ reason: LongText(500) }, closed),
    records: 'resumed',
    leadsTo: (_args, ctx) => ctx.resumeTo ?? 'scheduled',
  }),
  feedback: spec({
    summary: 'Customer score through the signed rating link',
    roles: [],
    assignee: false,
    from: ['completed'],
    body: Type.Object(
      {
        score: Type.Integer({ minimum: 1, maximum: 5 }),
        comment: Type.Optional(Type.String({ maxLength: 1000 })),
        tokenId: Type.String({ minLength: 1, maxLength: 100, description: 'Id from the verified rating link' }),
      },
      closed,
    ),
    records: 'feedback',
    leadsTo: ({ score }, ctx) => (score <= ctx.followUpThreshold ? 'follow_up' : 'closed'),
    check: ({ score }) =>
      Number.isInteger(score) && score >= 1 && score <= 5 ? [] : [{ path: 'score', message: 'must be an integer 1..5' }],
  }),
  followUp: spec({
    path: 'follow-up',
    summary: 'Record the follow-up after a low score',
    roles: OPS,
    assignee: false,
    from: ['follow_up'],
    body: Type.Object({ notes: LongText(2000) }, closed),
    records: 'follow_up',
    leadsTo: () => 'closed',
  }),
  remoteResolution: spec({
    path: 'remote-resolution',
    summary: 'Resolved without a visit (by phone or remote guidance)',
    roles: OPS_OR_TECH,
    assignee: true,
    since: 3,
    from: ['first_line', 'dispatching', 'assigned', 'accepted', 'scheduled', 'escalated'],
    body: Type.Object(
      {
        technicianId: OwnTechnician,
        notes: LongText(2000, { description: 'What fixed it (advice given, setting changed, …)' }),
      },
      closed,
    ),
    records: 'resolved_remotely',
    leadsTo: () => 'completed',
  }),
  visitNeeded: spec({
    path: 'visit-needed',
    summary: 'A consultation needs a visit: dispatch it',
    roles: OPS,
    assignee: false,
    since: 3,
    from: ['first_line'],
    body: Type.Object({ reason: LongText(500) }, closed),
    records: 'visit_needed',
    leadsTo: () => 'dispatching',
  }),
  callbackOutcome: spec({
    path: 'callback-outcome',
    summary: 'Outcome of the satisfaction call-back (回访): not reached, or the answers',
    roles: CALL_CENTRE,
    assignee: false,
    since: 3,
    from: ['completed'],
    body: Type.Object(
      {
        reached: Type.Boolean({ description: 'false: nobody answered; the call is retried within the call-back window' }),
        note: Type.Optional(LongText(1000)),
        answers: Type.Optional(
          Type.Object(
            {
              satisfiedWithTechnician: Type.Boolean({ description: "A: satisfied with the technician's service" }),
              useExplained: Type.Boolean({ description: 'B: the technician explained use and care' }),
              fixed: Type.Boolean({ description: 'C: fixed and working now; false sends a technician again' }),
              suggestions: Type.Optional(LongText(1000, { description: 'D: suggestions' })),
            },
            closed,
          ),
        ),
        score: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
        staffComplaint: Type.Optional(LongText(1000, { description: 'A complaint about staff raised in the call' })),
        productComplaint: Type.Optional(LongText(1000, { description: 'A complaint about the product raised in the call' })),
      },
      closed,
    ),
    records: 'callback_outcome',
    leadsTo: (a, ctx) => {
      if (!a.reached) return 'completed';
      if (a.answers && !a.answers.fixed) return 'dispatching';
      return a.score !== undefined && a.score <= ctx.followUpThreshold ? 'follow_up' : 'closed';
    },
    check: (a) => {
      const out: FieldProblem[] = [];
      if (a.reached) {
        if (!a.answers) out.push({ path: 'answers', message: 'required when the customer was reached' });
        if (a.score === undefined) out.push({ path: 'score', message: 'required when the customer was reached' });
      } else {
        for (const f of ['answers', 'score', 'staffComplaint', 'productComplaint'] as const) {
          if (a[f] !== undefined) out.push({ path: f, message: 'only when the customer was reached' });
        }
      }
      return out;
    },
  }),
  diagnosis: spec({
    path: 'diagnosis',
    summary: 'Record the fault cause and the diagnosis (a cause the warranty does not cover makes the repair chargeable)',
    roles: TECH,
    assignee: true,
    since: 4,
    from: ['on_site'],
    body: Type.Object(
      {
        technicianId: OwnTechnician,
        faultCause: StringEnum(FAULT_CAUSES, { description: 'quality, misuse, transport (damage), wear, other' }),
        diagnosis: LongText(2000, { description: 'What is wrong and why' }),
      },
      closed,
    ),
    records: 'diagnosed',
    leadsTo: () => 'on_site',
  }),
  quote: spec({
    path: 'quote',
    summary: 'Quote a chargeable repair: labour and parts lines, priced from the price list and parts catalogue',
    roles: OPS_OR_TECH,
    assignee: true,
    since: 4,
    from: ['on_site'],
    body: Type.Object(
      {
        technicianId: OwnTechnician,
        lines: Type.Array(QuoteLine, { minItems: 1, maxItems: 30 }),
        note: Type.Optional(LongText(500)),
      },
      closed,
    ),
    records: 'quoted',
    leadsTo: () => 'quote_pending',
  }),
  quoteDecision: spec({
    path: 'quote-decision',
    summary: "Record the customer's decision on the quote, taken by phone",
    roles: OPS,
    assignee: false,
    since: 4,
    from: ['quote_pending'],
    body: Type.Object(
      { approved: Type.Boolean({ description: 'false: the request closes as quote_declined with the visit fee' }), note: LongText(500) },
      closed,
    ),
    records: 'quote_decision',
    leadsTo: ({ approved }) => (approved ? 'on_site' : 'closed'),
  }),
  quoteResponse: spec({
    summary: "The customer's decision through the signed quote link",
    roles: [],
    assignee: false,
    since: 4,
    from: ['quote_pending'],
    body: Type.Object(
      {
        approved: Type.Boolean(),
        tokenId: Type.String({ minLength: 1, maxLength: 100, description: 'Id from the verified quote link' }),
      },
      closed,
    ),
    records: 'quote_decision',
    leadsTo: ({ approved }) => (approved ? 'on_site' : 'closed'),
  }),
  payment: spec({
    path: 'payment',
    summary: 'Record how the charges were paid: on site, by invoice, or waived (no payment processing)',
    roles: OPS_OR_TECH,
    assignee: true,
    since: 4,
    from: ['on_site', 'quote_pending', 'completed', 'follow_up'],
    body: Type.Object(
      {
        technicianId: OwnTechnician,
        method: StringEnum(['on_site', 'invoice', 'waived'] as const),
        amount: Amount('Paid (or waived), smallest currency unit (fen)'),
        reason: Type.Optional(LongText(500, { description: 'Required when waived' })),
        approvedBy: Type.Optional(
          Type.String({ minLength: 1, maxLength: 100, description: 'Who approved the waiver (required when waived)' }),
        ),
      },
      closed,
    ),
    records: 'payment',
    leadsTo: (_args, ctx) => ctx.status ?? 'on_site',
    check: (a) => {
      if (a.method !== 'waived') return [];
      const out: FieldProblem[] = [];
      if (!a.reason) out.push({ path: 'reason', message: 'required when the charge is waived' });
      if (!a.approvedBy) out.push({ path: 'approvedBy', message: 'required when the charge is waived' });
      return out;
    },
  }),
  partsRequest: spec({
    path: 'parts-request',
    summary: 'Spare parts needed: the request waits for them (the customer is told the expected date)',
    roles: OPS_OR_TECH,
    assignee: true,
    since: 4,
    from: ['on_site'],
    body: Type.Object(
      {
        technicianId: OwnTechnician,
        parts: Type.Array(PartLine, { minItems: 1, maxItems: 20 }),
        reason: LongText(500),
        expectedBy: DateTimeField('When the parts are expected, ISO-8601 with offset'),
      },
      closed,
    ),
    records: 'parts_requested',
    leadsTo: () => 'waiting_parts',
    check: (a, nowMs) => futureProblem('expectedBy', a.expectedBy, nowMs, PARTS_WINDOW_MS),
    normalise: (a) => ({ ...a, expectedBy: iso(a.expectedBy) }),
  }),
  partsDispatched: spec({
    path: 'parts-dispatched',
    summary: 'The warehouse dispatched the parts (a new expected date tells the customer again)',
    roles: WAREHOUSE,
    assignee: false,
    since: 4,
    from: ['waiting_parts'],
    body: Type.Object(
      {
        shipment: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Carrier and tracking number' })),
        expectedBy: Type.Optional(DateTimeField('A new expected date, ISO-8601 with offset')),
        note: Type.Optional(LongText(500)),
      },
      closed,
    ),
    records: 'parts_dispatched',
    leadsTo: () => 'waiting_parts',
    check: (a, nowMs) => (a.expectedBy === undefined ? [] : futureProblem('expectedBy', a.expectedBy, nowMs, PARTS_WINDOW_MS)),
    normalise: (a) => (a.expectedBy === undefined ? a : { ...a, expectedBy: iso(a.expectedBy) }),
  }),
  partsArrived: spec({
    path: 'parts-arrived',
    summary: 'The parts arrived: the technician books the return visit',
    roles: WAREHOUSE,
    assignee: false,
    since: 4,
    from: ['waiting_parts'],
    body: Type.Object({ note: Type.Optional(LongText(500)) }, closed),
    records: 'parts_arrived',
    leadsTo: () => 'accepted',
  }),
  // ── Lifecycle 5: returns and exchanges (退换货): inspection → the supervisor's approval → settlement ──
  returnInspection: spec({
    path: 'return-inspection',
    summary: 'Record the inspection of a product to be returned or exchanged: fault found, its cause, whether intact',
    roles: OPS_OR_TECH,
    assignee: false,
    since: 5,
    from: ['inspection'],
    body: Type.Object(
      {
        faultFound: Type.Boolean({ description: 'The inspection (商品检测) confirmed a fault' }),
        faultCause: Type.Optional(
          StringEnum(FAULT_CAUSES, {
            description: 'Required when a fault was found: quality (a performance fault), misuse, transport (damage), wear, other',
          }),
        ),
        findings: LongText(2000, { description: 'What was checked and found' }),
        intact: Type.Optional(
          Type.Boolean({ description: 'Complete and unused, packaging and accessories included (七日无理由退货 needs it)' }),
        ),
      },
      closed,
    ),
    records: 'return_inspected',
    leadsTo: () => 'approval',
    check: (a) => {
      if (a.faultFound && a.faultCause === undefined) return [{ path: 'faultCause', message: 'required when a fault was found' }];
      if (!a.faultFound && a.faultCause !== undefined) return [{ path: 'faultCause', message: 'only when a fault was found' }];
      return [];
    },
  }),
  returnApproval: spec({
    path: 'return-approval',
    summary: "The supervisor's decision on a return or exchange: refund, replacement, repair instead, or refused with the reason",
    roles: SUPERVISOR,
    assignee: false,
    since: 5,
    from: ['approval'],
    body: Type.Object(
      {
        outcome: StringEnum(RETURN_OUTCOMES, {
          description: 'refund, replacement or repair (each only where the policy allows it after the inspection), or refused',
        }),
        reason: Type.Optional(
          StringEnum(REFUSAL_REASONS, {
            description: "Required when refused: the customer's SMS explains it in their language",
          }),
        ),
        note: Type.Optional(LongText(1000, { description: 'For the record (not sent); required with reason `other`' })),
      },
      closed,
    ),
    records: 'return_decision',
    leadsTo: ({ outcome }) => (outcome === 'refused' ? 'closed' : outcome === 'repair' ? 'dispatching' : 'settlement'),
    check: (a) => {
      if (a.outcome === 'refused' && a.reason === undefined) return [{ path: 'reason', message: 'required when refused' }];
      if (a.outcome !== 'refused' && a.reason !== undefined) return [{ path: 'reason', message: 'only when refused' }];
      if (a.reason === 'other' && !a.note) return [{ path: 'note', message: 'required with reason other' }];
      return [];
    },
  }),
  returnSettlement: spec({
    path: 'return-settlement',
    summary: 'The refund paid or the replacement handed over, with the price difference settled (结算与补差)',
    roles: OPS,
    assignee: false,
    since: 5,
    from: ['settlement'],
    body: Type.Object(
      {
        amount: Amount('The refund paid, or the price difference of a replacement, smallest currency unit (fen)'),
        direction: StringEnum(['to_customer', 'from_customer', 'none'] as const, {
          description:
            'to_customer: refunded to the customer; from_customer: the customer paid the difference; none: nothing moved (amount 0)',
        }),
        replacementModel: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Model of the replacement unit' })),
        replacementSerial: Type.Optional(Code('Serial number of the replacement unit')),
        note: Type.Optional(LongText(500)),
      },
      closed,
    ),
    records: 'return_settled',
    leadsTo: () => 'completed',
    check: (a) => {
      if (a.direction === 'none' && a.amount !== 0) return [{ path: 'amount', message: 'must be 0 when nothing moved (direction none)' }];
      if (a.direction !== 'none' && a.amount === 0) return [{ path: 'direction', message: 'must be none for an amount of 0' }];
      return [];
    },
  }),
  // ── Lifecycle 5: a complaint's process (register at intake → analyse → solution → implement → feedback) ──
  complaintAnalysis: spec({
    path: 'complaint-analysis',
    summary: 'Complaint analysed (问题分析): the findings, and the class they show',
    roles: OPS,
    assignee: false,
    since: 5,
    from: ['analysis'],
    body: Type.Object(
      {
        findings: LongText(2000, { description: 'What was found: the cause of the complaint' }),
        classification: Type.Optional(
          StringEnum(COMPLAINT_CLASSES, { description: 'The class the analysis found, when it differs from the one given at intake' }),
        ),
      },
      closed,
    ),
    records: 'complaint_analysed',
    leadsTo: () => 'solution',
  }),
  complaintSolution: spec({
    path: 'complaint-solution',
    summary: 'Complaint solution decided (解决方案制定); the customer is told it by SMS',
    roles: OPS,
    assignee: false,
    since: 5,
    from: ['solution'],
    body: Type.Object(
      {
        solution: LongText(500, { description: 'What will be done for the customer (the SMS shows it)' }),
        note: Type.Optional(LongText(2000, { description: 'Internal detail, not sent to the customer' })),
      },
      closed,
    ),
    records: 'complaint_solution',
    leadsTo: () => 'implementation',
  }),
  complaintImplementation: spec({
    path: 'complaint-implementation',
    summary: 'Complaint solution carried out (实施); the customer is asked for feedback next',
    roles: OPS,
    assignee: false,
    since: 5,
    from: ['implementation'],
    body: Type.Object({ notes: LongText(2000, { description: 'What was done' }) }, closed),
    records: 'complaint_implemented',
    leadsTo: () => 'complaint_feedback',
  }),
  complaintFeedback: spec({
    path: 'complaint-feedback',
    summary:
      "The customer's feedback on the solution, and the complaint closes (反馈): service complaints need the accountability outcome; " +
      'product complaints are fed back to production and engineering',
    // Ops, who decide the accountability: the call centre's role stays call-back outcomes only (docs/api.md).
    roles: OPS,
    assignee: false,
    since: 5,
    from: ['complaint_feedback'],
    body: Type.Object(
      {
        satisfied: Type.Boolean({ description: 'Whether the customer accepts the solution' }),
        feedback: LongText(1000, { description: "The customer's words" }),
        accountability: Type.Optional(
          Type.Object(
            {
              responsible: Type.Object(
                {
                  kind: StringEnum(['person', 'department'] as const),
                  name: Text(100, { description: 'The person or department held responsible' }),
                  technicianId: Type.Optional(TechnicianId),
                },
                closed,
              ),
              action: LongText(1000, { description: 'What was done about it (training, warning, deduction …)' }),
            },
            {
              ...closed,
              description:
                'Required for service complaints (service_attitude, timeliness, charges): 必须对相关责任人作出处理. ' +
                'A missing one is a 400 naming `accountability`',
            },
          ),
        ),
      },
      closed,
    ),
    records: 'complaint_closed',
    leadsTo: () => 'closed',
  }),
  cancel: spec({
    path: 'cancel',
    summary: 'Cancel (customer is told)',
    roles: OPS,
    assignee: false,
    from: OPEN,
    body: Type.Object({ reason: LongText(500) }, closed),
    records: 'cancel',
    leadsTo: () => 'cancelled',
  }),
};

export type Lifecycle = typeof LIFECYCLE;
export type Action = keyof Lifecycle;
export const ACTIONS = Object.keys(LIFECYCLE) as Action[];

/** What the caller sends for an action (the HTTP body). */
export type ActionBody<A extends Action> = Static<Lifecycle[A]['body']>;

/** The workflow update's argument: the body, the technician it concerns, and who took it. */
export type ActionArgs<A extends Action> = ActionBody<A> &
  (Lifecycle[A]['assignee'] extends true ? { technicianId: string } : unknown) & {
    /** Who took the action; absent in requests recorded before principals were kept. */
    by?: Actor;
    /**
     * The caller's Idempotency-Key and the hash of the canonical body it came with: the workflow remembers them
     * per principal and action and refuses the same key with another body (IdempotencyConflict).
     */
    idempotency?: { key: string; bodyHash: string };
  };

/** Why an action is refused in a state (and lifecycle version), or undefined when it is allowed. */
export function refusal(action: Action, status: Status, lifecycleVersion?: number): string | undefined {
  const since = (LIFECYCLE[action] as ActionSpec).since;
  if (since !== undefined && lifecycleVersion !== undefined && lifecycleVersion < since) {
    return `cannot ${action}: this request runs lifecycle version ${lifecycleVersion}, which has no such action (from version ${since})`;
  }
  const allowed = LIFECYCLE[action].from;
  if (allowed.includes(status)) return undefined;
  return `cannot ${action} a request that is ${status} (allowed when ${allowed.join(', ')})`;
}

/** The action's extra checks; `[]` when it has none. */
export function problems<A extends Action>(action: A, args: ActionBody<A>, nowMs?: number): FieldProblem[] {
  const s = LIFECYCLE[action] as ActionSpec;
  return s.check ? s.check(args, nowMs) : [];
}

/** The arguments in their canonical form. */
export function normalised<A extends Action>(action: A, args: ActionBody<A>): ActionBody<A> {
  const s = LIFECYCLE[action] as ActionSpec;
  return (s.normalise ? s.normalise(args) : args) as ActionBody<A>;
}

/** The status taking `action` leads to. */
export function leadsTo<A extends Action>(action: A, args: ActionBody<A>, ctx: ActionContext): Status {
  return (LIFECYCLE[action] as ActionSpec).leadsTo(args, ctx);
}
