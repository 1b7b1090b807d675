/**
 * Codec server (Temporal's remote codec protocol) so authorised people can read the encrypted payloads:
 *   POST /codec/encode · /codec/decode            Authorization: Bearer <ops API token | codec token>
 *   POST /codec/<codec token>/encode · /decode    for UIs that cannot send a header (the dev server's Web UI
 *                                                 has no login, so its `--ui-codec-endpoint` carries the key)
 * Bodies are `{ "payloads": [{ "metadata": { k: base64 }, "data": base64 }] }` both ways.
 * CORS: the Web UI calls from the browser, so its origins get `Access-Control-Allow-*` for POST with
 * `Content-Type`, `X-Namespace` and `Authorization`, including the preflight. Every call is logged with
 * who made it, the namespace and the number of payloads — never their contents.
 * Authentication happens in onRequest, before the body is read: unauthenticated uploads get nothing read.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PayloadCodec } from '@temporalio/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { fromJsonPayload, RemotePayloadError, toJsonPayload, type JsonPayload } from '../../codec/remote';
import type { TokenStore } from '../../tokens';
import { ApiError, badRequest, forbidden, unauthorized } from '../errors';
import { bearerToken } from '../plugins/auth';
import { closeIfBodyPending } from '../plugins/security';
import { errorResponses } from '../schemas/common';

export const DEFAULT_UI_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];

export interface CodecRoutesOptions {
  codec: PayloadCodec;
  /** API tokens; holders of role `ops` may use the codec. */
  tokens?: TokenStore;
  /** Dedicated codec tokens (≥ 16 characters): for the Web UI's endpoint URL, the CLI's `--codec-auth`. */
  codecTokens?: readonly string[];
  /** Browser origins allowed to call (the Temporal Web UI). */
  allowedOrigins?: readonly string[];
  /** Largest request body in bytes (default 8 MiB: a long history is decoded in batches of many payloads). */
  bodyLimit?: number;
  /** Namespaces served; a call naming another one in X-Namespace is refused. Default: any. */
  namespaces?: readonly string[];
}

const PayloadJson = Type.Object(
  {
    metadata: Type.Optional(Type.Record(Type.String({ maxLength: 256 }), Type.String())),
    data: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const PayloadsBody = Type.Object({ payloads: Type.Array(PayloadJson, { maxItems: 20_000 }) }, { additionalProperties: true });
const KeyParams = Type.Object({ key: Type.String({ minLength: 16, maxLength: 512 }) });

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export const codecRoutes: FastifyPluginAsyncTypebox<CodecRoutesOptions> = async (app, opts) => {
  const origins = new Set(opts.allowedOrigins ?? DEFAULT_UI_ORIGINS);
  const codecDigests = (opts.codecTokens ?? []).filter((t) => t.length >= 16).map(digest);
  const bodyLimit = opts.bodyLimit ?? 8 * 1024 * 1024;

  /** Constant-time over every configured codec token. */
  const isCodecToken = (token: string): boolean => {
    const d = digest(token);
    let ok = false;
    for (const c of codecDigests) ok = timingSafeEqual(d, c) || ok;
    return ok;
  };

  /** Who is calling, or why not (`guess`: an unknown token or key, counted against the caller's IP). */
  const authenticate = (req: FastifyRequest): { who: string } | { refusal: ApiError; guess: boolean } => {
    const pathKey = (req.params as { key?: string } | undefined)?.key;
    if (pathKey !== undefined)
      return isCodecToken(pathKey) ? { who: 'codec-url-key' } : { refusal: forbidden('unknown codec key'), guess: true };
    const token = bearerToken(req);
    if (!token) return { refusal: unauthorized(), guess: false };
    if (isCodecToken(token)) return { who: 'codec-token' };
    const principal = opts.tokens?.authenticate(token);
    if (!principal) return { refusal: unauthorized('unknown bearer token'), guess: true };
    if (principal.role !== 'ops') return { refusal: forbidden(`role ${principal.role} may not decode payloads`), guess: false };
    return { who: principal.name };
  };

  /**
   * onRequest of the POST routes: the caller is known before Fastify reads (let alone parses and validates) a body
   * of up to 8 MiB. A refused upload is never read: the answer closes the connection.
   */
  const callers = new WeakMap<FastifyRequest, string>();
  const requireCaller = async (req: FastifyRequest, reply: FastifyReply) => {
    const limits = app.hasDecorator('callerLimits') ? app.callerLimits : undefined;
    const auth = authenticate(req);
    if ('refusal' in auth) {
      if (auth.guess) await limits?.authFailed(req);
      closeIfBodyPending(req, reply);
      throw auth.refusal;
    }
    if (limits && !(await limits.authenticated(req, reply, `codec:${auth.who}`))) return reply;
    callers.set(req, auth.who);
    return undefined;
  };

  const cors = (req: FastifyRequest, reply: FastifyReply): boolean => {
    const origin = req.headers.origin;
    reply.header('vary', 'Origin');
    if (typeof origin !== 'string' || !origins.has(origin)) return false;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
    return true;
  };

  app.addHook('onRequest', async (req, reply) => {
    cors(req, reply);
  });

  const preflight = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.headers.origin || !origins.has(req.headers.origin)) throw forbidden('origin not allowed');
    reply.header('access-control-allow-methods', 'POST, OPTIONS');
    reply.header('access-control-allow-headers', 'content-type, x-namespace, authorization');
    reply.header('access-control-max-age', '600');
    return reply.code(204).send();
  };

  const handle = (op: 'encode' | 'decode') => async (req: FastifyRequest, reply: FastifyReply) => {
    const who = callers.get(req) ?? 'unknown';
    const ns = req.headers['x-namespace'];
    const namespace = typeof ns === 'string' ? ns : undefined;
    if (opts.namespaces && namespace !== undefined && !opts.namespaces.includes(namespace)) {
      throw forbidden(`namespace ${namespace} is not served by this codec`, 'headers.x-namespace');
    }
    const body = req.body as { payloads: JsonPayload[] };
    let payloads;
    try {
      payloads = body.payloads.map(fromJsonPayload);
    } catch (err) {
      if (err instanceof RemotePayloadError) throw badRequest([{ path: err.message.split(':')[0] ?? 'payloads', message: err.message }]);
      throw err;
    }
    let out;
    try {
      out = op === 'encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
    } catch (err) {
      req.log.warn({ op, namespace, who, count: payloads.length, err: (err as Error).message }, 'codec refused payloads');
      throw new ApiError(422, 'codec_error', `cannot ${op}: ${(err as Error).message}`);
    }
    req.log.info({ op, namespace, who, count: payloads.length }, 'codec');
    return reply.header('cache-control', 'no-store').send({ payloads: out.map(toJsonPayload) });
  };

  // Open to the app-level auth: requireCaller authenticates; the limits know (ownAuth) and see the URL key.
  const common = { config: { auth: false as const, ownAuth: true, credentialParam: 'key' }, bodyLimit, onRequest: requireCaller } as const;
  const schema = (op: string, withKey: boolean) => ({
    summary: `Remote codec: ${op} payloads${withKey ? ' (key in the URL, for the Web UI)' : ''}`,
    tags: ['codec'],
    ...(withKey ? { params: KeyParams } : { security: [{ bearer: [] }] }),
    body: PayloadsBody,
    response: { 200: PayloadsBody, ...errorResponses(400, 401, 403, 413, 415, 422, 429, ...(withKey ? [414] : [])) },
  });

  for (const op of ['encode', 'decode'] as const) {
    app.options(`/codec/${op}`, { config: { auth: false }, schema: { hide: true } }, preflight);
    app.post(`/codec/${op}`, { ...common, schema: schema(op, false) }, handle(op));
    if (codecDigests.length) {
      app.options(`/codec/:key/${op}`, { config: { auth: false }, schema: { hide: true, params: KeyParams } }, preflight);
      app.post(`/codec/:key/${op}`, { ...common, schema: schema(op, true) }, handle(op));
    }
  }
};
