/**
 * Monthly, weekly and appraisal reports on a hand-built data set in the reporting database (Asia/Shanghai, UTC+8).
 * Every figure below is worked out by hand from the requests listed here.
 *
 * The month rule: a request belongs to the month (week) it was received in, local time. sr-d is received at 23:30 on
 * 30 November (15:30 UTC) and visited, fixed and closed after midnight (1 December): all of it counts in November
 * and in week 49 (30 November is a Monday). sr-g, received at 23:59 on Sunday 29 November, is the last request of
 * week 48. sr-e (00:00 on 1 December) and sr-f (23:59 on 31 October) are outside November.
 */
import { appraisalCsv } from '../../src/reports/appraisal';
import { databaseReportSource } from '../../src/reports/database';
import { ReportDateError } from '../../src/reports/daily';
import { periodBounds } from '../../src/reports/period';
import { reportCsv } from '../../src/reports/csv';
import { databaseRatings, ratingsWithFallback } from '../../src/reports/technicianRatings';
import { startTestDb, type TestDb } from '../support/reportingDb';
import { specInput, writeStates, type RequestSpec } from '../support/reportRequests';

const TZ = 'Asia/Shanghai';
const SZ = '广东省深圳市';
const BJ = '北京市';
const SH = '上海市';

const REQUESTS: RequestSpec[] = [
  {
    id: 'sr-a',
    at: '2026-11-02T02:00:00.000Z',
    model: 'X1',
    region: SZ,
    technician: 't1',
    acceptedAfter: 10,
    onSite: { metAfter: 60 },
    responseMetAfter: 30,
    visits: [true],
    score: 5,
    faultCause: 'quality',
    fee: 5000,
    photosOk: true,
    closedAt: '2026-11-02T06:00:00.000Z',
  },
  {
    id: 'sr-b',
    at: '2026-11-10T01:00:00.000Z',
    channel: 'online',
    model: 'X1',
    region: BJ,
    technician: 't2',
    acceptedAfter: 30,
    onSite: { metAfter: 120 },
    visits: [false, true],
    score: 3,
    faultCause: 'wear',
    photosOk: false,
    closedAt: '2026-11-11T00:00:00.000Z',
  },
  {
    id: 'sr-c',
    at: '2026-11-15T03:00:00.000Z',
    type: 'installation',
    channel: 'app',
    model: 'Y2',
    category: 'washer',
    region: BJ,
    technician: 't1',
    acceptedAfter: 20,
    onSite: 'breached',
  },
  // 23:30 on 30 November in Shanghai; visited and closed on 1 December.
  {
    id: 'sr-d',
    at: '2026-11-30T15:30:00.000Z',
    vip: true,
    model: 'X1',
    region: SZ,
    technician: 't2',
    acceptedAfter: 20,
    onSite: { metAfter: 30 },
    visits: [true],
    score: 4,
    faultCause: 'quality',
    photosOk: true,
    closedAt: '2026-12-01T01:00:00.000Z',
  },
  // 00:00 on 1 December: December.
  { id: 'sr-e', at: '2026-11-30T16:00:00.000Z', model: 'X1', region: SZ, technician: 't1', visits: [true], score: 1 },
  // 23:59 on 31 October: October.
  { id: 'sr-f', at: '2026-10-31T15:59:00.000Z', model: 'X1', region: SZ, technician: 't1', visits: [true], score: 1 },
  // 23:59 on Sunday 29 November: the last minute of week 48.
  {
    id: 'sr-g',
    at: '2026-11-29T15:59:00.000Z',
    type: 'complaint',
    model: 'X1',
    region: BJ,
    complaint: { classification: 'service_attitude', technicianId: 't2' },
  },
  // December: a repeat repair of sr-a, whose fix (t1's) therefore did not hold.
  { id: 'sr-h', at: '2026-12-05T02:00:00.000Z', model: 'X1', region: SZ, repeatOf: { requestId: 'sr-a', technicianId: 't1' } },
  {
    id: 'sr-i',
    at: '2026-11-25T02:00:00.000Z',
    channel: 'store',
    model: 'Y2',
    category: 'washer',
    region: SH,
    technician: 't1',
    acceptedAfter: 5,
    onSite: { metAfter: 30 },
    visits: [true],
    score: 5,
    faultCause: 'misuse',
    repeatOf: { requestId: 'sr-older' },
    fee: 2000,
    photosOk: true,
    closedAt: '2026-11-25T08:00:00.000Z',
  },
];

let db: TestDb;
let source: ReturnType<typeof databaseReportSource>;
beforeAll(async () => {
  db = await startTestDb();
  await writeStates(db.pool, REQUESTS.map(specInput));
  source = databaseReportSource(db.pool, { timeZone: TZ, now: () => Date.parse('2026-12-03T00:00:00Z') });
});
afterAll(async () => {
  await db?.stop();
});

const line = (
  key: string,
  requests: number,
  repairs: number,
  resolved: number,
  charged: number,
  rated: number,
  averageScore: number | null,
) => ({
  key,
  requests,
  repairs,
  resolved,
  charged,
  rated,
  averageScore,
});

describe('periodBounds', () => {
  test('a month and an ISO week in the zone, as UTC', () => {
    expect(periodBounds('month', '2026-11', TZ)).toMatchObject({ from: '2026-10-31T16:00:00.000Z', to: '2026-11-30T16:00:00.000Z' });
    expect(periodBounds('week', '2026-W48', TZ)).toMatchObject({ from: '2026-11-22T16:00:00.000Z', to: '2026-11-29T16:00:00.000Z' });
    // A DST month: March 2026 in Berlin has 743 hours.
    const b = periodBounds('month', '2026-03', 'Europe/Berlin');
    expect((Date.parse(b.to) - Date.parse(b.from)) / 3_600_000).toBe(743);
  });

  test('bad periods and zones are refused, naming the field', () => {
    expect(() => periodBounds('month', '2026-13', TZ)).toThrow(/^month: "2026-13" is not a calendar month/);
    expect(() => periodBounds('month', '2026-1', TZ)).toThrow(/^month: "2026-1" is not YYYY-MM/);
    expect(() => periodBounds('week', '2026-48', TZ)).toThrow(/^week: "2026-48" is not YYYY-Www/);
    expect(() => periodBounds('week', '2026-W54', TZ)).toThrow(/^week: /);
    // 2026 has 53 ISO weeks, 2025 has 52.
    expect(() => periodBounds('week', '2026-W53', TZ)).not.toThrow();
    expect(() => periodBounds('week', '2025-W53', TZ)).toThrow(/^week: "2025-W53" is not a calendar week/);
    expect(() => periodBounds('month', '2026-11', 'Mars/Olympus')).toThrow(ReportDateError);
  });
});

describe('monthly report (November 2026)', () => {
  test('totals, SLA, times, first-time fix, repeats, complaints, satisfaction, charges', async () => {
    const r = await source.monthly('2026-11');
    expect(r).toMatchObject({ kind: 'month', period: '2026-11', timeZone: TZ, source: 'database', from: '2026-10-31T16:00:00.000Z' });
    // a, b, c, d, g, i.
    expect(r.totals).toEqual({ received: 6, closed: 4, resolved: 4, cancelled: 0, vip: 1 });
    // on_site: a, d, i on time; b met late, c breached. response: a only.
    expect(r.sla).toEqual({
      on_site: { met: 3, breached: 2, complianceRate: 0.6 },
      response: { met: 1, breached: 0, complianceRate: 1 },
    });
    // accept: 10, 30, 20, 20, 5 → 17; arrival: 60, 120, 30, 30 → 60.
    expect(r.times).toEqual({
      acceptMinutes: { count: 5, average: 17 },
      responseMinutes: { count: 1, average: 30 },
      arrivalMinutes: { count: 4, average: 60 },
    });
    // visited a, b, d, i; b's first visit failed, a was repeated (sr-h) → d, i.
    expect(r.firstTimeFix).toEqual({ visited: 4, fixedFirstVisit: 2, repeated: 1, rate: 0.5 });
    expect(r.repeatRepairs).toBe(1);
    expect(r.complaints).toEqual({ total: 1, byClass: { service_attitude: 1 } });
    // 5, 3, 4, 5.
    expect(r.satisfaction).toEqual({ rated: 4, averageScore: 4.25, lowScores: 1, lowScoreShare: 0.25 });
    expect(r.charges).toEqual({ total: 7000, currency: 'CNY' });
  });

  test('by product model, fault cause, region, channel, type; frequent problems', async () => {
    const r = await source.monthly('2026-11');
    expect(r.byProductModel).toEqual([
      { ...line('X1', 4, 3, 3, 5000, 3, 4), category: 'aircon' },
      { ...line('Y2', 2, 1, 1, 2000, 1, 5), category: 'washer' },
    ]);
    expect(r.byFaultCause).toEqual([
      line('(none)', 2, 0, 0, 0, 0, null),
      line('quality', 2, 2, 2, 5000, 2, 4.5),
      line('misuse', 1, 1, 1, 2000, 1, 5),
      line('wear', 1, 1, 1, 0, 1, 3),
    ]);
    expect(r.byRegion).toEqual([line(BJ, 3, 1, 1, 0, 1, 3), line(SZ, 2, 2, 2, 5000, 2, 4.5), line(SH, 1, 1, 1, 2000, 1, 5)]);
    expect(r.byChannel).toEqual([
      line('hotline', 3, 2, 2, 5000, 2, 4.5),
      line('app', 1, 0, 0, 0, 0, null),
      line('online', 1, 1, 1, 0, 1, 3),
      line('store', 1, 1, 1, 2000, 1, 5),
    ]);
    expect(r.byType).toEqual([
      line('repair', 4, 4, 4, 7000, 4, 4.25),
      line('complaint', 1, 0, 0, 0, 0, null),
      line('installation', 1, 0, 0, 0, 0, null),
    ]);
    expect(r.frequentProblems).toEqual([
      { productModel: 'X1', faultCause: 'quality', requests: 2 },
      { productModel: 'X1', faultCause: 'wear', requests: 1 },
      { productModel: 'Y2', faultCause: 'misuse', requests: 1 },
    ]);
  });

  test('the request received at 23:30 on the last day belongs to November, not December', async () => {
    const dec = await source.monthly('2026-12');
    // e (00:00 on 1 December) and h only; d is not counted again.
    expect(dec.totals.received).toBe(2);
    expect(dec.satisfaction).toEqual({ rated: 1, averageScore: 1, lowScores: 1, lowScoreShare: 1 });
    const oct = await source.monthly('2026-10');
    expect(oct.totals.received).toBe(1);
  });

  test('an empty month has zero counts, null rates, no lines', async () => {
    const r = await source.monthly('2025-01');
    expect(r.totals.received).toBe(0);
    expect(r.firstTimeFix.rate).toBeNull();
    expect(r.satisfaction.averageScore).toBeNull();
    expect(r.charges).toEqual({ total: 0, currency: null });
    expect(r.byRegion).toEqual([]);
  });
});

describe('weekly report', () => {
  test('week 48 ends at midnight Sunday→Monday local: g (23:59 Sunday) in, d (Monday 30th) in week 49', async () => {
    const w48 = await source.weekly('2026-W48');
    expect(w48).toMatchObject({ kind: 'week', from: '2026-11-22T16:00:00.000Z', to: '2026-11-29T16:00:00.000Z' });
    expect(w48.totals.received).toBe(2);
    expect(w48.byType.map((l) => l.key)).toEqual(['complaint', 'repair']);
    const w49 = await source.weekly('2026-W49');
    // d, e, h.
    expect(w49.totals).toEqual({ received: 3, closed: 1, resolved: 2, cancelled: 0, vip: 1 });
  });
});

describe('technician appraisal (November 2026)', () => {
  test('per technician, each figure by its definition', async () => {
    const r = await source.appraisal('2026-11');
    expect(r).toMatchObject({ kind: 'month', period: '2026-11', source: 'database' });
    expect(r.technicians).toEqual([
      {
        technicianId: 't1',
        // a (5) and i (5); c not scored; e is December's, f October's.
        satisfaction: { rated: 2, averageScore: 5, lowScores: 0 },
        // a 10, c 20, i 5 → 11.67
        accept: { count: 3, averageMinutes: 11.7 },
        // a and i on time (60, 30 min), c breached.
        arrival: { onTime: 2, late: 1, onTimeRate: 2 / 3, averageMinutes: 45 },
        // a's fix was repeated (sr-h), i's held.
        firstTimeFix: { visited: 2, fixedFirstVisit: 1, rate: 0.5 },
        repeatRepairs: { fixes: 2, repeated: 1, rate: 0.5 },
        complaints: 0,
        records: { known: 2, complete: 2, rate: 1 },
      },
      {
        technicianId: 't2',
        // b (3, low) and d (4): d counts here though scored after midnight.
        satisfaction: { rated: 2, averageScore: 3.5, lowScores: 1 },
        accept: { count: 2, averageMinutes: 25 },
        // b met late (120 min), d on time (30 min).
        arrival: { onTime: 1, late: 1, onTimeRate: 0.5, averageMinutes: 75 },
        firstTimeFix: { visited: 2, fixedFirstVisit: 1, rate: 0.5 },
        repeatRepairs: { fixes: 2, repeated: 0, rate: 0 },
        // g names t2.
        complaints: 1,
        // b's photos failed.
        records: { known: 2, complete: 1, rate: 0.5 },
      },
    ]);
  });

  test('as CSV: one line per technician, with a BOM and CRLF', async () => {
    const csv = appraisalCsv(await source.appraisal('2026-11'));
    const lines = csv.split('\r\n');
    expect(csv.startsWith('\uFEFFmonth,technician,rated,average_score,')).toBe(true);
    expect(lines[1]).toBe('2026-11,t1,2,5,0,3,11.7,2,1,0.6666666666666666,45,2,1,0.5,2,1,0.5,0,2,2,1');
    expect(lines[3]).toBe('');
    expect(lines).toHaveLength(4);
  });
});

test('the monthly report as CSV holds the region names in UTF-8', async () => {
  const csv = reportCsv(await source.monthly('2026-11'));
  expect(csv).toContain(`\r\nbyRegion,${SZ},requests,2\r\n`);
  expect(csv).toContain('\r\nsla,on_site,complianceRate,0.6\r\n');
  expect(csv).toContain('\r\n,,period,2026-11\r\n');
});

describe("dispatch's technician ratings from the database", () => {
  test('share of closed scored requests rated ≥ 4; below the minimum sample, none', async () => {
    // t1: a (5) and i (5) closed; e and f scored 1 but still open. t2: b (3) and d (4), closed.
    const ratings = databaseRatings(db.pool, { minScored: 2, ttlMs: 0 });
    expect(await ratings(['t1', 't2', 't3', "bad'id"])).toEqual({ t1: 1, t2: 0.5, t3: undefined });
    expect(await databaseRatings(db.pool, { minScored: 3, ttlMs: 0 })(['t1'])).toEqual({ t1: undefined });
  });

  test('the Temporal version answers when the database fails', async () => {
    const failing = async (): Promise<Record<string, number | undefined>> => {
      throw new Error('connect ECONNREFUSED');
    };
    const lookup = ratingsWithFallback(failing, async (ids) => Object.fromEntries(ids.map((id) => [id, 0.9])));
    expect(await lookup(['t1'])).toEqual({ t1: 0.9 });
  });
});
