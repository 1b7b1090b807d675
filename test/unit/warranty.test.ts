/**
 * Warranty judgement (src/domain/warranty.ts): cover from the purchase date in calendar months, judged on the
 * local date of receipt in the policy's zone; whether a repair is chargeable. Dates are fixed, never today's.
 */
import { join, resolve } from 'node:path';
import type { WarrantyPolicy } from '../../src/domain/policyTypes';
import { chargeable, coverUntil, judgeWarranty, warrantyTerms, type WarrantyClaim } from '../../src/domain/warranty';
import { loadPolicyFile } from '../../src/policy';

const ROOT = resolve(__dirname, '../..');
const SHANGHAI = 'Asia/Shanghai';

const POLICY: WarrantyPolicy = {
  categories: { gas_water_heater: { months: 36, extendedMonths: 24, covers: ['parts', 'labour', 'visit'] } },
  default: { months: 12, extendedMonths: 24, covers: ['parts', 'labour'] },
  notCovered: ['misuse', 'transport', 'wear'],
};

const claim = (over: Partial<WarrantyClaim> = {}): WarrantyClaim => ({
  category: 'washing_machine',
  purchaseDate: '2024-03-18',
  receivedMs: Date.parse('2025-03-10T02:00:00Z'),
  timeZone: SHANGHAI,
  ...over,
});

describe('coverUntil', () => {
  it('runs through the day before the same day of the month', () => {
    expect(coverUntil('2024-03-18', 12)).toBe('2025-03-17');
    expect(coverUntil('2024-03-18', 36)).toBe('2027-03-17');
    expect(coverUntil('2024-03-01', 1)).toBe('2024-03-31');
    expect(coverUntil('2024-12-15', 2)).toBe('2025-02-14');
  });

  it('runs through the last day of a month that has no such day', () => {
    expect(coverUntil('2024-01-31', 1)).toBe('2024-02-29'); // leap year
    expect(coverUntil('2023-01-31', 1)).toBe('2023-02-28');
    expect(coverUntil('2024-01-30', 1)).toBe('2024-02-29');
    expect(coverUntil('2024-02-29', 12)).toBe('2025-02-28');
    expect(coverUntil('2024-03-31', 6)).toBe('2024-09-30');
    // The day exists: the day before it, as usual.
    expect(coverUntil('2024-01-29', 1)).toBe('2024-02-28');
  });

  it('gives no cover for 0 months, and refuses what is not a date', () => {
    expect(coverUntil('2024-03-18', 0)).toBe('2024-03-17');
    expect(() => coverUntil('2024-02-30', 12)).toThrow('purchase date "2024-02-30" is not a date (YYYY-MM-DD)');
    expect(() => coverUntil('18.03.2024', 12)).toThrow(RangeError);
    expect(() => coverUntil('2024-03-18', 1.5)).toThrow(RangeError);
  });
});

describe('judgeWarranty', () => {
  it('is in warranty through the last covered day, on the default terms for an unlisted category', () => {
    expect(judgeWarranty(claim(), POLICY)).toEqual({
      status: 'in_warranty',
      coverUntil: '2025-03-17',
      months: 12,
      terms: 'default',
      covers: ['parts', 'labour'],
    });
    // 2025-03-17 23:59 in Shanghai: the last covered day.
    expect(judgeWarranty(claim({ receivedMs: Date.parse('2025-03-17T15:59:00Z') }), POLICY).status).toBe('in_warranty');
  });

  it('judges on the local date of receipt: 2025-03-17T16:30Z is already 2025-03-18 in Shanghai', () => {
    const receivedMs = Date.parse('2025-03-17T16:30:00Z');
    expect(judgeWarranty(claim({ receivedMs }), POLICY)).toEqual({
      status: 'out_of_warranty',
      coverUntil: '2025-03-17',
      months: 12,
      terms: 'default',
      covers: ['parts', 'labour'],
    });
    // The same instant is still 2025-03-17 in UTC.
    expect(judgeWarranty(claim({ receivedMs, timeZone: 'UTC' }), POLICY).status).toBe('in_warranty');
  });

  it("takes the category's own terms, with the category spelt any way dispatch accepts", () => {
    const j = judgeWarranty(claim({ category: 'Gas-Water-Heater', receivedMs: Date.parse('2026-06-01T02:00:00Z') }), POLICY);
    expect(j).toEqual({
      status: 'in_warranty',
      coverUntil: '2027-03-17',
      months: 36,
      terms: 'gas_water_heater',
      covers: ['parts', 'labour', 'visit'],
    });
    expect(warrantyTerms('gas water heater', POLICY)).toEqual({ key: 'gas_water_heater', terms: POLICY.categories.gas_water_heater });
    expect(warrantyTerms('air_conditioner', POLICY)).toEqual({ key: 'default', terms: POLICY.default });
  });

  it('adds the extended months when an extended-warranty number is given (a blank one is none)', () => {
    const receivedMs = Date.parse('2026-06-01T02:00:00Z');
    expect(judgeWarranty(claim({ receivedMs }), POLICY).status).toBe('out_of_warranty');
    expect(judgeWarranty(claim({ receivedMs, extendedWarrantyNumber: ' EW-2024-000123 ' }), POLICY)).toEqual({
      status: 'in_warranty',
      coverUntil: '2027-03-17',
      months: 36,
      terms: 'default',
      covers: ['parts', 'labour'],
      extendedWarrantyNumber: 'EW-2024-000123',
    });
    expect(judgeWarranty(claim({ receivedMs, extendedWarrantyNumber: '  ' }), POLICY)).toEqual(
      expect.objectContaining({ status: 'out_of_warranty', months: 12 }),
    );
    expect(judgeWarranty(claim({ receivedMs, extendedWarrantyNumber: '  ' }), POLICY)).not.toHaveProperty('extendedWarrantyNumber');
  });

  it('judges a month-end purchase to the end of the short month', () => {
    const oneMonth: WarrantyPolicy = { ...POLICY, default: { months: 1, extendedMonths: 0, covers: [] } };
    const at = (iso: string) => judgeWarranty(claim({ purchaseDate: '2024-01-31', receivedMs: Date.parse(iso) }), oneMonth);
    expect(at('2024-02-29T12:00:00+08:00')).toMatchObject({ status: 'in_warranty', coverUntil: '2024-02-29' });
    expect(at('2024-03-01T00:10:00+08:00')).toMatchObject({ status: 'out_of_warranty', coverUntil: '2024-02-29' });
  });

  it('refuses a time zone it cannot place the date in', () => {
    expect(() => judgeWarranty(claim({ timeZone: 'Mars/Olympus' }), POLICY)).toThrow('cannot judge warranty in time zone "Mars/Olympus"');
  });

  it("uses the shipped policy's terms: a gas water heater is covered 36 months", () => {
    const policy = loadPolicyFile(join(ROOT, 'policy/default.yaml'));
    const j = judgeWarranty(
      claim({ category: 'gas_water_heater', receivedMs: Date.parse('2027-03-17T15:59:00Z'), timeZone: policy.calendar.timeZone }),
      policy.warranty!,
    );
    expect(j).toEqual({
      status: 'in_warranty',
      coverUntil: '2027-03-17',
      months: 36,
      terms: 'gas_water_heater',
      covers: ['parts', 'labour'],
    });
  });
});

describe('chargeable', () => {
  const inWarranty = judgeWarranty(claim(), POLICY);
  const outOfWarranty = judgeWarranty(claim({ receivedMs: Date.parse('2025-03-17T16:30:00Z') }), POLICY);

  it('out of warranty: chargeable whatever the cause, since the first day without cover', () => {
    expect(chargeable(outOfWarranty, undefined, POLICY)).toEqual({ chargeable: true, reason: 'out of warranty since 2025-03-18' });
    expect(chargeable(outOfWarranty, 'quality', POLICY)).toEqual({ chargeable: true, reason: 'out of warranty since 2025-03-18' });
    expect(chargeable(outOfWarranty, 'misuse', POLICY)).toEqual({ chargeable: true, reason: 'out of warranty since 2025-03-18' });
  });

  it('in warranty: chargeable only for a cause the policy does not cover', () => {
    expect(chargeable(inWarranty, undefined, POLICY)).toEqual({ chargeable: false, reason: 'in warranty until 2025-03-17' });
    expect(chargeable(inWarranty, 'quality', POLICY)).toEqual({ chargeable: false, reason: 'in warranty until 2025-03-17' });
    expect(chargeable(inWarranty, 'other', POLICY)).toEqual({ chargeable: false, reason: 'in warranty until 2025-03-17' });
    expect(chargeable(inWarranty, 'misuse', POLICY)).toEqual({ chargeable: true, reason: 'misuse is not covered' });
    expect(chargeable(inWarranty, 'transport', POLICY)).toEqual({ chargeable: true, reason: 'transport is not covered' });
    expect(chargeable(inWarranty, 'wear', { ...POLICY, notCovered: ['misuse'] })).toEqual({
      chargeable: false,
      reason: 'in warranty until 2025-03-17',
    });
  });
});
