/**
 * Building blocks shared by the route schemas. Every string has a maxLength; every object is closed
 * (additionalProperties: false) so unknown fields are named in a 400 instead of silently ignored.
 */
import { Type, type TSchema, type TSchemaOptions, type TUnsafe } from 'typebox';
import { EXTERNAL_ID_PATTERN, WORKFLOW_ID_PREFIX } from '../../temporal/ids';

/** No control characters (single-line fields: names, models, ids). */
export const SINGLE_LINE = '^[^\\u0000-\\u001F\\u007F]*$';
/** Free text may have line breaks and tabs, nothing else below 0x20. */
export const MULTI_LINE = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';
export const TECHNICIAN_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
export const REQUEST_ID_PATTERN = `^${WORKFLOW_ID_PREFIX}${EXTERNAL_ID_PATTERN.source.slice(1)}`;

/** A string enum with `type: string` (nicer in OpenAPI than a bare enum). */
export function StringEnum<const T extends readonly string[]>(values: T, options: TSchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

export const Text = (maxLength: number, options: TSchemaOptions = {}) =>
  Type.String({ minLength: 1, maxLength, pattern: SINGLE_LINE, ...options });
export const LongText = (maxLength: number, options: TSchemaOptions = {}) =>
  Type.String({ minLength: 1, maxLength, pattern: MULTI_LINE, ...options });

export const TechnicianId = Type.String({ minLength: 1, maxLength: 64, pattern: TECHNICIAN_ID_PATTERN, description: 'Technician id from the roster, e.g. t1001' });

export const RequestIdParams = Type.Object(
  {
    id: Type.String({ minLength: 4, maxLength: 103, pattern: REQUEST_ID_PATTERN, description: 'Request id: `sr-` + externalId (or a generated id)' }),
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
  { $id: 'ErrorBody', description: 'Every error response (SPEC §9)' },
);

const errorRef = (description: string) => Type.Unsafe({ $ref: 'ErrorBody#', description });

/** Error responses for the docs; `codes` picks which apply to a route. */
export function errorResponses(...codes: number[]): Record<number, TSchema> {
  const text: Record<number, string> = {
    400: 'Invalid input; `details` names every offending field',
    401: 'Missing or unknown credentials',
    403: 'Authenticated, but not allowed to do this (role, or technician not assigned)',
    404: 'No such request',
    409: 'Refused in the request\'s current state, or idempotency key reused with another body',
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
