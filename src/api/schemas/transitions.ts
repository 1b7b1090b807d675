/** Bodies of the lifecycle actions (SPEC §9). `technicianId` is optional: it defaults to the token's. */
import { Type, type Static } from 'typebox';
import { LongText, TechnicianId } from './common';

const closed = { additionalProperties: false } as const;
const OwnTechnician = Type.Optional(TechnicianId);

export const AssignBody = Type.Object({ technicianId: TechnicianId }, closed);
export const TechnicianBody = Type.Object({ technicianId: OwnTechnician }, closed);
export const DeclineBody = Type.Object({ technicianId: OwnTechnician, reason: Type.Optional(LongText(500)) }, closed);
export const AppointmentBody = Type.Object(
  {
    technicianId: OwnTechnician,
    at: Type.String({ format: 'date-time', maxLength: 40, description: 'Booked visit time, ISO-8601 with offset' }),
  },
  closed,
);
export const CompletionBody = Type.Object(
  {
    technicianId: OwnTechnician,
    resolved: Type.Boolean({ description: 'false: the fault persists → next support tier, re-dispatch' }),
    notes: LongText(2000, { description: 'What was done' }),
  },
  closed,
);
export const ReasonBody = Type.Object({ reason: LongText(500) }, closed);
export const NotesBody = Type.Object({ notes: LongText(2000) }, closed);
export const FeedbackBody = Type.Object(
  {
    score: Type.Integer({ minimum: 1, maximum: 5 }),
    comment: Type.Optional(Type.String({ maxLength: 1000, pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$' })),
    token: Type.String({ minLength: 1, maxLength: 512, description: 'The signed token from the rating link' }),
  },
  closed,
);

export type AssignBody = Static<typeof AssignBody>;
export type DeclineBody = Static<typeof DeclineBody>;
export type AppointmentBody = Static<typeof AppointmentBody>;
export type CompletionBody = Static<typeof CompletionBody>;
export type FeedbackBody = Static<typeof FeedbackBody>;

export const TransitionHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$', description: 'Retries with the same key are applied once' }),
  ),
});

