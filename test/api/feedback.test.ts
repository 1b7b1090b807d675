import { makeApp, NOW, ratingToken, type TestApp } from './support';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
  t.port.seed({ requestId: 'sr-F1', status: 'completed', technicianId: 't1001' });
  t.port.seed({ requestId: 'sr-F2', status: 'completed', technicianId: 't1001' });
});

const send = (body: unknown, id = 'sr-F1', headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: `/v1/service-requests/${id}/feedback`, headers, payload: body as object });

describe('POST /v1/service-requests/:id/feedback', () => {
  test('200 records the score with the signed token; the answer shows no internals', async () => {
    const res = await send({ score: 5, comment: '  师傅很专业 ', token: ratingToken('sr-F1') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ requestId: 'sr-F1', ticket: 'F1', status: 'closed', score: 5 });
    expect(t.port.calls.at(-1)).toMatchObject({
      method: 'update',
      action: 'feedback',
      args: { score: 5, comment: '师傅很专业', tokenId: 'tok-1' },
    });
  });

  test('no bearer token needed; a bearer token is no substitute for the rating token', async () => {
    const res = await send({ score: 4 }, 'sr-F1', { authorization: 'Bearer test-ops-token-000000000001' });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.map((d: { path: string }) => d.path)).toEqual(['token']);
  });

  test('400 names each offending field', async () => {
    const res = await send({ score: 6, comment: 'x'.repeat(1001), extra: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['score', 'comment', 'token', 'extra']));
    expect(t.port.count('update')).toBe(0);
  });

  test('401 for a forged, truncated or foreign-secret token', async () => {
    const good = ratingToken('sr-F1');
    for (const token of ['nonsense', `${good.slice(0, -2)}AA`, good.slice(0, 40), ratingToken('sr-F1', { secret: 'another-secret' })]) {
      const res = await send({ score: 5, token });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'invalid_token', details: [{ path: 'token' }] });
    }
    expect(t.port.count('update')).toBe(0);
  });

  test('403 for a token of another request', async () => {
    const res = await send({ score: 5, token: ratingToken('sr-F2') }, 'sr-F1');
    expect(res.statusCode).toBe(403);
    expect(t.port.count('update')).toBe(0);
  });

  test('404 for an unknown request', async () => {
    const res = await send({ score: 5, token: ratingToken('sr-GONE') }, 'sr-GONE');
    expect(res.statusCode).toBe(404);
  });

  test('409 once the token is used; 409 when the request is not awaiting a rating', async () => {
    const token = ratingToken('sr-F1');
    expect((await send({ score: 2, token })).statusCode).toBe(200);
    const again = await send({ score: 5, token });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: 'token_used', message: 'this rating link has already been used' });

    t.port.seed({ requestId: 'sr-F3', status: 'on_site', technicianId: 't1001' });
    const early = await send({ score: 5, token: ratingToken('sr-F3') }, 'sr-F3');
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({
      error: 'invalid_transition',
      message: expect.stringContaining('cannot feedback a request that is on_site'),
    });
  });

  test('410 for an expired token', async () => {
    const res = await send({ score: 5, token: ratingToken('sr-F1', { expiresAt: new Date(NOW - 1000).toISOString() }) });
    expect(res.statusCode).toBe(410);
    expect(res.json().error).toBe('token_expired');
  });

  test('503 while Temporal is down', async () => {
    t.port.unavailable = true;
    const res = await send({ score: 5, token: ratingToken('sr-F1') });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
  });
});
