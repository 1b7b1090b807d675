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
import { LongText, TechnicianId } from './fields';

/** What an action's outcome may depend on besides its arguments. */
export interface ActionContext {
  /** Where a held request returns to on resume. */
  resumeTo?: Status;
  /** Scores at or below this get a follow-up (policy `followUpThreshold`). */
  followUpThreshold: number;
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
  /** Only the technician assigned to the request; the body's `technicianId` defaults to the token's. */
  assignee: boolean;
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

/** States before completion: a request can still be cancelled from them. */
const OPEN: readonly Status[] = ['received', 'dispatching', 'assigned', 'accepted', 'scheduled', 'on_site', 'on_hold', 'escalated'];

const DAY_MS = 86_400_000;
/** Visits are booked from a day back (late entry) to 90 days ahead. */
export const APPOINTMENT_WINDOW = { pastMs: DAY_MS, futureMs: 90 * DAY_MS };

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

/** Why an action is refused in a state, or undefined when it is allowed. */
export function refusal(action: Action, status: Status): string | undefined {
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
