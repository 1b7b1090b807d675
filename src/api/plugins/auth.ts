/**
 * Bearer-token authentication and role rules (issue 4). Each route declares `config.auth`:
 *   false                          open (health, docs, rating page, customer feedback with its signed token)
 *   { roles }                      the token's role must be listed
 *   { roles, technicianOwn: true } technicians additionally only for requests assigned to them (checked
 *                                  against the workflow's state; the workflow re-checks on its own)
 * On every route with a request id, integrations reach only the requests they started (issue 16: the
 * request's `owner` is the token's name; requests from before owners are for ops only).
 * Authentication runs onRequest, before the body is read; the request checks run preHandler, after the
 * id has been validated. A request the caller may not see is answered exactly like one that does not exist
 * (404), so nobody can probe which ids exist.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal, Role, TokenStore } from '../../tokens';
import type { ServiceRequestState } from '../../../workflows/messages';
import { forbidden, unauthorized } from '../errors';
import { NotFoundError } from '../port';
import { closeIfBodyPending } from './security';

export interface RouteAuth {
  roles: readonly Role[];
  /** Technicians may act only on requests currently assigned to them. */
  technicianOwn?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: false | RouteAuth;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** The request named by `params.id`, as read for the access check (integrations, technicians). */
    visibleState?: ServiceRequestState;
  }
}

/** Whether `principal` may see this request: ops all, integrations their own, technicians (on `technicianOwn` routes) their assigned. */
export function maySee(principal: Principal, state: ServiceRequestState, technicianOwn: boolean): boolean {
  if (principal.role === 'integration') return state.owner !== undefined && state.owner === principal.name;
  if (principal.role === 'technician' && technicianOwn) return !!state.technicianId && state.technicianId === principal.technicianId;
  return true;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/i;

export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  return BEARER.exec(h.trim())?.[1];
}

/** The authenticated principal of a route with `config.auth` (always set there). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthorized();
  return req.principal;
}

export const authPlugin = fp<{ tokens: TokenStore }>(
  async (app, { tokens }) => {
    app.decorateRequest('principal', undefined);
    app.decorateRequest('visibleState', undefined);

    // Fail closed: an API route that forgot to say who may call it does not start.
    app.addHook('onRoute', (route) => {
      const auth = (route.config as { auth?: unknown } | undefined)?.auth;
      if (route.url.startsWith('/v1/') && auth === undefined) throw new Error(`route ${route.method} ${route.url} declares no config.auth`);
    });

    // The security plugin's limits ran before this (per IP, failed-auth budget); refusals here close the
    // connection when a body is on its way, so it is never read.
    app.addHook('onRequest', async (req, reply) => {
      const auth = req.routeOptions.config.auth;
      if (!auth) return undefined;
      const limits = app.hasDecorator('callerLimits') ? app.callerLimits : undefined;
      const token = bearerToken(req);
      if (!token) {
        closeIfBodyPending(req, reply);
        throw unauthorized();
      }
      const principal = tokens.authenticate(token);
      if (!principal) {
        await limits?.authFailed(req);
        closeIfBodyPending(req, reply);
        throw unauthorized('unknown bearer token');
      }
      if (limits && !(await limits.authenticated(req, reply, `${principal.role}:${principal.name}:${principal.technicianId ?? ''}`)))
        return reply;
      if (!auth.roles.includes(principal.role)) {
        closeIfBodyPending(req, reply);
        throw forbidden(`role ${principal.role} may not ${req.method} ${req.routeOptions.url ?? ''}`.trim());
      }
      req.principal = principal;
      req.log = req.log.child({ principal: principal.name, role: principal.role });
      return undefined;
    });

    app.addHook('preHandler', async (req) => {
      const auth = req.routeOptions.config.auth;
      const principal = req.principal;
      const id = (req.params as { id?: unknown } | undefined)?.id;
      if (!auth || !principal || typeof id !== 'string') return;
      const technicianOwn = auth.technicianOwn === true;
      if (principal.role !== 'integration' && !(principal.role === 'technician' && technicianOwn)) return;
      const state = await app.services.requests.get(id);
      // Not theirs: the same 404 as an id that does not exist.
      if (!maySee(principal, state, technicianOwn)) throw new NotFoundError(id);
      req.visibleState = state;
    });
  },
  { name: 'aftercare-auth', fastify: '5.x' },
);
