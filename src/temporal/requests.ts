/**
 * ServiceRequestsPort on @temporalio/client: update-with-start for idempotent intake, updates for transitions,
 * the state query, a signal for photos and the visibility API for lists. Every call runs under a deadline and
 * every SDK error is translated into the port's errors (port.ts), so routes never see Temporal types. Calls on
 * one request that Temporal refuses for its per-workflow limits are retried briefly (retry.ts), then BusyError.
 */
import { createHash, randomUUID } from 'node:crypto';
import { requestMetadata } from './metadata';
import {
  type Client,
  ServiceError,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { ResolvedPolicy } from '../domain/policyTypes';
import type { Action, ActionArgs } from '../domain/lifecycle/actions';
import { REQUEST_TYPES, STATUSES, URGENCIES, type ServiceRequestInput } from '../domain/types';
import { INTEGRATION_NAME_PATTERN, ticketNumber } from './ids';
import { SA } from './searchAttributes';
import { type BusyRetryOptions, RESOURCE_EXHAUSTED, retryWhileBusy } from './retry';
import {
  ACTION_UPDATES,
  CURRENT_LIFECYCLE,
  intakeUpdate,
  photoUploadedSignal,
  SERVICE_REQUEST_WORKFLOW,
  stateQuery,
  type PhotoUpload,
  type ServiceRequestStart,
  type ServiceRequestState,
} from '../../workflows/messages';
import {
  BusyError,
  InvalidCursorError,
  KeyConflictError,
  type ListFilter,
  type ListPage,
  NotFoundError,
  RejectedTransitionError,
  type RequestSummary,
  type ServiceRequestsPort,
  type StartOptions,
  type StartResult,
  UnavailableError,
} from '../api/port';

export interface TemporalRequestsOptions {
  client: Client;
  taskQueue: string;
  /** The policy new requests start with (read per start, so a reloaded file applies to new requests only). */
  policy: () => ResolvedPolicy;
  /** Deadline for queries, signals, lists (ms). */
  rpcTimeoutMs?: number;
  /** Deadline for updates and update-with-start, which wait for the workflow to run the handler (ms). */
  updateTimeoutMs?: number;
  /** Retries of a per-workflow limit's refusal (RESOURCE_EXHAUSTED) before BusyError (retry.ts; ~2 s in all). */
  busyRetry?: BusyRetryOptions;
}

// gRPC status codes (numeric, to avoid a direct @grpc/grpc-js dependency).
const GRPC = {
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;
const TRANSIENT = new Set<number>([
  GRPC.CANCELLED,
  GRPC.DEADLINE_EXCEEDED,
  GRPC.RESOURCE_EXHAUSTED,
  GRPC.ABORTED,
  GRPC.UNAVAILABLE,
  GRPC.UNKNOWN,
  GRPC.INTERNAL,
]);

/** The first gRPC status code on the error or its causes. */
export function grpcCode(e: unknown): number | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 6 && cur && typeof cur === 'object'; depth++) {
    const o = cur as { code?: unknown; details?: unknown; cause?: unknown };
    if (typeof o.code === 'number' && typeof o.details === 'string') return o.code;
    cur = o.cause;
  }
  return undefined;
}

/** The message of the first gRPC status on the error or its causes. */
function grpcMessage(e: unknown): string {
  let cur: unknown = e;
  for (let depth = 0; depth < 6 && cur && typeof cur === 'object'; depth++) {
    const o = cur as { code?: unknown; details?: unknown; message?: unknown; cause?: unknown };
    if (typeof o.code === 'number' && typeof o.details === 'string') return `${o.details} ${String(o.message ?? '')}`;
    cur = o.cause;
  }
  return '';
}

/** How long a request's refusal for its limits is remembered (longer than any call's deadline). */
const BUSY_MEMORY_MS = 60_000;

/** Temporal refused a call on one workflow for its limits (updates in flight, buffered queries, …). */
function isPerWorkflowLimit(e: unknown): boolean {
  return grpcCode(e) === RESOURCE_EXHAUSTED;
}

function isAlreadyStarted(e: unknown): boolean {
  return e instanceof WorkflowExecutionAlreadyStartedError || grpcCode(e) === GRPC.ALREADY_EXISTS;
}

/** Reason and type from a failed update: the validator's / handler's ApplicationFailure. */
function rejection(action: string, e: WorkflowUpdateFailedError): RejectedTransitionError {
  const cause = e.cause;
  const type = cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
  return new RejectedTransitionError(action, cause?.message || e.message, type);
}

const EXECUTION_STATUS: Record<number, string> = {
  1: 'RUNNING',
  2: 'COMPLETED',
  3: 'FAILED',
  4: 'CANCELED',
  5: 'TERMINATED',
  6: 'CONTINUED_AS_NEW',
  7: 'TIMED_OUT',
  8: 'PAUSED',
};

const SAFE_VALUE = /^[A-Za-z0-9._:-]{1,100}$/;
/** Quotes a value for a visibility query. Values are already schema-validated; this refuses anything else. */
function lit(value: string, allowed?: readonly string[]): string {
  if (!SAFE_VALUE.test(value) || (allowed && !allowed.includes(value)))
    throw new Error(`refusing unsafe visibility query value ${JSON.stringify(value)}`);
  return `'${value}'`;
}

// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const SAFE_PRODUCT_KEY = /^(SN|MODEL):[^\s'"`\\\u0000-\u001f\u007f]{1,100}$/u;
/** Quotes a product key: it holds caller text (a model), so no whitespace, quotes, backslashes or control characters. */
function productLit(key: string): string {
  if (!SAFE_PRODUCT_KEY.test(key)) throw new Error('refusing unsafe product key in a visibility query');
  return `'${key}'`;
}

/** Quotes an integration's name (the token file refuses quotes, backslashes and control characters in it). */
function ownerLit(name: string): string {
  if (!INTEGRATION_NAME_PATTERN.test(name)) throw new Error('refusing unsafe owner in a visibility query');
  return `'${name}'`;
}

export function buildListQuery(filter: ListFilter): string {
  const clauses = [`WorkflowType = ${lit(SERVICE_REQUEST_WORKFLOW)}`];
  if (filter.owner !== undefined) clauses.push(`${SA.Owner.name} = ${ownerLit(filter.owner)}`);
  // The customer key is hex, the product keys normalised: quoted and checked all the same.
  if (filter.customerKey !== undefined) clauses.push(`${SA.CustomerKey.name} = ${lit(filter.customerKey)}`);
  if (filter.productKey !== undefined) {
    if (filter.productKey.length === 0) throw new Error('refusing an empty product filter');
    clauses.push(`${SA.ProductKey.name} IN (${filter.productKey.map(productLit).join(', ')})`);
  }
  if (filter.status) clauses.push(`${SA.ServiceStatus.name} = ${lit(filter.status, STATUSES)}`);
  if (filter.urgency) clauses.push(`${SA.Urgency.name} = ${lit(filter.urgency, URGENCIES)}`);
  if (filter.type) clauses.push(`${SA.RequestType.name} = ${lit(filter.type, REQUEST_TYPES)}`);
  if (filter.technicianId) clauses.push(`${SA.TechnicianId.name} = ${lit(filter.technicianId)}`);
  if (filter.escalated === true) clauses.push(`${SA.EscalationLevel.name} > 0`);
  if (filter.escalated === false) clauses.push(`${SA.EscalationLevel.name} = 0`);
  return clauses.join(' AND ');
}

/** Cursor = 8-byte fingerprint of the query + Temporal's page token, base64url; a cursor only fits its query. */
function fingerprint(query: string): Buffer {
  return createHash('sha256').update(query).digest().subarray(0, 8);
}
export function encodeCursor(query: string, token: Uint8Array): string {
  return Buffer.concat([fingerprint(query), Buffer.from(token)]).toString('base64url');
}
export function decodeCursor(query: string, cursor: string): Buffer {
  const raw = Buffer.from(cursor, 'base64url');
  if (raw.length <= 8 || !raw.subarray(0, 8).equals(fingerprint(query))) throw new InvalidCursorError();
  return raw.subarray(8);
}

export class TemporalRequests implements ServiceRequestsPort {
  private readonly client: Client;
  private readonly rpcTimeoutMs: number;
  private readonly updateTimeoutMs: number;

  constructor(private readonly opts: TemporalRequestsOptions) {
    this.client = opts.client;
    this.rpcTimeoutMs = opts.rpcTimeoutMs ?? 10_000;
    this.updateTimeoutMs = opts.updateTimeoutMs ?? 30_000;
  }

  async start(
    input: ServiceRequestInput,
    { requestId, bodyHash, owner, customerKey, productKey, history, complaintLink }: StartOptions,
  ): Promise<StartResult> {
    const startAttemptId = randomUUID();
    const start: ServiceRequestStart = {
      requestId,
      request: input,
      policy: this.opts.policy(),
      bodyHash,
      startAttemptId,
      lifecycleVersion: CURRENT_LIFECYCLE,
      owner,
      ...(history ? { history } : {}),
      ...(complaintLink ? { complaintLink } : {}),
    };
    const startWorkflowOperation = new WithStartWorkflowOperation(SERVICE_REQUEST_WORKFLOW, {
      workflowId: requestId,
      taskQueue: this.opts.taskQueue,
      args: [start],
      // A running request with this id answers the intake update; a closed one is never restarted.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // Summary and details for the Temporal UI (ticket, type, urgency, product; no customer data).
      ...requestMetadata(start),
      typedSearchAttributes: [
        { key: SA.ServiceStatus, value: 'received' },
        { key: SA.Urgency, value: input.urgency },
        { key: SA.RequestType, value: input.type },
        { key: SA.Channel, value: input.channel },
        { key: SA.EscalationLevel, value: 0 },
        { key: SA.Owner, value: owner },
        { key: SA.LifecycleVersion, value: CURRENT_LIFECYCLE },
        // Customer history: keyed hash of the phone and the product, never the phone itself.
        ...(customerKey ? [{ key: SA.CustomerKey, value: customerKey }] : []),
        ...(productKey ? [{ key: SA.ProductKey, value: productKey }] : []),
      ],
    });
    try {
      // An operation is used once: each attempt gets its own, with the same options (and startAttemptId).
      const operation = () => new WithStartWorkflowOperation(SERVICE_REQUEST_WORKFLOW, startWorkflowOperation.options);
      const r = await this.onWorkflow(requestId, this.updateTimeoutMs, (attempt) =>
        this.client.workflow.executeUpdateWithStart(intakeUpdate, {
          args: [{ startAttemptId, bodyHash }],
          startWorkflowOperation: attempt === 0 ? startWorkflowOperation : operation(),
        }),
      );
      // Another owner's request (from before keys, or a key that changed hands) is a conflict, never its state.
      if (!r.bodyHashMatches || r.state.owner !== owner) throw new KeyConflictError(requestId);
      return { created: r.created, state: r.state };
    } catch (e) {
      if (!isAlreadyStarted(e)) throw this.translate(e, 'intake', requestId);
    }
    // Closed already (REJECT_DUPLICATE): the request exists; same body → return it, other body → conflict.
    const state = await this.get(requestId);
    if (state.bodyHash !== bodyHash || state.owner !== owner) throw new KeyConflictError(requestId);
    return { created: false, state };
  }

  async get(requestId: string): Promise<ServiceRequestState> {
    const since = Date.now();
    try {
      return await this.onWorkflow(requestId, this.rpcTimeoutMs, () => this.client.workflow.getHandle(requestId).query(stateQuery));
    } catch (e) {
      // A read waits for the request's workflow task in flight. One that ran out of time while the request was
      // refusing calls for its limits waited behind that burst: the request is busy, not Temporal down (and a
      // read applied nothing). Updates and signals that time out may still apply: those stay 503.
      // (Out of time shows as DEADLINE_EXCEEDED, or CANCELLED when the deadline fell between the SDK's retries.)
      const code = grpcCode(e);
      if ((code === GRPC.DEADLINE_EXCEEDED || code === GRPC.CANCELLED) && this.busySince(requestId, since)) throw new BusyError(requestId);
      throw this.translate(e, 'query', requestId);
    }
  }

  async update<A extends Action>(
    requestId: string,
    action: A,
    args: ActionArgs<A>,
    opts: { updateId?: string } = {},
  ): Promise<ServiceRequestState> {
    const def = ACTION_UPDATES[action] as UpdateDefinition<ServiceRequestState, [ActionArgs<A>]>;
    // One id for every attempt, the caller's or our own: an attempt refused after Temporal took the update (its
    // result's poll refused under load) is retried as the same update and answers its result, never applies twice.
    const updateId = opts.updateId ?? randomUUID();
    try {
      return await this.onWorkflow(requestId, this.updateTimeoutMs, () =>
        this.client.workflow.getHandle(requestId).executeUpdate(def, { args: [args], updateId }),
      );
    } catch (e) {
      const err = this.translate(e, action, requestId);
      if (err instanceof NotFoundError) throw await this.closedOrMissing(requestId, action, err);
      throw err;
    }
  }

  async signalPhoto(requestId: string, record: PhotoUpload): Promise<void> {
    try {
      await this.onWorkflow(requestId, this.rpcTimeoutMs, () =>
        this.client.workflow.getHandle(requestId).signal(photoUploadedSignal, record),
      );
    } catch (e) {
      const err = this.translate(e, 'photo', requestId);
      if (err instanceof NotFoundError) throw await this.closedOrMissing(requestId, 'photo', err);
      throw err;
    }
  }

  async list(filter: ListFilter, cursor: string | undefined, pageSize: number): Promise<ListPage> {
    const query = buildListQuery(filter);
    const nextPageToken = cursor ? decodeCursor(query, cursor) : undefined;
    let resp;
    try {
      resp = await this.withDeadline(this.rpcTimeoutMs, () =>
        this.client.workflowService.listWorkflowExecutions({ namespace: this.client.options.namespace, query, pageSize, nextPageToken }),
      );
    } catch (e) {
      // A token the server cannot read (expired, or from another server) is the caller's problem, not a 500.
      if (cursor && grpcCode(e) === 3) throw new InvalidCursorError();
      throw this.translate(e, 'list', '');
    }
    const items: RequestSummary[] = (resp.executions ?? []).map((raw) => {
      const sa = decodeTypedSearchAttributes(raw.searchAttributes?.indexedFields);
      const requestId = raw.execution?.workflowId ?? '';
      const startMs = optionalTsToMs(raw.startTime);
      const closeMs = optionalTsToMs(raw.closeTime);
      const score = sa.get(SA.SatisfactionScore);
      const productKey = sa.get(SA.ProductKey);
      return {
        requestId,
        ticket: ticketNumber(requestId),
        status: sa.get(SA.ServiceStatus) as RequestSummary['status'],
        urgency: sa.get(SA.Urgency) as RequestSummary['urgency'],
        type: sa.get(SA.RequestType) as RequestSummary['type'],
        technicianId: sa.get(SA.TechnicianId) || undefined,
        escalationLevel: sa.get(SA.EscalationLevel) ?? 0,
        ...(score !== undefined ? { satisfactionScore: score } : {}),
        breachedDeadlines: sa.get(SA.BreachedDeadlines) ?? [],
        execution: EXECUTION_STATUS[raw.status ?? 0] ?? 'UNKNOWN',
        startedAt: new Date(startMs ?? 0).toISOString(),
        ...(closeMs !== undefined ? { closedAt: new Date(closeMs).toISOString() } : {}),
        ...(productKey ? { productKey } : {}),
      };
    });
    const token = resp.nextPageToken;
    return { items, ...(token && token.length ? { nextCursor: encodeCursor(query, token) } : {}) };
  }

  async ready(): Promise<void> {
    try {
      await this.withDeadline(Math.min(this.rpcTimeoutMs, 3000), () =>
        this.client.workflowService.describeNamespace({ namespace: this.client.options.namespace }),
      );
    } catch (e) {
      const err = this.translate(e, 'ready', '');
      throw err instanceof UnavailableError ? err : new UnavailableError(`Temporal not ready: ${(e as Error).message}`);
    }
  }

  private withDeadline<T>(ms: number, fn: () => Promise<T>): Promise<T> {
    return this.client.withDeadline(Date.now() + ms, fn);
  }

  /**
   * A call on one workflow, each attempt under its own deadline. Temporal's per-workflow limits refuse with
   * RESOURCE_EXHAUSTED before applying anything, so such a refusal is retried briefly (the API's connection
   * leaves it to us: retry.ts); translate() turns the last one into a BusyError.
   */
  private onWorkflow<T>(requestId: string, ms: number, fn: (attempt: number) => Promise<T>): Promise<T> {
    let attempt = 0;
    const busy = (e: unknown): boolean => {
      if (!isPerWorkflowLimit(e)) return false;
      this.noteBusy(requestId);
      return true;
    };
    return retryWhileBusy(() => this.withDeadline(ms, () => fn(attempt++)), busy, this.opts.busyRetry);
  }

  /** When each request last refused a call of this process for its limits (recent ones only). */
  private readonly lastBusy = new Map<string, number>();

  private noteBusy(requestId: string): void {
    const now = Date.now();
    this.lastBusy.delete(requestId); // re-inserted last: the map stays in order of time
    this.lastBusy.set(requestId, now);
    for (const [id, at] of this.lastBusy) {
      if (at >= now - BUSY_MEMORY_MS) break;
      this.lastBusy.delete(id);
    }
  }

  private busySince(requestId: string, sinceMs: number): boolean {
    return (this.lastBusy.get(requestId) ?? -Infinity) >= sinceMs;
  }

  /** SDK error → port error. Unknown errors pass through (→ 500, logged). */
  private translate(e: unknown, action: string, requestId: string): Error {
    if (
      e instanceof KeyConflictError ||
      e instanceof RejectedTransitionError ||
      e instanceof NotFoundError ||
      e instanceof UnavailableError
    )
      return e;
    if (e instanceof WorkflowUpdateFailedError) return rejection(action, e);
    if (e instanceof WorkflowNotFoundError) return new NotFoundError(requestId);
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      return new UnavailableError('the workflow did not answer in time (is a worker running?); retry later');
    }
    const code = grpcCode(e);
    if (code === GRPC.NOT_FOUND) return new NotFoundError(requestId);
    // One request's limits (list and readiness have none: those stay 503).
    if (code === GRPC.RESOURCE_EXHAUSTED && requestId) return new BusyError(requestId);
    // The request's workflow task keeps failing or timing out (a worker too slow, or failing on it): Temporal
    // refuses its updates and queries until a task succeeds.
    if (code === GRPC.FAILED_PRECONDITION && /workflow task in failed state/i.test(grpcMessage(e))) {
      return new UnavailableError('the request cannot be processed at the moment (its workflow task is failing); retry later');
    }
    if (code !== undefined && TRANSIENT.has(code)) return new UnavailableError();
    if (e instanceof ServiceError && code === undefined) return new UnavailableError();
    // Query / connection failures without a status (e.g. "Connection closed") are transient as well.
    if (e instanceof Error && /connect|ECONNREFUSED|ETIMEDOUT|socket|deadline/i.test(e.message)) return new UnavailableError();
    return e instanceof Error ? e : new Error(String(e));
  }

  /** An update / signal to a workflow that is gone: 404 if it never existed, 409 if it is closed. */
  private async closedOrMissing(requestId: string, action: string, notFound: NotFoundError): Promise<Error> {
    try {
      const d = await this.withDeadline(this.rpcTimeoutMs, () => this.client.workflow.getHandle(requestId).describe());
      if (d.status.name !== 'RUNNING') {
        return new RejectedTransitionError(action, `cannot ${action}: the request is closed (${d.status.name.toLowerCase()})`);
      }
      return notFound;
    } catch (e) {
      const err = this.translate(e, action, requestId);
      return err instanceof NotFoundError ? notFound : err;
    }
  }
}
