/**
 * The API's single seam to Temporal. Routes talk to this interface only; `TemporalRequests` implements it with
 * @temporalio/client (src/temporal/requests.ts), the route tests with an in-memory fake. Errors are the classes below, never SDK errors.
 */
import type { Action, ActionArgs } from '../domain/lifecycle/actions';
import type { RequestType, ServiceRequestInput, Status, Urgency } from '../domain/types';
import type { EarlierRequest, PhotoUpload, ServiceRequestState } from '../../workflows/messages';
import type { ComplaintLink } from '../domain/complaints';

export interface StartOptions {
  /** Workflow id, `sr-…`. */
  requestId: string;
  /** SHA-256 of the canonical normalised body: same key + other body = conflict. */
  bodyHash: string;
  /**
   * The integration starting it (its token's name), kept in the start input, the view and the `Owner` search
   * attribute. A request with this id owned by anyone else is a KeyConflictError, never its state.
   */
  owner: string;
  /**
   * Customer history (src/customers/keys.ts): the `CustomerKey` and `ProductKey` search attributes, set at start and
   * never changed. Absent when the API has no CUSTOMER_KEY_SECRET (route tests that need none).
   */
  customerKey?: string;
  productKey?: string;
  /** The customer's earlier requests found at intake, for the state's `earlierRequests`; absent when not looked up. */
  history?: EarlierRequest[];
  /** Lifecycle 5: the earlier request a complaint is about, resolved at intake (src/api/complaintLink.ts). */
  complaintLink?: ComplaintLink;
}

export interface StartResult {
  /** True only for the call that started the workflow; a repeat with the same key and body gets false. */
  created: boolean;
  state: ServiceRequestState;
}

/** Built only from validated values; every field narrows the list (AND). */
export interface ListFilter {
  status?: Status;
  urgency?: Urgency;
  type?: RequestType;
  technicianId?: string;
  /** true: escalation level > 0; false: level 0. */
  escalated?: boolean;
  /** Only requests this integration started (`Owner` search attribute). */
  owner?: string;
  /** One customer's requests (`CustomerKey`: the keyed hash of their phone, never the phone). */
  customerKey?: string;
  /** `ProductKey` is one of these (`SN:<serial>`, `MODEL:<model>`: src/customers/keys.ts). */
  productKey?: readonly string[];
}

export interface RequestSummary {
  requestId: string;
  ticket: string;
  status?: Status;
  urgency?: Urgency;
  type?: RequestType;
  technicianId?: string;
  escalationLevel: number;
  satisfactionScore?: number;
  breachedDeadlines: string[];
  /** RUNNING, COMPLETED, … as Temporal reports the execution. */
  execution: string;
  startedAt: string;
  closedAt?: string;
  /**
   * The `ProductKey` search attribute, for intake's `sameProduct`. Internal: the HTTP summary schema has no such field,
   * so list responses leave it out (their serializer writes only the schema's fields).
   */
  productKey?: string;
}

export interface ListPage {
  items: RequestSummary[];
  /** Opaque; pass back as `cursor` for the next page. Absent on the last page. */
  nextCursor?: string;
}

export interface ServiceRequestsPort {
  /** Idempotent start (update-with-start). Throws KeyConflictError when the key exists with another body or owner. */
  start(input: ServiceRequestInput, opts: StartOptions): Promise<StartResult>;
  /** Current state (query). Throws NotFoundError. */
  get(requestId: string): Promise<ServiceRequestState>;
  /** Visibility list. Throws InvalidCursorError for a cursor it did not issue. */
  list(filter: ListFilter, cursor: string | undefined, pageSize: number): Promise<ListPage>;
  /**
   * Runs the workflow's update; RejectedTransitionError carries the workflow's reason, or says the request is
   * closed. `updateId` (from the caller, its Idempotency-Key and the body) makes a retried call apply once;
   * `args.idempotency` lets the workflow refuse the key with another body (failureType IdempotencyConflict).
   */
  update<A extends Action>(requestId: string, action: A, args: ActionArgs<A>, opts?: { updateId?: string }): Promise<ServiceRequestState>;
  /** Tells the workflow a photo is in storage. NotFoundError if unknown, RejectedTransitionError if closed. */
  signalPhoto(requestId: string, record: PhotoUpload): Promise<void>;
  /** Resolves when Temporal answers; throws UnavailableError otherwise. */
  ready(): Promise<void>;
}

// ── Errors the port may throw; the error plugin maps them to HTTP. ──

export class NotFoundError extends Error {
  constructor(readonly requestId: string) {
    super(`service request ${requestId} not found`);
    this.name = 'NotFoundError';
  }
}

/** Same idempotency key, different body: 409 (docs/api.md, Start a request). */
export class KeyConflictError extends Error {
  constructor(readonly requestId: string) {
    super(`${requestId} already exists with a different body; use a new externalId / Idempotency-Key`);
    this.name = 'KeyConflictError';
  }
}

/** The workflow refused the transition (its validator's reason), or the request is already closed. */
export class RejectedTransitionError extends Error {
  constructor(
    readonly action: string,
    readonly reason: string,
    /** The workflow's ApplicationFailure type (InvalidTransition, TokenUsed, UnknownTechnician, InvalidArgument, IdempotencyConflict …). */
    readonly failureType?: string,
  ) {
    super(reason);
    this.name = 'RejectedTransitionError';
  }
}

/** Temporal unreachable, overloaded or too slow: the caller should retry. */
export class UnavailableError extends Error {
  constructor(
    message = 'the workflow service is unavailable; retry later',
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
    this.name = 'UnavailableError';
  }
}

/**
 * Temporal refused a call on one request for a per-workflow limit (too many actions in flight or reads
 * buffered on it at once), still after brief retries: 429 with Retry-After. Nothing was applied. A kind of
 * UnavailableError, so code that only knows "retry later" treats it so.
 */
export class BusyError extends UnavailableError {
  constructor(
    readonly requestId: string,
    retryAfterSeconds = 1,
  ) {
    super(`too many calls on request ${requestId} at once; nothing was applied, retry after ${retryAfterSeconds} s`, retryAfterSeconds);
    this.name = 'BusyError';
  }
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not valid for this query');
    this.name = 'InvalidCursorError';
  }
}
