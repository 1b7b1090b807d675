/**
 * Rules of `Deadlines` the request scenarios cannot reach on purpose, run in the real workflow runtime.
 * A timer counts from when the server records it (the end of the task that armed it), while the due time
 * counts from the request: on a busy server a milestone can arrive after its due time and before its timer.
 * That is a breach (docs/lifecycle.md, Deadlines), recorded under the patch `LATE_MET_IS_BREACH` so older histories still replay.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { LATE_MET_IS_BREACH } from '../../workflows/deadlines';
import { createTimeSkippingEnv } from '../support/servers';
import type { deadlineProbe } from './support/deadlineProbe';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
const taskQueue = `deadline-rules-${process.pid}`;

beforeAll(async () => {
  [env, bundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundleWorkflowCode({ workflowsPath: require.resolve('./support/deadlineProbe'), logger: new DefaultLogger('WARN') }),
  ]);
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

async function probe(metAfterDueMs: number) {
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle });
  return worker.runUntil(async () => {
    const h = await env.client.workflow.start<typeof deadlineProbe>('deadlineProbe', {
      taskQueue,
      workflowId: `probe-${randomUUID()}`,
      args: [metAfterDueMs],
    });
    const result = await h.result();
    const history = await h.fetchHistory();
    // The patched path replays deterministically (a marker without its patched() call, or vice versa, would not).
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, h.workflowId);
    // A patch marker's details carry its id (JSON in a payload).
    const patches = (history.events ?? []).flatMap((e) => {
      const m = e.markerRecordedEventAttributes;
      return m?.markerName === 'core_patch'
        ? Object.values(m.details ?? {}).flatMap((p) => (p.payloads ?? []).map((x) => Buffer.from(x.data ?? []).toString()))
        : [];
    });
    return { ...result, patched: patches.some((p) => p.includes(LATE_MET_IS_BREACH)) };
  });
}

test('met 1.5 s after its due time, before its timer was handled: breached once, with the lateness', async () => {
  const r = await probe(1500);
  expect(r.deadline).toMatchObject({ status: 'breached', lateByMs: 1500 });
  expect(Date.parse(r.deadline.metAt as string) - Date.parse(r.deadline.dueAt)).toBe(1500);
  expect(r.deadline.breachedAt).toBe(r.deadline.metAt);
  expect(r.breaches).toEqual(['response']); // the cancelled timer did not breach it a second time
  expect(r.patched).toBe(true);
});

test.each([0, -60_000])('met %i ms from its due time: met, no breach, no patch marker', async (offset) => {
  const r = await probe(offset);
  expect(r.deadline.status).toBe('met');
  expect(r.deadline.lateByMs).toBeUndefined();
  expect(r.breaches).toEqual([]);
  expect(r.patched).toBe(false);
});
