/**
 * Temporal's per-workflow limits (issue 17): one workflow takes at most 10 updates in flight, and a bounded
 * buffer of queries while its worker is busy; beyond them the server answers RESOURCE_EXHAUSTED at once. A
 * burst of retries against one request, or ops and a technician acting at the same moment, reach them.
 *
 * The API retries such a refusal briefly, with jitter, within a bounded total (`retryWhileBusy`), and then
 * gives up with a BusyError (429 + Retry-After). For that to be brief, the SDK's connection must not retry
 * those calls itself: its default interceptor backs off from 1 s up to 5 s for RESOURCE_EXHAUSTED until the
 * call's deadline (30 s for an update) and then reports DEADLINE_EXCEEDED, a 503 after half a minute.
 * `apiConnectionInterceptors` keeps the SDK's retries for everything else.
 */
import { type ConnectionOptions, defaultGrpcRetryOptions, type GrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

/** gRPC RESOURCE_EXHAUSTED (numeric: no direct @grpc/grpc-js dependency). */
export const RESOURCE_EXHAUSTED = 8;

export interface BusyRetryOptions {
  /** Longest total time from the first attempt to giving up (ms). Default 2,000. */
  budgetMs?: number;
  /** First back-off (ms); it doubles per attempt up to `maxDelayMs`. Default 50. */
  firstDelayMs?: number;
  /** Default 400. */
  maxDelayMs?: number;
  /** Injectable for tests. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export const DEFAULT_BUSY_RETRY = { budgetMs: 2_000, firstDelayMs: 50, maxDelayMs: 400 } as const;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The back-off before retry `attempt` (0-based): half the capped exponential step plus a random half, so
 * callers refused together spread out and never retry at once with no pause.
 */
export function busyDelayMs(attempt: number, o: BusyRetryOptions = {}): number {
  const first = o.firstDelayMs ?? DEFAULT_BUSY_RETRY.firstDelayMs;
  const max = o.maxDelayMs ?? DEFAULT_BUSY_RETRY.maxDelayMs;
  const step = Math.min(max, first * 2 ** Math.min(attempt, 30));
  return step / 2 + (o.random ?? Math.random)() * (step / 2);
}

/**
 * Runs `fn`; while it fails with an error `isBusy` recognises, runs it again after a jittered back-off, as long
 * as the next attempt would still start within `budgetMs` of the first. Then the last error is thrown as is.
 * Only for calls that a busy refusal did not apply (nothing to undo, so a retry cannot apply anything twice).
 */
export async function retryWhileBusy<T>(fn: () => Promise<T>, isBusy: (e: unknown) => boolean, o: BusyRetryOptions = {}): Promise<T> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const budget = o.budgetMs ?? DEFAULT_BUSY_RETRY.budgetMs;
  const start = now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isBusy(e)) throw e;
      const delay = busyDelayMs(attempt, o);
      if (now() + delay - start > budget) throw e;
      await sleep(delay);
    }
  }
}

/** The calls on one workflow whose RESOURCE_EXHAUSTED the API retries itself (`TemporalRequests`). */
export const WORKFLOW_SCOPED_METHODS: ReadonlySet<string> = new Set([
  'UpdateWorkflowExecution',
  'ExecuteMultiOperation', // update-with-start
  'SignalWorkflowExecution',
  'QueryWorkflow',
]);

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/** How the connection retries a failed call itself: as the SDK does, except per-workflow refusals (see above). */
export function connectionRetryOptions(method: string): GrpcRetryOptions {
  const sdk = defaultGrpcRetryOptions();
  if (!WORKFLOW_SCOPED_METHODS.has(method)) return sdk;
  return {
    delayFunction: sdk.delayFunction,
    retryableDecider: (attempt, status) => status.code !== RESOURCE_EXHAUSTED && sdk.retryableDecider(attempt, status),
  };
}

/** The API client's gRPC interceptors (`Connection.connect({ interceptors })`): `connectionRetryOptions` per method. */
export function apiConnectionInterceptors(): Interceptor[] {
  const perMethod = new Map<string, Interceptor>();
  const forMethod = (method: string): Interceptor => {
    let interceptor = perMethod.get(method);
    if (!interceptor) {
      interceptor = makeGrpcRetryInterceptor(connectionRetryOptions(method));
      perMethod.set(method, interceptor);
    }
    return interceptor;
  };
  return [(options, nextCall) => forMethod(methodName(options.method_definition.path))(options, nextCall)];
}

/** `/temporal.api.workflowservice.v1.WorkflowService/QueryWorkflow` → `QueryWorkflow`. */
export function methodName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
