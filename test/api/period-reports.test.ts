/** GET /v1/reports/weekly, /monthly, /appraisal: roles, validation naming the field, CSV, 503 without a database. */
import { NO_DATABASE, reportRoutes } from '../../src/api/routes/reports';
import { computeDailyReport } from '../../src/reports/daily';
import type { ReportSource } from '../../src/reports/fetch';
import { fakePeriodReports } from './fakePeriodReports';
import { miniApp, type MiniApp } from './miniApp';
import { bearer, TOKENS } from './support';

const TZ = 'Asia/Shanghai';
const daily: ReportSource = {
  timeZone: TZ,
  daily: async (date) => ({
    ...computeDailyReport([], { date, timeZone: TZ }),
    generatedAt: 'x',
    source: 'database',
    unreadable: [],
  }),
};
const asked: string[] = [];
const periods = fakePeriodReports(TZ, asked);

let app: MiniApp;
let bare: MiniApp;
beforeAll(async () => {
  // 2026-11-30 16:30 UTC is already Tuesday 1 December in Shanghai (week 49).
  const now = () => Date.parse('2026-11-30T16:30:00Z');
  app = await miniApp((a) => a.register(reportRoutes, { reports: daily, periods, now }));
  bare = await miniApp((a) => a.register(reportRoutes, { reports: daily, now }));
});
afterAll(async () => {
  await app?.close();
  await bare?.close();
});

const get = (a: MiniApp, url: string, token: string | null = TOKENS.ops) =>
  a.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });

test('monthly, weekly and appraisal as JSON; the response schema keeps every section', async () => {
  const m = await get(app, '/v1/reports/monthly?month=2026-11');
  expect(m.statusCode).toBe(200);
  expect(m.json()).toEqual(JSON.parse(JSON.stringify(await periods.monthly('2026-11'))));
  const w = await get(app, '/v1/reports/weekly?week=2026-W48');
  expect(w.json()).toMatchObject({ kind: 'week', period: '2026-W48', from: '2026-11-22T16:00:00.000Z' });
  const a = await get(app, '/v1/reports/appraisal?month=2026-11');
  expect(a.json().technicians[0]).toMatchObject({ technicianId: 't1', arrival: { onTimeRate: 1 } });
});

test('without a period: this week and this month in the policy time zone', async () => {
  asked.length = 0;
  await get(app, '/v1/reports/weekly');
  await get(app, '/v1/reports/monthly');
  await get(app, '/v1/reports/appraisal');
  expect(asked).toEqual(['2026-W49', '2026-12', '2026-12']);
});

test('?format=csv: text/csv with a BOM, as an attachment', async () => {
  const res = await get(app, '/v1/reports/monthly?month=2026-11&format=csv');
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(res.headers['content-disposition']).toBe('attachment; filename="monthly-2026-11.csv"');
  expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  expect(res.body).toContain('\r\nbyRegion,广东省深圳市,charged,5000\r\n');
  const appraisal = await get(app, '/v1/reports/appraisal?month=2026-11&format=csv');
  expect(appraisal.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(appraisal.body.split('\r\n')[1]).toMatch(/^2026-11,t1,1,5,0,/);
  const day = await get(app, '/v1/reports/daily?date=2026-11-25&format=csv');
  expect(day.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(day.body).toContain('\r\n,,source,database\r\n');
});

test('bad input is a 400 naming the field', async () => {
  for (const [url, path] of [
    ['/v1/reports/monthly?month=2026-13', 'query.month'],
    ['/v1/reports/appraisal?month=11-2026', 'query.month'],
    ['/v1/reports/weekly?week=2025-W53', 'query.week'],
    ['/v1/reports/weekly?week=2026-48', 'query.week'],
    ['/v1/reports/monthly?month=2026-11&format=xlsx', 'query.format'],
  ] as const) {
    const res = await get(app, url);
    expect({ url, status: res.statusCode }).toEqual({ url, status: 400 });
    expect(res.json().details.map((d: { path: string }) => d.path)).toContain(path);
  }
});

test('ops only: integrations and technicians are refused, anonymous callers unauthenticated', async () => {
  for (const url of ['/v1/reports/weekly?week=2026-W48', '/v1/reports/monthly?month=2026-11', '/v1/reports/appraisal?month=2026-11']) {
    expect((await get(app, url, TOKENS.integration)).statusCode).toBe(403);
    expect((await get(app, url, TOKENS.tech1)).statusCode).toBe(403);
    expect((await get(app, url, null)).statusCode).toBe(401);
  }
});

test('no reporting database: 503 saying so; the daily report still answers', async () => {
  for (const url of ['/v1/reports/weekly', '/v1/reports/monthly?month=2026-11', '/v1/reports/appraisal?month=2026-11&format=csv']) {
    const res = await get(bare, url);
    expect(res.statusCode).toBe(503);
    expect(res.json().message).toBe(NO_DATABASE);
  }
  expect((await get(bare, '/v1/reports/daily?date=2026-11-25')).statusCode).toBe(200);
});
