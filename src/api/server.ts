/**
 * buildServer(deps): the whole HTTP API as a Fastify instance, without listening. Entry points (src/api.ts,
 * src/dev.ts, tests) supply the dependencies; routes reach Temporal only through `deps.requests`.
 */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PayloadCodec } from '@temporalio/common';
import { metricsPlugin } from '../metrics/api';
import { httpTracingPlugin } from '../telemetry/http';
import type { PeriodReportSource } from '../reports/database';
import type { ReportSource } from '../reports/fetch';
import type { PhotoStorage } from '../adapters/storage/types';
import type { Catalogue } from '../catalogue';
import { DEFAULT_HISTORY_LOOKUP_MS } from '../customers/history';
import type { Config, TrustProxy } from '../config';
import type { Logger } from '../logger';
import type { TokenStore } from '../tokens';
import { apiLogger, genReqId } from './logging';
import { authPlugin } from './plugins/auth';
import { docsPlugin } from './plugins/docs';
import { errorHandler, installErrorHandling } from './plugins/errors';
import {
  DEFAULT_AUTH_FAILURE_WINDOW_MS,
  DEFAULT_AUTH_FAILURES,
  DEFAULT_IP_RATE_LIMIT,
  DEFAULT_RATING_TOKEN_RATE_LIMIT,
  securityPlugin,
} from './plugins/security';
import { servicesPlugin } from './plugins/services';
import { createValidatorCompiler } from './plugins/validation';
import type { ServiceRequestsPort } from './port';
import { codecRoutes } from './routes/codec';
import { customerRoutes } from './routes/customers';
import { feedbackRoutes } from './routes/feedback';
import { reportRoutes } from './routes/reports';
import { healthRoutes } from './routes/health';
import { DEFAULT_PHOTO_MAX_BYTES, DEFAULT_PHOTO_MAX_BYTES_PER_REQUEST, DEFAULT_PHOTO_MAX_PER_REQUEST, photoRoutes } from './routes/photos';
import { quotePageRoutes } from './routes/quotePage';
import { ratingPageRoutes } from './routes/ratingPage';
import { reportPageRoutes } from './routes/reportPage';
import { statusPageRoutes, type StatusPageOptions } from './routes/statusPage';
import { serviceRequestRoutes } from './routes/serviceRequests';
import { transitionRoutes } from './routes/transitions';
import { ErrorBody } from './schemas/common';
import { ServiceRequestState } from './schemas/state';

export interface ServerLimits {
  /** JSON body limit in bytes. */
  bodyLimit: number;
  /** Largest photo upload in bytes. */
  photoMaxBytes: number;
  /** Photos one request may hold, and their total bytes (PHOTO_MAX_PER_REQUEST, PHOTO_MAX_MB_PER_REQUEST). */
  photoMaxPerRequest: number;
  photoMaxBytesPerRequest: number;
  /** Requests per minute per authenticated principal. */
  rateLimitPerMinute: number;
  /** Requests per minute per client IP until authenticated (open routes, calls without a credential). */
  ipRateLimitPerMinute: number;
  /** Failed authentications per IP per `authFailureWindowMs`; then that IP gets 429 on every authenticated route. */
  authFailuresPerWindow: number;
  authFailureWindowMs: number;
  /** Requests per minute per rating token (rating page, feedback). */
  ratingTokenPerMinute: number;
  /** How long intake waits for the customer's earlier requests before it starts the request without them (ms). */
  historyLookupMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  bodyLimit: 64 * 1024,
  photoMaxBytes: DEFAULT_PHOTO_MAX_BYTES,
  photoMaxPerRequest: DEFAULT_PHOTO_MAX_PER_REQUEST,
  photoMaxBytesPerRequest: DEFAULT_PHOTO_MAX_BYTES_PER_REQUEST,
  rateLimitPerMinute: 1200,
  ipRateLimitPerMinute: DEFAULT_IP_RATE_LIMIT,
  authFailuresPerWindow: DEFAULT_AUTH_FAILURES,
  authFailureWindowMs: DEFAULT_AUTH_FAILURE_WINDOW_MS,
  ratingTokenPerMinute: DEFAULT_RATING_TOKEN_RATE_LIMIT,
  historyLookupMs: DEFAULT_HISTORY_LOOKUP_MS,
};

export type ApiServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface ServerDeps {
  /**
   * `trustProxy` (TRUST_PROXY) decides which address a request comes from, for the per-IP limits. Default false.
   * `customerKeySecret` (CUSTOMER_KEY_SECRET) turns customer history on (src/api.ts always passes it; tests may not).
   */
  config: Pick<Config, 'publicBaseUrl' | 'ratingLinkSecret'> & Partial<Pick<Config, 'trustProxy' | 'photoQuota' | 'customerKeySecret'>>;
  logger: Logger;
  requests: ServiceRequestsPort;
  storage: PhotoStorage;
  tokens: TokenStore;
  /** Milliseconds since the epoch (tests pin it). */
  clock?: () => number;
  limits?: Partial<ServerLimits>;
  /** Daily summary source (docs/operations.md, Daily summary); the route is absent without it. */
  reports?: ReportSource;
  /** Weekly, monthly and appraisal reports (the reporting database); without it those routes answer 503. */
  periods?: PeriodReportSource;
  /** PII codec endpoint for the Temporal UI / CLI; absent when the codec is off. */
  codec?: { codec: PayloadCodec; codecTokens?: string[]; allowedOrigins?: string[] };
  /** Price list and parts catalogue, for `app.services.catalogue`; absent in tests that need none. */
  catalogue?: Catalogue;
  /** The policy's zone and hotline for the customer's status page (default: Asia/Shanghai, no hotline). */
  statusPage?: StatusPageOptions['policy'];
  /** Prometheus /metrics; `false` leaves it out (tests that build many servers). */
  metrics?: false | { bearerToken?: string };
  /** HTTP spans (@fastify/otel) into the process's tracer provider: src/api.ts sets it when tracing is on. */
  tracing?: boolean;
}

/**
 * TRUST_PROXY → Fastify's `trustProxy`. Addresses / CIDRs are checked against the peer; a hop count trusts that
 * many hops whoever sends them (Fastify itself refuses bare numbers), so it fits only an API that nothing but the
 * proxies can reach.
 */
function trustProxyOption(t: TrustProxy | undefined): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof t === 'number') return (_address, hop) => hop < t;
  return t ?? false;
}

export async function buildServer(deps: ServerDeps): Promise<ApiServer> {
  const quota = deps.config.photoQuota;
  const limits = {
    ...DEFAULT_LIMITS,
    ...(quota ? { photoMaxPerRequest: quota.maxPerRequest, photoMaxBytesPerRequest: quota.maxBytesPerRequest } : {}),
    ...deps.limits,
  };
  const app = Fastify({
    loggerInstance: apiLogger(deps.logger) as FastifyBaseLogger,
    genReqId,
    bodyLimit: limits.bodyLimit,
    trustProxy: trustProxyOption(deps.config.trustProxy),
    // Rating tokens are path parameters of ~200 characters.
    routerOptions: { maxParamLength: 1024 },
    return503OnClosing: true,
    // Errors before routing (malformed URL encoding …) get the same error body as everything else.
    frameworkErrors: (err, req, reply) => {
      errorHandler(err, req, reply);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Before everything else: it wraps the routes and hooks registered after it.
  if (deps.tracing) await app.register(httpTracingPlugin());

  const sharedSchemas = [ErrorBody, ServiceRequestState];
  for (const s of sharedSchemas) app.addSchema(s);
  const validatorCompiler = createValidatorCompiler(sharedSchemas);
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app);
  // Graceful shutdown: once close() starts, in-flight responses end their keep-alive connection, so close()
  // returns when the last request is done instead of after the keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (closing) reply.header('connection', 'close');
  });

  await app.register(servicesPlugin, {
    services: {
      requests: deps.requests,
      storage: deps.storage,
      now: deps.clock ?? Date.now,
      ratingLinkSecret: deps.config.ratingLinkSecret,
      ...(deps.catalogue ? { catalogue: deps.catalogue } : {}),
      ...(deps.config.customerKeySecret
        ? { customerHistory: { secret: deps.config.customerKeySecret, lookupTimeoutMs: limits.historyLookupMs } }
        : {}),
    },
  });
  await app.register(securityPlugin, {
    rateLimitPerMinute: limits.rateLimitPerMinute,
    ipRateLimitPerMinute: limits.ipRateLimitPerMinute,
    authFailuresPerWindow: limits.authFailuresPerWindow,
    authFailureWindowMs: limits.authFailureWindowMs,
    ratingTokenPerMinute: limits.ratingTokenPerMinute,
    https: deps.config.publicBaseUrl.startsWith('https:'),
  });
  if (deps.metrics !== false) await app.register(metricsPlugin, deps.metrics ?? {});
  await app.register(authPlugin, { tokens: deps.tokens });
  await app.register(docsPlugin, { publicBaseUrl: deps.config.publicBaseUrl });

  await app.register(healthRoutes);
  await app.register(serviceRequestRoutes);
  if (deps.config.customerKeySecret) await app.register(customerRoutes);
  await app.register(transitionRoutes);
  await app.register(photoRoutes, {
    maxBytes: limits.photoMaxBytes,
    maxPerRequest: limits.photoMaxPerRequest,
    maxBytesPerRequest: limits.photoMaxBytesPerRequest,
    validatorCompiler,
  });
  await app.register(feedbackRoutes);
  await app.register(ratingPageRoutes);
  await app.register(quotePageRoutes, { timeZone: deps.reports?.timeZone }); // the policy's zone, as the daily report's
  await app.register(reportPageRoutes);
  await app.register(statusPageRoutes, deps.statusPage ? { policy: deps.statusPage } : {});
  if (deps.reports) await app.register(reportRoutes, { reports: deps.reports, periods: deps.periods });
  if (deps.codec) await app.register(codecRoutes, { ...deps.codec, tokens: deps.tokens });
  await app.ready();
  return app;
}
