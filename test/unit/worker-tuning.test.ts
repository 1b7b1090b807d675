import type { WorkerOptions } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';

// Worker.create is replaced: these tests check what the worker is created with, not that it runs.
jest.mock('@temporalio/worker', () => ({
  ...jest.requireActual('@temporalio/worker'),
  Worker: { create: jest.fn(async (options: WorkerOptions) => options) },
}));

import { createWorker } from '../../src/worker';
import { loadConfig } from '../../src/config';
import { SHARED_WORKFLOW_MODULES, WORKFLOWS_PATH } from '../../src/temporal/bundle';

const base = { connection: {} as never, namespace: 'default', taskQueue: 'q', deps: {} as ActivityDeps };

describe('createWorker: tuning', () => {
  it('passes the configured limits to the SDK', async () => {
    const tuning = loadConfig({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '500', AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES: '20' }).worker;
    const options = (await createWorker({ ...base, bundlePath: __filename, tuning })) as unknown as WorkerOptions;
    expect(options).toMatchObject({
      maxCachedWorkflows: 500,
      maxConcurrentActivityTaskExecutions: 20,
      workflowBundle: { codePath: __filename },
    });
    expect(options).not.toHaveProperty('maxConcurrentWorkflowTaskExecutions');
  });

  it('sets no limit of its own without configuration (the SDK defaults apply)', async () => {
    const options = (await createWorker({ ...base, bundlePath: __filename, tuning: loadConfig({}).worker })) as unknown as WorkerOptions;
    for (const k of ['maxCachedWorkflows', 'maxConcurrentWorkflowTaskExecutions', 'maxConcurrentActivityTaskExecutions'])
      expect(options).not.toHaveProperty(k);
  });

  it('bundles from source with the same shared modules as the prebuilt bundle', async () => {
    const options = (await createWorker({ ...base, bundlePath: '/nonexistent/bundle.js' })) as unknown as WorkerOptions;
    expect(options.workflowsPath).toBe(WORKFLOWS_PATH);
    expect(options.bundlerOptions?.preloadModules).toEqual(SHARED_WORKFLOW_MODULES);
  });
});
