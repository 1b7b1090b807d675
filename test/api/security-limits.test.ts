/**
 * Issue 16, finding 1: rate limits run at the app level, before authentication. Callers are counted per IP until
 * they are authenticated, failed authentications have a strict budget per IP, authenticated callers are counted
 * per principal, and the open rating routes per IP and per rating token (never per Authorization header).
 * 429s carry Retry-After and the `{ error, message, details }` body.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { LocalStorage } from '../../src/adapters/storage/local';
import { buildServer, type ApiServer, type ServerLimits } from '../../src/api/server';
import type { Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { FakePort } from './fakePort';
import { bearer, NOW, ratingToken, SECRET, tokenStore, TOKENS } from './support';

const HUGE = 1_000_000;
const dirs: string[] = [];
const apps: ApiServer[] = [];
const logs: string[] = [];

afterAll(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  jest.restoreAllMocks();
});

async function server(limits: Partial<ServerLimits>, trustProxy?: Config['trustProxy']): Promise<ApiServer> {
  const dir = mkdtempSync(join(tmpdir(), 'aftercare-limits-'));
  dirs.push(dir);
  const port = new FakePort();
  port.now = () => NOW;
  const app = await buildServer({
    config: { publicBaseUrl: 'http://localhost:3000', ratingLinkSecret: SECRET, ...(trustProxy === undefined ? {} : { trustProxy }) },
    logger: createLogger('debug', { write: (line: string) => logs.push(line) }),
    requests: port,
    storage: new LocalStorage(dir),
    tokens: tokenStore(),
    clock: () => NOW,
    metrics: false,
    limits: { rateLimitPerMinute: HUGE, ipRateLimitPerMinute: HUGE, authFailuresPerWindow: HUGE, ratingTokenPerMinute: HUGE, ...limits },
  });
  apps.push(app);
  return app;
}

const list = (app: ApiServer, ip: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: '/v1/service-requests', remoteAddress: ip, headers });

function expectLimited(res: LightMyRequestResponse): void {
  expect(res.statusCode).toBe(429);
  expect(res.json()).toEqual({ error: 'too_many_requests', message: expect.any(String), details: [] });
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
}

describe('failed authentications: a strict budget per IP', () => {
  test('guessing bearer tokens ends in 429, then even a correct token from that IP is refused; other IPs are not', async () => {
    const app = await server({ authFailuresPerWindow: 5 });
    const guesses = Array.from({ length: 5 }, (_, i) => `guessed-token-${i}-0123456789abcdef`);
    for (const g of guesses) expect((await list(app, '203.0.113.7', bearer(g))).statusCode).toBe(401);
    expectLimited(await list(app, '203.0.113.7', bearer('guessed-token-5-0123456789abcdef')));
    expectLimited(await list(app, '203.0.113.7', bearer(TOKENS.ops)));
    expect((await list(app, '198.51.100.9', bearer(TOKENS.ops))).statusCode).toBe(200);
    // The guessed tokens are credentials too: never in a log line.
    for (const g of guesses) expect(logs.some((l) => l.includes(g))).toBe(false);
  });

  test('the block ends when the window has passed', async () => {
    let now = 1_750_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const app = await server({ authFailuresPerWindow: 3, authFailureWindowMs: 60_000 });
    for (let i = 0; i < 3; i++) expect((await list(app, '203.0.113.8', bearer(`wrong-token-${i}-0123456789abcdef`))).statusCode).toBe(401);
    expectLimited(await list(app, '203.0.113.8', bearer(TOKENS.ops)));
    now += 30_000;
    const still = await list(app, '203.0.113.8', bearer(TOKENS.ops));
    expectLimited(still);
    expect(Number(still.headers['retry-after'])).toBeLessThanOrEqual(30);
    now += 30_001;
    expect((await list(app, '203.0.113.8', bearer(TOKENS.ops))).statusCode).toBe(200);
  });
});

describe('per IP until authenticated', () => {
  test('calls without a token are counted per IP, before the 401', async () => {
    const app = await server({ ipRateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await list(app, '203.0.113.20')).statusCode).toBe(401);
    expectLimited(await list(app, '203.0.113.20'));
    expect((await list(app, '203.0.113.21')).statusCode).toBe(401);
  });

  test('open feedback route: a random Authorization header does not buy a fresh limit', async () => {
    const app = await server({ ipRateLimitPerMinute: 3, rateLimitPerMinute: 3 });
    const feedback = (i: number) =>
      app.inject({
        method: 'POST',
        url: '/v1/service-requests/sr-CRM-1/feedback',
        remoteAddress: '203.0.113.30',
        headers: bearer(`random-header-${i}-0123456789abcdef`),
        payload: { token: 'not-a-rating-token', score: 5 },
      });
    for (let i = 0; i < 3; i++) expect((await feedback(i)).statusCode).not.toBe(429);
    expectLimited(await feedback(3));
  });

  test('authenticated callers are counted per principal, not by the IP they share', async () => {
    const app = await server({ ipRateLimitPerMinute: 2, rateLimitPerMinute: 4 });
    for (let i = 0; i < 4; i++) expect((await list(app, '203.0.113.40', bearer(TOKENS.ops))).statusCode).toBe(200);
    expectLimited(await list(app, '203.0.113.40', bearer(TOKENS.ops)));
    expect((await list(app, '203.0.113.40', bearer(TOKENS.integration))).statusCode).toBe(200);
  });
});

describe('rating links: per rating token as well as per IP', () => {
  test('one rating token has one budget, whichever IP and route (page or feedback) uses it', async () => {
    const app = await server({ ratingTokenPerMinute: 2 });
    const token = ratingToken('sr-CRM-77');
    expect((await app.inject({ method: 'GET', url: `/r/${token}`, remoteAddress: '198.51.100.1' })).statusCode).not.toBe(429);
    expect((await app.inject({ method: 'GET', url: `/r/${token}`, remoteAddress: '198.51.100.2' })).statusCode).not.toBe(429);
    const third = await app.inject({
      method: 'POST',
      url: '/v1/service-requests/sr-CRM-77/feedback',
      remoteAddress: '198.51.100.3',
      payload: { token, score: 4 },
    });
    expectLimited(third);
    // The HTML page answers its 429 in the same error shape.
    expectLimited(await app.inject({ method: 'GET', url: `/r/${token}`, remoteAddress: '198.51.100.4' }));
    // Another link is not affected.
    expect((await app.inject({ method: 'GET', url: `/r/${ratingToken('sr-CRM-78')}`, remoteAddress: '198.51.100.4' })).statusCode).not.toBe(
      429,
    );
    expect(logs.some((l) => l.includes(token))).toBe(false);
  });
});

describe('TRUST_PROXY', () => {
  const viaBalancer = (app: ApiServer, client: string) => list(app, '10.0.0.5', { 'x-forwarded-for': client });

  test('behind a trusted load balancer, customers get their own per-IP limit', async () => {
    const app = await server({ ipRateLimitPerMinute: 2 }, 1);
    expect((await viaBalancer(app, '198.51.100.10')).statusCode).toBe(401);
    expect((await viaBalancer(app, '198.51.100.10')).statusCode).toBe(401);
    expectLimited(await viaBalancer(app, '198.51.100.10'));
    expect((await viaBalancer(app, '198.51.100.11')).statusCode).toBe(401);
  });

  test('without it, X-Forwarded-For is ignored (a client cannot pick its own key)', async () => {
    const app = await server({ ipRateLimitPerMinute: 2 });
    expect((await viaBalancer(app, '198.51.100.20')).statusCode).toBe(401);
    expect((await viaBalancer(app, '198.51.100.21')).statusCode).toBe(401);
    expectLimited(await viaBalancer(app, '198.51.100.22'));
  });

  test('a list of proxy addresses is trusted too; other senders are not', async () => {
    const app = await server({ ipRateLimitPerMinute: 1 }, ['10.0.0.0/8']);
    expect((await viaBalancer(app, '198.51.100.30')).statusCode).toBe(401);
    expect((await viaBalancer(app, '198.51.100.31')).statusCode).toBe(401);
    // Sent straight from the internet: its X-Forwarded-For is not believed.
    expect((await list(app, '203.0.113.50', { 'x-forwarded-for': '198.51.100.40' })).statusCode).toBe(401);
    expectLimited(await list(app, '203.0.113.50', { 'x-forwarded-for': '198.51.100.41' }));
  });
});
