import { sleep } from '@temporalio/workflow';

/**
 * The baseline of benchmark (a): a workflow that does nothing. Registered only by bench/emptyWorker.ts on its
 * own task queue — never by the product's worker (workflows/index.ts).
 */
export async function benchEmpty(): Promise<void> {
  // nothing: the cost measured is Temporal's start, not ours
}

/**
 * The baseline of benchmark (b): sleeps until `dueAtMs`, then completes. The lateness of its timer and task is
 * what Temporal itself adds on this machine, without any of our workflow code.
 */
export async function benchTimer(dueAtMs: number): Promise<number> {
  await sleep(Math.max(1, dueAtMs - Date.now()));
  return Date.now();
}
