/**
 * Repeat repairs decided from customer history (src/domain/repeatRepair.ts) and the fix they count against
 * (src/domain/lifecycle/resolution.ts). Times are fixed; nothing depends on today's date.
 */
import { lastFix } from '../../src/domain/lifecycle/resolution';
import { repeatOf } from '../../src/domain/repeatRepair';
import type { EarlierRequest } from '../../workflows/messages';

const DAY = 86_400_000;
const RECEIVED = Date.parse('2026-06-15T02:00:00Z');
const WINDOW = 90 * DAY;
const fixed = (id: string, daysAgo: number, over: Partial<EarlierRequest> = {}): EarlierRequest => ({
  requestId: `sr-crm-${id}`,
  ticket: `CRM-${id}`,
  startedAt: new Date(RECEIVED - (daysAgo + 3) * DAY).toISOString(),
  status: 'closed',
  type: 'repair',
  sameProduct: true,
  resolvedAt: new Date(RECEIVED - daysAgo * DAY).toISOString(),
  resolvedBy: `t-${id}`,
  ...over,
});

describe('repeatOf', () => {
  test('the latest fix of the same product within the window; its technician is named', () => {
    const r = repeatOf('repair', [fixed('A', 80), fixed('B', 20), fixed('C', 50)], RECEIVED, WINDOW);
    expect(r).toEqual({ requestId: 'sr-crm-B', ticket: 'CRM-B', resolvedAt: fixed('B', 20).resolvedAt, technicianId: 't-B' });
  });

  test('the window is inclusive: exactly 90 days counts, a minute later does not', () => {
    expect(repeatOf('repair', [fixed('A', 90)], RECEIVED, WINDOW)?.requestId).toBe('sr-crm-A');
    const justOut = fixed('A', 90, { resolvedAt: new Date(RECEIVED - WINDOW - 60_000).toISOString() });
    expect(repeatOf('repair', [justOut], RECEIVED, WINDOW)).toBeUndefined();
  });

  test.each<[string, Partial<EarlierRequest>]>([
    ['another product', { sameProduct: false }],
    ['an installation', { type: 'installation' }],
    ['a type not known (listed before types were)', { type: undefined }],
    ['never fixed', { resolvedAt: undefined, resolvedBy: undefined }],
    ['fixed after this one was taken in (clock skew)', { resolvedAt: new Date(RECEIVED + DAY).toISOString() }],
  ])('not a repeat of %s', (_what, over) => {
    expect(repeatOf('repair', [fixed('A', 10, over)], RECEIVED, WINDOW)).toBeUndefined();
  });

  test('only repairs repeat; no history, no repeat', () => {
    for (const type of ['installation', 'maintenance', 'complaint', 'return'] as const) {
      expect(repeatOf(type, [fixed('A', 10)], RECEIVED, WINDOW)).toBeUndefined();
    }
    expect(repeatOf('repair', undefined, RECEIVED, WINDOW)).toBeUndefined();
    expect(repeatOf('repair', [], RECEIVED, WINDOW)).toBeUndefined();
  });

  test('a fix by the hotline (no technician) is a repeat with nobody to leave out', () => {
    expect(repeatOf('repair', [fixed('A', 10, { resolvedBy: undefined })], RECEIVED, WINDOW)).toEqual({
      requestId: 'sr-crm-A',
      ticket: 'CRM-A',
      resolvedAt: fixed('A', 10).resolvedAt,
    });
  });
});

describe('lastFix', () => {
  const at = (h: number) => new Date(RECEIVED + h * 3_600_000).toISOString();
  test('the last resolved visit or remote fix, with its technician', () => {
    expect(
      lastFix({
        completion: [
          { at: at(1), resolved: false, notes: '', technicianId: 't-1' },
          { at: at(5), resolved: true, notes: '', technicianId: 't-2' },
        ],
      }),
    ).toEqual({ at: at(5), technicianId: 't-2' });
    expect(lastFix({ remoteResolution: { at: at(2), notes: '', by: 'hotline (ops)' } })).toEqual({ at: at(2) });
  });

  test('a call-back that reopened it undoes the fixes before it; a fix after the revisit counts', () => {
    const completion = [{ at: at(5), resolved: true, notes: '', technicianId: 't-2' }];
    const reopened = [{ at: at(30), visit: 2, excluded: ['t-2'] }];
    expect(lastFix({ completion, reopened })).toBeUndefined();
    expect(lastFix({ completion: [...completion, { at: at(50), resolved: true, notes: '', technicianId: 't-3' }], reopened })).toEqual({
      at: at(50),
      technicianId: 't-3',
    });
  });

  test('nothing fixed: none', () => {
    expect(lastFix({})).toBeUndefined();
    expect(lastFix({ completion: [{ at: at(1), resolved: false, notes: '', technicianId: 't-1' }] })).toBeUndefined();
  });
});
