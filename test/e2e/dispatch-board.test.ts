/**
 * Issue 12 on the dev server: the dispatch board through its client adapter (update-with-start, signal-with-start,
 * the busy retries), as the worker's activities use it. Simultaneous claims see each other; a release drops its
 * own claim only; a burst survives continue-as-new; requests of older lifecycles count from visibility
 * (`LifecycleVersion IS NULL OR LifecycleVersion < 3`).
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import { dispatchActivities } from '../../activities/dispatch';
import type { BoardCandidate, BoardPick } from '../../src/domain/load';
import { legacyOpenJobCount } from '../../src/runtime/activityDeps';
import { TemporalDispatchBoard } from '../../src/temporal/dispatchBoard';
import { apiConnectionInterceptors } from '../../src/temporal/retry';
import { SA } from '../../src/temporal/searchAttributes';
import { type BoardStart, DISPATCH_BOARD_WORKFLOW, loadQuery } from '../../workflows/boardMessages';
import { workflowBundle } from '../support/bundle';

const run = `${process.pid}-${randomUUID().slice(0, 6)}`;
const taskQueue = `board-e2e-${run}`;
let connection: Connection;
let client: Client;
let nativeConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
const boards: string[] = [];

beforeAll(async () => {
  const address = process.env.TEMPORAL_TEST_ADDRESS as string;
  // As the worker's client: per-workflow refusals are left to the adapter's own retries.
  connection = await Connection.connect({ address, interceptors: apiConnectionInterceptors() });
  client = new Client({ connection });
  nativeConnection = await NativeConnection.connect({ address });
  worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle: workflowBundle() });
  running = worker.run();
});
afterAll(async () => {
  // Not left running on the shared server.
  await Promise.all(
    boards.map((id) =>
      client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined),
    ),
  );
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
});

let seq = 0;
function newBoard(): { workflowId: string; board: TemporalDispatchBoard } {
  const workflowId = `dispatch-board-e2e-${run}-${++seq}`;
  boards.push(workflowId);
  return { workflowId, board: new TemporalDispatchBoard({ client, taskQueue, workflowId }) };
}

const cand = (technicianId: string): BoardCandidate => ({ technicianId, withinRadius: true, starred: true, distanceKm: 6.5 });
const perTechnician = (picks: (BoardPick | null)[]): Record<string, number> => {
  const per: Record<string, number> = {};
  for (const p of picks) if (p) per[p.technicianId] = (per[p.technicianId] ?? 0) + 1;
  return per;
};

test('20 simultaneous claims over 5 equally placed technicians: exactly 4 each; release drops; a late release drops nothing', async () => {
  const { workflowId, board } = newBoard();
  const five = ['t1', 't2', 't3', 't4', 't5'].map(cand);
  // The first claim starts the board: all of them race to start it and to claim.
  const picks = await Promise.all(
    Array.from({ length: 20 }, (_, i) => board.claim({ requestId: `sr-${i}`, claimId: `sr-${i}/1`, candidates: five })),
  );
  expect(perTechnician(picks)).toEqual({ t1: 4, t2: 4, t3: 4, t4: 4, t5: 4 });
  const load = () => client.workflow.getHandle(workflowId).query(loadQuery);
  expect(await load()).toEqual({ counts: { t1: 4, t2: 4, t3: 4, t4: 4, t5: 4 }, reservations: 20 });

  // An activity retry: the same answer, counted once.
  expect(await board.claim({ requestId: 'sr-3', claimId: 'sr-3/1', candidates: five })).toEqual(picks[3]);
  expect((await load()).reservations).toBe(20);

  // sr-0 is re-dispatched (declined): its new claim replaces the old; the old claim's release comes late.
  const first = picks[0]!.technicianId;
  const others = five.filter((c) => c.technicianId !== first);
  const second = await board.claim({ requestId: 'sr-0', claimId: 'sr-0/2', candidates: others });
  expect(second!.technicianId).not.toBe(first);
  expect(second!.openJobs).toBe(4);
  await board.release({ requestId: 'sr-0', claimId: 'sr-0/1' });
  const afterLate = await load();
  expect(afterLate.reservations).toBe(20);
  expect(afterLate.counts[first]).toBe(3);
  expect(afterLate.counts[second!.technicianId]).toBe(5);

  // The job ends: its release drops it (twice is once).
  await board.release({ requestId: 'sr-0', claimId: 'sr-0/2' });
  await board.release({ requestId: 'sr-0', claimId: 'sr-0/2' });
  const afterRelease = await load();
  expect(afterRelease.reservations).toBe(19);
  expect(afterRelease.counts[second!.technicianId]).toBe(4);
  // So the next claim goes to the technician who lost sr-0 first.
  expect(await board.claim({ requestId: 'sr-20', claimId: 'sr-20/1', candidates: five })).toEqual({ technicianId: first, openJobs: 3 });
}, 90_000);

test('a burst across continue-as-new: every claim answered once, nothing lost between runs', async () => {
  const { workflowId, board } = newBoard();
  // A short history bound, so the burst crosses several runs (the adapter's claims attach to this run).
  const start: BoardStart = { maxHistoryEvents: 40 };
  const first = await client.workflow.start(DISPATCH_BOARD_WORKFLOW, { workflowId, taskQueue, args: [start] });
  const five = ['t1', 't2', 't3', 't4', 't5'].map(cand);
  const picks = await Promise.all(
    Array.from({ length: 40 }, (_, i) => board.claim({ requestId: `sr-${i}`, claimId: 'c1', candidates: five })),
  );
  expect(perTechnician(picks)).toEqual({ t1: 8, t2: 8, t3: 8, t4: 8, t5: 8 });
  expect(await client.workflow.getHandle(workflowId).query(loadQuery)).toEqual({
    counts: { t1: 8, t2: 8, t3: 8, t4: 8, t5: 8 },
    reservations: 40,
  });
  const current = await client.workflow.getHandle(workflowId).describe();
  expect(current.runId).not.toBe(first.firstExecutionRunId);
  expect(current.status.name).toBe('RUNNING');
}, 90_000);

test('older lifecycles count from visibility: LifecycleVersion unset or below 3', async () => {
  const { board } = newBoard();
  const [a, b] = [`lt-${run}-a`, `lt-${run}-b`];
  // Stand-ins for running requests (on a queue nobody polls): a has 2 without a version (before versions),
  // b 1 of lifecycle 2 and 2 of lifecycle 3 (those claim on the board, so visibility must not count them).
  const probes = [
    [a, undefined],
    [a, undefined],
    [b, 2],
    [b, 3],
    [b, 3],
  ] as const;
  const ids: string[] = [];
  try {
    for (const [tech, version] of probes) {
      const id = `legacy-probe-${run}-${ids.length}`;
      ids.push(id);
      await client.workflow.start('legacyProbe', {
        workflowId: id,
        taskQueue: `${taskQueue}-nobody`,
        typedSearchAttributes: [{ key: SA.TechnicianId, value: tech }, ...(version ? [{ key: SA.LifecycleVersion, value: version }] : [])],
      });
    }
    // Visibility lags: wait for the counts to settle before any claim reads them.
    const deadline = Date.now() + 30_000;
    let counts: number[] = [];
    while (Date.now() < deadline) {
      counts = await Promise.all([legacyOpenJobCount(client, a), legacyOpenJobCount(client, b)]);
      if (counts[0] === 2 && counts[1] === 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(counts).toEqual([2, 1]);

    const acts = dispatchActivities({
      board,
      legacyOpenJobs: async (techs: string[]) =>
        Object.fromEntries(await Promise.all(techs.map(async (t) => [t, await legacyOpenJobCount(client, t)]))),
      logger: pino({ level: 'silent' }),
    } as unknown as ActivityDeps);
    const pair = [cand(a), cand(b)];
    const claim = (i: number) => acts.claimTechnician({ requestId: `sr-${i}`, claimId: 'c1', candidates: pair });
    expect(await claim(1)).toEqual({ technicianId: b, openJobs: 1 }); // a 2, b 1
    expect(await claim(2)).toEqual({ technicianId: a, openJobs: 2 }); // a 2, b 2: the id decides
    expect(await claim(3)).toEqual({ technicianId: b, openJobs: 2 }); // a 3, b 2
  } finally {
    await Promise.all(
      ids.map((id) =>
        client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined),
      ),
    );
  }
}, 90_000);
