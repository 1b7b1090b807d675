/**
 * The request's projection into the reporting database (src/reporting/): its row and events, written by the
 * `projectRequest` activity whenever what ops filter on changes (status, technician, escalation, score — each
 * visibility upsert), and once more, with everything, when the request ends.
 *
 * While the request lives the projection runs as a *local* activity: it completes inside the workflow task that
 * asked for it, so it adds no workflow task of its own to the history (only a small marker), and its input is not
 * stored. A database that is down fails it quickly (seconds, two attempts); nothing waits for it and the next
 * projection carries everything since. The last projection is a normal activity retried until the database takes
 * it: a request's final figures are never lost to an outage (its workflow stays open meanwhile, the lifecycle is done).
 * Projections of one request never overlap: a change while one is on its way runs one more after it.
 * Behind `patched('reporting-projection')`: requests started before it run as they did (`npm run db:rebuild` fills
 * them in from their histories).
 */
import { ActivityFailure, CancellationScope, patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
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
  private wanted = false;
  private ended = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly record: RequestRecord,
    private readonly notify: Notifications,
    private readonly view: () => ServiceRequestState,
  ) {
    this.on = patched('reporting-projection');
  }

  /** Something reports count changed: project soon (after the code that changed it has run on). */
  request(): void {
    if (!this.on || this.ended) return;
    this.wanted = true;
    this.running ??= CancellationScope.nonCancellable(() => this.loop());
  }

  /** The request ends: the last projection, with every event, retried until written. */
  async final(): Promise<void> {
    if (!this.on) return;
    this.ended = true;
    await this.running;
    await CancellationScope.nonCancellable(() => last.projectRequest(this.snapshot()));
  }

  private async loop(): Promise<void> {
    // Lets the handler or step that asked finish its synchronous changes first: one projection carries them all.
    await Promise.resolve();
    while (this.wanted && !this.ended) {
      this.wanted = false;
      try {
        await live.projectRequest(this.snapshot());
      } catch (err) {
        // Database down: the next projection (at the latest the final one) carries everything since.
        if (!(err instanceof ActivityFailure)) throw err;
      }
    }
    this.running = undefined;
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
