/**
 * Liveness (the process answers; open, never rate-limited) and readiness (Temporal answers too). Readiness is
 * rate-limited per IP like every open route, asks Temporal at most once a second (one check shared by every
 * caller in that second), and never repeats Temporal's error text: that goes to the log.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { UnavailableError } from '../port';
import { errorResponses } from '../schemas/common';

export const READINESS_CACHE_MS = 1000;

type Readiness = { ready: true } | { ready: false; retryAfterSeconds: number };

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  let cached: { at: number; result: Promise<Readiness> } | undefined;
  const readiness = (): Promise<Readiness> => {
    const now = performance.now();
    if (cached && now - cached.at < READINESS_CACHE_MS) return cached.result;
    const result = app.services.requests.ready().then(
      (): Readiness => ({ ready: true }),
      (err: unknown): Readiness => {
        app.log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'not ready');
        return { ready: false, retryAfterSeconds: err instanceof UnavailableError ? err.retryAfterSeconds : 5 };
      },
    );
    cached = { at: now, result };
    return result;
  };

  app.get(
    '/healthz',
    {
      config: { auth: false, rateLimit: false },
      schema: { summary: 'Liveness', tags: ['health'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { auth: false },
      schema: {
        summary: 'Readiness: the Temporal connection and namespace answer',
        tags: ['health'],
        response: { 200: Type.Object({ status: Type.Literal('ready') }), ...errorResponses(429, 503) },
      },
    },
    async () => {
      const r = await readiness();
      if (r.ready) return { status: 'ready' as const };
      throw new ApiError(503, 'unavailable', 'not ready: the workflow service does not answer; retry later', [], {
        'retry-after': String(r.retryAfterSeconds),
      });
    },
  );
};
