/**
 * (d) End-to-end: requests driven through the whole lifecycle over HTTP with policy/fast.yaml — start,
 * auto-dispatch, accept, appointment, arrival, three photos, completion, photo check, completion SMS with the
 * rating link, the customer's score, closed. Throughput = lifecycles closed per second at a fixed number of
 * lifecycles in flight; where the time goes = CPU per lifecycle of each process, server calls per lifecycle and
 * each step's share of a lifecycle's wall time.
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/temporal/binaries';
import { Api, drive, startBody, type StepTimes } from './lib/api';
import { CpuMeter } from './lib/procstat';
import { diffServerMetrics, scrapeServerMetrics } from './lib/servermetrics';
import { OutboxTail } from './lib/sms';
import { quiesce, startStack } from './lib/stack';
import { log, pool, round, summarize, type Summary } from './lib/util';

export interface E2eResult {
  n: number;
  inFlight: number;
  closed: number;
  failed: number;
  wallSeconds: number;
  lifecyclesPerSecond: number;
  lifecycle: Summary;
  /** Mean ms per lifecycle in each step (API calls and waits for the workflow). */
  steps: Record<string, number>;
  cpuMsPerLifecycle: Record<string, number>;
  cores: Record<string, number>;
  server: ReturnType<typeof diffServerMetrics>;
  firstError?: string;
}

export async function benchE2e(o: {
  n: number;
  inFlight: number;
  nodeArgs?: { worker?: string[]; api?: string[] };
  /** More environment for the worker and API (e.g. DATABASE_URL: bench/projection.ts). */
  env?: Record<string, string>;
  /** Another built checkout whose worker runs (bench/projection.ts's baseline). */
  workerRoot?: string;
}): Promise<E2eResult> {
  const stack = await startStack({
    name: 'bench-d',
    env: o.env,
    // A baseline's worker validates the policy against its own settings: it gets the fast policy of its checkout.
    policyFile: join(o.workerRoot ?? PROJECT_ROOT, 'policy', 'fast.yaml'),
    logLevel: 'info',
    nodeArgs: o.nodeArgs,
    workerRoot: o.workerRoot,
  });
  const outbox = new OutboxTail(stack.outboxFile, 100);
  const api = new Api(stack.base, stack.tokens);
  const run = Date.now().toString(36);
  try {
    await quiesce(stack.pids);
    const before = await scrapeServerMetrics(stack.server!.metricsPort);
    const meter = new CpuMeter(stack.pids);
    meter.start();
    const t0 = Date.now();
    const ids = Array.from({ length: o.n }, (_, i) => `D-${run}-${i}`);
    let firstError: string | undefined;
    const results = await pool(ids, o.inFlight, async (key) => {
      const s0 = performance.now();
      try {
        const started = await api.retrying(() => api.start(startBody(key)));
        if (started.status !== 201) throw new Error(`start ${key}: ${started.status} ${JSON.stringify(started.body)}`);
        const steps: StepTimes = { start: started.ms };
        Object.assign(
          steps,
          await drive(api, outbox, api.tokens.requestId(key), { kind: 'close', score: 5 }, { timeoutMs: 300_000, pollMs: 200 }),
        );
        return { ok: true, ms: performance.now() - s0, steps };
      } catch (err) {
        firstError ??= (err as Error).message;
        return { ok: false, ms: performance.now() - s0, steps: {} as StepTimes };
      }
    });
    const wallSeconds = (Date.now() - t0) / 1000;
    const m = meter.stop();
    const server = diffServerMetrics(before, await scrapeServerMetrics(stack.server!.metricsPort), o.n);
    const ok = results.filter((r) => r.ok);
    const steps: Record<string, number> = {};
    for (const r of ok) for (const [k, v] of Object.entries(r.steps)) steps[k] = (steps[k] ?? 0) + v / ok.length;
    const result: E2eResult = {
      n: o.n,
      inFlight: o.inFlight,
      closed: ok.length,
      failed: o.n - ok.length,
      wallSeconds: round(wallSeconds),
      lifecyclesPerSecond: round(ok.length / wallSeconds, 2),
      lifecycle: summarize(ok.map((r) => r.ms)),
      steps: Object.fromEntries(
        Object.entries(steps)
          .map(([k, v]) => [k, round(v)])
          .sort((a, b) => (b[1] as number) - (a[1] as number)),
      ),
      cpuMsPerLifecycle: Object.fromEntries(Object.entries(m.cpuMs).map(([k, v]) => [k, round(v / Math.max(1, ok.length))])),
      cores: Object.fromEntries(Object.entries(m.cores).map(([k, v]) => [k, round(v, 2)])),
      server,
      firstError,
    };
    log(
      `(d) ${ok.length}/${o.n} closed in ${round(wallSeconds)} s = ${result.lifecyclesPerSecond}/s; lifecycle p50 ${round(result.lifecycle.p50)} ms; CPU ms/lifecycle ${JSON.stringify(result.cpuMsPerLifecycle)}${firstError ? `; first error: ${firstError}` : ''}`,
    );
    return result;
  } finally {
    await outbox.close();
    await stack.stop();
  }
}
