/**
 * Customer history keys (docs/operations.md, "A customer's requests"): the search attributes that link a customer's
 * requests without putting their phone number into visibility. API-side only (node:crypto), never workflow code.
 */
import { createHmac } from 'node:crypto';
import { normalisePhone } from '../api/intake';
import type { Product } from '../domain/types';

/**
 * Versioned and domain-separated: a MAC made with the same secret for anything else can never equal a customer key,
 * and a later scheme (v2) would not collide with this one. Changing it (or the secret) splits every customer's history.
 */
const CUSTOMER_KEY_CONTEXT = 'aftercare-customer-v1.';
/** 128 bits of the HMAC: plenty against collisions, short enough to read in the Temporal UI. */
const CUSTOMER_KEY_HEX_CHARS = 32;
const E164 = /^\+[1-9]\d{6,14}$/;

/** The customer key of a phone number already normalised to E.164 (normalisePhone). */
export function customerKey(e164: string, secret: string): string {
  // Never quotes the value: it is a phone number.
  if (!E164.test(e164)) throw new Error('customerKey needs a phone number normalised to E.164');
  if (!secret) throw new Error('customerKey needs a secret (CUSTOMER_KEY_SECRET)');
  return createHmac('sha256', secret)
    .update(CUSTOMER_KEY_CONTEXT + e164, 'utf8')
    .digest('hex')
    .slice(0, CUSTOMER_KEY_HEX_CHARS);
}

/** The customer key of a phone number as people write it (`+86 138 0013 8000`, `138-0013-8000`); undefined if it is no mobile. */
export function customerKeyOfPhone(raw: string, secret: string): string | undefined {
  const phone = normalisePhone(raw);
  return phone.ok ? customerKey(phone.e164, secret) : undefined;
}

/** Serial numbers and models as typed by different people: trimmed, upper-case, no whitespace at all. */
export const normaliseProductText = (s: string): string => s.toUpperCase().replace(/\s+/g, '');

/** `SN:<serial>` when the request names the unit's serial number, else `MODEL:<model>`. */
export function productKey(product: Pick<Product, 'model' | 'serialNumber'>): string {
  const serial = product.serialNumber === undefined ? '' : normaliseProductText(product.serialNumber);
  return serial ? `SN:${serial}` : `MODEL:${normaliseProductText(product.model)}`;
}

/**
 * The product keys a caller's `product` filter matches: the unit with that serial number, or requests taken
 * without a serial for that model (a request with a serial carries only its `SN:` key).
 */
export function productKeysMatching(value: string): string[] {
  const v = normaliseProductText(value);
  return v ? [`SN:${v}`, `MODEL:${v}`] : [];
}
