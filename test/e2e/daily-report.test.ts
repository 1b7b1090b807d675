/**
 * The daily report against a real dev server: visibility's StartTime range picks the day's requests, closed
 * ones are read from their result, running ones through the state query.
 */
import { join } from 'node:path';
import { loadPolicyFile } from '../../src/policy';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { fetchDailyReport, repeatedAmong } from '../../src/reports/fetch';
import { localDate } from '../../src/reports/daily';
import { ACTION_UPDATES } from '../../workflows/messages';
import { createOpsStack, type OpsStack } from '../support/opsStack';

/**
 * A whole-hour zone where it is about noon as the test starts: "today" there stays the same day for the whole
 * test at any time of day it runs (in Shanghai, a run at 23:59 would start its requests on one day and read
 * the report of the next).
 */
const TZ = (() => {
  const ahead = 12 - new Date().getUTCHours(); // -11 … 12 hours from UTC
  return ahead === 0 ? 'UTC' : `Etc/GMT${ahead > 0 ? '-' : '+'}${Math.abs(ahead)}`; // (Etc/GMT-8 is UTC+8)
})();
let stack: OpsStack;
beforeAll(async () => {
  stack = await createOpsStack();
});
afterAll(async () => {
  await stack?.close();
});

test("today's requests, closed and running, with their SLA and escalations", async () => {
  // On the shipped policy (a 2-hour dispatch deadline): met when accepted, however slow the machine.
  const cancelled = await stack.start(
    { type: 'repair', channel: 'app' },
    { policy: loadPolicyFile(join(PROJECT_ROOT, 'policy', 'default.yaml')) },
  );
  const tech = (await stack.until('assignment', async () => {
    const s = await cancelled.state();
    return s.status === 'assigned' ? s.technicianId : undefined;
  })) as string;
  // Confirmed dispatch: the dispatch deadline is met when the technician accepts.
  await cancelled.executeUpdate(ACTION_UPDATES.accept, { args: [{ technicianId: tech, by: { name: tech, role: 'technician' } }] });
  await cancelled.executeUpdate(ACTION_UPDATES.cancel, { args: [{ reason: 'customer fixed it himself' }] });
  await cancelled.result();

  // A complaint runs its own process (lifecycle 5): registered, waiting for its analysis — no dispatch clock.
  const complaint = await stack.start({ type: 'complaint', channel: 'app', complaint: { classification: 'service_attitude' } });
  await stack.until('complaint registered', async () => ((await complaint.state()).status === 'analysis' ? true : undefined));

  // Nobody services lifts: no candidate (L1), the critical dispatch deadline breaks (L2).
  const stuck = await stack.start({
    urgency: 'critical',
    channel: 'hotline',
    product: { model: 'OTIS', purchaseDate: '2020-01-01', category: 'lift' },
  });
  await stack.until('dispatch breach', async () => (await stuck.state()).escalationLevel >= 2);

  const date = localDate(Date.now(), TZ);
  const only = `TaskQueue = '${stack.taskQueue}'`;
  const report = await stack.until(
    'both in visibility',
    async () => {
      const r = await fetchDailyReport(stack.client, { date, timeZone: TZ, extraQuery: only });
      return r.volume.total === 3 ? r : undefined;
    },
    20_000,
  );

  expect(report.unreadable).toEqual([]);
  expect(report.volume.byType).toMatchObject({ complaint: 1, repair: 2 });
  expect(report.volume.byChannel).toMatchObject({ app: 2, hotline: 1 });
  expect(report.volume.byUrgency).toMatchObject({ normal: 2, critical: 1 });
  expect(report.complaints).toBe(1);
  expect(report.byStatus).toMatchObject({ cancelled: 1, dispatching: 1, analysis: 1 });
  expect(report.resolution).toEqual({ eligible: 2, resolved: 0, cancelled: 1, rate: 0 });
  // The cancelled repair's dispatch was met when its technician accepted; the lift's broke; the complaint has none.
  expect(report.sla.dispatch).toMatchObject({ met: 1, breached: 1, complianceRate: 0.5 });
  expect(report.escalations.escalatedRequests).toBe(1);
  expect(report.escalations.requestsByLevel['0']).toBe(2);
  expect(report.escalations.eventsByLevel['1']).toBeGreaterThanOrEqual(1);

  // Another day has none of them.
  const yesterday = localDate(Date.now() - 86_400_000, TZ);
  expect((await fetchDailyReport(stack.client, { date: yesterday, timeZone: TZ, extraQuery: only })).volume.total).toBe(0);
});

test("a repeat repair names the earlier request in RepeatOf, and the report's look-up finds it by id", async () => {
  const earlierId = `sr-ops-earlier-${Date.now()}`;
  const fixedAt = new Date(Date.now() - 20 * 86_400_000).toISOString();
  const repeat = await stack.start(
    {},
    {
      history: [
        {
          requestId: earlierId,
          ticket: 'OPS-EARLIER',
          startedAt: fixedAt,
          status: 'closed',
          type: 'repair',
          sameProduct: true,
          resolvedAt: fixedAt,
          resolvedBy: 't-earlier',
        },
      ],
    },
  );
  await stack.until('flagged', async () => (await repeat.state()).repeatRepair !== undefined);
  // Visibility catches up with the upsert; another request's id is not reported.
  const found = await stack.until('RepeatOf in visibility', async () => {
    const ids = await repeatedAmong(stack.client, ['sr-ops-not-repeated', earlierId]);
    return ids.size > 0 ? ids : undefined;
  });
  expect([...found]).toEqual([earlierId]);
});
