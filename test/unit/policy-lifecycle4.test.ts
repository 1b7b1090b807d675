/**
 * The policy file's lifecycle-4 blocks (docs/policy.md: `warranty`, `charges`, `quotes`, `parts`): optional, with
 * defaults; one issue per bad field with its path; cross-field rules in the resolution.
 */
import { join, resolve } from 'node:path';
import { HOUR_MS, SECOND_MS } from '../../src/domain/duration';
import { POLICY_DEFAULTS } from '../../src/domain/policy';
import { loadPolicyFile, resolvePolicy } from '../../src/policy';
import { minimalPolicy, policyIssues as issuesOf } from '../support/policyFiles';

const ROOT = resolve(__dirname, '../..');
const elapsed = (ms: number) => expect.objectContaining({ ms, business: false });
/** A small valid policy without any lifecycle-4 block. */
const minimal = (over: Record<string, unknown> = {}) => minimalPolicy('test-4', over);

const DEFAULT_WAREHOUSE = { role: 'warehouse', name: '冯涛', phone: '+8613900139004' };

describe('defaults', () => {
  it('fills every lifecycle-4 block when the file has none', () => {
    const p = resolvePolicy(minimal());
    expect(p.warranty).toEqual({
      categories: {},
      default: { months: 12, extendedMonths: 24, covers: ['parts', 'labour'] },
      notCovered: ['misuse', 'transport', 'wear'],
    });
    expect(p.charges).toEqual({ currency: 'CNY', visitFee: 5000 });
    expect(p.quotes).toEqual({ expiry: elapsed(48 * HOUR_MS), reminderAfter: elapsed(24 * HOUR_MS), onExpiry: 'escalate' });
    expect(p.quotes?.expiry.text).toBe(POLICY_DEFAULTS.quotes.expiry);
    expect(p.parts).toEqual({ pauseResolution: true, warehouse: DEFAULT_WAREHOUSE });
    // Plain data: survives a Temporal JSON payload.
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it('takes each field as written and the rest from the defaults; a category falls back to warranty.default', () => {
    const p = resolvePolicy(
      minimal({
        warranty: {
          default: { months: 18 },
          categories: { 'Gas-Water-Heater': { months: 36 }, air_conditioner: { months: 72, extendedMonths: 0, covers: ['parts'] } },
          notCovered: ['misuse', 'misuse', 'other'],
        },
        charges: { visitFee: 8000 },
        quotes: { expiry: '3 days', onExpiry: 'close' },
        parts: {
          pauseResolution: false,
          warehouse: { role: 'depot', name: 'Depot', phone: '+8613900000009', webhookUrl: 'https://depot.example.com/hook' },
        },
      }),
    );
    expect(p.warranty).toEqual({
      categories: {
        gas_water_heater: { months: 36, extendedMonths: 24, covers: ['parts', 'labour'] },
        air_conditioner: { months: 72, extendedMonths: 0, covers: ['parts'] },
      },
      default: { months: 18, extendedMonths: 24, covers: ['parts', 'labour'] },
      notCovered: ['misuse', 'other'],
    });
    expect(p.charges).toEqual({ currency: 'CNY', visitFee: 8000 });
    expect(p.quotes).toEqual({ expiry: elapsed(72 * HOUR_MS), reminderAfter: elapsed(24 * HOUR_MS), onExpiry: 'close' });
    expect(p.parts).toEqual({
      pauseResolution: false,
      warehouse: { role: 'depot', name: 'Depot', phone: '+8613900000009', webhookUrl: 'https://depot.example.com/hook' },
    });
  });

  it('policy/default.yaml: the shipped terms, charges, quotes and warehouse', () => {
    const p = loadPolicyFile(join(ROOT, 'policy/default.yaml'));
    expect(p.warranty?.default).toEqual({ months: 12, extendedMonths: 24, covers: ['parts', 'labour'] });
    expect(Object.fromEntries(Object.entries(p.warranty!.categories).map(([k, t]) => [k, t.months]))).toEqual({
      gas_water_heater: 36,
      wall_boiler: 24,
      electric_water_heater: 36,
      solar_water_heater: 36,
      air_conditioner: 72,
      refrigerator: 36,
    });
    expect(p.warranty?.notCovered).toEqual(['misuse', 'transport', 'wear']);
    expect(p.charges).toEqual({ currency: 'CNY', visitFee: 5000 });
    expect(p.quotes).toEqual({ expiry: elapsed(48 * HOUR_MS), reminderAfter: elapsed(24 * HOUR_MS), onExpiry: 'escalate' });
    expect(p.parts).toEqual({ pauseResolution: true, warehouse: DEFAULT_WAREHOUSE });
  });

  it('policy/fast.yaml: quotes in minutes (longer than the slowest e2e path), the same terms as the default policy', () => {
    const fast = loadPolicyFile(join(ROOT, 'policy/fast.yaml'));
    const normal = loadPolicyFile(join(ROOT, 'policy/default.yaml'));
    expect(fast.quotes).toEqual({ expiry: elapsed(120 * SECOND_MS), reminderAfter: elapsed(60 * SECOND_MS), onExpiry: 'escalate' });
    expect(fast.warranty).toEqual(normal.warranty);
    expect(fast.charges).toEqual(normal.charges);
    expect(fast.parts).toEqual(normal.parts);
  });
});

describe('one issue per bad field, with its path', () => {
  it('names every bad lifecycle-4 field with the value it got', () => {
    const raw = minimal({
      warranty: {
        default: { months: 2.5, cover: ['parts'] },
        categories: { gas_water_heater: { months: 300 }, air_conditioner: { extendedMonths: -1, covers: [''] } },
        notCovered: ['misuse', 'lightning'],
      },
      charges: { currency: 'cny', visitFee: '50' },
      quotes: { expiry: 'soon', reminderAfter: 0, onExpiry: 'ignore' },
      parts: { pauseResolution: 'yes', warehouse: { role: 'warehouse', phone: '13900139004' } },
    });
    const issues = issuesOf(raw);
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'warranty.default.months', message: 'must be a whole number, got 2.5' },
        { path: 'warranty.default.cover', message: 'is not a known setting (did you mean "covers"?)' },
        { path: 'warranty.categories.gas_water_heater.months', message: 'must be ≤ 240, got 300' },
        { path: 'warranty.categories.air_conditioner.extendedMonths', message: 'must be ≥ 0, got -1' },
        { path: 'warranty.categories.air_conditioner.covers[0]', message: 'must not be empty' },
        {
          path: 'warranty.notCovered[1]',
          message: 'must be one of "quality", "misuse", "transport", "wear", "other", got "lightning"',
        },
        { path: 'charges.currency', message: '"cny" is not a currency code (ISO 4217: 3 capital letters, e.g. "CNY")' },
        { path: 'charges.visitFee', message: 'must be a number, got "50"' },
        { path: 'quotes.expiry', message: '"soon" is not a duration' },
        { path: 'quotes.reminderAfter', message: '0 must be longer than zero' },
        { path: 'quotes.onExpiry', message: 'must be one of "escalate", "close", got "ignore"' },
        { path: 'parts.pauseResolution', message: 'must be a boolean, got "yes"' },
        { path: 'parts.warehouse.name', message: 'is required' },
        {
          path: 'parts.warehouse.phone',
          message: '"13900139004" is not an international phone number (E.164, e.g. "+8613800138000")',
        },
      ]),
    );
    expect(issues).toHaveLength(14);
  });

  it('refuses a fractional visit fee: amounts are integers in fen', () => {
    expect(issuesOf(minimal({ charges: { visitFee: 50.5 } }))).toEqual([
      { path: 'charges.visitFee', message: '50.5 is not a whole number: amounts are integers in fen (e.g. 5050 for 50.50 CNY)' },
    ]);
    expect(issuesOf(minimal({ charges: { visitFee: -100 } }))).toEqual([
      { path: 'charges.visitFee', message: '-100 is negative: amounts are integers ≥ 0 in fen' },
    ]);
    expect(resolvePolicy(minimal({ charges: { visitFee: 0 } })).charges).toEqual({ currency: 'CNY', visitFee: 0 });
  });

  it('refuses a block that is not a mapping, and a misspelt block', () => {
    expect(issuesOf(minimal({ quotes: '48h', warrenty: {} }))).toEqual([
      { path: 'warrenty', message: 'is not a known setting (did you mean "warranty"?)' },
      { path: 'quotes', message: 'must be a mapping (key: value), got "48h"' },
    ]);
  });

  it('names the file in the message', () => {
    expect(() => resolvePolicy(minimal({ charges: { visitFee: 50.5 } }), 'policy/centre.yaml')).toThrow(
      /^Invalid policy policy\/centre\.yaml \(1 problem\):\n {2}- charges\.visitFee: 50\.5 is not a whole number: amounts are integers in fen/,
    );
  });
});

describe('cross-field rules', () => {
  it('a quote reminder must come before the expiry', () => {
    expect(issuesOf(minimal({ quotes: { expiry: '12h', reminderAfter: '12h' } }))).toEqual([
      { path: 'quotes.reminderAfter', message: '"12h" must be shorter than expiry "12h"' },
    ]);
    expect(issuesOf(minimal({ quotes: { reminderAfter: '3 days' } }))).toEqual([
      { path: 'quotes.reminderAfter', message: '"3 days" must be shorter than expiry "48h" (the default)' },
    ]);
    // Only the expiry written: it is what moved before the default reminder.
    expect(issuesOf(minimal({ quotes: { expiry: '12h' } }))).toEqual([
      { path: 'quotes.expiry', message: '"12h" must be longer than reminderAfter "24h" (the default)' },
    ]);
    expect(resolvePolicy(minimal({ quotes: { expiry: '12h', reminderAfter: '6h' } })).quotes).toMatchObject({
      expiry: elapsed(12 * HOUR_MS),
      reminderAfter: elapsed(6 * HOUR_MS),
    });
  });

  it('a category is given once, however it is spelt, and is a category name', () => {
    expect(
      issuesOf(
        minimal({ warranty: { categories: { gas_water_heater: { months: 36 }, 'Gas-Water-Heater': { months: 24 }, 燃气热水器: {} } } }),
      ),
    ).toEqual([
      {
        path: 'warranty.categories.Gas-Water-Heater',
        message: 'is the same category as "gas_water_heater" (categories compare without case, "-" = "_")',
      },
      { path: 'warranty.categories.燃气热水器', message: '"燃气热水器" is not a product category (letters, digits, _)' },
    ]);
  });

  it('quality faults cannot be excluded from cover', () => {
    expect(issuesOf(minimal({ warranty: { notCovered: ['misuse', 'quality'] } }))).toEqual([
      { path: 'warranty.notCovered[1]', message: '"quality" faults are what the warranty covers; they cannot be excluded' },
    ]);
  });
});
