/**
 * Which worker process ran what, read from the requests' histories: every started workflow task and activity
 * records the identity of the worker that took it (`<pid>@<host>`, the SDK's default). For the fault test with
 * several workers: each must have carried load, the survivor must have run tasks while another was down, and
 * the tasks a dead worker held show up as timeouts (sticky queue: schedule-to-start; taken: start-to-close).
 */
import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { pool, summarize, until, type Summary } from './util';

/** A span of time (ms since epoch) in which one worker slot was down. */
export interface DownWindow {
  slot: number;
  from: number;
  to: number;
}

export interface TaskPlacement {
  /** Worker identity → workflow tasks started / activities whose last attempt it ran. */
  byIdentity: Record<string, { workflowTasks: number; activities: number }>;
  /** Requests whose tasks ran on more than one worker process. */
  movedRequests: number;
  /** Per down window: tasks (workflow tasks + activity attempts recorded) started in it, by identity. */
  startedWhileDown: Record<string, number>[];
  /** Workflow tasks that timed out waiting on a sticky queue (the worker that cached the request was gone). */
  stickyTimeouts: number;
  /** Workflow tasks started by a worker that died before completing them. */
  startedTaskTimeouts: number;
  /** Workflow tasks that failed, by cause (an update racing a task's completion is the usual one). */
  taskFailures: Record<string, number>;
  /** Highest attempt of any workflow task (2+: it timed out or failed before). */
  maxTaskAttempt: number;
  /** Activities that completed or failed on a later attempt than the first. */
  retriedActivities: number;
  /**
   * How long a request waited for its next step, ms: from a workflow task's scheduling to the completion of the
   * task that ran it (through sticky-queue timeouts and tasks lost with a worker); all, and those scheduled while
   * a worker was down.
   */
  stepWaitMs: { all: Summary; whileDown: Summary };
}

const { TimeoutType, TaskQueueType } = temporal.api.enums.v1;

/** The identity a worker process polls under (the SDK's default for a worker that sets none). */
export const workerIdentity = (pid: number, host: string): string => `${pid}@${host}`;

/** Waits until the worker `identity` polls `taskQueue` for workflow and for activity tasks (it is serving). */
export async function waitPolling(client: Client, taskQueue: string, identity: string, timeoutMs = 60_000): Promise<void> {
  await until(
    `worker ${identity} polling ${taskQueue}`,
    async () => {
      for (const taskQueueType of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
        const r = await client.workflowService.describeTaskQueue({
          namespace: client.options.namespace,
          taskQueue: { name: taskQueue },
          taskQueueType,
        });
        if (!r.pollers?.some((p) => p.identity === identity)) return false;
      }
      return true;
    },
    timeoutMs,
    250,
  );
}

export async function taskPlacement(client: Client, ids: string[], down: DownWindow[]): Promise<TaskPlacement> {
  const out: TaskPlacement = {
    byIdentity: {},
    movedRequests: 0,
    startedWhileDown: down.map(() => ({})),
    stickyTimeouts: 0,
    startedTaskTimeouts: 0,
    taskFailures: {},
    maxTaskAttempt: 0,
    retriedActivities: 0,
    stepWaitMs: { all: summarize([]), whileDown: summarize([]) },
  };
  const all: number[] = [];
  const whileDown: number[] = [];
  const share = (identity: string): { workflowTasks: number; activities: number } =>
    (out.byIdentity[identity] ??= { workflowTasks: 0, activities: 0 });
  const inWindows = (at: number, identity: string): void =>
    down.forEach((w, i) => {
      if (at >= w.from && at <= w.to) {
        const counts = out.startedWhileDown[i] as Record<string, number>;
        counts[identity] = (counts[identity] ?? 0) + 1;
      }
    });
  await pool(ids, 8, async (id) => {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const identities = new Set<string>();
    let waitingSince: number | undefined;
    for (const e of events) {
      const at = optionalTsToMs(e.eventTime) ?? 0;
      if (e.workflowTaskScheduledEventAttributes) waitingSince ??= at;
      if (e.workflowTaskCompletedEventAttributes && waitingSince !== undefined) {
        const since = waitingSince;
        all.push(at - since);
        if (down.some((w) => since >= w.from && since <= w.to)) whileDown.push(at - since);
        waitingSince = undefined;
      }
      const failed = e.workflowTaskFailedEventAttributes;
      if (failed) {
        const cause = temporal.api.enums.v1.WorkflowTaskFailedCause[failed.cause ?? 0] ?? String(failed.cause);
        out.taskFailures[cause] = (out.taskFailures[cause] ?? 0) + 1;
      }
      out.maxTaskAttempt = Math.max(out.maxTaskAttempt, e.workflowTaskScheduledEventAttributes?.attempt ?? 0);
      const wt = e.workflowTaskStartedEventAttributes;
      if (wt?.identity) {
        identities.add(wt.identity);
        share(wt.identity).workflowTasks++;
        inWindows(at, wt.identity);
      }
      const at2 = e.activityTaskStartedEventAttributes;
      if (at2?.identity) {
        identities.add(at2.identity);
        share(at2.identity).activities++;
        inWindows(at, at2.identity);
        if ((at2.attempt ?? 1) > 1) out.retriedActivities++;
      }
      const timedOut = e.workflowTaskTimedOutEventAttributes;
      if (timedOut) {
        if (timedOut.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) out.stickyTimeouts++;
        else out.startedTaskTimeouts++;
      }
    }
    if (identities.size > 1) out.movedRequests++;
  });
  out.stepWaitMs = { all: summarize(all), whileDown: summarize(whileDown) };
  return out;
}
