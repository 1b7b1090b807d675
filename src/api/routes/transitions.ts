/**
 * Lifecycle actions: one route per entry of the lifecycle definition (src/domain/lifecycle) that has a path,
 * each one workflow update. Body schema, roles and OpenAPI text come from the definition; the workflow decides
 * whether the transition is allowed (409 with its reason otherwise); the API checks who may ask and records
 * who asked (`by`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ACTIONS, LIFECYCLE, normalised, problems, type Action, type ActionArgs, type ActionBody } from '../../domain/lifecycle/actions';
import { badRequest, forbidden } from '../errors';
import { principalOf } from '../plugins/auth';
import { COMMON_ERRORS, errorResponses, RequestIdParams } from '../schemas/common';
import { StateRef } from '../schemas/state';
import { TransitionHeaders } from '../schemas/transitions';

/** The technician the token belongs to; a body `technicianId` must name the same person. */
function ownTechnician(req: FastifyRequest, bodyTechnicianId: string | undefined): string {
  const own = principalOf(req).technicianId;
  if (!own) throw forbidden('only the assigned technician may do this');
  if (bodyTechnicianId !== undefined && bodyTechnicianId !== own) {
    throw forbidden('technicianId must be your own', 'technicianId');
  }
  return own;
}

/** The update's argument: the body, the technician for assignee actions, and who asked. */
export function actionArgs<A extends Action>(action: A, body: ActionBody<A>, req: FastifyRequest, nowMs: number): ActionArgs<A> {
  const bad = problems(action, body, nowMs);
  if (bad.length) throw badRequest(bad);
  const { name, role } = principalOf(req);
  const own = LIFECYCLE[action].assignee ? { technicianId: ownTechnician(req, (body as { technicianId?: string }).technicianId) } : {};
  return { ...normalised(action, body), ...own, by: { name, role } } as ActionArgs<A>;
}

export const transitionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { requests, now } = app.services;
  for (const action of ACTIONS) {
    const spec = LIFECYCLE[action];
    if (!spec.path) continue;
    app.post(
      `/v1/service-requests/:id/${spec.path}`,
      {
        config: { auth: { roles: spec.roles, technicianOwn: spec.assignee } },
        schema: {
          summary: spec.summary,
          description:
            `Workflow update \`${action}\`. Allowed for: ${spec.roles.join(', ')}${spec.assignee ? ' (assigned technician only)' : ''}; ` +
            `in states ${spec.from.join(', ')}. 409 with the workflow's reason when the request's state does not allow it.`,
          tags: ['transitions'],
          security: [{ bearer: [] }],
          params: RequestIdParams,
          headers: TransitionHeaders,
          body: spec.body,
          response: { 200: StateRef, ...errorResponses(...COMMON_ERRORS, 404, 409, 413, 415) },
        },
      },
      async (req) => {
        const { id } = req.params as { id: string };
        const args = actionArgs(action, req.body as ActionBody<typeof action>, req, now());
        const key = req.headers['idempotency-key'];
        const state = await requests.update(id, action, args, typeof key === 'string' ? { updateId: `${action}:${key}` } : {});
        req.log.info({ requestId: id, action, status: state.status }, 'transition applied');
        return state;
      },
    );
  }
};
