/**
 * Worker process for the empty baseline workflow (bench/workflows): TEMPORAL_ADDRESS, BENCH_TASK_QUEUE.
 * Bundled at start (the bench build does not prebuild it); prints "ready" once polling.
 */
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const taskQueue = process.env.BENCH_TASK_QUEUE ?? 'bench-empty';
  const bundle = await bundleWorkflowCode({ workflowsPath: join(__dirname, 'workflows', 'index.js'), logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const num = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);
  const pollers = num('BENCH_WFT_POLLERS');
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: bundle,
    ...(pollers ? { workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: pollers } } : {}),
    ...(num('BENCH_MAX_WFT') ? { maxConcurrentWorkflowTaskExecutions: num('BENCH_MAX_WFT') } : {}),
  } as Parameters<typeof Worker.create>[0]);
  console.log('ready');
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
