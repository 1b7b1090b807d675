/**
 * Lifecycle actions: one route per entry of the lifecycle definition (src/domain/lifecycle) that has a path,
 * each one workflow update. Body schema, roles and OpenAPI text come from the definition; the workflow decides
 * whether the transition is allowed (409 with its reason otherwise); the API checks who may ask and records
 * who asked (`by`).
 *
 * An Idempotency-Key binds the caller, the action and the body (issue 16): the update id is a hash of all four,
 * so a retry with the same body is the same update (Temporal answers with the first result); the key and the
 * body's hash travel in the arguments, so the workflow refuses the key with another body (409 conflict).
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Catalogue } from '../../catalogue';
import { ACTIONS, LIFECYCLE, normalised, problems, type Action, type ActionArgs, type ActionBody } from '../../domain/lifecycle/actions';
import type { Principal } from '../../tokens';
import { catalogueProblems } from '../catalogueCheck';
import { badRequest, forbidden } from '../errors';
import { canonicalJson } from '../intake';
import { principalOf } from '../plugins/auth';
import { COMMON_ERRORS, errorResponses, PATH_PARAM_ERRORS, RequestIdParams } from '../schemas/common';
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

/**
 * The update's argument: the body, the technician for assignee actions, and who asked. Lines naming an item the
 * catalogue (when loaded) does not know are refused here, without asking the workflow.
 */
export function actionArgs<A extends Action>(
  action: A,
  body: ActionBody<A>,
  req: FastifyRequest,
  nowMs: number,
  catalogue?: Catalogue,
): ActionArgs<A> {
  const bad = [...problems(action, body, nowMs), ...catalogueProblems(catalogue, action, body)];
  if (bad.length) throw badRequest(bad);
  const { name, role } = principalOf(req);
  // An assignee action is the caller's own when they are a technician; ops (where listed) act for whoever is assigned.
  const spec = LIFECYCLE[action];
  const forSelf = spec.assignee && (role === 'technician' || !spec.roles.includes('ops'));
  const own = forSelf ? { technicianId: ownTechnician(req, (body as { technicianId?: string }).technicianId) } : {};
  return { ...normalised(action, body), ...own, by: { name, role } } as ActionArgs<A>;
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** Hash of the action's canonical arguments (normalised body and technician), without who asked. */
export function actionBodyHash(args: object): string {
  const { by: _by, idempotency: _key, ...body } = args as Record<string, unknown>;
  return sha256(canonicalJson(body));
}

/** The update id of a keyed action: the same caller, action, key and body give the same id, anything else another. */
export function transitionUpdateId(principal: Pick<Principal, 'role' | 'name'>, action: Action, key: string, bodyHash: string): string {
  return `${action}:${sha256(canonicalJson([principal.role, principal.name, action, key, bodyHash]))}`;
}

export const transitionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { requests, now, catalogue } = app.services;
  for (const action of ACTIONS) {
    const spec = LIFECYCLE[action];
    if (!spec.path) continue;
    const who = !spec.assignee
      ? ''
      : spec.roles.includes('ops')
        ? ' (a technician only when assigned; ops for whoever is assigned)'
        : ' (assigned technician only)';
    app.post(
      `/v1/service-requests/:id/${spec.path}`,
      {
        config: { auth: { roles: spec.roles, technicianOwn: spec.assignee } },
        schema: {
          summary: spec.summary,
          description:
            `Workflow update \`${action}\`. Allowed for: ${spec.roles.join(', ')}${who}; ` +
            `in states ${spec.from.join(', ')}. 409 with the workflow's reason when the request's state does not allow it. ` +
            'An `Idempotency-Key` is bound to the caller, the action and the body: the same body again is the first answer; another body is 409 `conflict`.',
          tags: ['transitions'],
          security: [{ bearer: [] }],
          params: RequestIdParams,
          headers: TransitionHeaders,
          body: spec.body,
          response: { 200: StateRef, ...errorResponses(...COMMON_ERRORS, ...PATH_PARAM_ERRORS, 404, 409, 413, 415) },
        },
      },
      async (req) => {
        const { id } = req.params as { id: string };
        const args = actionArgs(action, req.body as ActionBody<typeof action>, req, now(), catalogue);
        const key = req.headers['idempotency-key'];
        let state;
        if (typeof key === 'string') {
          const bodyHash = actionBodyHash(args);
          const updateId = transitionUpdateId(principalOf(req), action, key, bodyHash);
          state = await requests.update(id, action, { ...args, idempotency: { key, bodyHash } }, { updateId });
        } else state = await requests.update(id, action, args, {});
        req.log.info({ requestId: id, action, status: state.status }, 'transition applied');
        return state;
      },
    );
  }
};
