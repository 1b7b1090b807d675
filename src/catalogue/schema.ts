/**
 * The schemas (TypeBox) of the two catalogue files, in the policy file's style: every leaf checked with a message
 * that shows the bad value; src/policy/issues.ts turns their errors into one issue per field.
 */
import Type, { type Static } from 'typebox';
import { normaliseSkill } from '../domain/dispatch';
import { show } from '../domain/policy';
import { Amount, Currency } from '../policy/schema';

/** Labour codes and part numbers: upper case, as printed on price lists and part labels. */
export const CODE = /^[A-Z0-9][A-Z0-9._-]{0,39}$/;

const Code = (what: string) =>
  Type.Refine(
    Type.String(),
    (v) => typeof v === 'string' && CODE.test(v),
    (v) => `${show(v)} is not a ${what} (capital letters, digits, ".", "-" or "_"; at most 40)`,
  );

const Category = Type.Refine(
  Type.String(),
  (v) => typeof v === 'string' && /^[a-z][a-z0-9_]*$/.test(normaliseSkill(v)),
  (v) => `${show(v)} is not a product category (letters, digits, _), e.g. gas_water_heater`,
);

const Text = Type.String({ minLength: 1 });
const Names = Type.Object({ zh: Text, en: Text }, { additionalProperties: false, description: 'Name in Chinese and English.' });

export const PriceListSchema = Type.Object(
  {
    currency: Currency,
    labour: Type.Array(
      Type.Object(
        { code: Code('labour code'), name: Names, price: Amount, categories: Type.Optional(Type.Array(Category, { minItems: 1 })) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const PartsFileSchema = Type.Object(
  {
    parts: Type.Array(
      Type.Object(
        { partNumber: Code('part number'), name: Names, categories: Type.Array(Category, { minItems: 1 }), price: Amount },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type PriceListFile = Static<typeof PriceListSchema>;
export type PartsFile = Static<typeof PartsFileSchema>;
