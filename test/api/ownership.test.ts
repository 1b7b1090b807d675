/**
 * Issue 16, finding 1: every request has an owner (the integration that started it). Integrations read, list and
 * repeat only their own; their ids cannot collide; a request nobody may see answers exactly like a missing one.
 */
import { intake } from '../../src/api/intake';
import type { ServiceRequestBody } from '../../src/api/schemas/serviceRequest';
import { bearer, makeApp, NOW, TOKENS, validBody, type TestApp } from './support';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});

const start = (token: string, body: Record<string, unknown> = validBody(), headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/v1/service-requests', headers: { ...bearer(token), ...headers }, payload: body });
const get = (id: string, token: string) => t.app.inject({ method: 'GET', url: `/v1/service-requests/${id}`, headers: bearer(token) });
const list = (token: string, qs = '') => t.app.inject({ method: 'GET', url: `/v1/service-requests${qs}`, headers: bearer(token) });
const ids = (res: { json(): { items: { requestId: string }[] } }) =>
  res
    .json()
    .items.map((i) => i.requestId)
    .sort();

describe('integrations see only their own requests', () => {
  test('two integrations posting the same externalId get two different requests, each its own', async () => {
    const a = await start(TOKENS.integration);
    const b = await start(TOKENS.integration2);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json()).toMatchObject({ requestId: 'sr-crm-CRM-10023', ticket: 'CRM-CRM-10023', owner: 'crm', externalId: 'CRM-10023' });
    expect(b.json()).toMatchObject({ requestId: 'sr-hl-CRM-10023', ticket: 'HL-CRM-10023', owner: 'hotline', externalId: 'CRM-10023' });
    expect(t.port.states.size).toBe(2);
    expect(t.port.calls.filter((c) => c.method === 'start').map((c) => (c as { opts: { owner: string } }).opts.owner)).toEqual([
      'crm',
      'hotline',
    ]);
  });

  test("B's repeat of A's externalId with A's body is B's own request, never A's state", async () => {
    const a = await start(TOKENS.integration);
    // A moves on; B sending the same body must not learn anything about it.
    t.port.states.get(a.json().requestId)!.status = 'assigned';
    const first = await start(TOKENS.integration2);
    const again = await start(TOKENS.integration2);
    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
    expect(again.json()).toMatchObject({ requestId: 'sr-hl-CRM-10023', owner: 'hotline', status: 'received' });
    // With another body, B's key conflicts with B's own request only.
    const other = await start(TOKENS.integration2, validBody({ urgency: 'critical' }));
    expect(other.statusCode).toBe(409);
    expect((await start(TOKENS.integration)).json()).toMatchObject({ requestId: 'sr-crm-CRM-10023', status: 'assigned' });
  });

  test("A cannot read B's request: the same 404 as for an id that does not exist", async () => {
    const b = (await start(TOKENS.integration2)).json();
    const theirs = await get(b.requestId, TOKENS.integration);
    const missing = await get('sr-hl-NOPE-1', TOKENS.integration);
    expect(theirs.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(theirs.json()).toEqual(JSON.parse(missing.body.replace('sr-hl-NOPE-1', b.requestId)));
    expect(theirs.json()).toEqual({
      error: 'not_found',
      message: `service request ${b.requestId} not found`,
      details: [{ path: 'params.id', message: 'no such request' }],
    });
    expect((await get(b.requestId, TOKENS.integration2)).statusCode).toBe(200);
    expect((await get(b.requestId, TOKENS.ops)).json()).toMatchObject({ requestId: b.requestId, owner: 'hotline' });
  });

  test("A's list holds only A's requests, whatever the filters; ops list everything", async () => {
    await start(TOKENS.integration);
    await start(TOKENS.integration, validBody({ externalId: 'CRM-2', urgency: 'critical' }));
    await start(TOKENS.integration2);
    await start(TOKENS.integration2, validBody({ externalId: 'HL-9', urgency: 'critical' }));
    expect(ids(await list(TOKENS.integration))).toEqual(['sr-crm-CRM-10023', 'sr-crm-CRM-2']);
    expect(ids(await list(TOKENS.integration, '?urgency=critical'))).toEqual(['sr-crm-CRM-2']);
    expect(t.port.calls.at(-1)).toMatchObject({ method: 'list', filter: { urgency: 'critical', owner: 'crm' } });
    expect(ids(await list(TOKENS.integration2))).toEqual(['sr-hl-CRM-10023', 'sr-hl-HL-9']);
    expect(ids(await list(TOKENS.ops))).toHaveLength(4);
    expect(t.port.calls.at(-1)).toMatchObject({ method: 'list', filter: {} });
  });

  test('a request from before owners (none recorded) is for ops only', async () => {
    t.port.seed({ requestId: 'sr-CRM-OLD-1', status: 'assigned' });
    const old = await get('sr-CRM-OLD-1', TOKENS.integration);
    expect(old.statusCode).toBe(404);
    expect(old.json().error).toBe('not_found');
    expect(ids(await list(TOKENS.integration))).toEqual([]);
    expect((await get('sr-CRM-OLD-1', TOKENS.ops)).statusCode).toBe(200);
  });

  test("an id that is another owner's (a request from before keys) is a 409 on repeat, never its state", async () => {
    t.port.seed({ requestId: 'sr-crm-CRM-10023', status: 'scheduled', owner: 'someone else' });
    const res = await start(TOKENS.integration);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'idempotency_conflict' });
    expect(res.body).not.toContain('scheduled');
  });

  test("the key in ids is the token's idPrefix, or derived from its name; ids stay valid request ids at full length", async () => {
    const longest = 'X'.repeat(100);
    const res = await start(TOKENS.integration2, validBody({ externalId: longest }));
    expect(res.statusCode).toBe(201);
    expect(res.json().requestId).toBe(`sr-hl-${longest}`);
    expect((await get(`sr-hl-${longest}`, TOKENS.integration2)).statusCode).toBe(200);
    const checked = intake(validBody() as unknown as ServiceRequestBody, { nowMs: NOW, idPrefix: 'crm' });
    expect(checked).toMatchObject({ ok: true, requestId: 'sr-crm-CRM-10023' });
  });
});

describe('technicians: "not yours" and "does not exist" are the same answer', () => {
  test.each([
    ['GET', ''],
    ['POST', '/accept'],
    ['POST', '/arrival'],
  ])('%s …%s', async (method, suffix) => {
    t.port.seed({ requestId: 'sr-crm-T-1', status: 'assigned', technicianId: 't1001', owner: 'crm' });
    const call = (id: string) =>
      t.app.inject({
        method: method as 'GET' | 'POST',
        url: `/v1/service-requests/${id}${suffix}`,
        headers: bearer(TOKENS.tech2),
        ...(method === 'POST' ? { payload: {} } : {}),
      });
    const notYours = await call('sr-crm-T-1');
    const missing = await call('sr-crm-T-2');
    expect(notYours.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(notYours.body.replace(/sr-crm-T-1/g, 'ID')).toBe(missing.body.replace(/sr-crm-T-2/g, 'ID'));
    expect(t.port.count('update')).toBe(0);
  });
});
