/**
 * DispatchBoard (activities/deps.ts) on @temporalio/client: a claim is an update-with-start of the board workflow
 * (started by whichever claim comes first), a release a signal-with-start.
 *
 * Many claims at once on the one workflow: Temporal takes at most 10 updates in flight per workflow, and each
 * refusal beyond them (RESOURCE_EXHAUSTED) clears the workflow's server-side context, which aborts every other
 * update in flight and loses the workflow task carrying them; they are retried and refused again. Measured on the
 * dev server: 40 simultaneous claims took 12 s with ~2,000 aborted attempts; with at most 5 in flight from this
 * process, 0.6 s and none. So claims pass a gate here (`maxInFlight`), and what another process's claims still
 * push over the limit is retried with jitter (retry.ts; the connection must leave those to us:
 * `apiConnectionInterceptors`). The same retry carries a claim over the board's continue-as-new: update-with-start
 * answers "workflow is closing" as RESOURCE_EXHAUSTED too, and the next attempt reaches the new run.
 */
import { type Client, WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ClaimRefusedError, type DispatchBoard } from '../../activities/deps';
import type { BoardPick, ClaimArgs, ReleaseArgs } from '../domain/load';
import { type BoardStart, claimUpdate, DISPATCH_BOARD_ID, DISPATCH_BOARD_WORKFLOW, releaseSignal } from '../../workflows/boardMessages';
import type { dispatchBoard } from '../../workflows/dispatchBoard';
import { grpcCode } from './requests';
import { type BusyRetryOptions, RESOURCE_EXHAUSTED, retryWhileBusy } from './retry';

export interface TemporalDispatchBoardOptions {
  client: Client;
  /** The queue the board runs on when a claim or release starts it (the worker's own). */
  taskQueue: string;
  /** Default DISPATCH_BOARD_ID; see boardWorkflowId() for stacks that share a namespace. */
  workflowId?: string;
  /** Deadline of one attempt (ms; default 10,000). */
  timeoutMs?: number;
  /** Claims this process has in flight on the board at once (default 5: half the per-workflow limit of 10). */
  maxInFlight?: number;
  /**
   * Retries of the per-workflow limit's refusal (other processes' claims on the board at the same time): longer
   * than the API's, as the board is busier than any one request (default: 10 s, back-off 25–500 ms); beyond it
   * the activity retries.
   */
  busyRetry?: BusyRetryOptions;
}

export const BOARD_MAX_IN_FLIGHT = 5;
export const BOARD_BUSY_RETRY = { budgetMs: 10_000, firstDelayMs: 25, maxDelayMs: 500 } as const;

const isBusy = (e: unknown): boolean => grpcCode(e) === RESOURCE_EXHAUSTED;

export class TemporalDispatchBoard implements DispatchBoard {
  private readonly workflowId: string;
  private readonly timeoutMs: number;
  private readonly busyRetry: BusyRetryOptions;
  private readonly gate: <T>(fn: () => Promise<T>) => Promise<T>;

  constructor(private readonly opts: TemporalDispatchBoardOptions) {
    this.workflowId = opts.workflowId ?? DISPATCH_BOARD_ID;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.busyRetry = opts.busyRetry ?? BOARD_BUSY_RETRY;
    this.gate = gate(opts.maxInFlight ?? BOARD_MAX_IN_FLIGHT);
  }

  async claim(args: ClaimArgs): Promise<BoardPick | null> {
    try {
      return await this.gate(() =>
        this.attempt(() =>
          this.opts.client.workflow.executeUpdateWithStart(claimUpdate, {
            args: [args],
            // Temporal answers a repeat of the same update id with the first outcome (within a run; the board's
            // own claimId check covers repeats across runs).
            updateId: `claim/${args.requestId}/${args.claimId}`,
            // An operation is used once: each attempt gets its own.
            startWorkflowOperation: new WithStartWorkflowOperation<typeof dispatchBoard>(DISPATCH_BOARD_WORKFLOW, this.startOptions()),
          }),
        ),
      );
    } catch (e) {
      if (e instanceof WorkflowUpdateFailedError) throw new ClaimRefusedError(e.cause?.message ?? e.message);
      throw e;
    }
  }

  async release(args: ReleaseArgs): Promise<void> {
    await this.attempt(() =>
      this.opts.client.workflow.signalWithStart<typeof dispatchBoard, [ReleaseArgs]>(DISPATCH_BOARD_WORKFLOW, {
        ...this.startOptions(),
        signal: releaseSignal,
        signalArgs: [args],
      }),
    );
  }

  private startOptions() {
    const start: BoardStart = {};
    return {
      workflowId: this.workflowId,
      taskQueue: this.opts.taskQueue,
      args: [start] as [BoardStart],
      workflowIdConflictPolicy: 'USE_EXISTING' as const,
      staticSummary: 'Dispatch board: technician reservations (exact load)',
    };
  }

  private attempt<T>(fn: () => Promise<T>): Promise<T> {
    return retryWhileBusy(() => this.opts.client.withDeadline(Date.now() + this.timeoutMs, fn), isBusy, this.busyRetry);
  }
}

/** Runs at most `max` of the functions given to it at once; the others wait their turn, first come first served. */
export function gate(max: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      // The slot passes to the next in line as is (so nobody overtakes it), or is freed.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
