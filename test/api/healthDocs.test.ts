import { bearer, makeApp, TOKENS, type TestApp } from './support';
import { UnavailableError } from '../../src/api/port';

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
