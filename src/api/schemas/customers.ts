/** A customer's requests (ops): the phone in the path, a product filter and the list's paging. */
import { Type, type Static } from 'typebox';
import { fieldCheck } from './common';
import { ListQuery } from './serviceRequest';

/** Any character a model or serial may hold in a visibility query: no quotes, backslashes or control characters. */
const PRODUCT_CHAR = String.raw`[^'"\x60\\\u0000-\u001F\u007F]`;
const PRODUCT_START = String.raw`[^\s'"\x60\\\u0000-\u001F\u007F]`;

export const CustomerParams = Type.Object(
  {
    phone: Type.String({
      minLength: 3,
      maxLength: 32,
      pattern: '^[0-9+()./ -]+$',
      description:
        "The customer's mobile number, written as at intake (`customer.phone`): national (`13800138000`, `138-0013-8000`) or " +
        'international (`+86 138 0013 8000`), URL-encoded. Matched by its keyed hash; never logged.',
      examples: ['13812345678'],
      ...fieldCheck('mobile-phone'),
    }),
  },
  { additionalProperties: false },
);
export type CustomerParams = Static<typeof CustomerParams>;

export const CustomerListQuery = Type.Object(
  {
    product: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        pattern: `^\\s*${PRODUCT_START}${PRODUCT_CHAR}*$`,
        description:
          'A serial number (the requests for that unit) or a model (the requests for it taken without a serial number); ' +
          'compared without case and whitespace.',
        examples: ['JSQ25-13A'],
      }),
    ),
    cursor: ListQuery.properties.cursor,
    pageSize: ListQuery.properties.pageSize,
  },
  { additionalProperties: false },
);
export type CustomerListQuery = Static<typeof CustomerListQuery>;
