/** Liveness (the process answers) and readiness (Temporal answers too). Open, not rate-limited. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../schemas/common';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const open = { auth: false as const, rateLimit: false as const };
  app.get(
    '/healthz',
    {
      config: open,
      schema: { summary: 'Liveness', tags: ['health'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: open,
      schema: {
        summary: 'Readiness: the Temporal connection and namespace answer',
        tags: ['health'],
        response: { 200: Type.Object({ status: Type.Literal('ready') }), ...errorResponses(503) },
      },
    },
    async () => {
      await app.services.requests.ready();
      return { status: 'ready' as const };
    },
  );
};
