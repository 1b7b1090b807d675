/**
 * Graceful shutdown: app.close() lets in-flight requests finish, refuses new ones, and returns as soon as the
 * last one is done.
 */
import { bearer, makeApp, TOKENS } from './support';

test('in-flight requests finish during close()', async () => {
  const t = await makeApp();
  t.port.seed({ requestId: 'sr-S1', status: 'assigned', technicianId: 't1001' });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const realGet = t.port.get.bind(t.port);
  t.port.get = async (id) => {
    await gate;
    return realGet(id);
  };
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const inFlight = fetch(`${address}/v1/service-requests/sr-S1`, { headers: bearer(TOKENS.ops) });
  // Wait until the request is inside the handler.
  for (let i = 0; i < 100 && !t.port.calls.some((c) => c.method === 'get'); i++) await new Promise((r) => setTimeout(r, 10));

  const t0 = Date.now();
  const closing = t.app.close();
  await new Promise((r) => setTimeout(r, 50));
  const refused = await fetch(`${address}/healthz`).then(
    (r) => r.status,
    () => 'refused',
  );
  expect([503, 'refused']).toContain(refused);

  release();
  const res = await inFlight;
  expect(res.status).toBe(200);
  expect(((await res.json()) as { requestId: string }).requestId).toBe('sr-S1');
  await closing;
  // Not held open by the finished request's keep-alive connection (72 s by default).
  expect(Date.now() - t0).toBeLessThan(5000);
});
