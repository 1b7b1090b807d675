/**
 * Issue 6, fault 2 (small): the dev server (persistent SQLite file, its own instance — not the suite's shared
 * one) SIGKILLed mid-run and restarted on the same file. The worker and API reconnect by themselves; every
 * request ends as planned, every deadline fired, every SMS exactly once. Full size: `npm run chaos -- --only 2`.
 */
import { chaosServerKill } from '../../bench/chaos/scenarios';
import { stopAllStacks } from '../../bench/lib/stack';

// A scenario that timed out leaves its processes running: stop them.
afterAll(stopAllStacks);

// Normally about 45 s. A request stuck for 150 s ends the scenario with a report (well inside the timeout).
test('fault 2: SIGKILLed dev server — nothing lost, every deadline fired, every SMS exactly once', async () => {
  const r = await chaosServerKill({ n: 20, kills: 1, driveTimeoutMs: 150_000 });
  expect(r.failures).toEqual([]);
  expect(r.report?.problems).toEqual([]);
  expect(r.report).toMatchObject({
    lost: 0,
    nondeterministic: 0,
    wrongState: 0,
    missedDeadlines: 0,
    metLate: 0,
    duplicateSms: 0,
    missingSms: 0,
    extraSms: 0,
  });
  expect((r.faults.outages as unknown[]).length).toBe(1);
}, 360_000);
