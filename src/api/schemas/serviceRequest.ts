/** The start body: the "five essentials" (信息记录五要素: customer, contact, product, problem, urgency) plus type, channel, VIP, location and externalId. */
import { Type, type Static } from 'typebox';
import { CHANNELS, COMPLAINT_CLASSES, REQUEST_TYPES, STATUSES, URGENCIES } from '../../domain/types';
import { EXTERNAL_ID_PATTERN, MAX_REQUEST_ID_LENGTH } from '../../temporal/ids';
import { fieldCheck, LongText, StringEnum, TechnicianId, Text } from './common';

export const Customer = Type.Object(
  {
    name: Text(100, { description: 'Customer name', ...fieldCheck('not-blank') }),
    phone: Type.String({
      minLength: 3,
      maxLength: 32,
      pattern: '^[0-9+()./ -]+$',
      description: 'Mobile number; national (CN by default) or +E.164. Normalised to E.164.',
      examples: ['13800138000', '+8613800138000'],
      ...fieldCheck('mobile-phone'),
    }),
    address: Text(300, { minLength: 4, description: 'Service address', ...fieldCheck('full-address') }),
    language: Type.Optional(StringEnum(['zh', 'en'] as const, { description: 'Language for SMS; default zh' })),
  },
  { additionalProperties: false },
);

export const Product = Type.Object(
  {
    model: Text(100, { description: 'Model number', ...fieldCheck('not-blank') }),
    purchaseDate: Type.String({
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      maxLength: 10,
      description: 'YYYY-MM-DD, not in the future',
      ...fieldCheck('purchase-date'),
    }),
    category: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z][A-Za-z0-9 _-]*$',
      description: 'Product category, e.g. gas_water_heater, air_conditioner (normalised to lower snake case)',
    }),
    serialNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]*$' })),
    extendedWarrantyNumber: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]*$',
        description: "Certificate number of an extended warranty bought at sale: adds the category's extended months to the cover",
      }),
    ),
    deliveryDate: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
        maxLength: 10,
        description:
          'YYYY-MM-DD the product was delivered (签收), not before the purchase date nor in the future: return and exchange ' +
          'windows count from it where the policy says so (lifecycle 5)',
        ...fieldCheck('purchase-date'),
      }),
    ),
  },
  { additionalProperties: false },
);

export const Problem = Type.Object(
  {
    description: LongText(2000, {
      description: 'What is wrong, specifically (at least 10 characters; 5 in Chinese)',
      ...fieldCheck('specific-description'),
    }),
    occursWhen: Type.Optional(LongText(500, { description: 'When it happens' })),
    symptoms: Type.Optional(LongText(1000, { description: 'What accompanies it: noise, smell, error code …' })),
  },
  { additionalProperties: false },
);

export const GeoPoint = Type.Object(
  { lat: Type.Number({ minimum: -90, maximum: 90 }), lng: Type.Number({ minimum: -180, maximum: 180 }) },
  { additionalProperties: false },
);

/** Lifecycle 5: what a complaint is about (only with `type: complaint`). */
export const ComplaintIntake = Type.Object(
  {
    classification: StringEnum(COMPLAINT_CLASSES, {
      description:
        'product_quality (fed back to production and engineering when closed), service_attitude, timeliness, charges ' +
        '(these three close only with an accountability outcome), other',
    }),
    relatesTo: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_REQUEST_ID_LENGTH,
        pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$',
        description:
          'The earlier request the complaint is about: its request id (`sr-…`) or ticket number. An integration may name only its ' +
          'own requests; the complaint is linked to it and to its technician. Unknown: 400 naming `complaint.relatesTo`',
      }),
    ),
  },
  { additionalProperties: false, description: 'Complaints only (lifecycle 5): its class and the request it is about' },
);

export const ServiceRequestBody = Type.Object(
  {
    type: StringEnum(REQUEST_TYPES),
    urgency: StringEnum(URGENCIES),
    channel: StringEnum(CHANNELS),
    customer: Customer,
    product: Product,
    problem: Problem,
    vip: Type.Optional(Type.Boolean()),
    location: Type.Optional(GeoPoint),
    externalId: Type.Optional(
      Type.String({
        maxLength: 100,
        pattern: EXTERNAL_ID_PATTERN.source,
        description: "Caller's id; the request id is `sr-<externalId>` and repeats are idempotent",
      }),
    ),
    complaint: Type.Optional(ComplaintIntake),
  },
  {
    additionalProperties: false,
    // The README's example (fictional customer); also what the OpenAPI fuzz run starts a request with.
    examples: [
      {
        externalId: 'CRM-1001',
        type: 'repair',
        urgency: 'urgent',
        channel: 'hotline',
        customer: { name: '陈静', phone: '13812345678', address: '上海市徐汇区漕溪北路 88 号 1201 室' },
        product: { model: 'JSQ25-13A', purchaseDate: '2024-03-18', category: 'gas_water_heater' },
        problem: { description: '热水器点火后约十分钟自动熄火，显示 E1', occursWhen: '洗澡时' },
        location: { lat: 31.1935, lng: 121.4375 },
      },
    ],
  },
);
export type ServiceRequestBody = Static<typeof ServiceRequestBody>;

export const StartHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ maxLength: 100, pattern: EXTERNAL_ID_PATTERN.source, description: 'Used as externalId when the body has none' }),
  ),
});

export const ListQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(STATUSES)),
    urgency: Type.Optional(StringEnum(URGENCIES)),
    type: Type.Optional(StringEnum(REQUEST_TYPES)),
    technicianId: Type.Optional(TechnicianId),
    escalated: Type.Optional(Type.Boolean({ description: 'true: escalation level > 0; false: level 0' })),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2048, pattern: '^[A-Za-z0-9_-]+$', description: 'nextCursor of the previous page' }),
    ),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;
