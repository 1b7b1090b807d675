/**
 * Issue 17: a request that is busy. Temporal's per-workflow limits (the port's BusyError, after its brief
 * retries) are a 429 with Retry-After on every route that reaches the request, never 500 or 503; the workflow's
 * own refusal while another action is being applied (failure type Busy) is a 409 with its message.
 */
import { BusyError, RejectedTransitionError } from '../../src/api/port';
import { bearer, makeApp, NOW, ratingToken, TOKENS, validBody, type TestApp } from './support';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});

const BUSY_REASON = 'another action on this request is being applied; retry';

function seed(status: 'scheduled' | 'completed' = 'scheduled') {
  return t.port.seed({ requestId: 'sr-B1', status, technicianId: 't1001' });
}

function expectTooMany(res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown }) {
  expect(res.statusCode).toBe(429);
  expect(res.headers['retry-after']).toBe('1');
  expect(res.json()).toEqual({ error: 'too_many_requests', message: expect.stringContaining('retry'), details: [] });
}

test('an action Temporal refuses for the per-workflow limit: 429 with Retry-After and the error body', async () => {
  seed();
  t.port.update = async () => {
    throw new BusyError('sr-B1');
  };
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/service-requests/sr-B1/hold',
    headers: bearer(TOKENS.ops),
    payload: { reason: '等待配件' },
  });
  expectTooMany(res);
  expect(res.json().message).toContain('nothing was applied');
  expect(t.logs.some((l) => l.includes('temporal per-workflow limit'))).toBe(true);
});

test('a read of a busy request: 429', async () => {
  seed();
  t.port.get = async () => {
    throw new BusyError('sr-B1');
  };
  expectTooMany(await t.app.inject({ method: 'GET', url: '/v1/service-requests/sr-B1', headers: bearer(TOKENS.ops) }));
});

test('a start (update-with-start) refused for the limit: 429', async () => {
  t.port.start = async (_input, opts) => {
    throw new BusyError(opts.requestId);
  };
  expectTooMany(
    await t.app.inject({ method: 'POST', url: '/v1/service-requests', headers: bearer(TOKENS.integration), payload: validBody() }),
  );
});

test('the Retry-After follows the error', async () => {
  seed();
  t.port.get = async () => {
    throw new BusyError('sr-B1', 3);
  };
  const res = await t.app.inject({ method: 'GET', url: '/v1/service-requests/sr-B1', headers: bearer(TOKENS.ops) });
  expect(res.statusCode).toBe(429);
  expect(res.headers['retry-after']).toBe('3');
});

test("the workflow's Busy refusal (another action being applied): 409 with its message and Retry-After", async () => {
  seed();
  t.port.update = async (_id, action) => {
    throw new RejectedTransitionError(action, BUSY_REASON, 'Busy');
  };
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/service-requests/sr-B1/hold',
    headers: bearer(TOKENS.ops),
    payload: { reason: '等待配件' },
  });
  expect(res.statusCode).toBe(409);
  expect(res.headers['retry-after']).toBe('1');
  expect(res.json()).toEqual({ error: 'invalid_transition', message: BUSY_REASON, details: [] });
});

describe('the rating page (HTML) while the request is busy', () => {
  const form = (token: string) =>
    t.app.inject({
      method: 'POST',
      url: `/r/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'score=5',
    });

  test('the Busy refusal shows "try again in a moment", not "not awaiting a rating"', async () => {
    seed('completed');
    t.port.update = async (_id, action) => {
      throw new RejectedTransitionError(action, BUSY_REASON, 'Busy');
    };
    const res = await form(ratingToken('sr-B1', { expiresAt: new Date(NOW + 86_400_000).toISOString() }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body).toContain('请稍后刷新页面重试');
  });

  test('a per-workflow limit: the same page', async () => {
    seed('completed');
    t.port.get = async () => {
      throw new BusyError('sr-B1');
    };
    const res = await t.app.inject({ method: 'GET', url: `/r/${ratingToken('sr-B1')}` });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('请稍后刷新页面重试');
  });
});
