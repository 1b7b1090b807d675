/**
 * (c) Scale of waiting work: open requests with pending timers (default policy: every deadline hours away),
 * started through the API in steps up to 1,000 / 5,000 / 10,000. At each step, once the stack is idle again:
 * RSS of worker, dev server and API, the time the step took, and probes of what grows with N — one start's
 * latency at concurrency 1 and a visibility count (the dispatch activity's load lookup).
 */
import { httpLoad, type LoadResult } from './lib/load';
import { sampleProc } from './lib/procstat';
import { startBody } from './lib/api';
import { quiesce, startStack } from './lib/stack';
import { diffServerMetrics, scrapeServerMetrics } from './lib/servermetrics';
import { log, round, sleep, summarize, type Summary } from './lib/util';

export interface ScaleStep {
  open: number;
  started: number;
  startSeconds: number;
  start: LoadResult;
  settleSeconds: number;
  rss: Record<string, number>;
  /** Start latency at concurrency 1, 20 requests, after the step. */
  probeStart: Summary;
  /** One technician's open-job count (visibility), 10 samples. */
  probeCount: Summary;
  /** Server calls per started request during the step (count and total server latency). */
  server: ReturnType<typeof diffServerMetrics>;
}

export interface ScaleResult {
  steps: ScaleStep[];
  idleRss: Record<string, number>;
}

const MB = 1048576;

export async function benchScale(o: {
  steps: number[];
  concurrency: number;
  nodeArgs?: string[];
  workerEnv?: Record<string, string>;
}): Promise<ScaleResult> {
  const stack = await startStack({ name: 'bench-c', integrationTokens: 128, env: o.workerEnv, nodeArgs: { worker: o.nodeArgs } });
  const run = Date.now().toString(36);
  const rssOf = (): Record<string, number> =>
    Object.fromEntries(Object.entries(stack.pids()).map(([k, pid]) => [k, Math.round((sampleProc(pid)?.rss ?? NaN) / MB)]));
  try {
    await quiesce(stack.pids);
    const idleRss = rssOf();
    log(`(c) idle RSS MB ${JSON.stringify(idleRss)}`);
    const steps: ScaleStep[] = [];
    let open = 0;
    let seq = 0;
    for (const target of o.steps) {
      const n = target - open;
      const before = await scrapeServerMetrics(stack.server!.metricsPort);
      const t0 = Date.now();
      const start = await httpLoad({
        url: stack.base,
        path: '/v1/service-requests',
        concurrency: o.concurrency,
        amount: n,
        okStatus: [201],
        request: () => ({
          headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.integration()}` },
          body: JSON.stringify(startBody(`C-${run}-${seq++}`, { urgency: 'normal' })),
        }),
      });
      const startSeconds = (Date.now() - t0) / 1000;
      const settleMs = await quiesce(stack.pids, { maxMs: 300_000 });
      const server = diffServerMetrics(before, await scrapeServerMetrics(stack.server!.metricsPort), Math.max(1, start.ok), 6);
      open += start.ok;
      const rss = rssOf();
      // Probes: what a single start costs now, and the visibility count the dispatch activity runs per technician.
      const startLat: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        const r = await fetch(`${stack.base}/v1/service-requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.integration()}` },
          body: JSON.stringify(startBody(`C-${run}-probe-${target}-${i}`, { urgency: 'normal' })),
        });
        await r.text();
        if (r.status === 201) startLat.push(performance.now() - t);
      }
      open += startLat.length;
      const countLat: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        await stack.client.workflow.count(`TechnicianId = 't1001' AND ExecutionStatus = 'Running'`);
        countLat.push(performance.now() - t);
      }
      await quiesce(stack.pids, { maxMs: 60_000 });
      const step: ScaleStep = {
        open,
        started: start.ok,
        startSeconds: round(startSeconds),
        start,
        settleSeconds: round(settleMs / 1000),
        rss,
        probeStart: summarize(startLat),
        probeCount: summarize(countLat),
        server,
      };
      steps.push(step);
      log(
        `(c) ${open} open: +${start.ok} in ${round(startSeconds)} s (${round(start.rps)}/s, p50 ${round(start.latency.p50)} ms, errors ${start.errors}), ` +
          `settled ${round(settleMs / 1000)} s; RSS MB ${JSON.stringify(rss)}; probe start p50 ${round(step.probeStart.p50)} ms, count p50 ${round(step.probeCount.p50)} ms`,
      );
    }
    // Debugging knob: keep the stack up a while for inspecting the processes (pmap, /proc).
    if (process.env.BENCH_HOLD_MS) await sleep(Number(process.env.BENCH_HOLD_MS));
    return { steps, idleRss };
  } finally {
    await stack.stop();
  }
}
