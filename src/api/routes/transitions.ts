/**
 * Lifecycle actions (SPEC §4, §9): each route is one workflow update. The workflow decides whether the
 * transition is allowed (409 with its reason otherwise); the API only checks who may ask.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { Action } from '../../domain/transitions';
import type { Role } from '../../tokens';
import { badRequest, forbidden } from '../errors';
import { principalOf } from '../plugins/auth';
import type { ActionArgs } from '../port';
import { COMMON_ERRORS, errorResponses, RequestIdParams } from '../schemas/common';
import { StateRef } from '../schemas/state';
import {
  AppointmentBody,
  AssignBody,
  CompletionBody,
  DeclineBody,
  NotesBody,
  ReasonBody,
  TechnicianBody,
  TransitionHeaders,
} from '../schemas/transitions';

const DAY_MS = 86_400_000;
/** Visits are booked from a day back (late entry) to 90 days ahead. */
const APPOINTMENT_WINDOW = { pastMs: DAY_MS, futureMs: 90 * DAY_MS };

interface TransitionRoute {
  path: string;
  action: Action;
  roles: readonly Role[];
  summary: string;
  body: TSchema;
  args: (body: unknown, req: FastifyRequest, nowMs: number) => ActionArgs[Action];
}

/** Types one route: its body schema gives the args builder its parameter type. */
function route<A extends Action, S extends TSchema>(r: {
  path: string;
  action: A;
  roles: readonly Role[];
  summary: string;
  body: S;
  args: (body: Static<S>, req: FastifyRequest, nowMs: number) => ActionArgs[A];
}): TransitionRoute {
  return r as unknown as TransitionRoute;
}

/** The technician the token belongs to; a body `technicianId` must name the same person. */
function ownTechnician(req: FastifyRequest, bodyTechnicianId: string | undefined): string {
  const p = principalOf(req);
  const own = p.technicianId;
  if (!own) throw forbidden('only the assigned technician may do this');
  if (bodyTechnicianId !== undefined && bodyTechnicianId !== own) {
    throw forbidden('technicianId must be your own', 'technicianId');
  }
  return own;
}

function appointmentAt(at: string, nowMs: number): string {
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) throw badRequest([{ path: 'at', message: 'must be an ISO-8601 date-time' }]);
  if (ms < nowMs - APPOINTMENT_WINDOW.pastMs || ms > nowMs + APPOINTMENT_WINDOW.futureMs) {
    throw badRequest([{ path: 'at', message: 'must be between one day ago and 90 days ahead' }]);
  }
  return new Date(ms).toISOString();
}

const TECH: readonly Role[] = ['technician'];
const OPS: readonly Role[] = ['ops'];

const ROUTES: TransitionRoute[] = [
  route({ path: 'assignment', action: 'assign', roles: OPS, summary: 'Manual dispatch to a technician', body: AssignBody,
    args: (b, req) => ({ technicianId: b.technicianId, by: principalOf(req).name }) }),
  route({ path: 'accept', action: 'accept', roles: TECH, summary: 'Technician accepts the assignment', body: TechnicianBody,
    args: (b, req) => ({ technicianId: ownTechnician(req, b.technicianId) }) }),
  route({ path: 'decline', action: 'decline', roles: TECH, summary: 'Technician declines; the next candidate is tried', body: DeclineBody,
    args: (b, req) => ({ technicianId: ownTechnician(req, b.technicianId), ...(b.reason ? { reason: b.reason } : {}) }) }),
  route({ path: 'appointment', action: 'appointment', roles: TECH, summary: 'Visit booked with the customer (or re-booked)', body: AppointmentBody,
    args: (b, req, now) => ({ technicianId: ownTechnician(req, b.technicianId), at: appointmentAt(b.at, now) }) }),
  route({ path: 'arrival', action: 'arrival', roles: TECH, summary: 'Technician on site', body: TechnicianBody,
    args: (b, req) => ({ technicianId: ownTechnician(req, b.technicianId) }) }),
  route({ path: 'completion', action: 'completion', roles: TECH, summary: 'Visit finished, resolved or not', body: CompletionBody,
    args: (b, req) => ({ technicianId: ownTechnician(req, b.technicianId), resolved: b.resolved, notes: b.notes }) }),
  route({ path: 'hold', action: 'hold', roles: OPS, summary: 'Pause the resolution clock (parts, customer postponed)', body: ReasonBody,
    args: (b) => ({ reason: b.reason }) }),
  route({ path: 'resume', action: 'resume', roles: OPS, summary: 'Resume the resolution clock', body: ReasonBody,
    args: (b) => ({ reason: b.reason }) }),
  route({ path: 'follow-up', action: 'followUp', roles: OPS, summary: 'Record the follow-up after a low score', body: NotesBody,
    args: (b) => ({ notes: b.notes }) }),
  route({ path: 'cancel', action: 'cancel', roles: OPS, summary: 'Cancel (customer is told)', body: ReasonBody,
    args: (b) => ({ reason: b.reason }) }),
];

export const transitionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { requests, now } = app.services;
  for (const r of ROUTES) {
    const technician = r.roles.includes('technician');
    app.post(
      `/v1/service-requests/:id/${r.path}`,
      {
        config: { auth: { roles: r.roles, technicianOwn: technician } },
        schema: {
          summary: r.summary,
          description: `Workflow update \`${r.action}\`. Allowed for: ${r.roles.join(', ')}${technician ? ' (assigned technician only)' : ''}. ` +
            '409 with the workflow\'s reason when the request\'s state does not allow it.',
          tags: ['transitions'],
          security: [{ bearer: [] }],
          params: RequestIdParams,
          headers: TransitionHeaders,
          body: r.body,
          response: { 200: StateRef, ...errorResponses(...COMMON_ERRORS, 404, 409, 413, 415) },
        },
      },
      async (req) => {
        const { id } = req.params as { id: string };
        const args = r.args(req.body, req, now());
        const key = req.headers['idempotency-key'];
        const state = await requests.update(id, r.action, args, typeof key === 'string' ? { updateId: `${r.action}:${key}` } : {});
        req.log.info({ requestId: id, action: r.action, status: state.status }, 'transition applied');
        return state;
      },
    );
  }
};
