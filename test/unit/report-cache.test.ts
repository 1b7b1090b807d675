/** The daily report's HTTP cost is bounded: one read per day per TTL, concurrent calls share it, failures retry. */
import { cachedReportSource } from '../../src/reports/cache';
import type { DailyReportResult, ReportSource } from '../../src/reports/fetch';

function counting(fail = false): ReportSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    timeZone: 'Asia/Shanghai',
    calls,
    async daily(date) {
      calls.push(date);
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new Error('temporal down');
      return { date } as unknown as DailyReportResult;
    },
  };
}

test('concurrent and repeated calls for a day read it once until the TTL passes', async () => {
  let t = 0;
  const src = counting();
  const cached = cachedReportSource(src, { now: () => t, today: () => '2026-11-25', currentTtlMs: 60_000, pastTtlMs: 600_000 });
  await Promise.all([cached.daily('2026-11-25'), cached.daily('2026-11-25'), cached.daily('2026-11-25')]);
  await cached.daily('2026-11-24');
  t = 59_000;
  await cached.daily('2026-11-25');
  await cached.daily('2026-11-24');
  expect(src.calls).toEqual(['2026-11-25', '2026-11-24']);
  t = 61_000; // today's report is stale, yesterday's is not
  await cached.daily('2026-11-25');
  await cached.daily('2026-11-24');
  expect(src.calls).toEqual(['2026-11-25', '2026-11-24', '2026-11-25']);
});

test('a failed read is not kept', async () => {
  const src = counting(true);
  const cached = cachedReportSource(src, { now: () => 0, today: () => '2026-11-25' });
  await expect(cached.daily('2026-11-25')).rejects.toThrow('temporal down');
  await expect(cached.daily('2026-11-25')).rejects.toThrow('temporal down');
  expect(src.calls).toHaveLength(2);
});

test('at most maxDays days are kept', async () => {
  const src = counting();
  const cached = cachedReportSource(src, { now: () => 0, today: () => '2026-12-31', maxDays: 2 });
  for (const d of ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-01']) await cached.daily(d);
  expect(src.calls).toEqual(['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-01']);
});
