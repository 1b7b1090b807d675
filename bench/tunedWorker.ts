/**
 * The product worker (src/worker.ts: same activities, bundle and connections) with tuning from the
 * environment, for benchmark experiments only: BENCH_WFT_POLLERS, BENCH_AT_POLLERS, BENCH_MAX_WFT,
 * BENCH_MAX_AT, BENCH_MAX_CACHED, BENCH_STICKY_RATIO (over the product's AFTERCARE_WORKER_* settings);
 * BENCH_BUNDLE=<file> another workflow bundle than dist/workflow-bundle.js; BENCH_NO_OPEN_JOBS_CACHE=1 counts every
 * technician's open jobs per dispatch as before the cache (the "before" of that fix).
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { loadPolicyFile } from '../src/policy';
import { activityDepsFromConfig, openJobsFromVisibility } from '../src/runtime/activityDeps';
import { connectClient, connectWorker } from '../src/temporal/connection';
import { PREBUILT_BUNDLE } from '../src/worker';

const num = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel).child({ component: 'worker' });
  const policy = loadPolicyFile(config.policyFile);
  const client = await connectClient(config.temporal);
  const connection: NativeConnection = await connectWorker(config.temporal);
  const deps = activityDepsFromConfig(config, client, logger.child({ component: 'activities' }), policy.calendar.timeZone);
  if (process.env.BENCH_NO_OPEN_JOBS_CACHE) deps.openJobs = (ids) => openJobsFromVisibility(client, ids);
  const opts: WorkerOptions = {
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createActivities(deps),
    workflowBundle: { codePath: process.env.BENCH_BUNDLE || PREBUILT_BUNDLE },
    ...config.worker,
    ...(num('BENCH_WFT_POLLERS') ? { workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: num('BENCH_WFT_POLLERS') } } : {}),
    ...(num('BENCH_AT_POLLERS') ? { activityTaskPollerBehavior: { type: 'simple-maximum', maximum: num('BENCH_AT_POLLERS') } } : {}),
    ...(num('BENCH_MAX_WFT') ? { maxConcurrentWorkflowTaskExecutions: num('BENCH_MAX_WFT') } : {}),
    ...(num('BENCH_MAX_AT') ? { maxConcurrentActivityTaskExecutions: num('BENCH_MAX_AT') } : {}),
    ...(num('BENCH_MAX_CACHED') !== undefined ? { maxCachedWorkflows: num('BENCH_MAX_CACHED') } : {}),
    ...(num('BENCH_STICKY_RATIO') !== undefined ? { nonStickyToStickyPollRatio: num('BENCH_STICKY_RATIO') } : {}),
  } as WorkerOptions;
  const worker = await Worker.create(opts);
  await worker.run();
  await connection.close();
  await client.connection.close();
}
main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
