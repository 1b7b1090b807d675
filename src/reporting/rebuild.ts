/**
 * Rebuilds the reporting tables from Temporal: for every service request, the same projection the live one writes
 * (src/domain/reporting.ts), its facts read from the request's history — the start input (product, region), the
 * search attributes (customer key), every SMS activity and its fate — and its state (the result of a finished one,
 * the state query of one still open). For a new database, or after a bug in the projection. Writing is idempotent,
 * so running it on a live database is safe: a row is only replaced by a projection at least as new (`seq`: the
 * history's length), and the live projection of an open request overtakes it again as the request moves on.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { LoadedDataConverter } from '@temporalio/common';
import { decodeArrayFromPayloads, decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import type { Pool } from 'pg';
import { pageFactKind, regionOf, type ProjectionInput, type SmsFact } from '../domain/reporting';
import { mapLimit, readState } from '../reports/fetch';
import { SA } from '../temporal/searchAttributes';
import { SERVICE_REQUEST_WORKFLOW, type ServiceRequestStart } from '../../workflows/messages';
import { writeProjection } from './store';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The SMS activities and what their input says about the message (workflows/lifecycle/notifications.ts). */
const SMS_ACTIVITIES: Record<string, (a: Record<string, unknown>) => Omit<SmsFact, 'at' | 'ok'>> = {
  sendCustomerSms: (a) => ({ kind: String(a.kind), to: 'customer', seq: Number(a.seq) }),
  sendTechnicianSms: (a) => ({ kind: String(a.kind), to: 'technician', seq: Number(a.seq) }),
  notifyEscalation: (a) => ({ kind: pageFactKind(String(a.kind), String(a.level)), to: 'ops', seq: Number(a.seq) }),
};

export interface RebuildResult {
  rebuilt: number;
  skipped: { requestId: string; reason: string }[];
}

export interface RebuildOptions {
  /** Visibility query narrowing the requests (ANDed with the workflow type). */
  query?: string;
  concurrency?: number;
  /** Per request (state query of an open one needs a worker). */
  readTimeoutMs?: number;
}

export async function rebuild(client: Client, pool: Pool, o: RebuildOptions = {}): Promise<RebuildResult> {
  const query = `WorkflowType = '${SERVICE_REQUEST_WORKFLOW}'${o.query ? ` AND (${o.query})` : ''}`;
  const executions: WorkflowExecutionInfo[] = [];
  for await (const wf of client.workflow.list({ query })) executions.push(wf);
  const result: RebuildResult = { rebuilt: 0, skipped: [] };
  await mapLimit(executions, o.concurrency ?? 8, async (wf) => {
    try {
      const input = await projectionFromHistory(client, wf, o.readTimeoutMs);
      if (!input) return void result.skipped.push({ requestId: wf.workflowId, reason: 'lifecycle 1 (no reporting facts)' });
      await writeProjection(pool, input);
      result.rebuilt += 1;
    } catch (err) {
      result.skipped.push({ requestId: wf.workflowId, reason: (err as Error).message });
    }
  });
  return result;
}

/** One request's projection, as its live projection would have written it last. */
export async function projectionFromHistory(
  client: Client,
  wf: Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'status' | 'typedSearchAttributes'>,
  readTimeoutMs?: number,
): Promise<ProjectionInput | undefined> {
  const converter = client.workflow.options.loadedDataConverter;
  const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
  const events = history.events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  const start = await decodeFromPayloadsAtIndex<ServiceRequestStart>(converter, 0, started?.input?.payloads);
  if (!start?.lifecycleVersion || start.lifecycleVersion < 2) return undefined;
  const state = await readState(client, wf, readTimeoutMs);
  const r = start.request;
  return {
    seq: events.length,
    state,
    product: { model: r.product.model, category: r.product.category },
    region: regionOf(r.customer.address),
    customerKey: wf.typedSearchAttributes.get(SA.CustomerKey),
    sms: await smsFacts(converter, events),
  };
}

/**
 * Every SMS activity that finished, as the workflow saw it: sent (completed) or failed for good (failed, timed out),
 * at the time of the workflow task that took the outcome — the first one started after it, whose clock the workflow
 * read (`nowIso()` in notifications.ts).
 */
export async function smsFacts(converter: LoadedDataConverter, events: HistoryEvent[]): Promise<SmsFact[]> {
  const scheduled = new Map<string, Omit<SmsFact, 'at' | 'ok'>>();
  const facts: SmsFact[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as HistoryEvent;
    const sched = e.activityTaskScheduledEventAttributes;
    if (sched) {
      const fact = SMS_ACTIVITIES[sched.activityType?.name ?? ''];
      if (!fact) continue;
      const [arg] = (await decodeArrayFromPayloads(converter, sched.input?.payloads)) as Record<string, unknown>[];
      scheduled.set(String(e.eventId), fact(arg ?? {}));
      continue;
    }
    const outcome = finished(e);
    if (!outcome) continue;
    const fact = scheduled.get(String(outcome.scheduledEventId));
    if (!fact) continue;
    const takenAt = events.slice(i + 1).find((x) => x.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)?.eventTime;
    if (!takenAt) continue; // not seen by the workflow yet
    facts.push({ ...fact, at: timestampIso(takenAt), ok: outcome.ok });
  }
  return facts;
}

function finished(e: HistoryEvent): { scheduledEventId: unknown; ok: boolean } | undefined {
  if (e.activityTaskCompletedEventAttributes)
    return { scheduledEventId: e.activityTaskCompletedEventAttributes.scheduledEventId, ok: true };
  if (e.activityTaskFailedEventAttributes) return { scheduledEventId: e.activityTaskFailedEventAttributes.scheduledEventId, ok: false };
  if (e.activityTaskTimedOutEventAttributes) return { scheduledEventId: e.activityTaskTimedOutEventAttributes.scheduledEventId, ok: false };
  return undefined;
}

function timestampIso(t: temporal.api.history.v1.IHistoryEvent['eventTime']): string {
  const seconds = Number(t?.seconds ?? 0);
  const nanos = t?.nanos ?? 0;
  return new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString();
}
