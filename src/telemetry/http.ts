/**
 * HTTP spans of the API (@fastify/otel): one `request` span per call (a parent from an incoming `traceparent`
 * when there is one) and one per handler, in whose context the Temporal client's spans start. Registered first,
 * before any route. Probes and scrapes are not traced. A span carries the route pattern, never the raw URL: paths
 * hold rating-link tokens and customers' phones (`/v1/customers/{phone}/…`), as the logs and metrics never do.
 */
import { FastifyOtelInstrumentation } from '@fastify/otel';
import type { FastifyPluginCallback } from 'fastify';

const UNTRACED = new Set(['/metrics', '/healthz', '/readyz']);

export function httpTracingPlugin(): FastifyPluginCallback {
  const instrumentation = new FastifyOtelInstrumentation({
    instrumentHooks: false,
    ignorePaths: (route) => UNTRACED.has(route.url),
    requestHook: (span, req) => span.setAttribute('url.path', req.routeOptions.url ?? '(unmatched)'),
  });
  return instrumentation.plugin();
}
