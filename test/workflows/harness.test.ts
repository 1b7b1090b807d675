import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from '../support/servers';
import { workflowBundle } from '../support/bundle';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

test('a 24-hour timer completes in seconds on the time-skipping server', async () => {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'harness',
    workflowBundle: workflowBundle(),
  });
  const started = Date.now();
  const result = await worker.runUntil(
    env.client.workflow.execute('serviceRequest', { args: [{ waitMs: 24 * 3600_000 }], taskQueue: 'harness', workflowId: 'harness-24h' }),
  );
  expect(result).toBe('done');
  expect(Date.now() - started).toBeLessThan(30_000);
});
