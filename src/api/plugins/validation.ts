/**
 * Schema validation with Ajv, reporting every error (allErrors) so a 400 names each offending field.
 * Bodies are checked strictly (no type coercion, unknown fields refused); query strings, params and headers
 * are coerced from text ("20" → 20, "true" → true). allErrors is safe here: bodies are size-limited, every
 * string has a maxLength and the patterns have no nested quantifiers.
 *
 * The `x-check` keyword runs intake's field checks (real mobile number …) as part of validation, so a 400
 * names a bad address and a landline together instead of the landline only after the address is fixed.
 */
import Ajv, { type FuncKeywordDefinition, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { FIELD_CHECKS, type FieldCheckName } from '../intake';
import { FIELD_CHECK_KEYWORD } from '../schemas/common';

const base: Options = {
  allErrors: true,
  removeAdditional: false,
  useDefaults: true,
  strict: false,
  // Formats stay strict: "date-time" means RFC 3339 with an offset.
};

type DataValidateFunction = ReturnType<NonNullable<FuncKeywordDefinition['compile']>>;

function addFieldChecks(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: FIELD_CHECK_KEYWORD,
    type: 'string',
    schemaType: 'string',
    errors: true,
    compile(name: string) {
      // A misspelt check name fails when the route is compiled (startup), not on some request.
      if (!Object.hasOwn(FIELD_CHECKS, name)) throw new Error(`unknown ${FIELD_CHECK_KEYWORD} "${name}"`);
      const check = FIELD_CHECKS[name as FieldCheckName];
      const validate: DataValidateFunction = (data: unknown) => {
        const message = check(data as string);
        validate.errors = message === undefined ? undefined : [{ keyword: FIELD_CHECK_KEYWORD, message, params: { check: name } }];
        return message === undefined;
      };
      return validate;
    },
  });
}

function make(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ ...base, coerceTypes });
  addFormats(ajv, ['date', 'date-time', 'uri']);
  addFieldChecks(ajv);
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
