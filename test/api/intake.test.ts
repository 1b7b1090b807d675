import fc from 'fast-check';
import {
  bodyHashOf,
  canonicalJson,
  FIELD_CHECKS,
  generateKey,
  intake,
  isCalendarDate,
  isSpecificDescription,
  normalisePhone,
} from '../../src/api/intake';
import type { ServiceRequestBody } from '../../src/api/schemas/serviceRequest';
import { EXTERNAL_ID_PATTERN } from '../../src/temporal/ids';
import { NOW, validBody } from './support';

const body = (o: Record<string, unknown> = {}) => validBody(o) as unknown as ServiceRequestBody;

test('phones: CN national and international mobiles to E.164; landlines and junk refused', () => {
  expect(normalisePhone('13800138000')).toMatchObject({ ok: true, e164: '+8613800138000' });
  expect(normalisePhone('+86 138-0013-8000')).toMatchObject({ ok: true, e164: '+8613800138000' });
  expect(normalisePhone('+44 7911 123456')).toMatchObject({ ok: true, e164: '+447911123456' });
  expect(normalisePhone('1380013800').ok).toBe(false);
  expect(normalisePhone('021-12345678').ok).toBe(false);
  expect(normalisePhone('10086').ok).toBe(false);
});

test('dates and descriptions', () => {
  expect(isCalendarDate('2024-02-29')).toBe(true);
  expect(isCalendarDate('2023-02-29')).toBe(false);
  expect(isSpecificDescription('热水器不出热水')).toBe(true);
  expect(isSpecificDescription('坏了')).toBe(false);
  expect(isSpecificDescription('The AC drips water')).toBe(true);
  expect(isSpecificDescription('aaaaaaaaaaaaaaa')).toBe(false);
  expect(isSpecificDescription('!!!!!!!!!!!!!!!!')).toBe(false);
});

test('canonical JSON ignores key order and undefined', () => {
  expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe('{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => {
      const reversed = Object.fromEntries(Object.entries(o).reverse());
      expect(canonicalJson(reversed)).toBe(canonicalJson(o));
    }),
  );
});

test('same normalised request, same hash; any change, another hash', () => {
  const a = intake(body(), { nowMs: NOW });
  const b = intake(
    body({
      customer: { name: ' Wang  Fixturecustomer ', phone: '+86 139 1234 5678', address: '上海市浦东新区测试路88号12室' },
      vip: false,
    }),
    { nowMs: NOW },
  );
  const c = intake(body({ urgency: 'critical' }), { nowMs: NOW });
  if (!a.ok || !b.ok || !c.ok) throw new Error('expected valid');
  expect(b.bodyHash).toBe(a.bodyHash);
  expect(c.bodyHash).not.toBe(a.bodyHash);
  expect(bodyHashOf(a.input)).toBe(a.bodyHash);
  expect(a).toMatchObject({ requestId: 'sr-CRM-10023', keySource: 'externalId' });
});

test('callers that skip the schema (the benchmark) still get every field check', () => {
  const r = intake(body({ customer: { name: '  ', phone: '021-12345678', address: 'a  b' }, problem: { description: '坏了' } }), {
    nowMs: NOW,
  });
  expect(r.ok).toBe(false);
  expect(!r.ok && r.details.map((d) => d.path)).toEqual(['customer.phone', 'customer.name', 'customer.address', 'problem.description']);
});

test('field checks: a message when the value fails, undefined when it passes', () => {
  expect(FIELD_CHECKS['mobile-phone']('13912345678')).toBeUndefined();
  expect(FIELD_CHECKS['mobile-phone']('021-12345678')).toBe('must be a mobile number (the customer is told by SMS)');
  expect(FIELD_CHECKS['purchase-date']('2023-02-30')).toBe('must be a real date YYYY-MM-DD');
  expect(FIELD_CHECKS['purchase-date']('1979-12-31')).toBe('must not be before 1980-01-01');
  expect(FIELD_CHECKS['not-blank'](' \t ')).toBe('must not be blank');
  expect(FIELD_CHECKS['specific-description']('热水器不出热水')).toBeUndefined();
});

test('category normalised to snake case', () => {
  const r = intake(body({ product: { model: 'KFR-35GW', purchaseDate: '2024-01-01', category: 'Air Conditioner' } }), { nowMs: NOW });
  expect(r.ok && r.input.product.category).toBe('air_conditioner');
  const hyphen = intake(body({ product: { model: 'KFR-35GW', purchaseDate: '2024-01-01', category: 'Water-Heater' } }), { nowMs: NOW });
  expect(hyphen.ok && hyphen.input.product.category).toBe('water_heater');
});

test('an extended-warranty number travels to the workflow (lifecycle 4 adds its months to the cover); without one, none', () => {
  const product = { model: 'JSQ25-13A', purchaseDate: '2024-01-01', category: 'gas_water_heater' };
  const r = intake(body({ product: { ...product, extendedWarrantyNumber: 'EW-2024-000123' } }), { nowMs: NOW });
  expect(r.ok && r.input.product.extendedWarrantyNumber).toBe('EW-2024-000123');
  const none = intake(body({ product }), { nowMs: NOW });
  expect(none.ok && 'extendedWarrantyNumber' in none.input.product).toBe(false);
});

test('generated keys are valid external ids and distinct', () => {
  const keys = new Set(Array.from({ length: 200 }, () => generateKey(NOW)));
  expect(keys.size).toBe(200);
  for (const k of keys) expect(k).toMatch(EXTERNAL_ID_PATTERN);
});
