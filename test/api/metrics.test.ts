/** The API's Prometheus endpoint: request counter and latency histogram by route pattern, Node defaults. */
import { Type } from 'typebox';
import { metricsPlugin } from '../../src/metrics/api';
import { miniApp, type MiniApp } from './miniApp';
import { bearer, TOKENS } from './support';

let app: MiniApp;
let locked: MiniApp;
beforeAll(async () => {
  app = await miniApp(async (a) => {
    await a.register(metricsPlugin);
    a.get(
      '/v1/things/:id',
      { config: { auth: { roles: ['ops'] } }, schema: { params: Type.Object({ id: Type.String({ pattern: '^t' }) }) } },
      async () => ({ ok: true }),
    );
  });
  locked = await miniApp((a) => a.register(metricsPlugin, { bearerToken: 'scrape-secret-0123456789', defaultMetrics: false }));
});
afterAll(async () => {
  await app?.close();
  await locked?.close();
});

test('counts requests by method, route pattern and status; observes latency', async () => {
  await app.inject({ method: 'GET', url: '/v1/things/t1', headers: bearer(TOKENS.ops) });
  await app.inject({ method: 'GET', url: '/v1/things/t2', headers: bearer(TOKENS.ops) });
  await app.inject({ method: 'GET', url: '/v1/things/t3' });
  await app.inject({ method: 'GET', url: '/v1/things/x9', headers: bearer(TOKENS.ops) });
  await app.inject({ method: 'GET', url: '/nowhere/secret-id-123' });
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = res.body;
  expect(text).toContain('aftercare_http_requests_total{method="GET",route="/v1/things/:id",status="200"} 2');
  expect(text).toContain('aftercare_http_requests_total{method="GET",route="/v1/things/:id",status="401"} 1');
  expect(text).toContain('aftercare_http_requests_total{method="GET",route="/v1/things/:id",status="400"} 1');
  expect(text).toContain('aftercare_http_requests_total{method="GET",route="(unmatched)",status="404"} 1');
  expect(text).toMatch(
    /aftercare_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/v1\/things\/:id",status="200"\} \d/,
  );
  expect(text).toContain('aftercare_http_request_duration_seconds_count{method="GET",route="/v1/things/:id",status="200"} 2');
  // Raw URLs (ids, tokens) never become labels; scrapes do not count themselves.
  expect(text).not.toContain('secret-id-123');
  expect(text).not.toContain('route="/metrics"');
  expect(text).toContain('aftercare_api_process_cpu_user_seconds_total');
  expect(text).toContain('aftercare_api_nodejs_eventloop_lag_seconds');
});

test('an optional bearer token protects scrapes', async () => {
  expect((await locked.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  expect((await locked.inject({ method: 'GET', url: '/metrics', headers: bearer('wrong') })).statusCode).toBe(401);
  const ok = await locked.inject({ method: 'GET', url: '/metrics', headers: bearer('scrape-secret-0123456789') });
  expect(ok.statusCode).toBe(200);
  expect(ok.body).toContain('# TYPE aftercare_http_requests_total counter');
  expect(ok.body).not.toContain('aftercare_api_process');
});

test('each server has its own registry (many servers in one process do not collide)', async () => {
  const own = await locked.inject({ method: 'GET', url: '/metrics', headers: bearer('scrape-secret-0123456789') });
  expect(own.body).toContain('aftercare_http_requests_total');
  expect(own.body).not.toContain('/v1/things/:id');
});

test('wrong scrape tokens count as failed authentications: once the budget is spent, even the right token gets 429', async () => {
  const guarded = await miniApp((a) => a.register(metricsPlugin, { bearerToken: 'scrape-secret-0123456789', defaultMetrics: false }));
  try {
    const scrape = (token: string) =>
      guarded.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9', headers: bearer(token) });
    let first429 = -1;
    for (let i = 0; i < 40 && first429 < 0; i++) if ((await scrape(`guess-${i}-0123456789`)).statusCode === 429) first429 = i;
    expect(first429).toBeGreaterThan(0);
    const res = await scrape('scrape-secret-0123456789');
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
    // Another address scrapes as usual.
    expect(
      (await guarded.inject({ method: 'GET', url: '/metrics', remoteAddress: '198.51.100.9', headers: bearer('scrape-secret-0123456789') }))
        .statusCode,
    ).toBe(200);
  } finally {
    await guarded.close();
  }
});
