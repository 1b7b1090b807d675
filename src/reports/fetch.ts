/**
 * Reads one local day's requests from Temporal for the daily report: visibility lists the executions whose
 * `StartTime` (= the request's receipt) falls in the day, then each request's state is read — from the
 * workflow's result when it has completed (no worker needed), through the `state` query otherwise (a worker
 * answers it, replaying closed histories too). Reads run with bounded concurrency; requests whose state
 * cannot be read are listed in `unreadable`, so an incomplete report says so instead of silently
 * under-counting.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { SERVICE_REQUEST_WORKFLOW, stateQuery, type ServiceRequestState } from '../../workflows/messages';
import { computeDailyReport, dayBounds, ReportDateError, type DailyReport } from './daily';
import { SA } from '../temporal/searchAttributes';

export interface FetchOptions {
  /** Local date YYYY-MM-DD. */
  date: string;
  timeZone: string;
  /** Parallel state reads (default 8). */
  concurrency?: number;
  /** Deadline per state read, ms (default 10 s). */
  readTimeoutMs?: number;
  lowScoreAtMost?: number;
  /** Extra visibility condition ANDed to the day's query (trusted text, e.g. `TaskQueue = 'aftercare'`). */
  extraQuery?: string;
  now?: () => number;
}

export interface DailyReportResult extends DailyReport {
  generatedAt: string;
  /** Where the states were read: the reporting database, or Temporal (visibility and each request's state). */
  source: 'database' | 'temporal';
  /** Requests listed by visibility whose state could not be read (no worker, deleted history …). */
  unreadable: { requestId: string; reason: string }[];
}

/** Visibility query for executions started in [fromMs, toMs). */
export function dayQuery(fromMs: number, toMs: number, extra?: string): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const q = `WorkflowType = '${SERVICE_REQUEST_WORKFLOW}' AND StartTime >= '${iso(fromMs)}' AND StartTime < '${iso(toMs)}'`;
  return extra ? `${q} AND (${extra})` : q;
}

function looksLikeState(s: unknown): s is ServiceRequestState {
  const o = s as Partial<ServiceRequestState> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.requestId === 'string' &&
    typeof o.receivedAt === 'string' &&
    Array.isArray(o.deadlines) &&
    Array.isArray(o.escalations)
  );
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  });
  await Promise.all(lanes);
  return out;
}

export async function listDayExecutions(client: Client, fromMs: number, toMs: number, extra?: string): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const wf of client.workflow.list({ query: dayQuery(fromMs, toMs, extra), pageSize: 500 })) found.push(wf);
  return found;
}

/** The request's state: the completed workflow's result, or the state query. */
/** Ids per visibility query: the query text stays far below the server's limit. */
const REPEAT_CHUNK = 100;

/** Which of `ids` a repeat repair names (search attribute `RepeatOf`, lifecycle 5), whenever it was taken in. */
export async function repeatedAmong(client: Client, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += REPEAT_CHUNK) {
    const list = ids
      .slice(i, i + REPEAT_CHUNK)
      .map((id) => `'${id.replace(/'/g, "''")}'`)
      .join(', ');
    const query = `WorkflowType = '${SERVICE_REQUEST_WORKFLOW}' AND RepeatOf IN (${list})`;
    for await (const wf of client.workflow.list({ query, pageSize: 500 })) {
      const of = wf.typedSearchAttributes.get(SA.RepeatOf);
      if (of) found.add(of);
    }
  }
  return found;
}

export async function readState(
  client: Client,
  wf: Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'status'>,
  timeoutMs = 10_000,
): Promise<ServiceRequestState> {
  const handle = client.workflow.getHandle<(...args: unknown[]) => Promise<ServiceRequestState>>(wf.workflowId, wf.runId);
  return client.withDeadline(Date.now() + timeoutMs, () => (wf.status.name === 'COMPLETED' ? handle.result() : handle.query(stateQuery)));
}

export async function fetchDailyReport(client: Client, opts: FetchOptions): Promise<DailyReportResult> {
  const now = opts.now ?? Date.now;
  const { fromMs, toMs } = dayBounds(opts.date, opts.timeZone);
  const executions = await listDayExecutions(client, fromMs, toMs, opts.extraQuery);
  const unreadable: DailyReportResult['unreadable'] = [];
  const states = await mapLimit(executions, opts.concurrency ?? 8, async (wf) => {
    try {
      const state = await readState(client, wf, opts.readTimeoutMs);
      if (!looksLikeState(state)) throw new Error('not a service-request state');
      return state;
    } catch (err) {
      unreadable.push({ requestId: wf.workflowId, reason: (err as Error).message || String(err) });
      return undefined;
    }
  });
  const read = states.filter((s): s is ServiceRequestState => s !== undefined);
  const repeated = await repeatedAmong(
    client,
    read.map((s) => s.requestId),
  );
  const report = computeDailyReport(read, { date: opts.date, timeZone: opts.timeZone, lowScoreAtMost: opts.lowScoreAtMost, repeated });
  unreadable.sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
  return { ...report, generatedAt: new Date(now()).toISOString(), source: 'temporal', unreadable };
}

/** Temporal could not be asked (unreachable, overloaded, timed out): the caller should retry. */
export class ReportUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportUnavailableError';
  }
}

/** What the HTTP route and the CLI need: the zone days are counted in, and one day's report. */
export interface ReportSource {
  timeZone: string;
  daily(date: string): Promise<DailyReportResult>;
}

export function temporalReportSource(client: Client, opts: Omit<FetchOptions, 'date'>): ReportSource {
  return {
    timeZone: opts.timeZone,
    async daily(date) {
      try {
        return await fetchDailyReport(client, { ...opts, date });
      } catch (err) {
        if (err instanceof ReportDateError) throw err;
        const e = err as { code?: unknown; details?: unknown; message?: string };
        if (
          (typeof e.code === 'number' && typeof e.details === 'string') ||
          /connect|unavailable|deadline|timed? ?out|socket/i.test(e.message ?? '')
        ) {
          throw new ReportUnavailableError(`Temporal did not answer the report's visibility list: ${e.message ?? String(err)}`, {
            cause: err,
          });
        }
        throw err;
      }
    },
  };
}

/**
 * For the API process, which listens before Temporal is connected: reports answer 503 until `client()`
 * returns the connected client.
 */
export function deferredReportSource(client: () => Client | undefined, opts: Omit<FetchOptions, 'date'>): ReportSource {
  let source: ReportSource | undefined;
  let bound: Client | undefined;
  return {
    timeZone: opts.timeZone,
    daily(date) {
      const c = client();
      if (!c) return Promise.reject(new ReportUnavailableError('not connected to Temporal yet; retry shortly'));
      if (c !== bound) {
        bound = c;
        source = temporalReportSource(c, opts);
      }
      return (source as ReportSource).daily(date);
    },
  };
}
