/**
 * Security headers (helmet, CSP `'self'` only: the rating page's script and styles are files) and rate limits
 * that run at the app level, before authentication (issue 16):
 *   - per IP for every caller not (yet) authenticated: open routes, calls without a credential, 404s;
 *   - a strict budget of failed authentications per IP: once spent, every route that authenticates answers 429
 *     to that IP, a correct token included, until the window has passed;
 *   - per principal once a caller is authenticated (the auth hook reports it through `callerLimits`);
 *   - per rating token on the customer's routes (`config.ratingToken`), never per Authorization header.
 * Only `config.rateLimit: false` routes (liveness) are exempt. Client IPs honour Fastify's `trustProxy`
 * (TRUST_PROXY). A 429 carries Retry-After and the `{ error, message, details }` body.
 */
import { createHash } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { bearerToken } from './auth';

export interface SecurityOptions {
  /** Requests per minute per authenticated principal. */
  rateLimitPerMinute: number;
  /** Requests per minute per client IP before authentication (default DEFAULT_IP_RATE_LIMIT). */
  ipRateLimitPerMinute?: number;
  /** Failed authentications per IP within `authFailureWindowMs` before the IP is refused (default 20). */
  authFailuresPerWindow?: number;
  /** Default 15 minutes. */
  authFailureWindowMs?: number;
  /** Requests per minute per rating token (rating page and feedback; default 30). */
  ratingTokenPerMinute?: number;
  /** Served over https: browsers are told to upgrade sub-resources (off for plain-http dev stacks). */
  https?: boolean;
}

export const DEFAULT_IP_RATE_LIMIT = 600;
export const DEFAULT_AUTH_FAILURES = 20;
export const DEFAULT_AUTH_FAILURE_WINDOW_MS = 15 * 60_000;
export const DEFAULT_RATING_TOKEN_RATE_LIMIT = 30;

/** What the authentication steps (auth plugin, codec, /metrics) report, so the limits can count them. */
export interface CallerLimits {
  /**
   * Counts one request of an authenticated caller (`who`: the principal, never a token). False when over the
   * limit; the 429 has then been sent and the hook must return the reply.
   */
  authenticated(req: FastifyRequest, reply: FastifyReply, who: string): Promise<boolean>;
  /** Counts a failed authentication (unknown token or key) against the caller's IP. */
  authFailed(req: FastifyRequest): Promise<void>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's credential is a rating token: in the path (`params.token`) or the JSON body (`body.token`). */
    ratingToken?: 'params' | 'body';
    /** The route authenticates callers itself (in onRequest) and reports to `callerLimits`. */
    ownAuth?: boolean;
    /** With ownAuth: a path parameter that carries the credential (the codec's key in the URL). */
    credentialParam?: string;
  }
  interface FastifyInstance {
    callerLimits: CallerLimits;
  }
}

const MINUTE = 60_000;

/** A short digest: keys stay small and no credential is kept in memory as such. */
const keyOf = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64url').slice(0, 22);

/**
 * When a request is refused before its body was read, the connection is closed after the answer: Node would
 * otherwise read (and discard) whatever the client still sends, up to the whole announced body.
 */
export function closeIfBodyPending(req: FastifyRequest, reply: FastifyReply): void {
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > 0 || req.headers['transfer-encoding'] !== undefined) reply.header('connection', 'close');
}

function tooMany(req: FastifyRequest, reply: FastifyReply, ttlInSeconds: number, limit: string, message: string): FastifyReply {
  req.log.warn({ limit }, 'rate limited');
  closeIfBodyPending(req, reply);
  return reply
    .code(429)
    .header('retry-after', String(Math.max(1, ttlInSeconds)))
    .type('application/json; charset=utf-8')
    .send({ error: 'too_many_requests', message, details: [] });
}

export const securityPlugin = fp<SecurityOptions>(
  async (app, opts) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          upgradeInsecureRequests: opts.https ? [] : null,
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
    });
    // The plugin's own per-route hooks would run after the app-level auth hook: it only provides the limiters
    // (store, windows, IP normalisation with IPv6 /64 subnets), called from the hooks below.
    await app.register(rateLimit, { global: false });
    const perIp = app.createRateLimit({ max: opts.ipRateLimitPerMinute ?? DEFAULT_IP_RATE_LIMIT, timeWindow: MINUTE });
    const failures = app.createRateLimit({
      max: opts.authFailuresPerWindow ?? DEFAULT_AUTH_FAILURES,
      timeWindow: opts.authFailureWindowMs ?? DEFAULT_AUTH_FAILURE_WINDOW_MS,
    });
    /** Who each authenticated request is, for the per-principal limiter's key. */
    const principals = new WeakMap<FastifyRequest, string>();
    const perPrincipal = app.createRateLimit({
      max: opts.rateLimitPerMinute,
      timeWindow: MINUTE,
      keyGenerator: (req) => `p:${keyOf(principals.get(req) ?? '')}`,
    });
    const ratingTokenOf = (req: FastifyRequest): string | undefined => {
      const where = req.routeOptions.config.ratingToken;
      const from = where === 'params' ? req.params : where === 'body' ? req.body : undefined;
      const token = (from as { token?: unknown } | undefined)?.token;
      return typeof token === 'string' && token ? token : undefined;
    };
    const perRatingToken = app.createRateLimit({
      max: opts.ratingTokenPerMinute ?? DEFAULT_RATING_TOKEN_RATE_LIMIT,
      timeWindow: MINUTE,
      keyGenerator: (req) => `r:${keyOf(ratingTokenOf(req) ?? '')}`,
    });

    const limitRatingToken = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
      if (ratingTokenOf(req) === undefined) return undefined;
      const r = await perRatingToken(req);
      if (!r.isAllowed && r.isExceeded)
        return tooMany(req, reply, r.ttlInSeconds, 'rating_token', 'too many requests for this rating link; retry later');
      return undefined;
    };

    app.decorate('callerLimits', {
      async authenticated(req, reply, who) {
        principals.set(req, who);
        const r = await perPrincipal(req);
        if (!r.isAllowed && r.isExceeded) {
          tooMany(req, reply, r.ttlInSeconds, 'principal', 'too many requests for this caller; retry later');
          return false;
        }
        return true;
      },
      async authFailed(req) {
        await failures(req);
      },
    } satisfies CallerLimits);

    // Registered before the auth plugin, so this runs before any authentication (and before the body is read).
    app.addHook('onRequest', async (req, reply) => {
      const config = req.routeOptions.config;
      if (config.rateLimit === false) return undefined;
      if (config.auth || config.ownAuth) {
        const spent = await failures(req, { increment: false });
        if (!spent.isAllowed && spent.remaining === 0) {
          return tooMany(req, reply, spent.ttlInSeconds, 'auth_failures', 'too many failed authentications from this address; retry later');
        }
        const param = config.credentialParam;
        const credential =
          bearerToken(req) !== undefined ||
          (param !== undefined && typeof (req.params as Record<string, unknown> | undefined)?.[param] === 'string');
        // Counted once authenticated (per principal) or, failing that, against the failure budget.
        if (credential) return undefined;
      }
      const r = await perIp(req);
      if (!r.isAllowed && r.isExceeded)
        return tooMany(req, reply, r.ttlInSeconds, 'ip', 'too many requests from this address; retry later');
      if (config.ratingToken === 'params') return limitRatingToken(req, reply);
      return undefined;
    });
    // A rating token in the body is known once the body is parsed (the open routes' body limit is small).
    app.addHook('preHandler', async (req, reply) => {
      if (req.routeOptions.config.ratingToken !== 'body') return undefined;
      return limitRatingToken(req, reply);
    });
  },
  { name: 'aftercare-security', fastify: '5.x' },
);
