/**
 * Customer history at intake: the request's customer and product keys, and the customer's earlier requests from
 * visibility, which the new request's state then links (`earlierRequests`). Best effort by design: a lookup that
 * fails or is slow starts the request without them, because intake must never fail for want of history.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ServiceRequestInput } from '../domain/types';
import type { EarlierRequest, ServiceRequestState } from '../../workflows/messages';
import { workflowIdFor } from '../temporal/ids';
import type { Principal } from '../tokens';
import type { ServiceRequestsPort, StartOptions } from '../api/port';
import { customerKey, productKey } from './keys';
import { lastFix } from '../domain/lifecycle/resolution';

/** The state links this many of the customer's latest requests. */
export const HISTORY_LIMIT = 10;
/** Intake waits this long for visibility, then starts without history (ServerLimits.historyLookupMs). */
export const DEFAULT_HISTORY_LOOKUP_MS = 2000;

export interface CustomerKeys {
  customerKey: string;
  productKey: string;
}

/** Keys of a normalised intake (its phone is E.164 already). */
export function keysOf(input: ServiceRequestInput, secret: string): CustomerKeys {
  return { customerKey: customerKey(input.customer.phone, secret), productKey: productKey(input.product) };
}

class LookupTimeout extends Error {
  constructor(ms: number) {
    super(`no answer from visibility within ${ms} ms`);
    this.name = 'LookupTimeout';
  }
}

/** `p`, or a LookupTimeout after `ms`; the timer never outlives the race. */
async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LookupTimeout(ms)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The customer's requests other than `requestId`, newest first, at most HISTORY_LIMIT; undefined (and a warning
 * without the phone) when visibility fails or does not answer within `timeoutMs`. Repairs of the same product that
 * were fixed also carry when and by whom (read from their state, within what is left of `timeoutMs`): lifecycle 5
 * decides from them whether the new request is a repeat repair.
 */
export async function earlierRequests(
  requests: ServiceRequestsPort,
  keys: CustomerKeys,
  requestId: string,
  opts: { timeoutMs: number; log: FastifyBaseLogger },
): Promise<EarlierRequest[] | undefined> {
  const startedMs = Date.now();
  let items;
  try {
    // One more than shown: a retried intake finds its own request, which is left out.
    ({ items } = await within(requests.list({ customerKey: keys.customerKey }, undefined, HISTORY_LIMIT + 1), opts.timeoutMs));
  } catch (err) {
    opts.log.warn({ requestId, reason: reasonOf(err) }, 'customer history unavailable; starting without it');
    return undefined;
  }
  const earlier: EarlierRequest[] = items
    .filter((i) => i.requestId !== requestId)
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))
    .slice(0, HISTORY_LIMIT)
    .map((i) => ({
      requestId: i.requestId,
      ticket: i.ticket,
      startedAt: i.startedAt,
      ...(i.status ? { status: i.status } : {}),
      ...(i.type ? { type: i.type } : {}),
      sameProduct: i.productKey === keys.productKey,
    }));
  const left = opts.timeoutMs - (Date.now() - startedMs);
  try {
    return await within(Promise.all(earlier.map((e) => withFix(requests, e))), Math.max(1, left));
  } catch (err) {
    // The list is still worth linking; only repeat repairs go undetected.
    opts.log.warn({ requestId, reason: reasonOf(err) }, 'earlier repairs unreadable; starting without their fixes');
    return earlier;
  }
}

/** Statuses a fixed request can be in (a call-back's "not fixed" reopens it out of them). */
const FIXED_STATUSES: ReadonlySet<string> = new Set(['completed', 'follow_up', 'closed']);

/** A same-product repair that was fixed, with when and by whom (from its state); any other entry as it is. */
async function withFix(requests: ServiceRequestsPort, e: EarlierRequest): Promise<EarlierRequest> {
  if (!e.sameProduct || e.type !== 'repair' || !e.status || !FIXED_STATUSES.has(e.status)) return e;
  const fix = lastFix(await requests.get(e.requestId));
  if (!fix) return e;
  return { ...e, resolvedAt: fix.at, ...(fix.technicianId ? { resolvedBy: fix.technicianId } : {}) };
}

function reasonOf(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  return `${e.name}: ${e.message}`;
}

/** What intake adds to the start: both keys, and the earlier requests when visibility gave them in time. */
export async function customerAtIntake(
  requests: ServiceRequestsPort,
  input: ServiceRequestInput,
  requestId: string,
  opts: { secret: string; lookupTimeoutMs: number; log: FastifyBaseLogger },
): Promise<Pick<StartOptions, 'customerKey' | 'productKey' | 'history'>> {
  const keys = keysOf(input, opts.secret);
  const history = await earlierRequests(requests, keys, requestId, { timeoutMs: opts.lookupTimeoutMs, log: opts.log });
  return { ...keys, ...(history ? { history } : {}) };
}

/**
 * A state as `principal` may see it: an integration sees only its own requests, among the earlier ones too (their
 * ids are `sr-<its key>-…`), so a start never tells it which other systems served its customer. Ops and technicians
 * see them all.
 */
export function withVisibleHistory(state: ServiceRequestState, principal: Principal): ServiceRequestState {
  if (principal.role !== 'integration' || !state.earlierRequests) return state;
  const own = principal.idPrefix === undefined ? undefined : workflowIdFor('', principal.idPrefix);
  return { ...state, earlierRequests: state.earlierRequests.filter((e) => own !== undefined && e.requestId.startsWith(own)) };
}
