/** GET /v1/reports/daily: roles, date validation, default date in the policy zone, Temporal outages. */
import { reportRoutes } from '../../src/api/routes/reports';
import { computeDailyReport, dayBounds, ReportDateError } from '../../src/reports/daily';
import { deferredReportSource, ReportUnavailableError, type DailyReportResult, type ReportSource } from '../../src/reports/fetch';
import { miniApp, type MiniApp } from './miniApp';
import { bearer, TOKENS } from './support';

const TZ = 'Asia/Shanghai';
// A day whose lifecycle-4 sections are filled in (the figures themselves are test/unit/daily-report.test.ts's).
const LIFECYCLE_4_DAY = '2026-11-27';
const LIFECYCLE_4: Pick<DailyReportResult, 'warranty' | 'quotes' | 'revenue' | 'payments' | 'partsConsumed' | 'waitedForParts'> = {
  warranty: { inWarranty: 2, outOfWarranty: 4, chargeable: 5 },
  quotes: { issued: 5, approved: 2, declined: 2, expired: 2, pending: 1 },
  revenue: { labour: 12000, parts: 30000, visitFees: 10000, total: 52000, currency: 'CNY' },
  payments: {
    on_site: { count: 2, amount: 45000 },
    invoice: { count: 1, amount: 5000 },
    paid: { count: 3, amount: 50000 },
    waived: { count: 1, amount: 2000 },
  },
  partsConsumed: [{ ref: 'P-100', name: { zh: '压缩机', en: 'Compressor' }, quantity: 3, oldPartShown: 2 }],
  waitedForParts: { requests: 3, orders: 3, arrived: 2, averageHours: 18.5, maxHours: 30, overdueOrders: 1 },
};
const asked: string[] = [];
const source: ReportSource = {
  timeZone: TZ,
  async daily(date) {
    asked.push(date);
    if (date === '2026-01-01') throw new ReportUnavailableError('Temporal did not answer');
    dayBounds(date, TZ);
    const r: DailyReportResult = {
      ...computeDailyReport([], { date, timeZone: TZ }),
      generatedAt: '2026-11-25T08:00:00.000Z',
      source: 'temporal',
      unreadable: [],
    };
    return date === LIFECYCLE_4_DAY ? { ...r, ...LIFECYCLE_4 } : r;
  },
};

let app: MiniApp;
beforeAll(async () => {
  // 2026-11-24 16:30 UTC is already the 25th in Shanghai.
  app = await miniApp((a) => a.register(reportRoutes, { reports: source, now: () => Date.parse('2026-11-24T16:30:00Z') }));
});
afterAll(async () => {
  await app?.close();
});

test('ops get the report; the body has every section', async () => {
  for (const token of [TOKENS.ops]) {
    const res = await app.inject({ method: 'GET', url: '/v1/reports/daily?date=2026-11-25', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      date: '2026-11-25',
      timeZone: TZ,
      from: '2026-11-24T16:00:00.000Z',
      volume: { total: 0 },
      unreadable: [],
    });
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining(['sla', 'firstTimeFix', 'resolution', 'satisfaction', 'complaints', 'escalations', 'byStatus', 'generatedAt']),
    );
    expect(body.sla.dispatch).toEqual({ met: 0, breached: 0, pending: 0, complianceRate: null });
    // Lifecycle 4's sections, empty on a day without its requests.
    expect(body.warranty).toEqual({ inWarranty: 0, outOfWarranty: 0, chargeable: 0 });
    expect(body.quotes).toEqual({ issued: 0, approved: 0, declined: 0, expired: 0, pending: 0 });
    expect(body.revenue).toEqual({ labour: 0, parts: 0, visitFees: 0, total: 0, currency: null });
    expect(body.payments.waived).toEqual({ count: 0, amount: 0 });
    expect(body.partsConsumed).toEqual([]);
    expect(body.waitedForParts).toEqual({ requests: 0, orders: 0, arrived: 0, averageHours: null, maxHours: null, overdueOrders: 0 });
  }
});

test("lifecycle 4's sections reach the caller whole (the response schema keeps every field)", async () => {
  const res = await app.inject({ method: 'GET', url: `/v1/reports/daily?date=${LIFECYCLE_4_DAY}`, headers: bearer(TOKENS.ops) });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject(LIFECYCLE_4);
  expect(res.json().partsConsumed).toEqual(LIFECYCLE_4.partsConsumed);
});

test('integrations, technicians and anonymous callers are refused (the totals span every integration)', async () => {
  expect(
    (await app.inject({ method: 'GET', url: '/v1/reports/daily?date=2026-11-25', headers: bearer(TOKENS.integration) })).statusCode,
  ).toBe(403);
  expect((await app.inject({ method: 'GET', url: '/v1/reports/daily?date=2026-11-25' })).statusCode).toBe(401);
  expect((await app.inject({ method: 'GET', url: '/v1/reports/daily?date=2026-11-25', headers: bearer(TOKENS.tech1) })).statusCode).toBe(
    403,
  );
});

test('without a date: today in the policy time zone', async () => {
  asked.length = 0;
  const res = await app.inject({ method: 'GET', url: '/v1/reports/daily', headers: bearer(TOKENS.ops) });
  expect(res.statusCode).toBe(200);
  expect(asked).toEqual(['2026-11-25']);
});

test('malformed or impossible dates are a 400 naming query.date', async () => {
  const bad = await app.inject({ method: 'GET', url: '/v1/reports/daily?date=25.11.2026', headers: bearer(TOKENS.ops) });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().details[0].path).toBe('query.date');
  const impossible = await app.inject({ method: 'GET', url: '/v1/reports/daily?date=2026-02-30', headers: bearer(TOKENS.ops) });
  expect(impossible.statusCode).toBe(400);
  expect(impossible.json()).toMatchObject({ error: 'bad_request', details: [{ path: 'query.date' }] });
  const extra = await app.inject({ method: 'GET', url: '/v1/reports/daily?date=2026-11-25&x=1', headers: bearer(TOKENS.ops) });
  expect(extra.statusCode).toBe(400);
});

test('Temporal unavailable → 503 with Retry-After', async () => {
  const res = await app.inject({ method: 'GET', url: '/v1/reports/daily?date=2026-01-01', headers: bearer(TOKENS.ops) });
  expect(res.statusCode).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
});

test('ReportDateError is what dayBounds throws', () => {
  expect(() => dayBounds('x', TZ)).toThrow(ReportDateError);
});

test('deferred source: 503 until the client is connected', async () => {
  const src = deferredReportSource(() => undefined, { timeZone: TZ });
  await expect(src.daily('2026-11-25')).rejects.toBeInstanceOf(ReportUnavailableError);
  const deferredApp = await miniApp((a) => a.register(reportRoutes, { reports: src }));
  try {
    const res = await deferredApp.inject({ method: 'GET', url: '/v1/reports/daily?date=2026-11-25', headers: bearer(TOKENS.ops) });
    expect(res.statusCode).toBe(503);
  } finally {
    await deferredApp.close();
  }
});
