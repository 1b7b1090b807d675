/**
 * Prometheus metrics for the HTTP API (`GET /metrics`, text exposition format):
 *   aftercare_http_requests_total{method,route,status}           request rate and status codes
 *   aftercare_http_request_duration_seconds{method,route,status} latency histogram
 *   plus prom-client's default Node.js process metrics (aftercare_api_ prefix).
 * `route` is the route pattern (`/v1/service-requests/:id`), never the raw URL, so ids and tokens do not
 * become labels; requests that match no route count as `route="(unmatched)"`.
 * Registered non-encapsulated so its hooks see every route; each instance has its own registry (tests build
 * many servers in one process).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface ApiMetricsOptions {
  /** Default: a fresh registry. */
  registry?: Registry;
  /** Default `/metrics`. */
  path?: string;
  /** Collect prom-client's default process metrics (default true). */
  defaultMetrics?: boolean;
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Latency buckets in seconds. */
  buckets?: number[];
}

declare module 'fastify' {
  interface FastifyInstance {
    metricsRegistry: Registry;
  }
}

export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const START = Symbol('aftercare-metrics-start');

export const metricsPlugin = fp<ApiMetricsOptions>(
  async (app, opts) => {
    const registry = opts.registry ?? new Registry();
    const path = opts.path ?? '/metrics';
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'aftercare_api_' });
    const requests = new Counter({
      name: 'aftercare_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    });
    const duration = new Histogram({
      name: 'aftercare_http_request_duration_seconds',
      help: 'HTTP request latency in seconds, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: opts.buckets ?? DEFAULT_BUCKETS,
      registers: [registry],
    });
    app.decorate('metricsRegistry', registry);
    const wanted = opts.bearerToken ? createHash('sha256').update(opts.bearerToken).digest() : undefined;

    app.addHook('onRequest', async (req) => {
      (req as FastifyRequest & { [START]?: bigint })[START] = process.hrtime.bigint();
    });
    app.addHook('onResponse', async (req, reply) => {
      const started = (req as FastifyRequest & { [START]?: bigint })[START];
      const route = req.routeOptions.url ?? '(unmatched)';
      if (route === path) return;
      const labels = { method: req.method, route, status: String(reply.statusCode) };
      requests.inc(labels);
      if (started !== undefined) duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });

    // Rate-limited like every route (per IP when open); with a token, wrong tokens count against the caller's
    // failed-authentication budget (src/api/plugins/security.ts) and scrapes against the scraper's limit.
    const limits = () => (app.hasDecorator('callerLimits') ? app.callerLimits : undefined);
    app.get(path, { config: { auth: false, ownAuth: !!wanted }, schema: { hide: true } }, async (req, reply) => {
      if (wanted) {
        const h = req.headers.authorization;
        const given = typeof h === 'string' && h.startsWith('Bearer ') ? createHash('sha256').update(h.slice(7)).digest() : undefined;
        if (!given || !timingSafeEqual(given, wanted)) {
          if (given) await limits()?.authFailed(req);
          return reply
            .code(401)
            .header('www-authenticate', 'Bearer realm="metrics"')
            .send({ error: 'unauthorized', message: 'metrics need a bearer token', details: [] });
        }
        const l = limits();
        if (l && !(await l.authenticated(req, reply, 'metrics-scraper'))) return reply;
      }
      return reply.header('content-type', registry.contentType).send(await registry.metrics());
    });
  },
  { name: 'aftercare-metrics', fastify: '5.x' },
);
