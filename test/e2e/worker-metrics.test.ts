/**
 * Issue 5, acceptance 4 (worker side): the worker's Prometheus endpoint carries the SDK's runtime metrics and
 * our counters; a deadline that breaks on a real dev server increments aftercare_deadline_breaches.
 */
import { Runtime } from '@temporalio/worker';
import { installWorkerRuntime } from '../../src/metrics/worker';
import { createOpsStack, type OpsStack } from '../support/opsStack';
import { freePort } from '../support/ports';

let stack: OpsStack;
let metricsUrl: string;

beforeAll(async () => {
  // test/support/quietRuntime.ts installed a runtime without metrics for this file; replace it before connecting.
  await Runtime.instance().shutdown();
  const port = await freePort();
  installWorkerRuntime({ metricsPort: port, host: '127.0.0.1' });
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  stack = await createOpsStack();
});
afterAll(async () => {
  await stack?.close();
});

const scrape = async (): Promise<string> => (await fetch(metricsUrl)).text();
/** The value of one series, matching every given label. */
function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

test('a dispatch breach of a critical request is counted, with its warning and the SMS sent', async () => {
  const before = await scrape();
  const breachesBefore = value(before, 'aftercare_deadline_breaches', { milestone: 'dispatch', urgency: 'critical' }) ?? 0;

  // Nobody on the roster services lifts: no candidate, the 3 s critical dispatch deadline (fast policy) breaks.
  const h = await stack.start({ urgency: 'critical', product: { model: 'OTIS-GEN2', purchaseDate: '2020-01-01', category: 'lift' } });
  await stack.until('dispatch breach', async () => (await h.state()).deadlines.find((d) => d.id === 'dispatch' && d.status === 'breached'));

  // Wait until every series counted below has been produced: the breach page is an activity that runs after the
  // breach is counted, and on a busy machine it may not have been sent at the first scrape.
  const text = await stack.until(
    'breach counter and the breach page sent',
    async () => {
      const t = await scrape();
      const counted = (value(t, 'aftercare_deadline_breaches', { milestone: 'dispatch', urgency: 'critical' }) ?? 0) > breachesBefore;
      return counted && value(t, 'aftercare_sms_sent', { kind: 'escalation_breach' }) !== undefined ? t : undefined;
    },
    30_000,
  );
  expect(value(text, 'aftercare_deadline_breaches', { milestone: 'dispatch', urgency: 'critical' })).toBe(breachesBefore + 1);
  expect(value(text, 'aftercare_deadline_warnings', { milestone: 'dispatch', urgency: 'critical' })).toBeGreaterThanOrEqual(1);
  expect(value(text, 'aftercare_sms_sent', { kind: 'received', provider: 'outbox', status: 'sent' })).toBeGreaterThanOrEqual(1);
  expect(value(text, 'aftercare_sms_sent', { kind: 'escalation_breach' })).toBeGreaterThanOrEqual(1);
  // The SDK's own runtime metrics are on the same endpoint.
  expect(text).toMatch(/^temporal_workflow_task_schedule_to_start_latency/m);
  expect(text).toMatch(/^temporal_worker_task_slots_available\{/m);
  expect(text).toMatch(/^temporal_activity_execution_latency/m);
});
