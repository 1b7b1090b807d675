/**
 * Field schemas the lifecycle's action arguments are made of. Every string has a maxLength and a character
 * rule, so bad input is refused with the field's name before it reaches a workflow.
 */
import { Type, type TSchemaOptions, type TUnsafe } from 'typebox';

/** No control characters (single-line fields: names, models, ids). */
export const SINGLE_LINE = '^[^\\u0000-\\u001F\\u007F]*$';
/** Free text may have line breaks and tabs, nothing else below 0x20. */
export const MULTI_LINE = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';
export const TECHNICIAN_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

/** A string enum with `type: string` (nicer in OpenAPI than a bare enum). */
export function StringEnum<const T extends readonly string[]>(values: T, options: TSchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

export const Text = (maxLength: number, options: TSchemaOptions = {}) =>
  Type.String({ minLength: 1, maxLength, pattern: SINGLE_LINE, ...options });
export const LongText = (maxLength: number, options: TSchemaOptions = {}) =>
  Type.String({ minLength: 1, maxLength, pattern: MULTI_LINE, ...options });

export const TechnicianId = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: TECHNICIAN_ID_PATTERN,
  description: 'Technician id from the roster, e.g. t1001',
});
