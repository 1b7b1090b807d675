/**
 * TemporalDispatchBoard without a server (stub client): what it sends, the gate that keeps this process's claims
 * under the board's per-workflow limit, the retries of that limit's refusals and the refusal of a malformed claim.
 * The real round trips: test/e2e/dispatch-board.test.ts.
 */
import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ClaimRefusedError } from '../../activities/deps';
import type { ClaimArgs } from '../../src/domain/load';
import { gate, TemporalDispatchBoard } from '../../src/temporal/dispatchBoard';
import { boardWorkflowId, DISPATCH_BOARD_ID } from '../../workflows/boardMessages';

const args: ClaimArgs = { requestId: 'sr-1', claimId: 'sr-1/1', candidates: [{ technicianId: 't1', withinRadius: true, starred: false }] };
const exhausted = () =>
  new ServiceError('Workflow Update failed', {
    cause: Object.assign(new Error('8 RESOURCE_EXHAUSTED: limit on number of concurrent in-flight updates has been reached (10)'), {
      code: 8,
      details: 'limit on number of concurrent in-flight updates has been reached (10)',
      metadata: {},
    }),
  });

function stubClient(workflow: Record<string, jest.Mock>) {
  return { withDeadline: (_d: number, fn: () => Promise<unknown>) => fn(), workflow } as never;
}
const noWait = { budgetMs: 1000, sleep: async () => undefined };

test('a claim is an update-with-start of the board; a release a signal-with-start; both start it on our queue if need be', async () => {
  const executeUpdateWithStart = jest.fn().mockResolvedValue({ technicianId: 't1', openJobs: 0 });
  const signalWithStart = jest.fn().mockResolvedValue({});
  const board = new TemporalDispatchBoard({ client: stubClient({ executeUpdateWithStart, signalWithStart }), taskQueue: 'aftercare' });
  expect(await board.claim(args)).toEqual({ technicianId: 't1', openJobs: 0 });
  const [def, opts] = executeUpdateWithStart.mock.calls[0];
  expect(def.name).toBe('claim');
  expect(opts.args).toEqual([args]);
  expect(opts.updateId).toBe('claim/sr-1/sr-1/1');
  expect(opts.startWorkflowOperation.workflowTypeOrFunc).toBe('dispatchBoard');
  expect(opts.startWorkflowOperation.options).toMatchObject({
    workflowId: DISPATCH_BOARD_ID,
    taskQueue: 'aftercare',
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [{}],
  });

  await board.release({ requestId: 'sr-1', claimId: 'sr-1/1' });
  const [type, sig] = signalWithStart.mock.calls[0];
  expect(type).toBe('dispatchBoard');
  expect(sig).toMatchObject({
    workflowId: DISPATCH_BOARD_ID,
    taskQueue: 'aftercare',
    signalArgs: [{ requestId: 'sr-1', claimId: 'sr-1/1' }],
  });
  expect(sig.signal.name).toBe('release');
});

test('the board id: plain on the production queue, one per queue otherwise (stacks sharing a namespace)', () => {
  expect(boardWorkflowId('aftercare')).toBe('dispatch-board');
  expect(boardWorkflowId('busy-123')).toBe('dispatch-board@busy-123');
});

test("the limit's refusals are retried with a fresh start operation each time; other errors are not", async () => {
  const executeUpdateWithStart = jest
    .fn()
    .mockRejectedValueOnce(exhausted())
    .mockRejectedValueOnce(exhausted())
    .mockResolvedValue({ technicianId: 't1', openJobs: 2 });
  const board = new TemporalDispatchBoard({ client: stubClient({ executeUpdateWithStart }), taskQueue: 'q', busyRetry: noWait });
  expect(await board.claim(args)).toEqual({ technicianId: 't1', openJobs: 2 });
  expect(executeUpdateWithStart).toHaveBeenCalledTimes(3);
  const ops = executeUpdateWithStart.mock.calls.map((c) => c[1].startWorkflowOperation);
  expect(new Set(ops).size).toBe(3);

  const down = new ServiceError('unavailable', {
    cause: Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: 'x', metadata: {} }),
  });
  const failing = jest.fn().mockRejectedValue(down);
  const other = new TemporalDispatchBoard({ client: stubClient({ executeUpdateWithStart: failing }), taskQueue: 'q', busyRetry: noWait });
  await expect(other.claim(args)).rejects.toBe(down);
  expect(failing).toHaveBeenCalledTimes(1);
});

test('a claim the board refuses (validator) is a ClaimRefusedError with its reason', async () => {
  const executeUpdateWithStart = jest
    .fn()
    .mockRejectedValue(
      new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.nonRetryable('claimId must be …', 'InvalidClaim')),
    );
  const board = new TemporalDispatchBoard({ client: stubClient({ executeUpdateWithStart }), taskQueue: 'q' });
  await expect(board.claim(args)).rejects.toEqual(new ClaimRefusedError('claimId must be …'));
});

test('at most maxInFlight claims of this process on the board at once, all answered, in order of arrival', async () => {
  let inFlight = 0;
  let most = 0;
  const started: string[] = [];
  const executeUpdateWithStart = jest.fn(async (_def, o: { args: [ClaimArgs] }) => {
    started.push(o.args[0].requestId);
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    return { technicianId: 't1', openJobs: 0 };
  });
  const board = new TemporalDispatchBoard({ client: stubClient({ executeUpdateWithStart }), taskQueue: 'q', maxInFlight: 3 });
  const ids = Array.from({ length: 20 }, (_, i) => `sr-${i}`);
  const answers = await Promise.all(ids.map((requestId) => board.claim({ ...args, requestId })));
  expect(answers).toHaveLength(20);
  expect(most).toBe(3);
  expect(started).toEqual(ids);
});

test('gate: a failing function frees its slot', async () => {
  const run = gate(1);
  await expect(run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  await expect(run(async () => 'next')).resolves.toBe('next');
});
