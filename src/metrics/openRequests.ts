/**
 * Open service requests by status and escalation level, on the API's `/metrics`:
 *   aftercare_open_requests{status,escalation_level}            running requests, from Temporal visibility
 *   aftercare_open_requests_refreshed_timestamp_seconds         when those counts were read (staleness; 0 = never)
 *
 * Counted on scrape from visibility, not from workflow code: a gauge kept by workers would only know the requests
 * each worker has run since it started (a restart or a second worker splits it), while visibility holds every
 * request's `ServiceStatus` and `EscalationLevel` (workflows/lifecycle/visibility.ts). Temporal groups counts by
 * `ExecutionStatus` only, so the running requests are listed (1,000 a page) and tallied by those two attributes:
 * one pass gives every combination. The tally is cached for `ttlMs` (30 s): scrapes in between, from any number of
 * Prometheus servers, cost nothing, and one refresh runs at a time. A scrape that finds the tally stale waits for
 * the refresh at most `waitMs`, then answers with the last tally (the timestamp says how old). docs/operations.md.
 */
import type { Client } from '@temporalio/client';
import { Gauge, type Registry } from 'prom-client';
import { SA } from '../temporal/searchAttributes';
import { SERVICE_REQUEST_WORKFLOW } from '../../workflows/messages';

export const OPEN_REQUESTS_METRIC = 'aftercare_open_requests';
export const OPEN_REQUESTS_QUERY = `WorkflowType = '${SERVICE_REQUEST_WORKFLOW}' AND ExecutionStatus = 'Running'`;

export interface OpenRequestCount {
  status: string;
  escalationLevel: number;
  count: number;
}
export type OpenRequestsSource = () => Promise<OpenRequestCount[]>;

/** Lists the running requests and tallies them by status and escalation level. */
export function openRequestsFromVisibility(client: Client): OpenRequestsSource {
  return async () => {
    const tally = new Map<string, OpenRequestCount>();
    for await (const wf of client.workflow.list({ query: OPEN_REQUESTS_QUERY, pageSize: 1000 })) {
      const status = wf.typedSearchAttributes.get(SA.ServiceStatus) ?? 'unknown';
      const escalationLevel = wf.typedSearchAttributes.get(SA.EscalationLevel) ?? 0;
      const key = `${status}\u0000${escalationLevel}`;
      const entry = tally.get(key) ?? { status, escalationLevel, count: 0 };
      entry.count++;
      tally.set(key, entry);
    }
    return [...tally.values()];
  };
}

export interface OpenRequestsOptions {
  ttlMs?: number;
  waitMs?: number;
  now?: () => number;
}

/** `source()` is undefined until the API is connected to Temporal: the gauge is then left empty. */
export function registerOpenRequestsGauge(
  registry: Registry,
  source: () => OpenRequestsSource | undefined,
  o: OpenRequestsOptions = {},
): void {
  const ttlMs = o.ttlMs ?? 30_000;
  const waitMs = o.waitMs ?? 5_000;
  const now = o.now ?? Date.now;
  let last: { at: number; counts: OpenRequestCount[] } | undefined;
  let refreshing: Promise<void> | undefined;

  const refresh = (read: OpenRequestsSource): Promise<void> =>
    (refreshing ??= read()
      .then((counts) => {
        last = { at: now(), counts };
      })
      // Visibility unavailable: keep the last tally; its timestamp shows its age.
      .catch(() => undefined)
      .finally(() => {
        refreshing = undefined;
      }));

  /** Brings the tally up to date when it is older than ttlMs (waiting at most waitMs); both gauges read it. */
  const update = async (): Promise<void> => {
    const read = source();
    if (read && (!last || now() - last.at >= ttlMs)) {
      await Promise.race([refresh(read), new Promise((r) => setTimeout(r, waitMs).unref())]);
    }
  };

  new Gauge({
    name: OPEN_REQUESTS_METRIC,
    help: 'Open (running) service requests by status and escalation level, from Temporal visibility (cached)',
    labelNames: ['status', 'escalation_level'] as const,
    registers: [registry],
    async collect() {
      await update();
      this.reset();
      for (const c of last?.counts ?? []) this.set({ status: c.status, escalation_level: String(c.escalationLevel) }, c.count);
    },
  });
  new Gauge({
    name: `${OPEN_REQUESTS_METRIC}_refreshed_timestamp_seconds`,
    help: 'When aftercare_open_requests was last read from Temporal visibility (Unix time, seconds)',
    registers: [registry],
    async collect() {
      await update();
      this.reset();
      if (last) this.set(last.at / 1000);
    },
  });
}
