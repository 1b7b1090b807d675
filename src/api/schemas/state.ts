/** Response shapes: the request's view (defined with the lifecycle, src/domain/lifecycle/view.ts) and list pages. */
import { Type } from 'typebox';
import { REQUEST_TYPES, STATUSES, URGENCIES } from '../../domain/types';
import { StringEnum } from './common';

export { ServiceRequestState, type ServiceRequestView } from '../../domain/lifecycle/view';

const Str = Type.String();
const Opt = Type.Optional;

export const StateRef = Type.Unsafe({ $ref: 'ServiceRequestState#' });

export const RequestSummary = Type.Object({
  requestId: Str,
  ticket: Str,
  status: Opt(StringEnum(STATUSES)),
  urgency: Opt(StringEnum(URGENCIES)),
  type: Opt(StringEnum(REQUEST_TYPES)),
  technicianId: Opt(Str),
  escalationLevel: Type.Integer(),
  satisfactionScore: Opt(Type.Integer()),
  breachedDeadlines: Type.Array(Str),
  execution: Type.String({ description: 'Temporal execution status: RUNNING, COMPLETED, …' }),
  startedAt: Str,
  closedAt: Opt(Str),
});

export const ListResponse = Type.Object({
  items: Type.Array(RequestSummary),
  nextCursor: Opt(Type.String({ description: 'Pass as `cursor` for the next page; absent on the last page' })),
});
