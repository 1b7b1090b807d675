import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/bundle';
import { SA } from '../../src/temporal/searchAttributes';

let connection: Connection;
let client: Client;
beforeAll(async () => {
  connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
});

test('the shared dev server runs real workflows and knows our search attributes', async () => {
  const nativeConnection = await NativeConnection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
  const worker = await Worker.create({ connection: nativeConnection, taskQueue: 'harness-e2e', workflowBundle: workflowBundle() });
  try {
    const result = await worker.runUntil(
      client.workflow.execute('serviceRequest', {
        args: [{ waitMs: 50 }],
        taskQueue: 'harness-e2e',
        workflowId: `harness-e2e-${Date.now()}`,
        typedSearchAttributes: [{ key: SA.ServiceStatus, value: 'received' }],
      }),
    );
    expect(result).toBe('done');
  } finally {
    await nativeConnection.close();
  }
});
