/**
 * One place that turns every failure into the API's error body (docs/api.md, Errors): schema violations (all of them, per field),
 * framework errors (bad JSON 400, too large 413, wrong type 415), port errors (404/409/429/503) and our ApiErrors.
 * Anything unexpected is a 500 with a generic message; the stack goes to the log, never to the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type ErrorBodyShape, type FieldProblem } from '../errors';
import { BusyError, InvalidCursorError, KeyConflictError, NotFoundError, RejectedTransitionError, UnavailableError } from '../port';
import { FIELD_CHECK_KEYWORD, MULTI_LINE, REQUEST_ID_PATTERN, SINGLE_LINE, TECHNICIAN_ID_PATTERN } from '../schemas/common';

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

const PART_PREFIX: Record<string, string> = { body: '', querystring: 'query', params: 'params', headers: 'headers' };

const PATTERN_TEXT: Record<string, string> = {
  [SINGLE_LINE]: 'must not contain control characters or line breaks',
  [MULTI_LINE]: 'must not contain control characters',
  [TECHNICIAN_ID_PATTERN]: 'must be a technician id such as t1001',
  [REQUEST_ID_PATTERN]: 'must be a request id such as sr-crm-CRM-10023',
};

function joinPath(prefix: string, pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  const path = parts.join('.');
  if (!prefix) return path || 'body';
  return path ? `${prefix}.${path}` : prefix;
}

export function detailsFromAjv(errors: AjvError[], context: string | undefined): FieldProblem[] {
  const prefix = PART_PREFIX[context ?? 'body'] ?? context ?? '';
  const out: FieldProblem[] = [];
  const seen = new Set<string>();
  // A field check also runs on a value the schema refused ("call me" is no phone number either): the
  // schema's message is the precise one, so the check's is dropped for that field.
  const refused = new Set(errors.filter((e) => e.keyword !== FIELD_CHECK_KEYWORD).map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword === FIELD_CHECK_KEYWORD && refused.has(e.instancePath)) continue;
    let path: string;
    let message: string;
    switch (e.keyword) {
      case 'required':
        path = joinPath(prefix, e.instancePath, String(e.params.missingProperty));
        message = 'is required';
        break;
      case 'additionalProperties':
        path = joinPath(prefix, e.instancePath, String(e.params.additionalProperty));
        message = 'is not allowed';
        break;
      case 'enum':
        path = joinPath(prefix, e.instancePath);
        message = `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`;
        break;
      case 'pattern':
        path = joinPath(prefix, e.instancePath);
        message = PATTERN_TEXT[String(e.params.pattern)] ?? 'has an invalid format';
        break;
      default:
        path = joinPath(prefix, e.instancePath);
        message = e.message ?? 'is invalid';
    }
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

/** A field path at the start of a workflow refusal: `score`, `answers.fixed`, `lines[1].partNumber`, `parts_used[0]`. */
const REASON_PATH = /^([A-Za-z_][A-Za-z0-9_]*(?:\[[0-9]+\])*(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[[0-9]+\])*)*): ?([\s\S]*)$/;

/**
 * The fields a workflow `InvalidArgument` refusal names: its reason is `path: message`, several joined by `; `
 * (the lifecycle checks, a quote's priced lines). A part without a path continues the message before it; a
 * reason that names no field at all is about the `body`.
 */
export function argumentProblems(reason: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const part of reason.split('; ')) {
    const m = REASON_PATH.exec(part);
    const last = out.at(-1);
    if (m) out.push({ path: m[1]!, message: m[2]! });
    else if (last) last.message += `; ${part}`;
    else out.push({ path: 'body', message: part });
  }
  return out.length ? out : [{ path: 'body', message: reason }];
}

function send(reply: FastifyReply, status: number, body: ErrorBodyShape, headers: Record<string, string> = {}): FastifyReply {
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

const FRAMEWORK_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json', 'body is empty; send a JSON object'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', 'content-length does not match the body'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'unsupported content type; send application/json'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [415, 'unsupported_media_type', 'send multipart/form-data'],
  FST_REQ_FILE_TOO_LARGE: [413, 'payload_too_large', 'file is too large'],
  FST_PARTS_LIMIT: [413, 'payload_too_large', 'too many parts'],
  FST_FILES_LIMIT: [413, 'payload_too_large', 'one file per upload'],
  FST_FIELDS_LIMIT: [413, 'payload_too_large', 'too many fields'],
  FST_ERR_BAD_URL: [400, 'bad_request', 'malformed URL'],
  // The router's maxParamLength: its own message would quote the whole path (a rating token, say) back.
  FST_ERR_MAX_PARAM_LENGTH: [414, 'uri_too_long', 'a path parameter is too long'],
};

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  // Fastify refused the body of a request for a route that does not exist (QUERY without Content-Type, bad JSON …):
  // the route is what is wrong, so the answer is the not-found one (404, or 405 on a path with other methods).
  if (req.is404 && (err.code === 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE' || err.code?.startsWith('FST_ERR_CTP_')))
    return notFoundHandler(req, reply);
  if (err.validation) {
    const details = detailsFromAjv(err.validation as unknown as AjvError[], err.validationContext);
    const fields = [...new Set(details.map((d) => d.path))];
    return send(reply, 400, { error: 'bad_request', message: `invalid input: ${fields.join(', ')}`, details });
  }
  if (err instanceof ApiError)
    return send(reply, err.statusCode, { error: err.code, message: err.message, details: err.details }, err.headers);
  if (err instanceof NotFoundError)
    return send(reply, 404, { error: 'not_found', message: err.message, details: [{ path: 'params.id', message: 'no such request' }] });
  if (err instanceof KeyConflictError) {
    return send(reply, 409, {
      error: 'idempotency_conflict',
      message: err.message,
      details: [{ path: 'externalId', message: 'already used with a different body' }],
    });
  }
  if (err instanceof RejectedTransitionError) {
    // The workflow judged an argument, not the state: that is the caller's input (400), naming the field.
    if (err.failureType === 'UnknownTechnician') {
      return send(reply, 400, { error: 'bad_request', message: err.reason, details: [{ path: 'technicianId', message: err.reason }] });
    }
    // The workflow remembers each caller's keys per action: this one came with another body before.
    if (err.failureType === 'IdempotencyConflict') {
      const message = 'the Idempotency-Key was already used for this action with another body; use a new key';
      return send(reply, 409, { error: 'conflict', message, details: [{ path: 'headers.idempotency-key', message }] });
    }
    if (err.failureType === 'InvalidArgument') {
      return send(reply, 400, { error: 'bad_request', message: err.reason, details: argumentProblems(err.reason) });
    }
    // Another action on this request was being applied at that instant: nothing changed, the same call may succeed now.
    if (err.failureType === 'Busy') {
      return send(reply, 409, { error: 'invalid_transition', message: err.reason, details: [] }, { 'retry-after': '1' });
    }
    return send(reply, 409, { error: 'invalid_transition', message: err.reason, details: [{ path: 'status', message: err.reason }] });
  }
  if (err instanceof InvalidCursorError)
    return send(reply, 400, { error: 'bad_request', message: err.message, details: [{ path: 'query.cursor', message: err.message }] });
  // Before UnavailableError, of which it is a kind: Temporal's per-workflow limits, still after brief retries.
  if (err instanceof BusyError) {
    req.log.warn({ requestId: err.requestId }, 'request busy: temporal per-workflow limit');
    return send(
      reply,
      429,
      { error: 'too_many_requests', message: err.message, details: [] },
      { 'retry-after': String(err.retryAfterSeconds) },
    );
  }
  if (err instanceof UnavailableError) {
    req.log.warn({ reason: err.message }, 'temporal unavailable');
    return send(reply, 503, { error: 'unavailable', message: err.message, details: [] }, { 'retry-after': String(err.retryAfterSeconds) });
  }
  const known = err.code ? FRAMEWORK_CODES[err.code] : undefined;
  if (known) return send(reply, known[0], { error: known[1], message: known[2], details: [] });
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Framework / plugin client errors (rate limit, …): their messages are written for clients.
    return send(reply, status, { error: STATUS_CODES[status] ?? 'bad_request', message: err.message, details: [] });
  }
  req.log.error({ err }, 'unhandled error');
  return send(reply, 500, {
    error: 'internal',
    message: 'internal error; the request id in X-Request-Id helps support find it',
    details: [],
  });
}

const ROUTABLE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = req.url.split('?')[0] ?? '/';
  const found = ROUTABLE_METHODS.filter((m) => m !== req.method).map((m) => ({ m, route: req.server.findRoute({ method: m, url: path }) }));
  // The router's stand-in for a path parameter over its maxParamLength (no searchParams): too long for any method.
  if (found.some((f) => f.route !== null && f.route.searchParams === undefined)) {
    const [status, error, message] = FRAMEWORK_CODES.FST_ERR_MAX_PARAM_LENGTH!;
    return send(reply, status, { error, message, details: [] });
  }
  // A path the API has, asked with a method it does not have: 405 naming the ones it has (RFC 9110 `Allow`).
  const allowed = found.filter((f) => f.route !== null).map((f) => f.m);
  if (allowed.length) {
    const message = `${req.method} is not allowed here; use ${allowed.join(', ')}`;
    return send(reply, 405, { error: 'method_not_allowed', message, details: [] }, { allow: allowed.join(', ') });
  }
  return send(reply, 404, { error: 'not_found', message: `no route ${req.method} ${path}`, details: [] });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function installErrorHandling(app: FastifyInstance<any, any, any, any, any>): void {
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
}
