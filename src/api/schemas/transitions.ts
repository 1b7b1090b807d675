/**
 * The customer's rating body and the transitions' headers. The lifecycle actions' bodies are part of their
 * definition (src/domain/lifecycle/actions.ts).
 */
import { Type, type Static } from 'typebox';

const closed = { additionalProperties: false } as const;

export const FeedbackBody = Type.Object(
  {
    score: Type.Integer({ minimum: 1, maximum: 5 }),
    comment: Type.Optional(Type.String({ maxLength: 1000, pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$' })),
    token: Type.String({ minLength: 1, maxLength: 512, description: 'The signed token from the rating link' }),
  },
  closed,
);

export type FeedbackBody = Static<typeof FeedbackBody>;

export const TransitionHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$', description: 'Retries with the same key are applied once' }),
  ),
});
