import type { WorkerOptions } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';

// Worker.create is replaced: these tests check what the worker is created with, not that it runs.
jest.mock('@temporalio/worker', () => ({
  ...jest.requireActual('@temporalio/worker'),
  Worker: { create: jest.fn(async (options: WorkerOptions) => options) },
}));

import { createWorker } from '../../src/worker';
import { loadConfig } from '../../src/config';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Resource } from '@opentelemetry/resources';
import { SHARED_WORKFLOW_MODULES, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../src/temporal/bundle';
import type { Tracing } from '../../src/telemetry/tracing';

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
    // …and the same workflow interceptor modules (tracing), which the prebuilt bundle carries itself.
    expect(options.interceptors?.workflowModules).toEqual(WORKFLOW_INTERCEPTOR_MODULES);
    const prebuilt = (await createWorker({ ...base, bundlePath: __filename })) as unknown as WorkerOptions;
    expect(prebuilt.interceptors?.workflowModules).toBeUndefined();
  });
});

describe('createWorker: tracing', () => {
  it('without tracing adds no activity interceptor, and a sink that drops workflow spans', async () => {
    const options = (await createWorker({ ...base, bundlePath: __filename })) as unknown as WorkerOptions;
    expect(options.interceptors?.activity ?? []).toEqual([]);
    expect(Object.keys(options.sinks ?? {})).toEqual(['exporter']);
  });

  it('with tracing: activity interceptors, and the workflow spans go to its span processor', async () => {
    const exporter = new InMemorySpanExporter();
    const spanProcessor = new SimpleSpanProcessor(exporter);
    const tracing: Tracing = {
      serviceName: 'aftercare-worker',
      resource: new Resource({ 'service.name': 'aftercare-worker' }),
      spanProcessor,
      flush: () => spanProcessor.forceFlush(),
      shutdown: () => spanProcessor.shutdown(),
    };
    const options = (await createWorker({ ...base, bundlePath: __filename, tracing })) as unknown as WorkerOptions;
    expect(options.interceptors?.activity).toHaveLength(1);
    const sink = (options.sinks as { exporter: { export: { fn: (info: unknown, spans: unknown[]) => void } } }).exporter.export;
    const span = {
      name: 'RunWorkflow:serviceRequest',
      kind: 0,
      spanContext: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 },
      startTime: [1, 0],
      endTime: [2, 0],
      status: { code: 0 },
      attributes: {},
      links: [],
      events: [],
      duration: [1, 0],
      ended: true,
      droppedAttributesCount: 0,
      droppedLinksCount: 0,
      droppedEventsCount: 0,
      instrumentationLibrary: { name: '@temporalio/interceptor-workflow' },
    };
    sink.fn({}, [span]);
    await tracing.flush();
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.resource.attributes['service.name']])).toEqual([
      ['RunWorkflow:serviceRequest', 'aftercare-worker'],
    ]);
  });
});
