import { bearer, makeApp, NOW, ratingToken, TOKENS, type TestApp } from './support';
import { UnavailableError } from '../../src/api/port';
import type { ApiServer } from '../../src/api/server';
import { CODEC_TOKEN, makeFullApp, SEEDED, type FullApp } from './fullApp';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});

describe('health', () => {
  test('GET /healthz is open and always ok', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  test('GET /readyz reflects the Temporal connection (checked at most once a second)', async () => {
    const fresh = await makeApp();
    expect((await fresh.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
    fresh.port.unavailable = true;
    await sleep(1100);
    const down = await fresh.app.inject({ method: 'GET', url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBeDefined();
    expect(down.json()).toEqual({ error: 'unavailable', message: expect.any(String), details: [] });
  });

  test('GET /readyz: a burst asks Temporal at most once per second', async () => {
    const fresh = await makeApp();
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 20 }, () => fresh.app.inject({ method: 'GET', url: '/readyz' })));
    for (let i = 0; i < 20; i++) answers.push(await fresh.app.inject({ method: 'GET', url: '/readyz' }));
    const seconds = Math.ceil((Date.now() - started) / 1000);
    expect(answers.map((a) => a.statusCode)).toEqual(Array(40).fill(200));
    // Once per started second of the burst (a loaded machine may stretch it), never once per request.
    expect(fresh.port.count('ready')).toBeLessThanOrEqual(seconds + 1);
    expect(fresh.port.count('ready')).toBeLessThan(40);
  });

  test('GET /readyz answers errors without the upstream text', async () => {
    const fresh = await makeApp();
    fresh.port.ready = async () => {
      throw new UnavailableError(
        'Temporal not ready: 14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 10.9.8.7:7233',
        4,
      );
    };
    const down = await fresh.app.inject({ method: 'GET', url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBeDefined();
    expect(down.json()).toEqual({ error: 'unavailable', message: expect.any(String), details: [] });
    expect(down.body).not.toMatch(/ECONNREFUSED|10\.9\.8\.7|UNAVAILABLE|connection/);
    const crashed = await makeApp();
    crashed.port.ready = async () => {
      throw new Error('describeNamespace: internal at temporal-frontend-7f9c.internal:7233');
    };
    const res = await crashed.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain('temporal-frontend');
  });

  test('GET /readyz is rate-limited per IP; /healthz is not', async () => {
    const limited = await makeApp({ limits: { ipRateLimitPerMinute: 3 } });
    for (let i = 0; i < 3; i++) expect((await limited.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const res = await limited.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ error: 'too_many_requests', details: [] });
    expect(res.headers['retry-after']).toBeDefined();
    for (let i = 0; i < 5; i++) expect((await limited.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  test('X-Request-Id is echoed when it looks like an id, replaced otherwise', async () => {
    const echoed = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'crm-abc.123' } });
    expect(echoed.headers['x-request-id']).toBe('crm-abc.123');
    const replaced = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\u0001<script>' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('unknown routes: 404 in the error shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not_found', message: expect.any(String), details: [] });
  });

  test('rate limit: 429 in the error shape', async () => {
    const limited = await makeApp({ limits: { rateLimitPerMinute: 2 } });
    const call = () => limited.app.inject({ method: 'GET', url: '/v1/service-requests', headers: bearer(TOKENS.ops) });
    await call();
    await call();
    const res = await call();
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ error: 'too_many_requests', details: [] });
    expect(res.headers['retry-after']).toBeDefined();
    // Per token: another caller is not affected; health is never limited.
    expect((await limited.app.inject({ method: 'GET', url: '/v1/service-requests', headers: bearer(TOKENS.integration) })).statusCode).toBe(
      200,
    );
    for (let i = 0; i < 3; i++) expect((await limited.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('OpenAPI', () => {
  const ROUTES: [string, string][] = [
    ['post', '/v1/service-requests'],
    ['get', '/v1/service-requests'],
    ['get', '/v1/service-requests/{id}'],
    ['post', '/v1/service-requests/{id}/assignment'],
    ['post', '/v1/service-requests/{id}/accept'],
    ['post', '/v1/service-requests/{id}/decline'],
    ['post', '/v1/service-requests/{id}/appointment'],
    ['post', '/v1/service-requests/{id}/arrival'],
    ['post', '/v1/service-requests/{id}/completion'],
    ['post', '/v1/service-requests/{id}/photos'],
    ['post', '/v1/service-requests/{id}/hold'],
    ['post', '/v1/service-requests/{id}/resume'],
    ['post', '/v1/service-requests/{id}/feedback'],
    ['post', '/v1/service-requests/{id}/follow-up'],
    ['post', '/v1/service-requests/{id}/cancel'],
    ['get', '/healthz'],
    ['get', '/readyz'],
    ['get', '/r/{token}'],
  ];

  let doc: {
    openapi: string;
    paths: Record<
      string,
      Record<
        string,
        {
          requestBody?: { content: Record<string, { schema: unknown }> };
          parameters?: { schema: unknown; in: string }[];
          responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
          security?: unknown[];
          summary?: string;
        }
      >
    >;
    components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
  };
  beforeAll(async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });

  test('describes every route, with a summary and response schemas', () => {
    expect(doc.openapi).toMatch(/^3\./);
    for (const [method, path] of ROUTES) {
      const op = doc.paths[path]?.[method];
      expect({ route: `${method} ${path}`, found: !!op }).toEqual({ route: `${method} ${path}`, found: true });
      expect(op?.summary).toEqual(expect.any(String));
      if (!path.startsWith('/r/')) {
        const ok = op!.responses['200'] ?? op!.responses['201'];
        expect(ok?.content?.['application/json']?.schema).toBeDefined();
      }
    }
  });

  test('bodies, params and errors have schemas; bearer security on protected routes', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas).toHaveProperty('ErrorBody');
    expect(doc.components.schemas).toHaveProperty('ServiceRequestState');
    for (const [method, path] of ROUTES.filter(([m, p]) => m === 'post' && p.startsWith('/v1'))) {
      const op = doc.paths[path]![method]!;
      const content = op.requestBody?.content ?? {};
      const schema = content['application/json']?.schema ?? content['multipart/form-data']?.schema;
      expect({ path, hasBody: schema !== undefined }).toEqual({ path, hasBody: true });
      if (path !== '/v1/service-requests/{id}/feedback') expect(op.security).toEqual([{ bearer: [] }]);
      if (path !== '/v1/service-requests') {
        expect(op.responses['409'] ?? op.responses['404']).toBeDefined();
      }
      expect(op.responses['400']).toBeDefined();
    }
    const start = doc.paths['/v1/service-requests']!.post!;
    const body = JSON.stringify(start.requestBody);
    for (const field of ['customer', 'phone', 'purchaseDate', 'description', 'urgency', 'externalId']) expect(body).toContain(field);
    expect(doc.paths['/v1/service-requests/{id}']!.get!.parameters?.[0]).toMatchObject({ in: 'path', schema: expect.any(Object) });
    expect(JSON.stringify(doc.paths['/v1/service-requests']!.get!.parameters)).toContain('escalated');
  });

  test('GET /docs serves Swagger UI', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});

/**
 * Issue 16: the served OpenAPI document describes every status and content type the API really returns. Every
 * operation of the document (every optional route on: report, codec, /metrics hidden) is called with the requests
 * that make routes refuse (no or unknown token, other roles, a path parameter over the router's limit or off its
 * pattern, unknown ids, wrong content type, oversized and malformed bodies, Temporal down, rate limits, the rating
 * link's outcomes); each answer's status must be documented for that operation, with the answer's content type,
 * and the Retry-After a 429 or 503 carries must be documented there too.
 */
describe('OpenAPI: every answer of every route is documented', () => {
  type Op = {
    responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, { schema?: { type?: string } }> }>;
    security?: unknown[];
    requestBody?: { content: Record<string, unknown> };
  };
  interface Seen {
    op: string;
    status: number;
    contentType: string;
    headers: Record<string, unknown>;
    why: string;
  }
  let full: FullApp;
  let doc: { paths: Record<string, Record<string, Op>> };
  const seen: Seen[] = [];
  const ALL_TOKENS = [TOKENS.integration, TOKENS.ops, TOKENS.tech1, TOKENS.tech2];
  const PARAMS: Record<string, string> = { id: SEEDED.assignedT1001, key: CODEC_TOKEN, token: '' };

  const operations = (): [string, string, Op][] =>
    Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]): [string, string, Op] => [method, path, op]));
  const fill = (path: string, params: Record<string, string> = {}) =>
    path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? PARAMS[name] ?? 'x'));

  async function call(
    app: ApiServer,
    why: string,
    method: string,
    path: string,
    opts: { params?: Record<string, string>; token?: string; headers?: Record<string, string>; payload?: string | Buffer } = {},
  ): Promise<void> {
    const headers: Record<string, string> = { ...(opts.token ? bearer(opts.token) : {}), ...opts.headers };
    const res = await app.inject({ method: method.toUpperCase() as 'GET', url: fill(path, opts.params), headers, payload: opts.payload });
    seen.push({
      op: `${method} ${path}`,
      status: res.statusCode,
      contentType: String(res.headers['content-type'] ?? '').split(';')[0]!,
      headers: res.headers,
      why,
    });
  }

  /** The refusals every operation is put through. */
  async function provoke(app: ApiServer, method: string, path: string, op: Op): Promise<void> {
    const json = op.requestBody?.content['application/json'] !== undefined;
    const body = op.requestBody
      ? { headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' }, payload: json ? '{}' : 'score=' }
      : {};
    await call(app, 'no credentials', method, path, body);
    await call(app, 'unknown bearer token', method, path, { ...body, token: 'unknown-token-0123456789abcdef' });
    for (const token of ALL_TOKENS) await call(app, 'each role', method, path, { ...body, token });
    if (path.includes('{')) {
      const long = { id: `sr-${'a'.repeat(1100)}`, key: 'k'.repeat(1100), token: 't'.repeat(1100) };
      await call(app, 'path parameter over the router limit', method, path, { ...body, token: TOKENS.ops, params: long });
      const bad = { id: 'no such id!', key: 'short', token: 'not-a-token' };
      await call(app, 'path parameter off its pattern', method, path, { ...body, token: TOKENS.ops, params: bad });
      await call(app, 'unknown request', method, path, { ...body, token: TOKENS.ops, params: { id: 'sr-CRM-UNKNOWN-1' } });
    }
    if (op.requestBody) {
      for (const token of [TOKENS.ops, TOKENS.tech1, TOKENS.integration]) {
        await call(app, 'unsupported content type', method, path, {
          token,
          headers: { 'content-type': 'application/xml' },
          payload: '<a/>',
        });
        await call(app, 'malformed body', method, path, { token, headers: body.headers, payload: json ? '{"a":' : '%zz=%' });
        await call(app, 'oversized body', method, path, { token, headers: body.headers, payload: Buffer.alloc(9 * 1024 * 1024, 0x61) });
      }
    }
  }

  beforeAll(async () => {
    full = await makeFullApp();
    const res = await full.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
    PARAMS.token = full.ratingToken;
  });
  afterAll(async () => {
    await full.close();
  });

  test('every refusal of every operation, and Temporal down', async () => {
    expect(operations().length).toBeGreaterThanOrEqual(22);
    for (const [method, path, op] of operations()) await provoke(full.app, method, path, op);
    full.port.unavailable = true;
    for (const [method, path, op] of operations()) {
      for (const token of ALL_TOKENS)
        await call(full.app, 'Temporal down', method, path, {
          token,
          ...(op.requestBody ? { headers: { 'content-type': 'application/json' }, payload: '{"score":5,"token":"x"}' } : {}),
        });
    }
    await call(full.app, 'Temporal down', 'get', '/r/{token}');
    await call(full.app, 'Temporal down', 'post', '/r/{token}', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'score=5',
    });
    full.port.unavailable = false;
  });

  test('the rating link and feedback outcomes, the codec refusing a payload', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const expired = ratingToken(SEEDED.completed, { expiresAt: new Date(NOW - 1000).toISOString(), tokenId: 'old' });
    const other = ratingToken(SEEDED.received, { tokenId: 'other' });
    for (const token of [full.ratingToken, expired, ratingToken(SEEDED.cancelled), ratingToken('sr-CRM-NOPE')]) {
      await call(full.app, 'rating page', 'get', '/r/{token}', { params: { token } });
    }
    await call(full.app, 'rating form without a score', 'post', '/r/{token}', { headers: form, payload: 'score=9' });
    await call(full.app, 'rating form, expired', 'post', '/r/{token}', { params: { token: expired }, headers: form, payload: 'score=5' });
    const feedback = (token: string) => ({ headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ score: 5, token }) });
    await call(full.app, 'feedback, expired', 'post', '/v1/service-requests/{id}/feedback', {
      params: { id: SEEDED.completed },
      ...feedback(expired),
    });
    await call(full.app, "feedback, other request's token", 'post', '/v1/service-requests/{id}/feedback', {
      params: { id: SEEDED.completed },
      ...feedback(other),
    });
    await call(full.app, 'feedback', 'post', '/v1/service-requests/{id}/feedback', {
      params: { id: SEEDED.completed },
      ...feedback(full.ratingToken),
    });
    await call(full.app, 'feedback, used', 'post', '/v1/service-requests/{id}/feedback', {
      params: { id: SEEDED.completed },
      ...feedback(full.ratingToken),
    });
    await call(full.app, 'rating page, used', 'get', '/r/{token}');
    await call(full.app, 'rating form, used', 'post', '/r/{token}', { headers: form, payload: 'score=4' });
    await call(full.app, 'transition refused in this state', 'post', '/v1/service-requests/{id}/cancel', {
      token: TOKENS.ops,
      params: { id: SEEDED.cancelled },
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ reason: 'duplicate request' }),
    });
    const foreign = JSON.stringify({
      payloads: [
        {
          metadata: {
            encoding: Buffer.from('binary/encrypted').toString('base64'),
            'encryption-key-id': Buffer.from('gone').toString('base64'),
          },
          data: 'AAAA',
        },
      ],
    });
    await call(full.app, 'codec: unknown key id', 'post', '/codec/decode', {
      token: TOKENS.ops,
      headers: { 'content-type': 'application/json' },
      payload: foreign,
    });
    await call(full.app, 'codec: unknown key id', 'post', '/codec/{key}/decode', {
      headers: { 'content-type': 'application/json' },
      payload: foreign,
    });
  });

  test('rate limits: every operation that is limited answers 429', async () => {
    const limited = await makeFullApp({ limits: { rateLimitPerMinute: 1, ipRateLimitPerMinute: 1, ratingTokenPerMinute: 1 } });
    try {
      for (const [method, path, op] of operations()) {
        const body = op.requestBody ? { headers: { 'content-type': 'application/json' }, payload: '{}' } : {};
        for (const token of [undefined, TOKENS.ops, TOKENS.ops]) await call(limited.app, 'rate limited', method, path, { token, ...body });
      }
    } finally {
      await limited.close();
    }
  });

  test('a documented path asked with a method it does not have: 405 with Allow (described in the document)', async () => {
    expect(JSON.stringify((doc as unknown as { info: unknown }).info)).toMatch(/405 with `Allow`/);
    for (const [path, ops] of Object.entries(doc.paths)) {
      const documented = Object.keys(ops).map((m) => m.toUpperCase());
      // QUERY without a Content-Type, which Fastify refuses before routing: still the route's answer, 405.
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'QUERY'].filter((m) => !documented.includes(m))) {
        const res = await full.app.inject({ method: method as 'PUT', url: fill(path) });
        expect({ path, method, status: res.statusCode }).toEqual({ path, method, status: 405 });
        expect(res.json()).toMatchObject({ error: 'method_not_allowed', details: [] });
        const allow = String(res.headers.allow).split(', ');
        expect({ path, allow: documented.every((m) => allow.includes(m)) }).toEqual({ path, allow: true });
      }
    }
    // Unknown paths stay 404; a path parameter over the router's limit is 414 whatever the method.
    expect((await full.app.inject({ method: 'PUT', url: '/v1/nothing' })).statusCode).toBe(404);
    for (const method of ['GET', 'PUT', 'QUERY'] as const) {
      const res = await full.app.inject({ method, url: `/r/${'t'.repeat(1100)}` });
      expect({ method, status: res.statusCode, body: res.json() }).toEqual({
        method,
        status: 414,
        body: { error: 'uri_too_long', message: expect.any(String), details: [] },
      });
    }
  });

  test('each answer seen is documented for its operation, with its content type and headers', () => {
    const problems: string[] = [];
    for (const s of seen) {
      const [method, path] = s.op.split(' ') as [string, string];
      const documented = doc.paths[path]![method]!.responses[String(s.status)];
      if (!documented) {
        problems.push(`${s.op}: ${s.status} (${s.why}) is not documented`);
        continue;
      }
      const types = Object.keys(documented.content ?? {});
      if (s.contentType && !types.includes(s.contentType))
        problems.push(`${s.op}: ${s.status} ${s.contentType} (${s.why}) is documented as ${types.join(', ') || 'no content'}`);
      if (s.status === 429 || s.status === 503) {
        if (!/^[1-9]\d*$/.test(String(s.headers['retry-after']))) problems.push(`${s.op}: ${s.status} (${s.why}) without Retry-After`);
        if (documented.headers?.['Retry-After']?.schema?.type !== 'integer') problems.push(`${s.op}: ${s.status} documents no Retry-After`);
      }
    }
    expect([...new Set(problems)]).toEqual([]);
    // The probes did reach every kind of answer the issue names (the check above is not vacuous).
    const statuses = new Set(seen.map((s) => s.status));
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 400, 401, 403, 404, 409, 410, 413, 414, 415, 422, 429, 503]));
    expect(seen.some((s) => s.contentType === 'text/html' && s.status === 200)).toBe(true);
    expect(seen.some((s) => s.contentType === 'text/html' && s.status === 503)).toBe(true);
    // And nothing the routes answered was a crash.
    expect(seen.filter((s) => s.status >= 500 && s.status !== 503)).toEqual([]);
  });
});
