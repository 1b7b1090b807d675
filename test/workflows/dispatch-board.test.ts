/**
 * The dispatch board workflow (issue 12) on the time-skipping server: claims are counted one at a time, a repeat
 * answers the same, a new claim replaces the request's old one, releases drop only their own claim, malformed
 * claims are refused before anything is written, and the book survives continue-as-new. Its histories replay.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { BoardCandidate } from '../../src/domain/load';
import { type BoardStart, claimUpdate, DISPATCH_BOARD_WORKFLOW, loadQuery, releaseSignal } from '../../workflows/boardMessages';
import { workflowBundle } from '../support/bundle';
import { createTimeSkippingEnv } from '../support/servers';

const EventType = temporal.api.enums.v1.EventType;
const taskQueue = `board-${process.pid}`;
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: workflowBundle() });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

let seq = 0;
async function startBoard(start: BoardStart = {}) {
  const workflowId = `board-${process.pid}-${++seq}`;
  const first = await env.client.workflow.start(DISPATCH_BOARD_WORKFLOW, { workflowId, taskQueue, args: [start] });
  // Without a run id: updates, signals and queries reach the current run (after continue-as-new too).
  const h = env.client.workflow.getHandle(workflowId);
  return {
    first,
    h,
    claim: (requestId: string, claimId: string, candidates: BoardCandidate[], force?: string) =>
      h.executeUpdate(claimUpdate, { args: [{ requestId, claimId, candidates, ...(force ? { force } : {}) }] }),
    release: (requestId: string, claimId: string) => h.signal(releaseSignal, { requestId, claimId }),
    load: () => h.query(loadQuery),
  };
}

const cand = (technicianId: string): BoardCandidate => ({ technicianId, withinRadius: true, starred: false, distanceKm: 4 });
const FIVE = ['t1', 't2', 't3', 't4', 't5'].map(cand);

async function replays(workflowId: string, runId?: string): Promise<void> {
  const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history);
}

test('20 claims at once over 5 equal technicians: 4 each; a repeat answers the same and counts once', async () => {
  const b = await startBoard();
  const picks = await Promise.all(Array.from({ length: 20 }, (_, i) => b.claim(`sr-${i}`, 'c1', FIVE)));
  const per: Record<string, number> = {};
  for (const p of picks) per[p!.technicianId] = (per[p!.technicianId] ?? 0) + 1;
  expect(per).toEqual({ t1: 4, t2: 4, t3: 4, t4: 4, t5: 4 });
  // Each saw the ones before it: openJobs runs 0..3 for every technician.
  expect(picks.map((p) => p!.openJobs).sort()).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);

  expect(await b.claim('sr-7', 'c1', FIVE)).toEqual(picks[7]);
  expect(await b.load()).toEqual({ counts: { t1: 4, t2: 4, t3: 4, t4: 4, t5: 4 }, reservations: 20 });
  await replays(b.first.workflowId);
});

test('replace, force, release and a late release', async () => {
  const b = await startBoard();
  expect(await b.claim('sr-a', 'a/1', [cand('t1'), cand('t2')])).toEqual({ technicianId: 't1', openJobs: 0 });
  expect(await b.claim('sr-b', 'b/1', [cand('t1'), cand('t2')])).toEqual({ technicianId: 't2', openJobs: 0 });
  // sr-a declined by t1: its next claim replaces the first (t1 no longer counts it).
  expect(await b.claim('sr-a', 'a/2', [cand('t2'), cand('t3')])).toEqual({ technicianId: 't3', openJobs: 0 });
  expect(await b.claim('sr-c', 'c/1', [cand('t1')], 't2')).toEqual({ technicianId: 't2', openJobs: 1 });
  expect(await b.load()).toEqual({ counts: { t2: 2, t3: 1 }, reservations: 3 });

  await b.release('sr-a', 'a/1'); // late: sr-a holds a/2 now
  await b.release('sr-x', 'x/1'); // never claimed
  expect(await b.load()).toEqual({ counts: { t2: 2, t3: 1 }, reservations: 3 });
  await b.release('sr-a', 'a/2');
  await b.release('sr-a', 'a/2'); // twice: once is dropped
  expect(await b.load()).toEqual({ counts: { t2: 2 }, reservations: 2 });
  await replays(b.first.workflowId);
});

test('a malformed claim is refused before anything is written; a malformed release is ignored', async () => {
  const b = await startBoard();
  await b.claim('sr-1', 'c1', [cand('t1')]);
  const bad = [
    { requestId: 'sr-2', claimId: '', candidates: [cand('t1')] },
    { requestId: 'sr-2', claimId: 'c1', candidates: [{ technicianId: 't1', starred: 'yes' }] },
    { requestId: 'sr-2', claimId: 'c1', candidates: [], baseline: { t1: -1 } },
  ];
  for (const args of bad) {
    const err = await b.h.executeUpdate(claimUpdate, { args: [args as never] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'InvalidClaim' });
  }
  await b.h.signal(releaseSignal, { requestId: 'sr-1' } as never);
  await b.h.signal(releaseSignal, null as never);
  expect(await b.load()).toEqual({ counts: { t1: 1 }, reservations: 1 });
  expect(await b.claim('sr-2', 'c1', [cand('t1'), cand('t2')])).toEqual({ technicianId: 't2', openJobs: 0 });

  const events = (await b.h.fetchHistory()).events ?? [];
  const accepted = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
  expect(accepted).toHaveLength(2); // the two good claims only
  await replays(b.first.workflowId);
});

test('continue-as-new carries the book: the counts, and repeats and late releases across runs', async () => {
  const b = await startBoard({ maxHistoryEvents: 25 });
  const picks = [];
  for (let i = 0; i < 12; i++) picks.push(await b.claim(`sr-${i}`, 'c1', FIVE));
  await b.claim('sr-0', 'c2', [cand('t5')]); // replaces sr-0's t1
  const runs = [];
  for (let runId: string | undefined = b.first.firstExecutionRunId; runId;) {
    const d = await env.client.workflow.getHandle(b.first.workflowId, runId).describe();
    runs.push(d);
    if (d.status.name !== 'CONTINUED_AS_NEW') break;
    const history: temporal.api.history.v1.IHistory = await env.client.workflow.getHandle(b.first.workflowId, runId).fetchHistory();
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  expect(runs.length).toBeGreaterThan(1);
  expect(runs.at(-1)!.status.name).toBe('RUNNING');

  expect(await b.load()).toEqual({ counts: { t1: 2, t2: 3, t3: 2, t4: 2, t5: 3 }, reservations: 12 });
  // Claims from the first run, repeated on the last: the same answers, nothing counted twice.
  expect(await b.claim('sr-3', 'c1', FIVE)).toEqual(picks[3]);
  expect(await b.claim('sr-0', 'c2', [cand('t5')])).toEqual({ technicianId: 't5', openJobs: 2 });
  await b.release('sr-0', 'c1'); // late: replaced by c2
  expect(await b.load()).toEqual({ counts: { t1: 2, t2: 3, t3: 2, t4: 2, t5: 3 }, reservations: 12 });
  await b.release('sr-1', 'c1');
  expect(await b.load()).toEqual({ counts: { t1: 2, t2: 2, t3: 2, t4: 2, t5: 3 }, reservations: 11 });
  for (const r of runs) await replays(b.first.workflowId, r.runId);
});
