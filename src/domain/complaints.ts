/**
 * Complaints with a process (lifecycle 5; docs/lifecycle.md, Complaints): the classes, which of them close only
 * with an accountability outcome and which send feedback to production and engineering, the repeat-complaint rule
 * and the feedback event's shape. Workflow-safe: data and pure functions (the API, the workflow and the route
 * tests' fake apply the same rules).
 */
import type { EarlierRequest } from './lifecycle/view';
import { COMPLAINT_CLASSES, type ComplaintClass } from './types';

export { COMPLAINT_CLASSES, type ComplaintClass };

/** The process after registration, in order; each step is a status and has a deadline (milestone `complaint_<step>`). */
export const COMPLAINT_STEPS = ['analysis', 'solution', 'implementation', 'feedback'] as const;
export type ComplaintStep = (typeof COMPLAINT_STEPS)[number];

/**
 * Complaints about the service itself: the manuals require the responsible person to be dealt with
 * (必须对相关责任人作出处理), so they close only with an accountability outcome.
 */
export const SERVICE_COMPLAINT_CLASSES: readonly ComplaintClass[] = ['service_attitude', 'timeliness', 'charges'];
/** Complaints about the product: fed back to production and engineering (及时反馈给技术、生产) when they close. */
export const PRODUCT_COMPLAINT_CLASSES: readonly ComplaintClass[] = ['product_quality'];

export const needsAccountability = (c: ComplaintClass): boolean => SERVICE_COMPLAINT_CLASSES.includes(c);
export const needsProductFeedback = (c: ComplaintClass): boolean => PRODUCT_COMPLAINT_CLASSES.includes(c);

export interface FieldProblem {
  path: string;
  message: string;
}

/** Why a complaint of class `c` cannot close with these arguments ([] when it can): the accountability rule. */
export function closingProblems(c: ComplaintClass, args: { accountability?: unknown }): FieldProblem[] {
  if (needsAccountability(c) && args.accountability === undefined) {
    return [{ path: 'accountability', message: `required to close a ${c} complaint (responsible person or department, action taken)` }];
  }
  return [];
}

/**
 * The customer's latest earlier complaint started within `windowMs` before `receivedMs` (customer history at intake),
 * or undefined. A second complaint within the window is raised one level and linked to it.
 */
export function repeatOf(history: readonly EarlierRequest[] | undefined, receivedMs: number, windowMs: number): EarlierRequest | undefined {
  let latest: EarlierRequest | undefined;
  for (const e of history ?? []) {
    if (e.type !== 'complaint') continue;
    const at = Date.parse(e.startedAt);
    if (!Number.isFinite(at) || at > receivedMs || receivedMs - at > windowMs) continue;
    if (!latest || at > Date.parse(latest.startedAt)) latest = e;
  }
  return latest;
}

/** The earlier request a complaint is linked to at intake (`complaint.relatesTo`), resolved by the API. */
export interface ComplaintLink {
  requestId: string;
  ticket: string;
  type?: string;
  /** That request's technician (its current or last assignment) when it had one. */
  technicianId?: string;
  technicianName?: string;
}

/** Who is held responsible and what was done about it (投诉责任处理). */
export interface Accountability {
  responsible: { kind: 'person' | 'department'; name: string; technicianId?: string };
  action: string;
}

/**
 * The event a closed product complaint sends to production and engineering. `eventId` is derived from the request
 * id, so a retried delivery is recognisable as the same event. No customer name, phone or address.
 */
export interface ComplaintFeedbackEvent {
  eventId: string;
  type: 'complaint.product_feedback';
  requestId: string;
  ticket: string;
  classification: ComplaintClass;
  product: { model: string; category: string; serialNumber?: string; purchaseDate: string };
  problem: string;
  findings?: string;
  solution?: string;
  implementation?: string;
  relatesTo?: { requestId: string; ticket: string };
  repeatOf?: { requestId: string; ticket: string };
  closedAt: string;
}

export const complaintFeedbackEventId = (requestId: string): string => `${requestId}:complaint-feedback`;
