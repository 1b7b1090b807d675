/**
 * Repeat repairs (二次上门): a repair of the same customer's same product soon after an earlier repair was resolved
 * means the earlier fix did not hold. Decided at intake from the customer history the API looked up and the
 * policy's window. Workflow-safe: data and pure functions.
 */
import type { EarlierRequest } from './lifecycle/view';
import type { RequestType } from './types';

export interface RepeatOf {
  requestId: string;
  ticket: string;
  /** When the earlier request's fault was fixed. */
  resolvedAt: string;
  /** The technician whose fix did not hold: left out of automatic dispatch. */
  technicianId?: string;
}

/**
 * The earlier repair this one repeats: the same product, resolved at most `windowMs` before `receivedMs`, the
 * latest such fix; undefined for other request types or when there is none.
 */
export function repeatOf(
  type: RequestType,
  history: readonly EarlierRequest[] | undefined,
  receivedMs: number,
  windowMs: number,
): RepeatOf | undefined {
  if (type !== 'repair' || !history) return undefined;
  const within = (e: EarlierRequest): e is EarlierRequest & { resolvedAt: string } => {
    if (!e.sameProduct || e.type !== 'repair' || !e.resolvedAt) return false;
    const age = receivedMs - Date.parse(e.resolvedAt);
    return age >= 0 && age <= windowMs;
  };
  const [latest] = history.filter(within).sort((a, b) => Date.parse(b.resolvedAt) - Date.parse(a.resolvedAt));
  if (!latest) return undefined;
  return {
    requestId: latest.requestId,
    ticket: latest.ticket,
    resolvedAt: latest.resolvedAt,
    ...(latest.resolvedBy ? { technicianId: latest.resolvedBy } : {}),
  };
}
