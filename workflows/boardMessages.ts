/**
 * The dispatch board's public surface (workflows/dispatchBoard.ts): its id, start input, the claim update, the
 * release signal and the load query. Shared by the workflow, the client adapter (src/temporal/dispatchBoard.ts)
 * and the tests; workflow-safe (no Node built-ins).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BoardLoad, BoardPick, ClaimArgs, ReleaseArgs, Reservation } from '../src/domain/load';
import { DEFAULT_TASK_QUEUE } from '../src/temporal/ids';

export const DISPATCH_BOARD_WORKFLOW = 'dispatchBoard';
/** One board per namespace: every request's claims go through this one workflow, one at a time. */
export const DISPATCH_BOARD_ID = 'dispatch-board';

/** Requests of lifecycles before this one never claim: the board counts them from visibility (the baseline). */
export const FIRST_BOARD_LIFECYCLE = 3;

/**
 * The board of the workers on `taskQueue`. The board runs on the task queue of whoever starts it, so stacks that
 * share a namespace with their own queues (tests, benchmarks, a second deployment) each get their own; the
 * production queue keeps the plain id.
 */
export function boardWorkflowId(taskQueue: string): string {
  return taskQueue === DEFAULT_TASK_QUEUE ? DISPATCH_BOARD_ID : `${DISPATCH_BOARD_ID}@${taskQueue}`;
}

export interface BoardStart {
  /** Carried over by continue-as-new: requestId → reservation. */
  reservations?: Record<string, Reservation>;
  /** Continue as new beyond this many history events even if the server does not suggest it (default 10,000). */
  maxHistoryEvents?: number;
}

export const claimUpdate = defineUpdate<BoardPick | null, [ClaimArgs]>('claim');
export const releaseSignal = defineSignal<[ReleaseArgs]>('release');
export const loadQuery = defineQuery<BoardLoad>('load');
