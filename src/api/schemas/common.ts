/**
 * Building blocks shared by the route schemas. Every string has a maxLength; every object is closed
 * (additionalProperties: false) so unknown fields are named in a 400 instead of silently ignored.
 */
import { Type, type TSchema } from 'typebox';
import type { FieldCheckName } from '../intake';
import { MAX_REQUEST_ID_LENGTH, REQUEST_ID_TAIL_PATTERN, WORKFLOW_ID_PREFIX } from '../../temporal/ids';

export { LongText, MULTI_LINE, SINGLE_LINE, StringEnum, TECHNICIAN_ID_PATTERN, TechnicianId, Text } from '../../domain/lifecycle/fields';
export const REQUEST_ID_PATTERN = `^${WORKFLOW_ID_PREFIX}${REQUEST_ID_TAIL_PATTERN.source.slice(1)}`;

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
      maxLength: MAX_REQUEST_ID_LENGTH,
      pattern: REQUEST_ID_PATTERN,
      description: 'Request id: `sr-<integration key>-<externalId>` (or a generated id); `sr-<externalId>` for requests from before keys',
      examples: ['sr-crm-CRM-10023'],
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

/** Response headers (OpenAPI `headers` of a response; @fastify/swagger moves them out of the schema). */
export const RETRY_AFTER_HEADER = {
  'Retry-After': { type: 'integer', minimum: 1, description: 'Seconds to wait before retrying' },
} as const;
const WWW_AUTHENTICATE_HEADER = { 'WWW-Authenticate': { type: 'string', description: '`Bearer realm="aftercare"`' } } as const;
const ERROR_HEADERS: Record<number, object> = { 401: WWW_AUTHENTICATE_HEADER, 429: RETRY_AFTER_HEADER, 503: RETRY_AFTER_HEADER };

const errorRef = (description: string, headers?: object) =>
  Type.Unsafe({ $ref: 'ErrorBody#', description, ...(headers ? { headers } : {}) });

/** Error responses for the docs; `codes` picks which apply to a route. All are JSON (`ErrorBody`). */
export function errorResponses(...codes: number[]): Record<number, TSchema> {
  const text: Record<number, string> = {
    400: 'Invalid input; `details` names every offending field',
    401: 'Missing or unknown credentials',
    403: 'Authenticated, but not allowed to do this (role)',
    404: 'No such request, or one this caller may not see (the same answer)',
    409: "Refused in the request's current state, or idempotency key reused with another body",
    410: 'Rating link expired',
    413: 'Body too large',
    414: 'A path parameter is too long (over 1024 characters)',
    415: 'Unsupported content type',
    422: 'Payloads the codec cannot process (unknown key id, tampered or truncated data)',
    429: 'Rate limit exceeded, or too many calls on this request at once (nothing applied); retry after `Retry-After` seconds',
    503: 'Temporal unavailable; retry after `Retry-After` seconds',
  };
  const out: Record<number, TSchema> = {};
  for (const c of codes) out[c] = errorRef(text[c] ?? 'Error', ERROR_HEADERS[c]);
  return out;
}

/**
 * An HTML page (the customer's rating page) as a documented response; `headers` e.g. RETRY_AFTER_HEADER.
 * Fastify sends the page as it is: a string with a text/html content type is not serialised.
 */
export const htmlResponse = (description: string, headers?: object): TSchema =>
  Type.Unsafe({ description, content: { 'text/html': { schema: { type: 'string' } } }, ...(headers ? { headers } : {}) });

/** A customer page's 400: the form again (HTML), or the router's JSON error for a malformed URL. */
export const htmlOrJsonResponse = (description: string): TSchema =>
  Type.Unsafe({
    description,
    content: { 'text/html': { schema: { type: 'string' } }, 'application/json': { schema: { $ref: 'ErrorBody#' } } },
  });

/** Every authenticated route can answer these. */
export const COMMON_ERRORS = [400, 401, 403, 429, 503] as const;
/** Routes with a path parameter: 414 when it is longer than the router's limit (Fastify's maxParamLength). */
export const PATH_PARAM_ERRORS = [414] as const;
