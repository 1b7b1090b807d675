/**
 * The request's projection into the reporting database (src/reporting/): its row and events, written by the
 * `projectRequest` activity whenever what ops filter on changes (status, technician, escalation, score — each
 * visibility upsert), and once more, with everything, when the request ends.
 *
 * While the request lives the projection runs as a *local* activity: it completes inside the workflow task that
 * asked for it, so it adds no workflow task of its own to the history (only a small marker), and its input is not
 * stored. A database that is down fails it quickly (seconds, two attempts) and the next projection carries
 * everything since. The last projection is a normal activity retried until the database takes it: a request's final
 * figures are never lost to an outage (its workflow stays open meanwhile, the lifecycle is done).
 *
 * Each projection is scheduled in the activation of the change that asked for it, never from another projection's
 * result. Local and normal activities share one sequence of ids, and a replay (a worker taking a request over) does
 * not deliver a local activity's result at the same point among other work as the run did: an activity scheduled
 * "after the previous projection finished" got another id on replay (a nondeterminism the two-worker fault test
 * caught). So projections of one request may overlap; the store keeps the newest row (`seq`) and upserts events.
 * Behind `patched('reporting-projection')`: requests started before it run as they did (`npm run db:rebuild` fills
 * them in from their histories).
 */
import {
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  TemporalFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { ServiceActivities } from '../../activities/contract';
import { regionOf, type ProjectionInput } from '../../src/domain/reporting';
import { SA } from '../../src/temporal/searchAttributes';
import type { ServiceRequestState } from '../messages';
import type { Notifications } from './notifications';
import type { RequestRecord } from './record';

const live = proxyLocalActivities<ServiceActivities>({
  startToCloseTimeout: '3s',
  // Well inside a workflow task's timeout: a projection never makes the task heartbeat.
  retry: { initialInterval: '500ms', maximumAttempts: 2 },
});

const last = proxyActivities<ServiceActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m' },
});

export class Projection {
  private readonly on: boolean;
  private ended = false;
  /** A projection is asked for in this activation and not yet scheduled: later changes ride on it. */
  private queued = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly record: RequestRecord,
    private readonly notify: Notifications,
    private readonly view: () => ServiceRequestState,
  ) {
    this.on = patched('reporting-projection');
  }

  /** Something reports count changed: project after the code that changed it has made its synchronous changes. */
  request(): void {
    if (!this.on || this.ended || this.queued) return;
    this.queued = true;
    const run = CancellationScope.nonCancellable(async () => {
      await Promise.resolve();
      this.queued = false;
      if (this.ended) return; // the final projection carries it
      try {
        await live.projectRequest(this.snapshot());
      } catch (err) {
        // Database down: the next projection (at the latest the final one) carries everything since. A local
        // activity's failure arrives as its cause (ApplicationFailure), not wrapped in an ActivityFailure.
        if (!(err instanceof TemporalFailure) || isCancellation(err)) throw err;
      }
    });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** The request ends: the last projection, with every event, retried until written. */
  async final(): Promise<void> {
    if (!this.on) return;
    this.ended = true;
    await Promise.all([...this.inFlight]);
    await CancellationScope.nonCancellable(() => last.projectRequest(this.snapshot()));
  }

  private snapshot(): ProjectionInput {
    const r = this.record.input.request;
    return {
      seq: workflowInfo().historyLength,
      state: this.view(),
      product: { model: r.product.model, category: r.product.category },
      region: regionOf(r.customer.address),
      customerKey: workflowInfo().typedSearchAttributes.get(SA.CustomerKey),
      sms: this.notify.facts.map((f) => ({ ...f })),
    };
  }
}
