/**
 * aftercare_open_requests (src/metrics/openRequests.ts): counts read from visibility on scrape, cached for the TTL,
 * one read at a time, the last counts kept (with their age) when visibility fails, nothing before the API is
 * connected to Temporal.
 */
import { Registry } from 'prom-client';
import { registerOpenRequestsGauge, type OpenRequestCount } from '../../src/metrics/openRequests';

function setup(counts: () => Promise<OpenRequestCount[]>, connected = () => true) {
  const registry = new Registry();
  let now = 1_000_000;
  let reads = 0;
  registerOpenRequestsGauge(
    registry,
    () =>
      connected()
        ? () => {
            reads++;
            return counts();
          }
        : undefined,
    { ttlMs: 30_000, waitMs: 200, now: () => now },
  );
  return {
    scrape: () => registry.metrics(),
    advance: (ms: number) => (now += ms),
    reads: () => reads,
  };
}

const TWO: OpenRequestCount[] = [
  { status: 'dispatching', escalationLevel: 1, count: 3 },
  { status: 'assigned', escalationLevel: 0, count: 5 },
];

test('exposes the counts by status and escalation level, with the time they were read', async () => {
  const m = setup(async () => TWO);
  const text = await m.scrape();
  expect(text).toContain('aftercare_open_requests{status="dispatching",escalation_level="1"} 3');
  expect(text).toContain('aftercare_open_requests{status="assigned",escalation_level="0"} 5');
  expect(text).toContain('aftercare_open_requests_refreshed_timestamp_seconds 1000');
});

test('reads visibility once per TTL, however many scrapes, and once for concurrent scrapes', async () => {
  let current = TWO;
  const m = setup(async () => current);
  await Promise.all([m.scrape(), m.scrape(), m.scrape()]);
  expect(m.reads()).toBe(1);
  current = [{ status: 'closed_pending', escalationLevel: 2, count: 1 }];
  m.advance(29_000);
  expect(await m.scrape()).toContain('status="dispatching"');
  expect(m.reads()).toBe(1);
  m.advance(1_000);
  const text = await m.scrape();
  expect(m.reads()).toBe(2);
  // A combination that is gone disappears rather than keeping its old value.
  expect(text).not.toContain('status="dispatching"');
  expect(text).toContain('aftercare_open_requests{status="closed_pending",escalation_level="2"} 1');
});

test('keeps the last counts and their timestamp when visibility fails or is slow', async () => {
  let fail = false;
  let slow = false;
  const m = setup(() =>
    fail ? Promise.reject(new Error('unavailable')) : slow ? new Promise<OpenRequestCount[]>(() => undefined) : Promise.resolve(TWO),
  );
  await m.scrape();
  fail = true;
  m.advance(60_000);
  const failed = await m.scrape();
  expect(failed).toContain('status="dispatching",escalation_level="1"} 3');
  expect(failed).toContain('aftercare_open_requests_refreshed_timestamp_seconds 1000');
  fail = false;
  slow = true;
  m.advance(60_000);
  const started = Date.now();
  const answered = await m.scrape();
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(answered).toContain('status="assigned",escalation_level="0"} 5');
});

test('exposes no counts before the API is connected to Temporal (timestamp 0: never read)', async () => {
  let connected = false;
  const m = setup(
    async () => TWO,
    () => connected,
  );
  const text = await m.scrape();
  expect(text).not.toMatch(/^aftercare_open_requests\{/m);
  expect(text).toMatch(/^aftercare_open_requests_refreshed_timestamp_seconds 0$/m);
  expect(m.reads()).toBe(0);
  connected = true;
  expect(await m.scrape()).toMatch(/^aftercare_open_requests\{/m);
});
