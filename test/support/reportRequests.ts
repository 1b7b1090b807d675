/**
 * Request states for the report tests, written to the reporting database through the same pure functions as the
 * live projection (src/domain/reporting.ts requestRow / requestEvents) and the seed's bulk insert.
 */
import type { Pool } from 'pg';
import { requestEvents, requestRow, type ProjectionInput } from '../../src/domain/reporting';
import type { Channel, ComplaintClass, RequestType, Status } from '../../src/domain/types';
import type { FaultCause } from '../../src/domain/charges';
import { insertRows } from '../../src/reporting/seed';
import { autoAssignment } from '../../src/reporting/synthetic';
import type { ServiceRequestState } from '../../workflows/messages';

const MIN = 60_000;
const plus = (iso: string, minutes: number): string => new Date(Date.parse(iso) + minutes * MIN).toISOString();

export interface RequestSpec {
  id: string;
  /** received, UTC ISO */
  at: string;
  type?: RequestType;
  channel?: Channel;
  status?: Status;
  vip?: boolean;
  model: string;
  category?: string;
  region: string;
  technician?: string;
  /** Minutes from assignment (10 min after receipt) to acceptance. */
  acceptedAfter?: number;
  /** The on-site deadline (started at receipt, due after 60 min): met after n minutes, or breached. */
  onSite?: { metAfter: number } | 'breached';
  /** The response deadline (started at receipt, due after 60 min) met after n minutes. */
  responseMetAfter?: number;
  /** Visits: resolved or not, each by the request's technician, 3 h apart from receipt + 3 h. */
  visits?: boolean[];
  score?: number;
  faultCause?: FaultCause;
  complaint?: { classification: ComplaintClass; technicianId?: string };
  repeatOf?: { requestId: string; technicianId?: string };
  /** Fen; charged as a visit fee. */
  fee?: number;
  photosOk?: boolean;
  closedAt?: string;
}

export function specState(s: RequestSpec): ServiceRequestState {
  const tech = s.technician;
  const assignedAt = plus(s.at, 10);
  const deadline = (milestone: 'on_site' | 'response', outcome: { metAfter: number } | 'breached') => {
    const dueAt = plus(s.at, 60);
    const met = outcome === 'breached' ? undefined : plus(s.at, outcome.metAfter);
    const lateByMs = outcome === 'breached' ? undefined : Math.max(0, (outcome.metAfter - 60) * MIN);
    const breached = outcome === 'breached' || (lateByMs ?? 0) > 0;
    return {
      id: milestone,
      milestone,
      visit: 1,
      span: '1h',
      startedAt: s.at,
      dueAt,
      ...(met ? { metAt: met, lateByMs } : {}),
      ...(breached ? { breachedAt: dueAt } : {}),
      status: breached ? ('breached' as const) : ('met' as const),
      business: false,
    };
  };
  const completion = (s.visits ?? []).map((resolved, i) => ({
    at: plus(s.at, 180 * (i + 1)),
    resolved,
    notes: '',
    technicianId: tech ?? '',
  }));
  return {
    requestId: s.id,
    ticket: s.id.toUpperCase(),
    status: s.status ?? (s.closedAt ? 'closed' : 'assigned'),
    type: s.type ?? 'repair',
    urgency: 'normal',
    channel: s.channel ?? 'hotline',
    vip: s.vip ?? false,
    bodyHash: 'h',
    policyVersion: 'test',
    lifecycleVersion: 3,
    receivedAt: s.at,
    ...(tech ? { technicianId: tech } : {}),
    assignments: tech
      ? [autoAssignment(tech, assignedAt, s.acceptedAfter !== undefined ? plus(assignedAt, s.acceptedAfter) : undefined)]
      : [],
    visit: Math.max(1, completion.length),
    deadlines: [
      ...(s.onSite ? [deadline('on_site', s.onSite)] : []),
      ...(s.responseMetAfter !== undefined ? [deadline('response', { metAfter: s.responseMetAfter })] : []),
    ],
    escalationLevel: 0,
    escalations: [],
    timeline: [],
    photos: [],
    photoChecks: s.photosOk === undefined ? [] : [{ at: plus(s.at, 170), ok: s.photosOk, missing: [], invalid: [] }],
    ...(completion.length ? { completion } : {}),
    ...(s.score !== undefined ? { feedback: { score: s.score, at: s.closedAt ?? plus(s.at, 600) } } : {}),
    ...(s.faultCause ? { diagnosis: { at: plus(s.at, 170), faultCause: s.faultCause, diagnosis: 'd', technicianId: tech ?? '' } } : {}),
    ...(s.complaint
      ? {
          complaint: {
            classification: s.complaint.classification,
            ...(s.complaint.technicianId
              ? {
                  accountability: {
                    at: s.at,
                    responsible: { kind: 'person' as const, name: 'n', technicianId: s.complaint.technicianId },
                    action: 'a',
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(s.repeatOf ? { repeatRepair: { ...s.repeatOf, ticket: s.repeatOf.requestId.toUpperCase(), resolvedAt: s.at } } : {}),
    ...(s.fee ? { visitFee: { amount: s.fee, currency: 'CNY' } } : {}),
    ...(s.closedAt ? { closedAt: s.closedAt, outcome: 'closed' as const } : {}),
  };
}

export function projection(state: ServiceRequestState, model = 'M-1', region = '北京市', category = 'aircon'): ProjectionInput {
  return { seq: 1, state, product: { model, category }, region, sms: [] };
}

/** Writes the states (with their product and region) as the projection would. */
export async function writeStates(pool: Pool, inputs: ProjectionInput[]): Promise<void> {
  await insertRows(
    pool,
    inputs.map((p) => requestRow(p)),
    inputs.flatMap((p) => requestEvents(p)),
  );
}

export const specInput = (s: RequestSpec): ProjectionInput => projection(specState(s), s.model, s.region, s.category ?? 'aircon');
