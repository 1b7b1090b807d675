/**
 * Lifecycle 5's routes for returns and exchanges: return-inspection (ops — the store — or a technician),
 * return-approval (the new `supervisor` role only, which may do nothing else), return-settlement (ops). For each:
 * 200 with the right caller, 403 for a role not allowed, 400 naming the field, 409 where the state (or the
 * request's lifecycle version) does not allow it. The intake's optional `product.deliveryDate` is checked too.
 */
import { LIFECYCLE } from '../../src/domain/lifecycle/actions';
import type { Status } from '../../src/domain/types';
import { bearer, validBody } from './support';
import { makeV4App, V4_TOKENS as T, type V4App } from './v4App';
import { actionRoutes, paths } from './actionRoutes';

let t: V4App;
beforeAll(async () => {
  t = await makeV4App();
});
afterAll(async () => {
  await t?.close();
});

const { seed, post, updatesTo, lastUpdate } = actionRoutes(() => t, 'sr-V5R', { type: 'return' });

const INSPECTION = { faultFound: true, faultCause: 'quality', findings: '点火针断裂，出厂缺陷', intact: false };
const APPROVAL = { outcome: 'refund', note: '七日内性能故障' };
const SETTLEMENT = { amount: 299_900, direction: 'to_customer', note: '原路退回' };

const ROUTES = [
  { path: 'return-inspection', action: 'returnInspection', from: 'inspection', body: INSPECTION, next: 'approval' },
  { path: 'return-approval', action: 'returnApproval', from: 'approval', body: APPROVAL, next: 'settlement' },
  { path: 'return-settlement', action: 'returnSettlement', from: 'settlement', body: SETTLEMENT, next: 'completed' },
] as const;

describe('POST /v1/service-requests/:id/return-inspection', () => {
  test.each([
    ['the store (ops)', T.ops, { name: 'ops desk', role: 'ops' }],
    ['a technician', T.tech1, { name: 'tech t1001', role: 'technician' }],
  ])('200 by %s: recorded with who inspected, the request waits for approval', async (_who, token, by) => {
    const id = seed('inspection');
    const res = await post(id, 'return-inspection', token, INSPECTION);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'approval' });
    expect(lastUpdate(id)).toMatchObject({ action: 'returnInspection', args: { ...INSPECTION, by } });
  });

  test.each([
    ['an integration', T.integration],
    ['the supervisor', T.supervisor],
    ['the warehouse', T.warehouse],
    ['the call centre', T.callcentre],
  ])('403 for %s', async (_who, token) => {
    const id = seed('inspection');
    expect((await post(id, 'return-inspection', token, INSPECTION)).statusCode).toBe(403);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test.each([
    ['faultCause', { faultFound: true, findings: '无法开机' }],
    ['faultCause', { faultFound: false, faultCause: 'quality', findings: '未见异常' }],
    ['faultCause', { ...INSPECTION, faultCause: 'lightning' }],
    ['findings', { faultFound: false }],
    ['intact', { ...INSPECTION, intact: 'yes' }],
  ])('400 naming %s', async (field, body) => {
    const id = seed('inspection');
    const res = await post(id, 'return-inspection', T.ops, body);
    expect(res.statusCode).toBe(400);
    expect(paths(res).some((p) => p.startsWith(field))).toBe(true);
    expect(updatesTo(id)).toHaveLength(0);
  });
});

describe('POST /v1/service-requests/:id/return-approval', () => {
  test('200 by the supervisor: the decision recorded with who took it', async () => {
    const id = seed('approval');
    const res = await post(id, 'return-approval', T.supervisor, APPROVAL);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'settlement' });
    expect(lastUpdate(id)).toMatchObject({
      action: 'returnApproval',
      args: { ...APPROVAL, by: { name: 'supervisor wu', role: 'supervisor' } },
    });
  });

  test.each([
    ['refused', { outcome: 'refused', reason: 'cause_not_covered' }, 'closed'],
    ['repair instead', { outcome: 'repair' }, 'dispatching'],
  ])('200 %s', async (_what, body, status) => {
    const id = seed('approval');
    const res = await post(id, 'return-approval', T.supervisor, body);
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe(status);
  });

  test.each([
    ['ops', T.ops],
    ['a technician', T.tech1],
    ['an integration', T.integration],
    ['the warehouse', T.warehouse],
  ])('403 for %s: only the supervisor approves', async (_who, token) => {
    const id = seed('approval');
    expect((await post(id, 'return-approval', token, APPROVAL)).statusCode).toBe(403);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test.each([
    ['reason', { outcome: 'refused' }],
    ['reason', { outcome: 'refund', reason: 'window_passed' }],
    ['note', { outcome: 'refused', reason: 'other' }],
    ['outcome', { outcome: 'cash_back' }],
    ['reason', { outcome: 'refused', reason: 'customer_rude' }],
  ])('400 naming %s', async (field, body) => {
    const id = seed('approval');
    const res = await post(id, 'return-approval', T.supervisor, body);
    expect(res.statusCode).toBe(400);
    expect(paths(res).some((p) => p.startsWith(field))).toBe(true);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('the supervisor role may do nothing else (403 on other actions)', async () => {
    const id = seed('on_site', { type: 'repair', technicianId: 't1001' });
    expect((await post(id, 'cancel', T.supervisor, { reason: 'x' })).statusCode).toBe(403);
    expect((await post(id, 'diagnosis', T.supervisor, { faultCause: 'quality', diagnosis: 'x' })).statusCode).toBe(403);
    expect(updatesTo(id)).toHaveLength(0);
  });
});

describe('POST /v1/service-requests/:id/return-settlement', () => {
  test('200 by ops: refund paid; a replacement with its model and price difference', async () => {
    const id = seed('settlement');
    const res = await post(id, 'return-settlement', T.ops, SETTLEMENT);
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('completed');
    const body = { amount: 20_000, direction: 'from_customer', replacementModel: 'JSQ25-16B', replacementSerial: 'SN-2026-0042' };
    const id2 = seed('settlement', { type: 'exchange' });
    expect((await post(id2, 'return-settlement', T.ops, body)).statusCode).toBe(200);
    expect(lastUpdate(id2)).toMatchObject({ action: 'returnSettlement', args: { ...body, by: { name: 'ops desk', role: 'ops' } } });
  });

  test.each([
    ['a technician', T.tech1],
    ['the supervisor', T.supervisor],
    ['an integration', T.integration],
  ])('403 for %s', async (_who, token) => {
    const id = seed('settlement');
    expect((await post(id, 'return-settlement', token, SETTLEMENT)).statusCode).toBe(403);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test.each([
    ['amount', { amount: 12.5, direction: 'to_customer' }],
    ['amount', { amount: -100, direction: 'to_customer' }],
    ['amount', { amount: 500, direction: 'none' }],
    ['direction', { amount: 0, direction: 'to_customer' }],
    ['direction', { amount: 100, direction: 'sideways' }],
    ['replacementSerial', { ...SETTLEMENT, replacementSerial: 'has spaces' }],
  ])('400 naming %s', async (field, body) => {
    const id = seed('settlement');
    const res = await post(id, 'return-settlement', T.ops, body);
    expect(res.statusCode).toBe(400);
    expect(paths(res).some((p) => p.startsWith(field))).toBe(true);
    expect(updatesTo(id)).toHaveLength(0);
  });
});

describe('409: the state or the lifecycle version does not allow it', () => {
  test.each(
    ROUTES.flatMap((r) =>
      (['received', 'on_site', 'completed', ...ROUTES.map((x) => x.from)] as Status[])
        .filter((s) => s !== r.from)
        .map((s) => [r.path, s, r] as const),
    ),
  )('%s from %s', async (path, from, r) => {
    const token = r.action === 'returnApproval' ? T.supervisor : T.ops;
    const id = seed(from);
    const res = await post(id, path, token, r.body);
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain(`cannot ${r.action} a request that is ${from}`);
    expect(t.port.states.get(id)?.status).toBe(from);
  });

  test.each(ROUTES.map((r) => [r.path, r] as const))('%s on a lifecycle-4 request', async (path, r) => {
    const token = r.action === 'returnApproval' ? T.supervisor : T.ops;
    const id = seed(r.from, { lifecycleVersion: 4 });
    const res = await post(id, path, token, r.body);
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain('lifecycle version 4');
    expect(t.port.states.get(id)?.status).toBe(r.from);
  });

  test('the table: every returns action is since version 5 and leads where the branch goes', () => {
    for (const r of ROUTES) {
      expect(LIFECYCLE[r.action]).toMatchObject({ path: r.path, since: 5, from: [r.from] });
      expect(LIFECYCLE[r.action].leadsTo(r.body as never, { followUpThreshold: 3 })).toBe(r.next);
    }
  });

  test('cancel is allowed while a return waits for its inspection, approval or settlement', async () => {
    for (const from of ['inspection', 'approval', 'settlement'] as Status[]) {
      const id = seed(from);
      expect((await post(id, 'cancel', T.ops, { reason: '客户撤回申请' })).statusCode).toBe(200);
    }
  });
});

describe('intake: product.deliveryDate (optional)', () => {
  const start = (product: Record<string, unknown>, externalId: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/service-requests',
      headers: bearer(T.integration),
      payload: validBody({
        type: 'return',
        externalId,
        product: { model: 'JSQ25-HT3', purchaseDate: '2025-05-20', category: 'gas_water_heater', ...product },
      }),
    });

  test('201 with it: passed to the workflow as given', async () => {
    const res = await start({ deliveryDate: '2025-05-25' }, 'CRM-V5R-DELIVERY');
    expect(res.statusCode).toBe(201);
    const call = t.port.calls.filter((c) => c.method === 'start').at(-1) as { input?: { product: Record<string, unknown> } } | undefined;
    expect(call?.input?.product).toMatchObject({ purchaseDate: '2025-05-20', deliveryDate: '2025-05-25' });
  });

  test.each([
    ['2025-05-19', 'must not be before the purchase date'],
    ['2099-01-01', 'must not be in the future'],
    ['25.05.2025', ''],
    ['2025-02-30', ''],
  ])('400 naming product.deliveryDate for %s', async (deliveryDate, message) => {
    const res = await start({ deliveryDate }, `CRM-V5R-BAD-${deliveryDate.replace(/\W/g, '')}`);
    expect(res.statusCode).toBe(400);
    const d = (res.json() as { details: { path: string; message: string }[] }).details.find((x) => x.path === 'product.deliveryDate');
    expect(d).toBeDefined();
    if (message) expect(d?.message).toContain(message);
  });
});
