/**
 * Schema validation with Ajv, reporting every error (allErrors) so a 400 names each offending field.
 * Bodies are checked strictly (no type coercion, unknown fields refused); query strings, params and headers
 * are coerced from text ("20" → 20, "true" → true). allErrors is safe here: bodies are size-limited, every
 * string has a maxLength and the patterns have no nested quantifiers.
 */
import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const base: Options = {
  allErrors: true,
  removeAdditional: false,
  useDefaults: true,
  strict: false,
  // Formats stay strict: "date-time" means RFC 3339 with an offset.
};

function make(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ ...base, coerceTypes });
  addFormats(ajv, ['date', 'date-time', 'uri']);
  return ajv;
}

export function createValidatorCompiler(sharedSchemas: object[] = []): FastifySchemaCompiler<unknown> {
  const strict = make(false);
  const coercing = make(true);
  for (const s of sharedSchemas) {
    strict.addSchema(s);
    coercing.addSchema(s);
  }
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return ajv.compile(schema as object);
  };
}
