/**
 * A customer's requests (docs/api.md, "A customer's requests"): ops list them by the customer's phone. Visibility
 * holds only the keyed hash of the phone (`CustomerKey`), so the phone never reaches a query, a log line (the
 * request log shows the path as `/v1/customers/…/service-requests`) or the answer.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { customerKeyOfPhone, productKeysMatching } from '../../customers/keys';
import { badRequest } from '../errors';
import type { ListFilter } from '../port';
import { CustomerListQuery, CustomerParams } from '../schemas/customers';
import { COMMON_ERRORS, errorResponses, PATH_PARAM_ERRORS } from '../schemas/common';
import { ListResponse } from '../schemas/state';

export const customerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { requests, customerHistory } = app.services;
  if (!customerHistory) throw new Error('the customer routes need the customer key secret (CUSTOMER_KEY_SECRET)');

  app.get(
    '/v1/customers/:phone/service-requests',
    {
      // Ops only: a customer's requests span every integration.
      config: { auth: { roles: ['ops'] } },
      schema: {
        summary: "A customer's requests",
        description:
          'Every request of the customer with this mobile number (normalised as at intake, so any spelling finds the same ' +
          'requests), as summaries like `GET /v1/service-requests`, newest first (open ones by start, then closed ones by ' +
          'closing time). `product` narrows them to one unit or model. Requests taken in before customer history are not ' +
          'found. Ops only.',
        tags: ['customers'],
        security: [{ bearer: [] }],
        params: CustomerParams,
        querystring: CustomerListQuery,
        response: { 200: ListResponse, ...errorResponses(...COMMON_ERRORS, ...PATH_PARAM_ERRORS) },
      },
    },
    async (req) => {
      const customerKey = customerKeyOfPhone(req.params.phone, customerHistory.secret);
      // The schema's mobile-phone check refused any other value already; the answer names the field, never its value.
      if (!customerKey) throw badRequest([{ path: 'params.phone', message: 'must be a mobile number' }]);
      const { product, cursor, pageSize } = req.query;
      const filter: ListFilter = { customerKey, ...(product !== undefined ? { productKey: productKeysMatching(product) } : {}) };
      return requests.list(filter, cursor, pageSize ?? 20);
    },
  );
};
