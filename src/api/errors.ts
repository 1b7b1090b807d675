/** HTTP errors in the one shape of docs/api.md (Errors): `{ error, message, details: [{ path, message }] }`. */
import type { FieldProblem } from './intake';

export type { FieldProblem };

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function badRequest(details: FieldProblem[], message?: string): ApiError {
  const fields = [...new Set(details.map((d) => d.path))];
  return new ApiError(400, 'bad_request', message ?? `invalid input: ${fields.join(', ')}`, details);
}

export const unauthorized = (message = 'missing or invalid bearer token') =>
  new ApiError(401, 'unauthorized', message, [], { 'www-authenticate': 'Bearer realm="aftercare"' });

export const forbidden = (message: string, path?: string) => new ApiError(403, 'forbidden', message, path ? [{ path, message }] : []);

export interface ErrorBodyShape {
  error: string;
  message: string;
  details: FieldProblem[];
}
