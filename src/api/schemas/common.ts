/**
 * Building blocks shared by the route schemas. Every string has a maxLength; every object is closed
 * (additionalProperties: false) so unknown fields are named in a 400 instead of silently ignored.
 */
import { Type, type TSchema } from 'typebox';
import type { FieldCheckName } from '../intake';
import { EXTERNAL_ID_PATTERN, WORKFLOW_ID_PREFIX } from '../../temporal/ids';

export { LongText, MULTI_LINE, SINGLE_LINE, StringEnum, TECHNICIAN_ID_PATTERN, TechnicianId, Text } from '../../domain/lifecycle/fields';
export const REQUEST_ID_PATTERN = `^${WORKFLOW_ID_PREFIX}${EXTERNAL_ID_PATTERN.source.slice(1)}`;

/**
 * Schema keyword naming a check from intake's FIELD_CHECKS (real mobile number, specific description …).
 * Validation runs it with the other keywords, so its problems land in the same 400 as the schema's; the
 * `x-` prefix keeps the OpenAPI document valid.
 */
export const FIELD_CHECK_KEYWORD = 'x-check';
export const fieldCheck = (name: FieldCheckName) => ({ [FIELD_CHECK_KEYWORD]: name });

export const RequestIdParams = Type.Object(
  {
    id: Type.String({
      minLength: 4,
      maxLength: 103,
      pattern: REQUEST_ID_PATTERN,
      description: 'Request id: `sr-` + externalId (or a generated id)',
    }),
  },
  { additionalProperties: false },
);

export const ErrorDetail = Type.Object({
  path: Type.String({ description: 'Offending field, e.g. `customer.phone`, `query.status`, `headers.idempotency-key`' }),
  message: Type.String(),
});

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'Machine-readable code: bad_request, unauthorized, forbidden, not_found, conflict, …' }),
    message: Type.String(),
    details: Type.Array(ErrorDetail),
  },
  {
    $id: 'ErrorBody',
    description: 'Every error response: a machine-readable `error`, a `message`, and `details` naming each offending field',
  },
);

const errorRef = (description: string) => Type.Unsafe({ $ref: 'ErrorBody#', description });

/** Error responses for the docs; `codes` picks which apply to a route. */
export function errorResponses(...codes: number[]): Record<number, TSchema> {
  const text: Record<number, string> = {
    400: 'Invalid input; `details` names every offending field',
    401: 'Missing or unknown credentials',
    403: 'Authenticated, but not allowed to do this (role, or technician not assigned)',
    404: 'No such request',
    409: "Refused in the request's current state, or idempotency key reused with another body",
    410: 'Rating link expired',
    413: 'Body too large',
    415: 'Unsupported content type',
    429: 'Rate limit exceeded',
    503: 'Temporal unavailable; retry after `Retry-After` seconds',
  };
  const out: Record<number, TSchema> = {};
  for (const c of codes) out[c] = errorRef(text[c] ?? 'Error');
  return out;
}

/** Every authenticated route can answer these. */
export const COMMON_ERRORS = [400, 401, 403, 429, 503] as const;
