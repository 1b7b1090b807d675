/**
 * Lifecycle 5: the earlier request a complaint names (`complaint.relatesTo`, its request id or ticket number), found
 * before anything starts, so a wrong link is a 400 naming the field and never a half-started complaint. Its
 * technician comes from its state. An integration links only requests it started (ids `sr-<its key>-…`, the same
 * rule as the customer history it sees): another integration's request is answered as unknown, never confirmed.
 */
import type { ComplaintLink } from '../domain/complaints';
import type { ServiceRequestInput } from '../domain/types';
import { isRequestId, ticketNumber, workflowIdFor, WORKFLOW_ID_PREFIX } from '../temporal/ids';
import type { EarlierRequest } from '../../workflows/messages';
import type { FieldProblem } from './intake';
import { NotFoundError, type ServiceRequestsPort } from './port';

const FIELD = 'complaint.relatesTo';

export type LinkResult = { ok: true; link?: ComplaintLink } | { ok: false; details: FieldProblem[] };

/**
 * The ids `ref` may name, most likely first: a request id as given; for a ticket (the id after `sr-`, upper-cased),
 * a request of the customer's history with that ticket, then the id rebuilt with the integration's key.
 */
export function candidateIds(ref: string, idPrefix: string | undefined, history: readonly EarlierRequest[] = []): string[] {
  if (ref.startsWith(WORKFLOW_ID_PREFIX) && isRequestId(ref)) return [ref];
  const ticket = ref.toUpperCase();
  const out = history.filter((e) => e.ticket.toUpperCase() === ticket).map((e) => e.requestId);
  if (idPrefix !== undefined && ticket.startsWith(`${idPrefix.toUpperCase()}-`)) {
    const rest = ref.slice(idPrefix.length + 1);
    out.push(workflowIdFor(rest, idPrefix), workflowIdFor(rest.toUpperCase(), idPrefix), workflowIdFor(rest.toLowerCase(), idPrefix));
  }
  out.push(`${WORKFLOW_ID_PREFIX}${ref}`);
  return [...new Set(out)].filter((id) => isRequestId(id) && ticketNumber(id) === ticket);
}

export async function resolveComplaintLink(
  requests: ServiceRequestsPort,
  input: ServiceRequestInput,
  opts: { requestId: string; idPrefix?: string; history?: readonly EarlierRequest[] },
): Promise<LinkResult> {
  const ref = input.complaint?.relatesTo;
  if (ref === undefined) return { ok: true };
  const own = opts.idPrefix === undefined ? undefined : workflowIdFor('', opts.idPrefix);
  const unknown: LinkResult = { ok: false, details: [{ path: FIELD, message: 'no request of yours has this id or ticket number' }] };
  for (const id of candidateIds(ref, opts.idPrefix, opts.history)) {
    if (own === undefined || !id.startsWith(own)) continue;
    if (id === opts.requestId) return { ok: false, details: [{ path: FIELD, message: 'a complaint cannot be about itself' }] };
    let state;
    try {
      state = await requests.get(id);
    } catch (err) {
      if (err instanceof NotFoundError) continue;
      throw err; // Temporal unavailable: 503, retry later (nothing was started)
    }
    const last = state.assignments.at(-1);
    const technicianId = state.technicianId ?? last?.technicianId;
    const named = state.assignments.filter((a) => a.technicianId === technicianId).at(-1);
    return {
      ok: true,
      link: {
        requestId: state.requestId,
        ticket: state.ticket,
        type: state.type,
        ...(technicianId ? { technicianId } : {}),
        ...(named?.name ? { technicianName: named.name } : {}),
      },
    };
  }
  return unknown;
}
