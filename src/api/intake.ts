/**
 * Intake after schema validation: the checks a JSON Schema cannot express (real mobile number, real date not
 * in the future, a specific description), normalisation (E.164, trimmed text, snake-case category), the
 * request id from the integration's key and externalId / Idempotency-Key (`sr-<key>-<externalId>`: each
 * integration has ids of its own), and the body hash that makes repeats idempotent.
 *
 * The per-field checks (FIELD_CHECKS) also run inside schema validation (the body schema names them with
 * `x-check`), so one 400 names every bad field whichever check finds it. What needs the clock or another
 * part of the request (a future purchase date, the key versus the header) can only run here, afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normaliseSkill } from '../domain/dispatch';
import type { ServiceRequestInput } from '../domain/types';
import { EXTERNAL_ID_PATTERN, workflowIdFor } from '../temporal/ids';
import type { ServiceRequestBody } from './schemas/serviceRequest';

export interface FieldProblem {
  path: string;
  message: string;
}

export type IntakeResult =
  | { ok: true; input: ServiceRequestInput; requestId: string; bodyHash: string; keySource: 'externalId' | 'header' | 'generated' }
  | { ok: false; details: FieldProblem[] };

/** Customer time zone for "not in the future" (the default calendar's): Asia/Shanghai, UTC+8 without DST. */
const CUSTOMER_UTC_OFFSET_MS = 8 * 3600_000;
const EARLIEST_PURCHASE = '1980-01-01';

export function normalisePhone(
  raw: string,
  defaultRegion: 'CN' = 'CN',
): { ok: true; e164: string; national: string } | { ok: false; message: string } {
  const p = parsePhoneNumberFromString(raw, defaultRegion);
  if (!p || !p.isValid()) return { ok: false, message: 'is not a valid phone number' };
  const type = p.getType();
  if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE')
    return { ok: false, message: 'must be a mobile number (the customer is told by SMS)' };
  return { ok: true, e164: p.number, national: p.nationalNumber };
}

/** A real calendar date YYYY-MM-DD (2023-02-30 is not). */
export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return Number.isFinite(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/gu;
/**
 * "Specific" (具体描述; docs/api.md, Start a request): at least 10 characters of content, a CJK character counting double
 * (Chinese says in 5 what English says in 10), and not one character repeated.
 */
export function isSpecificDescription(text: string): boolean {
  const content = text.replace(/[\s\p{P}\p{S}]/gu, '');
  const cjk = content.match(CJK)?.length ?? 0;
  const weight = content.length + cjk;
  return weight >= 10 && new Set(content.toLowerCase()).size >= 3;
}

const clean = (s: string): string => s.trim().replace(/\s+/g, ' ');
const cleanText = (s: string): string =>
  s
    .trim()
    .replace(/[ \t]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n');

/** Checks on one string field that need no clock and no other field: a message when the value fails, else undefined. */
export const FIELD_CHECKS = {
  'mobile-phone': (s: string) => {
    const phone = normalisePhone(s);
    return phone.ok ? undefined : phone.message;
  },
  'not-blank': (s: string) => (clean(s) ? undefined : 'must not be blank'),
  'full-address': (s: string) => (clean(s).length >= 4 ? undefined : 'must be a full service address'),
  'purchase-date': (s: string) => {
    if (!isCalendarDate(s)) return 'must be a real date YYYY-MM-DD';
    return s < EARLIEST_PURCHASE ? `must not be before ${EARLIEST_PURCHASE}` : undefined;
  },
  'specific-description': (s: string) =>
    isSpecificDescription(cleanText(s))
      ? undefined
      : 'must describe the problem specifically (what happens, at least 10 characters; 5 in Chinese)',
} satisfies Record<string, (value: string) => string | undefined>;
export type FieldCheckName = keyof typeof FIELD_CHECKS;

/** Stable JSON: object keys sorted, undefined dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function bodyHashOf(input: ServiceRequestInput): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A readable generated key: `YYMMDD-` + 8 random Crockford base32 characters (ticket 250301-7K3F9QXM). */
export function generateKey(nowMs: number): string {
  const day = new Date(nowMs + CUSTOMER_UTC_OFFSET_MS).toISOString().slice(2, 10).replace(/-/g, '');
  const bytes = randomBytes(8);
  let suffix = '';
  for (const b of bytes) suffix += CROCKFORD[b % 32];
  return `${day}-${suffix}`;
}

export function intake(
  body: ServiceRequestBody,
  /** `idPrefix`: the calling integration's key (Principal.idPrefix); without it the id is `sr-<key>` (tests, benchmarks). */
  opts: { nowMs: number; idempotencyKey?: string; idPrefix?: string },
): IntakeResult {
  const details: FieldProblem[] = [];
  const problem = (path: string, message: string) => details.push({ path, message });

  // Idempotency key: body externalId, else the header, else generated. Both present and different is ambiguous.
  const headerKey = opts.idempotencyKey;
  if (headerKey !== undefined && !EXTERNAL_ID_PATTERN.test(headerKey))
    problem('headers.idempotency-key', 'must match ' + EXTERNAL_ID_PATTERN.source);
  if (body.externalId !== undefined && headerKey !== undefined && body.externalId !== headerKey) {
    problem('externalId', 'differs from the Idempotency-Key header; send one, or the same value in both');
  }

  // Repeated here for callers that skip the schema (the benchmark); after it they all pass.
  const check = (path: string, name: FieldCheckName, value: string): boolean => {
    const message = FIELD_CHECKS[name](value);
    if (message !== undefined) problem(path, message);
    return message === undefined;
  };
  const phone = normalisePhone(body.customer.phone);
  if (!phone.ok) problem('customer.phone', phone.message);
  const name = clean(body.customer.name);
  check('customer.name', 'not-blank', name);
  const address = clean(body.customer.address);
  check('customer.address', 'full-address', address);

  const model = clean(body.product.model);
  check('product.model', 'not-blank', model);
  const purchaseDate = body.product.purchaseDate;
  const today = new Date(opts.nowMs + CUSTOMER_UTC_OFFSET_MS).toISOString().slice(0, 10);
  if (check('product.purchaseDate', 'purchase-date', purchaseDate) && purchaseDate > today)
    problem('product.purchaseDate', 'must not be in the future');
  const deliveryDate = body.product.deliveryDate;
  if (deliveryDate !== undefined && check('product.deliveryDate', 'purchase-date', deliveryDate)) {
    if (deliveryDate > today) problem('product.deliveryDate', 'must not be in the future');
    else if (deliveryDate < purchaseDate) problem('product.deliveryDate', 'must not be before the purchase date');
  }
  // Categories are matched against roster skill tags: the same normalisation on both sides.
  const category = normaliseSkill(body.product.category);

  const description = cleanText(body.problem.description);
  check('problem.description', 'specific-description', description);
  const occursWhen = body.problem.occursWhen === undefined ? undefined : cleanText(body.problem.occursWhen) || undefined;
  const symptoms = body.problem.symptoms === undefined ? undefined : cleanText(body.problem.symptoms) || undefined;

  // Lifecycle 5: a complaint's class and link; on another type they would mean nothing, so they are refused.
  if (body.complaint !== undefined && body.type !== 'complaint') problem('complaint', 'only for a request of type complaint');

  const explicitKey = body.externalId ?? headerKey;
  // The key becomes the request id: shown to customers, logged, listed in the Temporal UI. Not the phone.
  if (phone.ok && explicitKey !== undefined && explicitKey.replace(/\D/g, '').includes(phone.national)) {
    problem(
      body.externalId !== undefined ? 'externalId' : 'headers.idempotency-key',
      "must not contain the customer's phone number (it becomes the request id)",
    );
  }

  if (details.length || !phone.ok) return { ok: false, details };

  const keySource = body.externalId !== undefined ? 'externalId' : headerKey !== undefined ? 'header' : 'generated';
  const key = explicitKey ?? generateKey(opts.nowMs);
  const input: ServiceRequestInput = {
    type: body.type,
    urgency: body.urgency,
    channel: body.channel,
    customer: { name, phone: phone.e164, address, ...(body.customer.language ? { language: body.customer.language } : {}) },
    product: {
      model,
      purchaseDate,
      category,
      ...(body.product.serialNumber ? { serialNumber: body.product.serialNumber.trim() } : {}),
      ...(body.product.extendedWarrantyNumber ? { extendedWarrantyNumber: body.product.extendedWarrantyNumber.trim() } : {}),
      ...(deliveryDate !== undefined ? { deliveryDate } : {}),
    },
    problem: { description, ...(occursWhen ? { occursWhen } : {}), ...(symptoms ? { symptoms } : {}) },
    vip: body.vip ?? false,
    ...(body.location ? { location: { lat: body.location.lat, lng: body.location.lng } } : {}),
    ...(explicitKey !== undefined ? { externalId: explicitKey } : {}),
    ...(body.complaint
      ? {
          complaint: {
            classification: body.complaint.classification,
            ...(body.complaint.relatesTo !== undefined ? { relatesTo: body.complaint.relatesTo } : {}),
          },
        }
      : {}),
  };
  return { ok: true, input, requestId: workflowIdFor(key, opts.idPrefix), bodyHash: bodyHashOf(input), keySource };
}
