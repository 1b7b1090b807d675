/**
 * Issue 16, finding 2: an Idempotency-Key on a lifecycle action binds the caller, the action and the body. The same
 * key and body again is the first result (applied once); the same key with another body is a 409 naming the header.
 */
import { actionBodyHash, transitionUpdateId } from '../../src/api/routes/transitions';
import { bearer, makeApp, NOW, TOKENS, type TestApp } from './support';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});

const post = (path: string, token: string, body: Record<string, unknown>, key?: string) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/service-requests/sr-crm-K1/${path}`,
    headers: { ...bearer(token), ...(key ? { 'idempotency-key': key } : {}) },
    payload: body,
  });

test('a hold sent again later with a reused key and another body is 409 conflict; the request stays as it is', async () => {
  t.port.seed({ requestId: 'sr-crm-K1', status: 'scheduled', technicianId: 't1001', owner: 'crm' });
  const held = await post('hold', TOKENS.ops, { reason: '等待配件' }, 'ops-7');
  expect(held.statusCode).toBe(200);
  expect(held.json().status).toBe('on_hold');
  expect((await post('resume', TOKENS.ops, { reason: '配件已到' }, 'ops-8')).json().status).toBe('scheduled');

  const reused = await post('hold', TOKENS.ops, { reason: '客户改期' }, 'ops-7');
  expect(reused.statusCode).toBe(409);
  expect(reused.json()).toEqual({
    error: 'conflict',
    message: 'the Idempotency-Key was already used for this action with another body; use a new key',
    details: [
      { path: 'headers.idempotency-key', message: 'the Idempotency-Key was already used for this action with another body; use a new key' },
    ],
  });
  expect(t.port.states.get('sr-crm-K1')!.status).toBe('scheduled');
  expect(t.port.states.get('sr-crm-K1')!.onHold).toBeUndefined();
});

test('the same key with the same body is the first result, applied once', async () => {
  t.port.seed({ requestId: 'sr-crm-K1', status: 'assigned', technicianId: 't1001', owner: 'crm' });
  const at = new Date(NOW + 3_600_000).toISOString();
  expect((await post('accept', TOKENS.tech1, {}, 'app-accept')).statusCode).toBe(200);
  const booked = await post('appointment', TOKENS.tech1, { at }, 'app-2');
  // The same instant written in another offset is the same body.
  const sameInstant = new Date(NOW + 3_600_000 + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
  const retried = await post('appointment', TOKENS.tech1, { at: sameInstant }, 'app-2');
  expect([booked.statusCode, retried.statusCode]).toEqual([200, 200]);
  expect(retried.json()).toEqual(booked.json());
  expect(t.port.states.get('sr-crm-K1')!.timeline.filter((e) => e.event === 'visit_booked')).toHaveLength(1);
  const updates = t.port.calls.filter((c) => c.method === 'update' && c.action === 'appointment').slice(-2);
  expect(updates[0]).toMatchObject({ opts: { updateId: (updates[1] as { opts: { updateId: string } }).opts.updateId } });

  // Another time under that key: refused, the booking stays.
  const moved = await post('appointment', TOKENS.tech1, { at: new Date(NOW + 7_200_000).toISOString() }, 'app-2');
  expect(moved.statusCode).toBe(409);
  expect(moved.json().details).toEqual([expect.objectContaining({ path: 'headers.idempotency-key' })]);
  expect(t.port.states.get('sr-crm-K1')!.appointmentAt).toBe(at);
});

test('update ids: one per caller, action, key and body', () => {
  const ops = { role: 'ops' as const, name: 'ops desk' };
  const h = actionBodyHash({ reason: 'x', by: ops });
  expect(h).toBe(actionBodyHash({ reason: 'x', by: { role: 'ops', name: 'someone else' }, idempotency: { key: 'k', bodyHash: 'z' } }));
  expect(h).not.toBe(actionBodyHash({ reason: 'y' }));
  const id = transitionUpdateId(ops, 'hold', 'k1', h);
  expect(id).toMatch(/^hold:[0-9a-f]{64}$/);
  expect(transitionUpdateId(ops, 'hold', 'k1', h)).toBe(id);
  for (const other of [
    transitionUpdateId({ role: 'ops', name: 'ops night' }, 'hold', 'k1', h),
    transitionUpdateId(ops, 'cancel', 'k1', h),
    transitionUpdateId(ops, 'hold', 'k2', h),
    transitionUpdateId(ops, 'hold', 'k1', actionBodyHash({ reason: 'y' })),
  ])
    expect(other).not.toBe(id);
});

test('a key is bound to its action and caller: the same key on another action or by another caller is its own', async () => {
  t.port.seed({ requestId: 'sr-crm-K1', status: 'assigned', technicianId: 't1001', owner: 'crm' });
  expect((await post('accept', TOKENS.tech1, {}, 'k')).statusCode).toBe(200);
  expect((await post('appointment', TOKENS.tech1, { at: new Date(NOW + 3_600_000).toISOString() }, 'k')).statusCode).toBe(200);
  expect((await post('hold', TOKENS.ops, { reason: '等待配件' }, 'k')).statusCode).toBe(200);
  expect((await post('resume', TOKENS.ops, { reason: '配件已到' }, 'k')).statusCode).toBe(200);
  expect(t.port.states.get('sr-crm-K1')!.status).toBe('scheduled');
  expect(t.port.calls.at(-1)).toMatchObject({ args: { by: { name: 'ops desk', role: 'ops' }, idempotency: { key: 'k' } } });
});
