/**
 * Issue 6, fault 3 (small): the SMS gateway (SMS_PROVIDER=webhook → a local receiver that dedupes by
 * Idempotency-Key with 409) fails the first call of every message — plain 5xx, 503 after accepting it, or a
 * hang past the sender's timeout — then is down for longer than the policy's SMS retry budget (fast: 20 s).
 * The receiver's record is the outbox: every message there exactly once; messages that could not go out
 * page ops (sms_failure escalation); deadlines keep firing. Full size: `npm run chaos -- --only 3`.
 */
import { chaosFlakySms, type ChaosResult } from '../../bench/chaos/scenarios';
import { stopAllStacks } from '../../bench/lib/stack';

// Normally about 70 s. A request stuck for 150 s ends the scenario with a report (well inside the timeout).
let r: ChaosResult;
beforeAll(async () => {
  r = await chaosFlakySms({ address: process.env.TEMPORAL_TEST_ADDRESS, driven: 6, abandoned: 4, driveTimeoutMs: 150_000 });
}, 420_000);
// A scenario that timed out leaves its processes running: stop them.
afterAll(stopAllStacks);

test('flaky gateway (half the calls fail, some time out): requests close, every SMS exactly once', () => {
  const gateway = r.faults.gateway as { failed: number; hung: number; duplicates409: number; accepted: number };
  expect(gateway.failed).toBeGreaterThan(0);
  expect(gateway.duplicates409).toBeGreaterThan(0);
  const driven = r.report!.checks.filter((c) => /-d\d+$/.test(c.id));
  expect(driven.length).toBe(6);
  expect(driven.flatMap((c) => c.problems.map((p) => `${c.id}: ${p}`))).toEqual([]);
  for (const c of driven) expect(['closed', 'no_feedback']).toContain(c.outcome);
});

// Was a known bug (issue 6): an escalation notice that exhausted the SMS retry budget rethrew its ActivityFailure
// in RequestContext.background(), and every later workflow task of the request failed (no query answered, no
// deadline processed). Fixed in workflows/context.ts: a failed page is recorded for ops and the request runs on.
test('gateway down longer than the SMS budget: ops escalation, deadlines still fire, nothing stuck', () => {
  expect(r.failures).toEqual([]);
  expect(r.report?.problems).toEqual([]);
  expect(r.ok).toBe(true);
  // The path of that bug was taken: pages that could not go out, and ops told of failed SMS.
  expect(r.report!.failedNotices).toBeGreaterThan(0);
  expect(r.report!.smsFailureEscalations).toBeGreaterThan(0);
});
