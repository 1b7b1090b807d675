/**
 * A port that answers 503 until its target exists: the API listens (liveness, docs, clear 503s with
 * Retry-After) while the Temporal connection is still being established or re-established at start-up.
 */
import type { Action, ActionArgs } from '../domain/lifecycle/actions';
import type { ServiceRequestInput } from '../domain/types';
import type { PhotoUpload, ServiceRequestState } from '../../workflows/messages';
import { type ListFilter, type ListPage, type ServiceRequestsPort, type StartOptions, type StartResult, UnavailableError } from './port';

export class DeferredPort implements ServiceRequestsPort {
  private target: ServiceRequestsPort | undefined;

  set(target: ServiceRequestsPort): void {
    this.target = target;
  }

  get connected(): boolean {
    return this.target !== undefined;
  }

  private t(): ServiceRequestsPort {
    if (!this.target) throw new UnavailableError('still connecting to Temporal; retry shortly', 2);
    return this.target;
  }

  async start(input: ServiceRequestInput, opts: StartOptions): Promise<StartResult> {
    return this.t().start(input, opts);
  }
  async get(requestId: string): Promise<ServiceRequestState> {
    return this.t().get(requestId);
  }
  async list(filter: ListFilter, cursor: string | undefined, pageSize: number): Promise<ListPage> {
    return this.t().list(filter, cursor, pageSize);
  }
  async update<A extends Action>(
    requestId: string,
    action: A,
    args: ActionArgs<A>,
    opts?: { updateId?: string },
  ): Promise<ServiceRequestState> {
    return this.t().update(requestId, action, args, opts);
  }
  async signalPhoto(requestId: string, record: PhotoUpload): Promise<void> {
    return this.t().signalPhoto(requestId, record);
  }
  async ready(): Promise<void> {
    return this.t().ready();
  }
}
