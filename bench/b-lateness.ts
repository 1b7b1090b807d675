/**
 * (b) Timer lateness: N requests whose dispatch deadline comes due in the same second. Each request gets its
 * own copy of the default policy with the dispatch span chosen so that receipt + span = T0 (the workflow
 * keeps the policy it was started with), and a product category no technician has, so nobody is assigned and
 * every dispatch deadline breaks. Measured per request, from the deadline's due time:
 *   timer fired (server) → workflow task started (worker has it) → task completed (escalation recorded)
 *   → breach SMS line in the outbox.
 */
import type { Span } from '../src/domain/policyTypes';
import { loadPolicyFile } from '../src/policy';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { SA } from '../src/temporal/searchAttributes';
import { requestMetadata } from '../src/temporal/metadata';
import { SERVICE_REQUEST_WORKFLOW, stateQuery, type ServiceRequestStart } from '../workflows/messages';
import type { ServiceRequestInput } from '../src/domain/types';
import { OutboxTail } from './lib/sms';
import { CpuMeter } from './lib/procstat';
import { diffServerMetrics, scrapeServerMetrics } from './lib/servermetrics';
import { quiesce, startStack } from './lib/stack';
import { log, pool, round, sleep, summarize, until, type Summary } from './lib/util';

export interface LatenessOptions {
  n: number;
  /** Extra time between the last start and T0, so the starts' own work has drained. */
  leadMs?: number;
  workerEnv?: Record<string, string>;
  nodeArgs?: string[];
}

export interface LatenessResult {
  n: number;
  startSeconds: number;
  dueSpreadMs: number;
  /** ms after each request's due time. */
  timerFired: Summary;
  taskScheduled: Summary;
  taskStarted: Summary;
  escalationRecorded: Summary;
  smsInOutbox: Summary;
  breached: number;
  /** Requests without a breach SMS in the outbox (or without a due timer to measure from, see `armedLate`). */
  missing: number;
  /** Deadlines that were already due when their request's first task armed them (no timer: breached at once). */
  armedLate?: number;
  burst: { wallMs: number; cores: Record<string, number> };
  server: ReturnType<typeof diffServerMetrics>;
}

export function benchInput(i: number): ServiceRequestInput {
  return {
    type: 'repair',
    urgency: 'normal',
    channel: 'hotline',
    customer: { name: '压测用户', phone: '+8613700137123', address: '上海市徐汇区漕溪北路 99 号 1802 室', language: 'zh' },
    // Nobody has this skill: no candidate, the dispatch deadline must break.
    product: { model: `BENCH-${i}`, purchaseDate: '2024-03-18', category: 'bench_unstaffed' },
    problem: { description: '热水器点火后约十分钟自动熄火，显示 E1' },
    vip: false,
  };
}

export async function benchLateness(o: LatenessOptions): Promise<LatenessResult> {
  const stack = await startStack({ name: 'bench-b', api: false, env: o.workerEnv, nodeArgs: { worker: o.nodeArgs } });
  const outbox = new OutboxTail(stack.outboxFile, 100);
  try {
    const base = loadPolicyFile(stack.policyFile);
    const run = Date.now().toString(36);
    // Start budget: measured start rate on this machine is 20–60 starts/s with their first tasks; keep margin.
    const t0 = Date.now() + Math.max(20_000, o.n * 45) + (o.leadMs ?? 15_000);
    const ids = Array.from({ length: o.n }, (_, i) => `sr-bench-b-${run}-${i}`);
    const started = Date.now();
    await pool(ids, 32, async (id, i) => {
      const span: Span = { ms: Math.max(1000, t0 - Date.now()), business: false, text: 'bench' };
      const policy = { ...base, deadlines: { ...base.deadlines, dispatch: { normal: span, urgent: span, critical: span } } };
      const input: ServiceRequestStart = { requestId: id, request: benchInput(i), policy, bodyHash: 'bench', startAttemptId: 'bench' };
      await stack.client.workflow.start(SERVICE_REQUEST_WORKFLOW, {
        workflowId: id,
        taskQueue: stack.taskQueue,
        args: [input],
        ...requestMetadata(input),
        typedSearchAttributes: [
          { key: SA.ServiceStatus, value: 'received' },
          { key: SA.Urgency, value: 'normal' },
          { key: SA.RequestType, value: 'repair' },
          { key: SA.Channel, value: 'hotline' },
          { key: SA.EscalationLevel, value: 0 },
        ],
      });
    });
    const startSeconds = (Date.now() - started) / 1000;
    log(`(b) ${o.n} requests started in ${round(startSeconds)} s; deadlines due in ${round((t0 - Date.now()) / 1000)} s`);
    if (Date.now() > t0 - 3000) throw new Error('starting took longer than the lead time; increase leadMs');
    await quiesce(stack.pids, { maxMs: Math.max(0, t0 - Date.now() - 3000) });
    await sleep(Math.max(0, t0 - Date.now() - 1000));
    const before = await scrapeServerMetrics(stack.server!.metricsPort);
    const meter = new CpuMeter(stack.pids);
    meter.start();
    // Every request's breach SMS in the outbox (or give up after 3 minutes).
    await until(
      'breach SMS for every request',
      async () => {
        await outbox.refresh();
        return ids.every((id) => outbox.forRequest(id).some((l) => l.kind === 'escalation_breach'));
      },
      180_000,
      250,
    ).catch((err: unknown) => log(`(b) ${(err as Error).message}`));
    const m = meter.stop();
    const server = diffServerMetrics(before, await scrapeServerMetrics(stack.server!.metricsPort), o.n);

    // Per request: due time, timer fired, the task that recorded the breach, the SMS line.
    const rows = await pool(ids, 16, async (id) => {
      const h = stack.client.workflow.getHandle(id);
      const st = await h.query(stateQuery);
      const d = st.deadlines.find((x) => x.id === 'dispatch');
      if (!d) return undefined;
      const due = Date.parse(d.dueAt);
      const history = await h.fetchHistory();
      const events = history.events ?? [];
      const fired = events.findIndex((e) => e.timerFiredEventAttributes && (optionalTsToMs(e.eventTime) ?? 0) >= due - 500);
      if (fired < 0) return { due, breached: d.status === 'breached' };
      const after = events.slice(fired);
      const scheduled = after.find((e) => e.workflowTaskScheduledEventAttributes);
      const started = after.find((e) => e.workflowTaskStartedEventAttributes);
      const completed = after.find((e) => e.workflowTaskCompletedEventAttributes);
      const sms = outbox.forRequest(id).find((l) => l.kind === 'escalation_breach');
      return {
        due,
        breached: d.status === 'breached',
        fired: (optionalTsToMs(events[fired]?.eventTime) ?? NaN) - due,
        scheduled: (optionalTsToMs(scheduled?.eventTime) ?? NaN) - due,
        started: (optionalTsToMs(started?.eventTime) ?? NaN) - due,
        completed: (optionalTsToMs(completed?.eventTime) ?? NaN) - due,
        sms: sms ? sms.atMs - due : NaN,
      };
    });
    const ok = rows.filter((r): r is NonNullable<typeof r> => !!r);
    const vals = (k: 'fired' | 'scheduled' | 'started' | 'completed' | 'sms'): number[] =>
      ok.map((r) => (r as unknown as Record<string, number>)[k] as number).filter((x) => Number.isFinite(x));
    const dues = ok.map((r) => r.due);
    const result: LatenessResult = {
      n: o.n,
      startSeconds: round(startSeconds),
      dueSpreadMs: Math.max(...dues) - Math.min(...dues),
      timerFired: summarize(vals('fired')),
      taskScheduled: summarize(vals('scheduled')),
      taskStarted: summarize(vals('started')),
      escalationRecorded: summarize(vals('completed')),
      smsInOutbox: summarize(vals('sms')),
      breached: ok.filter((r) => r.breached).length,
      missing: o.n - vals('sms').length,
      armedLate: ok.filter((r) => r.breached && !Number.isFinite((r as { fired?: number }).fired ?? NaN)).length,
      burst: { wallMs: m.wallMs, cores: Object.fromEntries(Object.entries(m.cores).map(([k, v]) => [k, round(v, 2)])) },
      server,
    };
    log(
      `(b) escalation recorded p50 ${round(result.escalationRecorded.p50)} p99 ${round(result.escalationRecorded.p99)} max ${round(result.escalationRecorded.max)} ms; SMS p99 ${round(result.smsInOutbox.p99)} ms; missing ${result.missing} (armed after due ${result.armedLate})`,
    );
    return result;
  } finally {
    await outbox.close();
    await stack.stop();
  }
}

export interface TimerBaselineResult {
  n: number;
  timerFired: Summary;
  taskStarted: Summary;
  taskCompleted: Summary;
  burst: { wallMs: number; cores: Record<string, number> };
}

/** The same burst with a workflow that only sleeps until T0 (bench/workflows): Temporal's own lateness here. */
export async function benchTimerBaseline(o: { n: number; workerEnv?: Record<string, string> }): Promise<TimerBaselineResult> {
  const { startEmptyWorker } = await import('./a-start');
  const stack = await startStack({ name: 'bench-b0', api: false, worker: false });
  const queue = `bench-timer-${process.pid}`;
  const worker = await startEmptyWorker(stack, queue, o.workerEnv);
  try {
    const run = Date.now().toString(36);
    const t0 = Date.now() + Math.max(15_000, o.n * 20) + 5000;
    const ids = Array.from({ length: o.n }, (_, i) => `bench-timer-${run}-${i}`);
    await pool(ids, 32, (id) => stack.client.workflow.start('benchTimer', { workflowId: id, taskQueue: queue, args: [t0] }));
    await sleep(Math.max(0, t0 - Date.now() - 500));
    const meter = new CpuMeter(() => ({ server: stack.server?.child.pid, worker: worker.pid }));
    meter.start();
    await until(
      'timers done',
      async () => {
        const n = await stack.client.workflow.count(`WorkflowType = 'benchTimer' AND ExecutionStatus = 'Running'`);
        return n.count === 0;
      },
      Math.max(0, t0 - Date.now()) + 120_000,
      500,
    );
    const burst = meter.stop();
    const rows = await pool(ids, 16, async (id) => {
      const events = (await stack.client.workflow.getHandle(id).fetchHistory()).events ?? [];
      const fired = events.findIndex((e) => e.timerFiredEventAttributes);
      const after = events.slice(fired);
      const at = (e: (typeof events)[number] | undefined): number => (optionalTsToMs(e?.eventTime) ?? NaN) - t0;
      return {
        fired: at(events[fired]),
        started: at(after.find((e) => e.workflowTaskStartedEventAttributes)),
        completed: at(after.find((e) => e.workflowTaskCompletedEventAttributes)),
      };
    });
    const r: TimerBaselineResult = {
      n: o.n,
      timerFired: summarize(rows.map((x) => x.fired)),
      taskStarted: summarize(rows.map((x) => x.started)),
      taskCompleted: summarize(rows.map((x) => x.completed)),
      burst: { wallMs: burst.wallMs, cores: Object.fromEntries(Object.entries(burst.cores).map(([k, v]) => [k, round(v, 2)])) },
    };
    log(
      `(b0) bare timer: fired p99 ${round(r.timerFired.p99)}, task completed p50 ${round(r.taskCompleted.p50)} p99 ${round(r.taskCompleted.p99)} max ${round(r.taskCompleted.max)} ms; cores ${JSON.stringify(r.burst.cores)} over ${r.burst.wallMs} ms`,
    );
    return r;
  } finally {
    await worker.kill('SIGTERM');
    await stack.stop();
  }
}
