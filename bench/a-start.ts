/**
 * (a) HTTP start overhead: POST /v1/service-requests through Fastify (autocannon, fixed concurrency) versus a
 * bare client.workflow.start of an empty workflow at the same concurrency on the same dev server. A third run,
 * the API's own Temporal call (update-with-start of the real workflow) without HTTP, splits the difference
 * into "what Temporal semantics cost" and "what the HTTP layer costs".
 */
import { join } from 'node:path';
import { Child, quiesce, startStack, type Stack } from './lib/stack';
import { closedLoop, httpLoad, type LoadResult } from './lib/load';
import { CpuMeter } from './lib/procstat';
import { diffServerMetrics, scrapeServerMetrics } from './lib/servermetrics';
import { startBody } from './lib/api';
import { log, round, until } from './lib/util';
import { intake } from '../src/api/intake';
import { TemporalRequests } from '../src/temporal/requests';
import { loadPolicyFile } from '../src/policy';
import type { ServiceRequestBody } from '../src/api/schemas/serviceRequest';

export interface StartBenchOptions {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  /** Directory for --cpu-prof output of API and worker (a separate, profiled run). */
  profileDir?: string;
}

export interface StartBenchResult {
  concurrency: number;
  durationMs: number;
  baseline: LoadResult;
  http: LoadResult;
  updateWithStart: LoadResult;
  baselineAfter: LoadResult;
  ratios: { throughput: number; p50: number; p99: number; uwsThroughput: number; uwsP50: number };
  cpu: Record<string, { cores: Record<string, number>; cpuMsPerOp: Record<string, number> }>;
  /** Per operation: frontend calls and persistence operations per request, with their total latency. */
  server: Record<string, ReturnType<typeof diffServerMetrics>>;
}

const perOp = (cpu: Record<string, number>, ops: number): Record<string, number> =>
  Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v / Math.max(1, ops), 2)]));

export async function startEmptyWorker(stack: Stack, taskQueue: string, env: Record<string, string> = {}): Promise<Child> {
  const child = new Child(
    'empty-worker',
    process.execPath,
    [join(__dirname, 'emptyWorker.js')],
    {
      ...process.env,
      TEMPORAL_ADDRESS: stack.address,
      BENCH_TASK_QUEUE: taskQueue,
      ...env,
    },
    join(stack.dir, 'empty-worker.log'),
  );
  await until(
    'empty worker ready',
    async () => {
      if (!child.alive) throw new Error(`empty worker exited: ${child.output()}`);
      return child.output().includes('ready');
    },
    120_000,
    100,
  );
  return child;
}

export async function benchStart(o: StartBenchOptions): Promise<StartBenchResult> {
  const prof = o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [];
  const stack = await startStack({ name: 'bench-a', logLevel: 'info', nodeArgs: { worker: prof, api: prof } });
  const emptyQueue = `bench-empty-${process.pid}`;
  const empty = await startEmptyWorker(stack, emptyQueue);
  const policy = loadPolicyFile(stack.policyFile);
  const requests = new TemporalRequests({ client: stack.client, taskQueue: stack.taskQueue, policy: () => policy });
  const run = Date.now().toString(36);
  const pids = (): Record<string, number | undefined> => ({ ...stack.pids(), emptyWorker: empty.pid });
  const cpu: StartBenchResult['cpu'] = {};
  const server: StartBenchResult['server'] = {};
  const metricsPort = stack.server?.metricsPort as number;
  const measured = async (name: string, f: () => Promise<LoadResult>): Promise<LoadResult> => {
    await quiesce(pids);
    const meter = new CpuMeter(pids);
    const before = await scrapeServerMetrics(metricsPort);
    meter.start();
    const r = await f();
    const m = meter.stop();
    server[name] = diffServerMetrics(before, await scrapeServerMetrics(metricsPort), Math.max(1, r.ok));
    cpu[name] = { cores: Object.fromEntries(Object.entries(m.cores).map(([k, v]) => [k, round(v, 2)])), cpuMsPerOp: perOp(m.cpuMs, r.ok) };
    log(
      `${name}: ${round(r.rps)} /s, p50 ${round(r.latency.p50)} ms, p99 ${round(r.latency.p99)} ms, errors ${r.errors}${r.firstError ? ` (${r.firstError})` : ''}`,
    );
    return r;
  };

  const bare =
    (tag: string, durationMs = o.durationMs) =>
    () =>
      closedLoop({
        concurrency: o.concurrency,
        durationMs,
        fn: async (seq) => {
          await stack.client.workflow.start('benchEmpty', {
            taskQueue: emptyQueue,
            workflowId: `bench-empty-${run}-${tag}-${seq}`,
            args: [],
          });
        },
      });

  try {
    // Warm both paths (JIT, connections, worker caches) before anything is measured.
    await bare('warm', o.warmupMs)();
    const baseline = await measured('baseline', bare('base'));
    const httpRequest = (prefix: string) => (seq: number) => ({
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.integration()}` },
      body: JSON.stringify(startBody(`${prefix}-${seq}`)),
    });
    await httpLoad({
      url: stack.base,
      path: '/v1/service-requests',
      concurrency: o.concurrency,
      durationMs: o.warmupMs,
      request: httpRequest(`A-${run}-warm`),
    });
    const http = await measured('http', () =>
      httpLoad({
        url: stack.base,
        path: '/v1/service-requests',
        concurrency: o.concurrency,
        durationMs: o.durationMs,
        okStatus: [201],
        request: httpRequest(`A-${run}`),
      }),
    );
    const uws = (prefix: string, durationMs: number) => () =>
      closedLoop({
        concurrency: o.concurrency,
        durationMs,
        fn: async (seq) => {
          const checked = intake(startBody(`${prefix}-${seq}`) as unknown as ServiceRequestBody, { nowMs: Date.now() });
          if (!checked.ok) throw new Error(JSON.stringify(checked.details));
          const r = await requests.start(checked.input, { requestId: checked.requestId, bodyHash: checked.bodyHash, owner: 'bench' });
          if (!r.created) throw new Error('not created');
        },
      });
    await uws(`U-${run}-warm`, o.warmupMs)();
    const updateWithStart = await measured('updateWithStart', uws(`U-${run}`, o.durationMs));
    const baselineAfter = await measured('baselineAfter', bare('after'));
    return {
      concurrency: o.concurrency,
      durationMs: o.durationMs,
      baseline,
      http,
      updateWithStart,
      baselineAfter,
      ratios: {
        throughput: round(http.rps / baseline.rps, 2),
        p50: round(http.latency.p50 / baseline.latency.p50, 2),
        p99: round(http.latency.p99 / baseline.latency.p99, 2),
        uwsThroughput: round(updateWithStart.rps / baseline.rps, 2),
        uwsP50: round(updateWithStart.latency.p50 / baseline.latency.p50, 2),
      },
      cpu,
      server,
    };
  } finally {
    await empty.kill('SIGTERM');
    await stack.stop();
  }
}
