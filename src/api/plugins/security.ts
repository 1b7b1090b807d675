/**
 * Security headers (helmet, CSP `'self'` only: the rating page's script and styles are files) and a generous
 * per-caller rate limit (per bearer token, or per IP for open routes).
 */
import { createHash } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync } from 'fastify';
import { bearerToken } from './auth';
import { global } from './global';

export interface SecurityOptions {
  /** Requests per minute per token / IP. */
  rateLimitPerMinute: number;
  /** Served over https: browsers are told to upgrade sub-resources (off for plain-http dev stacks). */
  https?: boolean;
}

export const securityPlugin = global<FastifyPluginAsync<SecurityOptions>>(async (app, opts) => {
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
  await app.register(rateLimit, {
    global: true,
    max: opts.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req) => {
      const token = bearerToken(req);
      return token ? `t:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}` : `ip:${req.ip}`;
    },
  });
}, 'aftercare-security');
