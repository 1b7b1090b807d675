/**
 * The end-of-test check of every fault test: each request is in its expected state, every deadline that came
 * due fired (breached with an escalation and a breach notice) and every SMS the workflow's history says was
 * sent is in the outbox exactly once — no more, no less. The SMS keys come from the activity inputs in the
 * history, so "exactly once" is checked per message, not by counting.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { pageSmsKind, smsKey, type SmsKind } from '../../src/adapters/sms';
import type { EscalationNotice } from '../../activities/contract';
import { stateQuery, type ServiceRequestState } from '../../workflows/messages';
import { PREBUILT_BUNDLE } from '../../src/worker';
import type { SmsSource } from './sms';
import { pool, sleep } from './util';

export type ExpectedOutcome = 'closed' | 'cancelled' | 'no_feedback' | 'open' | 'any';

export interface Expectation {
  id: string;
  outcome: ExpectedOutcome;
}

export interface RequestCheck {
  id: string;
  execution: string;
  outcome?: string;
  problems: string[];
  deadlines: { fired: number; met: number; metLate: number; pending: number; cancelled: number };
  /** Each breached deadline: its due time and how late the workflow recorded the breach (ms since epoch, ms). */
  breaches: { dueAt: number; lateMs: number }[];
  sms: {
    sent: number;
    failed: number;
    failedNotices: number;
    pending: number;
    deliveredUnconfirmed: number;
    smsFailureEscalations: number;
  };
}

export interface VerifyReport {
  ok: boolean;
  requests: number;
  lost: number;
  wrongState: number;
  failedWorkflows: number;
  /** Histories that do not replay on the workflow code the worker ran (a nondeterminism bug). */
  nondeterministic: number;
  missedDeadlines: number;
  /** Milestones reached after their due time without a breach (a problem since the patch in Deadlines.met()). */
  metLate: number;
  unrecordedBreaches: number;
  unnotifiedBreaches: number;
  deadlinesFired: number;
  smsSent: number;
  duplicateSms: number;
  missingSms: number;
  extraSms: number;
  pendingSms: number;
  failedSms: number;
  failedNotices: number;
  deliveredUnconfirmed: number;
  smsFailureEscalations: number;
  problems: string[];
  checks: RequestCheck[];
}

const SMS_ACTIVITIES = new Set(['sendCustomerSms', 'sendTechnicianSms', 'notifyEscalation']);

interface SmsActivity {
  type: string;
  key: string;
  noticeKind?: EscalationNotice['kind'];
  status: 'completed' | 'failed' | 'pending' | 'cancelled';
}

/** The SMS activities in a workflow's history, each with the idempotency key it sends under and its outcome. */
export async function smsActivities(client: Client, id: string): Promise<SmsActivity[]> {
  const history = await client.workflow.getHandle(id).fetchHistory();
  const byScheduled = new Map<string, SmsActivity>();
  for (const e of history.events ?? []) {
    const sched = e.activityTaskScheduledEventAttributes;
    if (sched && SMS_ACTIVITIES.has(sched.activityType?.name ?? '')) {
      const type = sched.activityType?.name as string;
      const payload = sched.input?.payloads?.[0] as temporal.api.common.v1.IPayload;
      const a = defaultPayloadConverter.fromPayload<Record<string, unknown>>(payload);
      let key: string;
      let noticeKind: EscalationNotice['kind'] | undefined;
      if (type === 'sendCustomerSms') key = smsKey(a.requestId as string, a.kind as SmsKind, a.seq as number);
      else if (type === 'sendTechnicianSms')
        key = smsKey(a.requestId as string, a.kind as SmsKind, `${a.technicianId as string}:${a.seq as number}`);
      else {
        noticeKind = a.kind as EscalationNotice['kind'];
        key = smsKey(a.requestId as string, pageSmsKind(noticeKind), `L${a.level as number}:${a.seq as number}`);
      }
      byScheduled.set(String(e.eventId), { type, key, noticeKind, status: 'pending' });
      continue;
    }
    const done =
      (e.activityTaskCompletedEventAttributes && {
        id: e.activityTaskCompletedEventAttributes.scheduledEventId,
        status: 'completed' as const,
      }) ||
      (e.activityTaskFailedEventAttributes && { id: e.activityTaskFailedEventAttributes.scheduledEventId, status: 'failed' as const }) ||
      (e.activityTaskTimedOutEventAttributes && {
        id: e.activityTaskTimedOutEventAttributes.scheduledEventId,
        status: 'failed' as const,
      }) ||
      (e.activityTaskCanceledEventAttributes && {
        id: e.activityTaskCanceledEventAttributes.scheduledEventId,
        status: 'cancelled' as const,
      });
    if (done) {
      const a = byScheduled.get(String(done.id));
      if (a) a.status = done.status;
    }
  }
  return [...byScheduled.values()];
}

/**
 * Why the workflow's tasks fail, from its history (a stuck workflow answers no query). `failing`: its latest
 * workflow task failed and none completed since. A failed task earlier in the history is no such sign — an
 * update arriving while a task completes fails that task (unhandled command) and the next one completes.
 */
async function lastTaskFailure(client: Client, id: string): Promise<{ failing: boolean; why: string }> {
  try {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const failed = events.filter((e) => e.workflowTaskFailedEventAttributes);
    const last = failed[failed.length - 1];
    const lastCompleted = events.filter((e) => e.workflowTaskCompletedEventAttributes).pop();
    const failing = !!last && Number(last.eventId) > Number(lastCompleted?.eventId ?? 0);
    const timedOut = events.filter((e) => e.workflowTaskTimedOutEventAttributes).length;
    const message = last?.workflowTaskFailedEventAttributes?.failure?.message;
    return {
      failing,
      why: ` (history: ${events.length} events, ${failed.length} failed and ${timedOut} timed-out workflow tasks${message ? `; last failure: ${message}` : ''}${failing ? '; failing now' : ''})`,
    };
  } catch (err) {
    return { failing: false, why: ` (history unreadable: ${(err as Error).message})` };
  }
}

async function readState(client: Client, id: string): Promise<{ execution: string; state?: ServiceRequestState }> {
  const h = client.workflow.getHandle(id);
  const d = await h.describe();
  const execution = d.status.name;
  if (execution === 'COMPLETED') return { execution, state: (await h.result()) as ServiceRequestState };
  if (execution === 'RUNNING') return { execution, state: await h.query(stateQuery) };
  return { execution };
}

export interface VerifyOptions {
  /** Deadlines due before now − grace must have fired. */
  graceMs?: number;
  /** Wait up to this long for in-flight SMS activities to finish before judging. */
  settleMs?: number;
  concurrency?: number;
}

export async function verifyRequests(
  client: Client,
  sms: SmsSource,
  expected: Expectation[],
  opts: VerifyOptions = {},
): Promise<VerifyReport> {
  const graceMs = opts.graceMs ?? 3000;
  const settleEnd = Date.now() + (opts.settleMs ?? 60_000);
  const checkOnce = async (exp: Expectation): Promise<RequestCheck> => {
    const c: RequestCheck = {
      id: exp.id,
      execution: 'UNKNOWN',
      problems: [],
      deadlines: { fired: 0, met: 0, metLate: 0, pending: 0, cancelled: 0 },
      breaches: [],
      sms: { sent: 0, failed: 0, failedNotices: 0, pending: 0, deliveredUnconfirmed: 0, smsFailureEscalations: 0 },
    };
    let acts: SmsActivity[];
    let st: { execution: string; state?: ServiceRequestState } | undefined;
    // Let in-flight SMS activities finish (retries after a restart) before judging.
    for (;;) {
      try {
        st = await readState(client, exp.id);
        acts = await smsActivities(client, exp.id);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError || /not found/i.test((err as Error).message)) {
          c.problems.push('lost: no workflow with this id');
          c.execution = 'NOT_FOUND';
          return c;
        }
        // A workflow whose tasks keep failing answers no query: that is the finding, no point waiting.
        const { failing, why } = await lastTaskFailure(client, exp.id);
        if (Date.now() > settleEnd || failing) {
          c.problems.push(`stuck/unreadable: ${(err as Error).message}${why}`);
          return c;
        }
        await sleep(500);
        continue;
      }
      if (!acts.some((a) => a.status === 'pending') || Date.now() > settleEnd) break;
      await sleep(500);
    }
    c.execution = st!.execution;
    const state = st!.state;
    if (!state) {
      c.problems.push(`workflow ${c.execution.toLowerCase()}`);
      return c;
    }
    c.outcome = state.outcome;
    if (exp.outcome === 'open' && (c.execution !== 'RUNNING' || state.outcome))
      c.problems.push(`expected open, is ${c.execution}/${state.outcome}`);
    if ((exp.outcome === 'closed' || exp.outcome === 'cancelled' || exp.outcome === 'no_feedback') && state.outcome !== exp.outcome) {
      c.problems.push(`expected ${exp.outcome}, is ${state.outcome ?? state.status}`);
    }

    // Deadlines.
    const now = Date.now();
    const breachEsc = state.escalations.filter((e) => e.reason === 'breach');
    for (const d of state.deadlines) {
      const due = Date.parse(d.dueAt);
      if (d.status === 'pending' || d.status === 'paused') {
        c.deadlines.pending++;
        if (d.status === 'pending' && due < now - graceMs) c.problems.push(`missed deadline: ${d.id} due ${d.dueAt} still pending`);
      } else if (d.status === 'met') {
        c.deadlines.met++;
        // Met after its due time but never breached: the timer lost a race it must not lose (Deadlines.met()).
        if (d.metAt && Date.parse(d.metAt) > due) {
          c.deadlines.metLate++;
          c.problems.push(`met late without a breach: ${d.id} due ${d.dueAt}, met ${d.metAt}`);
        }
      } else if (d.status === 'breached') {
        c.deadlines.fired++;
        if (d.breachedAt) c.breaches.push({ dueAt: due, lateMs: Date.parse(d.breachedAt) - due });
        if (d.milestone !== 'accept' && d.milestone !== 'photos' && !breachEsc.some((e) => e.deadlineId === d.id)) {
          c.problems.push(`breach of ${d.id} not recorded as an escalation`);
        }
      } else c.deadlines.cancelled++;
    }
    const breachNotices = acts.filter((a) => a.noticeKind === 'breach').length;
    if (breachNotices !== breachEsc.length)
      c.problems.push(`unnotified breach: ${breachEsc.length} breach escalations, ${breachNotices} breach notices`);

    // SMS: each completed SMS activity's key exactly once in the record, nothing else.
    await sms.refresh();
    const record = sms.forRequest(exp.id).map((r) => r.idempotencyKey);
    const counts = new Map<string, number>();
    for (const k of record) counts.set(k, (counts.get(k) ?? 0) + 1);
    for (const [k, n] of counts) if (n > 1) c.problems.push(`duplicate SMS: ${k} × ${n}`);
    const byKey = new Map(acts.map((a) => [a.key, a]));
    for (const a of acts) {
      if (a.status === 'completed') {
        c.sms.sent++;
        if (!counts.has(a.key)) c.problems.push(`missing SMS: ${a.key} completed but not in the outbox`);
      } else if (a.status === 'failed') {
        c.sms.failed++;
        if (a.type === 'notifyEscalation') c.sms.failedNotices++;
        if (counts.has(a.key)) c.sms.deliveredUnconfirmed++;
      } else if (a.status === 'pending') {
        c.sms.pending++;
      }
    }
    for (const k of counts.keys()) if (!byKey.has(k)) c.problems.push(`extra SMS: ${k} in the outbox without an activity`);
    const failedCustomerOrTech = acts.filter((a) => a.status === 'failed' && a.type !== 'notifyEscalation').length;
    const smsFailureEsc = state.escalations.filter((e) => e.reason === 'sms_failure').length;
    c.sms.smsFailureEscalations = smsFailureEsc;
    if (failedCustomerOrTech > smsFailureEsc)
      c.problems.push(`${failedCustomerOrTech} SMS failed for good but only ${smsFailureEsc} sms_failure escalations`);
    return c;
  };
  // A running request keeps sending (history and outbox are read a moment apart): a problem counts only if it
  // is still there on a fresh read a little later.
  const checks = await pool(expected, opts.concurrency ?? 12, async (exp): Promise<RequestCheck> => {
    let c = await checkOnce(exp);
    for (
      let again = 0;
      again < 4 && c.problems.length > 0 && c.execution !== 'NOT_FOUND' && !c.problems.some((p) => p.startsWith('stuck'));
      again++
    ) {
      await sleep(1500);
      c = await checkOnce(exp);
    }
    return c;
  });

  // Every history must replay on the code that wrote it, whether or not a restart happened to replay it.
  const replay = await replayProblems(
    client,
    checks.filter((c) => c.execution !== 'NOT_FOUND').map((c) => c.id),
  );
  for (const c of checks) if (replay.has(c.id)) c.problems.push(`nondeterministic on replay: ${replay.get(c.id)}`);

  const count = (re: RegExp): number => checks.reduce((a, c) => a + c.problems.filter((p) => re.test(p)).length, 0);
  const sum = (f: (c: RequestCheck) => number): number => checks.reduce((a, c) => a + f(c), 0);
  const report: VerifyReport = {
    ok: checks.every((c) => c.problems.length === 0),
    requests: checks.length,
    lost: count(/^lost/),
    wrongState: count(/^expected /),
    failedWorkflows: count(/^workflow |^stuck/),
    nondeterministic: count(/^nondeterministic/),
    missedDeadlines: count(/^missed deadline/),
    metLate: sum((c) => c.deadlines.metLate),
    unrecordedBreaches: count(/not recorded as an escalation/),
    unnotifiedBreaches: count(/^unnotified breach/),
    deadlinesFired: sum((c) => c.deadlines.fired),
    smsSent: sum((c) => c.sms.sent),
    duplicateSms: count(/^duplicate SMS/),
    missingSms: count(/^missing SMS/),
    extraSms: count(/^extra SMS/),
    pendingSms: sum((c) => c.sms.pending),
    failedSms: sum((c) => c.sms.failed),
    failedNotices: sum((c) => c.sms.failedNotices),
    deliveredUnconfirmed: sum((c) => c.sms.deliveredUnconfirmed),
    smsFailureEscalations: sum((c) => c.sms.smsFailureEscalations),
    problems: checks.flatMap((c) => c.problems.map((p) => `${c.id}: ${p}`)),
    checks,
  };
  return report;
}

/**
 * A history up to its last completed workflow task: what the workflow decided. A running request's history may go on
 * (an activity's result, a task scheduled or started): replayed, that tail would run as new work, and a replay worker
 * has no activities — a local activity scheduled there (the reporting projection) fails as "not registered".
 */
function decided(history: temporal.api.history.v1.IHistory): temporal.api.history.v1.IHistory {
  const events = history.events ?? [];
  const end = events[events.length - 1];
  // A closed request's history is whole: replayed as it is.
  if (
    end?.workflowExecutionCompletedEventAttributes ||
    end?.workflowExecutionFailedEventAttributes ||
    end?.workflowExecutionTerminatedEventAttributes ||
    end?.workflowExecutionTimedOutEventAttributes ||
    end?.workflowExecutionCanceledEventAttributes ||
    end?.workflowExecutionContinuedAsNewEventAttributes
  )
    return history;
  let last = events.length - 1;
  while (last >= 0 && !events[last]?.workflowTaskCompletedEventAttributes) last--;
  return last >= 0 ? { ...history, events: events.slice(0, last + 1) } : history;
}

/** Replays each request's history on the built workflow bundle (the worker's); id → error for those that fail. */
async function replayProblems(client: Client, ids: string[]): Promise<Map<string, string>> {
  const histories = (async function* () {
    for (const workflowId of ids) yield { workflowId, history: decided(await client.workflow.getHandle(workflowId).fetchHistory()) };
  })();
  const out = new Map<string, string>();
  let replayed = 0;
  for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: PREBUILT_BUNDLE } }, histories)) {
    replayed++;
    if (r.error) out.set(r.workflowId, `${r.error.name}: ${r.error.message}`.slice(0, 400));
  }
  if (replayed !== ids.length) throw new Error(`replayed ${replayed} of ${ids.length} histories`);
  return out;
}

/** One line for logs and BENCHMARKS.md. */
export function describeReport(r: VerifyReport): string {
  return (
    `${r.requests} requests: lost ${r.lost}, wrong state ${r.wrongState}, failed workflows ${r.failedWorkflows}, nondeterministic ${r.nondeterministic}, ` +
    `missed deadlines ${r.missedDeadlines} (fired ${r.deadlinesFired}, met late ${r.metLate}), unrecorded breaches ${r.unrecordedBreaches}, ` +
    `unnotified ${r.unnotifiedBreaches}; SMS sent ${r.smsSent}, duplicate ${r.duplicateSms}, missing ${r.missingSms}, extra ${r.extraSms}, ` +
    `failed for good ${r.failedSms} (notices ${r.failedNotices}; delivered but unconfirmed ${r.deliveredUnconfirmed}; sms_failure escalations ${r.smsFailureEscalations}), pending ${r.pendingSms}`
  );
}
