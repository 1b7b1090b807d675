/** Start, read and list service requests (docs/api.md). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { customerAtIntake, withVisibleHistory } from '../../customers/history';
import { badRequest, forbidden } from '../errors';
import { intake } from '../intake';
import { resolveComplaintLink } from '../complaintLink';
import { principalOf } from '../plugins/auth';
import type { ListFilter } from '../port';
import { COMMON_ERRORS, errorResponses, PATH_PARAM_ERRORS, RequestIdParams } from '../schemas/common';
import { ListQuery, ServiceRequestBody, StartHeaders } from '../schemas/serviceRequest';
import { ListResponse, StateRef } from '../schemas/state';

export const serviceRequestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { requests, now, customerHistory } = app.services;

  app.post(
    '/v1/service-requests',
    {
      config: { auth: { roles: ['integration'] } },
      schema: {
        summary: 'Start a service request',
        description:
          "Idempotent: the request id is `sr-<your integration's key>-<externalId>` (or the `Idempotency-Key` header, or generated). " +
          'The same key with the same body returns the existing request (200); with another body it is 409. ' +
          'Each integration has its own ids: another integration may use the same externalId.',
        tags: ['service-requests'],
        security: [{ bearer: [] }],
        headers: StartHeaders,
        body: ServiceRequestBody,
        response: {
          201: Type.Unsafe({ $ref: 'ServiceRequestState#', description: 'Created' }),
          200: Type.Unsafe({ $ref: 'ServiceRequestState#', description: 'Existing request for this key (same body)' }),
          ...errorResponses(...COMMON_ERRORS, 409, 413, 415),
        },
      },
    },
    async (req, reply) => {
      // The integration owns what it starts; its key keeps its ids apart from every other integration's.
      const principal = principalOf(req);
      const { name: owner, idPrefix } = principal;
      if (!idPrefix) throw forbidden('this token may not start requests');
      const checked = intake(req.body, { nowMs: now(), idempotencyKey: req.headers['idempotency-key'], idPrefix });
      if (!checked.ok) throw badRequest(checked.details);
      const { input, requestId, bodyHash } = checked;
      // Customer history: the keys go into search attributes, the earlier requests into the start input (best effort).
      const customer = customerHistory ? await customerAtIntake(requests, input, requestId, { ...customerHistory, log: req.log }) : {};
      // Lifecycle 5: the request a complaint is about, resolved before anything starts (a wrong one is a 400).
      const linked = await resolveComplaintLink(requests, input, { requestId, idPrefix, history: customer.history });
      if (!linked.ok) throw badRequest(linked.details);
      const result = await requests.start(input, {
        requestId,
        bodyHash,
        owner,
        ...customer,
        ...(linked.link ? { complaintLink: linked.link } : {}),
      });
      req.log.info(
        {
          requestId,
          created: result.created,
          type: input.type,
          urgency: input.urgency,
          channel: input.channel,
          phone: input.customer.phone,
        },
        result.created ? 'service request started' : 'service request already exists (idempotent repeat)',
      );
      reply.header('location', `/v1/service-requests/${encodeURIComponent(requestId)}`);
      return reply.code(result.created ? 201 : 200).send(withVisibleHistory(result.state, principal));
    },
  );

  app.get(
    '/v1/service-requests/:id',
    {
      config: { auth: { roles: ['integration', 'ops', 'technician'], technicianOwn: true } },
      schema: {
        summary: 'Current state of a request',
        description:
          'Status, urgency, assignment, deadlines (due, met, breached), escalation level, timeline, photos, score. ' +
          'Integrations read the requests they started, technicians those assigned to them; any other id is 404.',
        tags: ['service-requests'],
        security: [{ bearer: [] }],
        params: RequestIdParams,
        response: { 200: StateRef, ...errorResponses(...COMMON_ERRORS, ...PATH_PARAM_ERRORS, 404) },
      },
    },
    // The auth plugin read it already for integrations and technicians (to check they may see it).
    async (req) => withVisibleHistory(req.visibleState ?? (await requests.get(req.params.id)), principalOf(req)),
  );

  app.get(
    '/v1/service-requests',
    {
      config: { auth: { roles: ['integration', 'ops', 'technician'] } },
      schema: {
        summary: 'List requests',
        description:
          'Filters on the workflow search attributes (AND). Integrations see only the requests they started, technicians only their own. ' +
          'Pages: pass `nextCursor` back as `cursor`. Visibility is eventually consistent (about a second behind).',
        tags: ['service-requests'],
        security: [{ bearer: [] }],
        querystring: ListQuery,
        response: { 200: ListResponse, ...errorResponses(...COMMON_ERRORS) },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      const q = req.query;
      const filter: ListFilter = {
        ...(q.status ? { status: q.status } : {}),
        ...(q.urgency ? { urgency: q.urgency } : {}),
        ...(q.type ? { type: q.type } : {}),
        ...(q.technicianId ? { technicianId: q.technicianId } : {}),
        ...(q.escalated !== undefined ? { escalated: q.escalated } : {}),
      };
      if (principal.role === 'technician') {
        if (q.technicianId && q.technicianId !== principal.technicianId)
          throw forbidden('technicians list only their own requests', 'query.technicianId');
        filter.technicianId = principal.technicianId;
      }
      if (principal.role === 'integration') filter.owner = principal.name;
      return requests.list(filter, q.cursor, q.pageSize ?? 20);
    },
  );
};
