/**
 * Lifecycle 4's routes: diagnosis (the assigned technician), quote (ops, or the assigned technician; lines from
 * the price list and parts catalogue), quote-decision (ops, by phone), payment (ops, or the assigned technician),
 * parts-request (ops, or the assigned technician), parts-dispatched and parts-arrived (ops and the new
 * `warehouse` role, which may do nothing else), and completion's `partsUsed`. For each: 200 with the right caller,
 * 403 for a role not allowed, 400 naming the field (the API's checks, the catalogue pre-check, and the workflow's
 * own InvalidArgument refusals), 409 where the state does not allow it (the fake follows the lifecycle table).
 */
import { catalogueProblems } from '../../src/api/catalogueCheck';
import { argumentProblems } from '../../src/api/plugins/errors';
import { LIFECYCLE, type Action } from '../../src/domain/lifecycle/actions';
import type { Status } from '../../src/domain/types';
import type { ServiceRequestState } from '../../workflows/messages';
import { bearer, NOW, validBody } from './support';
import { catalogue, makeV4App, V4_TOKENS as T, type V4App } from './v4App';
import { actionRoutes, paths } from './actionRoutes';

let t: V4App;
beforeAll(async () => {
  t = await makeV4App();
});
afterAll(async () => {
  await t?.close();
});

const { seed, post, updatesTo, lastUpdate } = actionRoutes(() => t, 'sr-V4', { technicianId: 't1001' });

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DIAGNOSIS = { faultCause: 'misuse', diagnosis: '热水器进水导致点火针受潮，热电偶老化' };
/** GAS-IGNITION 80.00 + GWH-TC-01 35.00 = 115.00 CNY on a gas water heater. */
const LINES = [
  { kind: 'labour', code: 'GAS-IGNITION', quantity: 1 },
  { kind: 'part', partNumber: 'GWH-TC-01', quantity: 1 },
];
const PARTS = [{ partNumber: 'GWH-IGN-01', quantity: 2 }];
const EXPECTED_BY = new Date(NOW + 3 * DAY).toISOString();
const PARTS_REQUEST = { parts: PARTS, reason: '点火针需更换，本地无库存', expectedBy: EXPECTED_BY };
const COMPLETION = { resolved: true, notes: '更换点火针，试机正常' };

describe('POST /v1/service-requests/:id/diagnosis', () => {
  test("200 by the assigned technician: recorded with the token's technician, the request stays on site", async () => {
    const id = seed('on_site');
    const res = await post(id, 'diagnosis', T.tech1, DIAGNOSIS);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'on_site',
      diagnosis: { ...DIAGNOSIS, technicianId: 't1001', by: 'tech t1001 (technician)' },
    });
    expect(lastUpdate(id)).toEqual({
      method: 'update',
      id,
      action: 'diagnosis',
      args: { ...DIAGNOSIS, technicianId: 't1001', by: { name: 'tech t1001', role: 'technician' } },
      opts: {},
    });
  });

  test.each([
    ['ops', T.ops],
    ['an integration', T.integration],
    ['the warehouse', T.warehouse],
    ['the call centre', T.callcentre],
  ])('403 for %s', async (_who, token) => {
    const id = seed('on_site');
    expect((await post(id, 'diagnosis', token, DIAGNOSIS)).statusCode).toBe(403);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('a technician the request is not assigned to gets 404 (as for a missing request); naming another technician 403', async () => {
    const id = seed('on_site');
    expect((await post(id, 'diagnosis', T.tech2, DIAGNOSIS)).statusCode).toBe(404);
    const other = await post(id, 'diagnosis', T.tech1, { ...DIAGNOSIS, technicianId: 't1002' });
    expect(other.statusCode).toBe(403);
    expect(paths(other)).toEqual(['technicianId']);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test.each([
    [{ diagnosis: DIAGNOSIS.diagnosis }, 'faultCause'],
    [{ ...DIAGNOSIS, faultCause: 'bad luck' }, 'faultCause'],
    [{ faultCause: 'wear' }, 'diagnosis'],
    [{ ...DIAGNOSIS, diagnosis: 'x'.repeat(2001) }, 'diagnosis'],
  ])('400 for %j names %s', async (body, field) => {
    const id = seed('on_site');
    const res = await post(id, 'diagnosis', T.tech1, body);
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toContain(field);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test.each(['scheduled', 'quote_pending', 'waiting_parts', 'completed'] as Status[])('409 from %s', async (from) => {
    const id = seed(from);
    const res = await post(id, 'diagnosis', T.tech1, DIAGNOSIS);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'invalid_transition', message: expect.stringContaining(`is ${from}`) });
  });
});

describe('POST /v1/service-requests/:id/quote', () => {
  test('200 by the assigned technician: priced from the catalogue (115.00 CNY), the request waits for the decision', async () => {
    const id = seed('on_site');
    const res = await post(id, 'quote', T.tech1, { lines: LINES, note: '含热电偶更换' });
    expect(res.statusCode).toBe(200);
    const s = res.json() as ServiceRequestState;
    expect(s.status).toBe('quote_pending');
    expect(s.quotes).toEqual([
      expect.objectContaining({
        id: 'Q1',
        labour: 8000,
        parts: 3500,
        total: 11500,
        currency: 'CNY',
        note: '含热电偶更换',
        lines: [
          {
            kind: 'labour',
            ref: 'GAS-IGNITION',
            name: { zh: '点火系统维修', en: 'Ignition system repair' },
            quantity: 1,
            unitPrice: 8000,
            amount: 8000,
          },
          { kind: 'part', ref: 'GWH-TC-01', name: { zh: '热电偶', en: 'Thermocouple' }, quantity: 1, unitPrice: 3500, amount: 3500 },
        ],
      }),
    ]);
    expect(lastUpdate(id)?.args).toMatchObject({ lines: LINES, technicianId: 't1001' });
  });

  test('200 by ops for whoever is assigned; codes and part numbers in any case', async () => {
    const id = seed('on_site');
    const lines = [
      { kind: 'labour', code: 'gas-ignition', quantity: 1 },
      { kind: 'part', partNumber: 'gwh-tc-01', quantity: 2 },
    ];
    const res = await post(id, 'quote', T.ops, { lines });
    expect(res.statusCode).toBe(200);
    expect(res.json().quotes[0]).toMatchObject({ total: 8000 + 2 * 3500, by: 'ops desk (ops)' });
    expect(lastUpdate(id)?.args).toEqual({ lines, by: { name: 'ops desk', role: 'ops' } });
  });

  test.each([
    ['an integration', T.integration],
    ['the warehouse', T.warehouse],
    ['the call centre', T.callcentre],
  ])('403 for %s', async (_who, token) => {
    const id = seed('on_site');
    expect((await post(id, 'quote', token, { lines: LINES })).statusCode).toBe(403);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('a technician the request is not assigned to gets 404; naming another technician 403', async () => {
    const id = seed('on_site');
    expect((await post(id, 'quote', T.tech2, { lines: LINES })).statusCode).toBe(404);
    expect((await post(id, 'quote', T.tech1, { lines: LINES, technicianId: 't1002' })).statusCode).toBe(403);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('400 naming every line the catalogue does not know, without asking the workflow', async () => {
    const id = seed('on_site');
    const res = await post(id, 'quote', T.tech1, {
      lines: [
        { kind: 'labour', code: 'GAS-IGNITON', quantity: 1 },
        { kind: 'part', partNumber: 'GWH-TC-09', quantity: 1 },
        { kind: 'part', partNumber: 'GWH-TC-01', quantity: 1 },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'bad_request',
      message: 'invalid input: lines[0].code, lines[1].partNumber',
      details: [
        { path: 'lines[0].code', message: 'unknown labour code "GAS-IGNITON"' },
        { path: 'lines[1].partNumber', message: 'unknown part "GWH-TC-09"' },
      ],
    });
    expect(updatesTo(id)).toHaveLength(0);
  });

  test.each([
    [{ lines: [] }, 'lines'],
    [{ lines: [{ kind: 'part', partNumber: 'GWH-TC-01', quantity: 0 }] }, 'lines.0.quantity'],
    [{ lines: [{ kind: 'part', partNumber: 'GWH-TC-01', quantity: 1.5 }] }, 'lines.0.quantity'],
    [{ lines: [{ kind: 'service', code: 'GEN-DIAG', quantity: 1 }] }, 'lines.0'],
    [{ lines: LINES, total: 100 }, 'total'],
  ])('400 for %j names %s (schema)', async (body, field) => {
    const id = seed('on_site');
    const res = await post(id, 'quote', T.tech1, body);
    expect(res.statusCode).toBe(400);
    expect(paths(res).some((p) => p.startsWith(field))).toBe(true);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test("400 naming each line the workflow refuses for the request's category (its InvalidArgument, several at once)", async () => {
    const start = await t.app.inject({
      method: 'POST',
      url: '/v1/service-requests',
      headers: bearer(T.integration),
      payload: validBody({ externalId: 'CRM-V4-CATEGORY' }),
    });
    const { requestId } = start.json() as ServiceRequestState;
    t.port.states.get(requestId)!.status = 'on_site';
    t.port.states.get(requestId)!.technicianId = 't1001';
    const res = await post(requestId, 'quote', T.tech1, {
      lines: [
        { kind: 'labour', code: 'EWH-ELEMENT', quantity: 1 },
        { kind: 'part', partNumber: 'GWH-TC-01', quantity: 1 },
        { kind: 'part', partNumber: 'AC-CAP-01', quantity: 1 },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'bad_request',
      details: [
        { path: 'lines[0].code', message: expect.stringContaining('does not apply to category "gas_water_heater"') },
        { path: 'lines[2].partNumber', message: expect.stringContaining('does not fit category "gas_water_heater"') },
      ],
    });
    expect(res.json().details).toHaveLength(2);
    expect(t.port.states.get(requestId)?.status).toBe('on_site');
  });

  test.each(['scheduled', 'quote_pending', 'waiting_parts', 'on_hold'] as Status[])('409 from %s', async (from) => {
    const id = seed(from);
    const res = await post(id, 'quote', T.ops, { lines: LINES });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain(`cannot quote a request that is ${from}`);
  });
});

describe('POST /v1/service-requests/:id/quote-decision', () => {
  async function quoted(): Promise<string> {
    const id = seed('on_site');
    expect((await post(id, 'quote', T.tech1, { lines: LINES })).statusCode).toBe(200);
    return id;
  }

  test('200 approved by phone (ops): the repair goes on', async () => {
    const id = await quoted();
    const res = await post(id, 'quote-decision', T.ops, { approved: true, note: '客户电话确认同意' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'on_site',
      quotes: [{ decision: { approved: true, via: 'phone', by: 'ops desk (ops)', note: '客户电话确认同意' } }],
    });
    expect(lastUpdate(id)?.args).toEqual({ approved: true, note: '客户电话确认同意', by: { name: 'ops desk', role: 'ops' } });
  });

  test('200 declined by phone: closed as quote_declined with the visit fee', async () => {
    const id = await quoted();
    const res = await post(id, 'quote-decision', T.ops, { approved: false, note: '客户嫌贵' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'closed', outcome: 'quote_declined', visitFee: { amount: 5000, currency: 'CNY' } });
  });

  test.each([
    [{ approved: true }, 'note'],
    [{ note: 'ok' }, 'approved'],
    [{ approved: 'yes', note: 'ok' }, 'approved'],
  ])('400 for %j names %s', async (body, field) => {
    const id = await quoted();
    const res = await post(id, 'quote-decision', T.ops, body);
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toContain(field);
  });

  test.each([
    ['the assigned technician', T.tech1],
    ['an integration', T.integration],
    ['the warehouse', T.warehouse],
  ])('403 for %s', async (_who, token) => {
    const id = await quoted();
    expect((await post(id, 'quote-decision', token, { approved: true, note: 'ok' })).statusCode).toBe(403);
  });

  test.each(['on_site', 'waiting_parts', 'closed'] as Status[])('409 from %s', async (from) => {
    const id = seed(from);
    const res = await post(id, 'quote-decision', T.ops, { approved: true, note: 'ok' });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain('allowed when quote_pending');
  });
});

describe('POST /v1/service-requests/:id/payment', () => {
  test('200 on site by the assigned technician: recorded, the status stays', async () => {
    const id = seed('on_site');
    const res = await post(id, 'payment', T.tech1, { method: 'on_site', amount: 11500 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'on_site',
      payments: [{ method: 'on_site', amount: 11500, by: 'tech t1001 (technician)' }],
    });
  });

  test.each(['completed', 'follow_up', 'quote_pending'] as Status[])('200 by ops from %s: the status stays', async (from) => {
    const id = seed(from);
    const res = await post(id, 'payment', T.ops, { method: 'invoice', amount: 5000 });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe(from);
  });

  test('200 waived with a reason and who approved it', async () => {
    const id = seed('completed');
    const body = { method: 'waived', amount: 5000, reason: '老客户，上门费减免', approvedBy: '服务主管 王敏' };
    const res = await post(id, 'payment', T.ops, body);
    expect(res.statusCode).toBe(200);
    expect(res.json().payments).toEqual([expect.objectContaining(body)]);
  });

  test.each([
    [{ method: 'on_site', amount: 12.5 }, ['amount']],
    [{ method: 'on_site', amount: -100 }, ['amount']],
    [{ method: 'on_site', amount: '115.00' }, ['amount']],
    [{ method: 'on_site' }, ['amount']],
    [{ method: 'cash', amount: 100 }, ['method']],
    [{ method: 'waived', amount: 5000 }, ['reason', 'approvedBy']],
    [{ method: 'waived', amount: 5000, reason: '老客户' }, ['approvedBy']],
    [{ method: 'waived', amount: 5000, approvedBy: '王敏' }, ['reason']],
  ])('400 for %j names %j; nothing is sent to the workflow', async (body, fields) => {
    const id = seed('on_site');
    const res = await post(id, 'payment', T.tech1, body);
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toEqual(expect.arrayContaining(fields));
    expect(updatesTo(id)).toHaveLength(0);
  });

  test.each([
    ['an integration', T.integration],
    ['the warehouse', T.warehouse],
    ['the call centre', T.callcentre],
  ])('403 for %s', async (_who, token) => {
    const id = seed('on_site');
    expect((await post(id, 'payment', token, { method: 'on_site', amount: 100 })).statusCode).toBe(403);
  });

  test('a technician the request is not assigned to gets 404', async () => {
    const id = seed('on_site');
    expect((await post(id, 'payment', T.tech2, { method: 'on_site', amount: 100 })).statusCode).toBe(404);
  });

  test.each(['scheduled', 'waiting_parts', 'closed'] as Status[])('409 from %s', async (from) => {
    const id = seed(from);
    const res = await post(id, 'payment', T.ops, { method: 'on_site', amount: 100 });
    expect(res.statusCode).toBe(409);
  });
});

describe('POST /v1/service-requests/:id/parts-request', () => {
  test('200 by the assigned technician: waiting for parts, expectedBy sent in UTC', async () => {
    const id = seed('on_site');
    const res = await post(id, 'parts-request', T.tech1, { ...PARTS_REQUEST, expectedBy: '2025-06-04T18:00:00+08:00' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('waiting_parts');
    expect(lastUpdate(id)?.args).toMatchObject({ parts: PARTS, expectedBy: '2025-06-04T10:00:00.000Z', technicianId: 't1001' });
  });

  test('200 by ops', async () => {
    const id = seed('on_site');
    expect((await post(id, 'parts-request', T.ops, PARTS_REQUEST)).statusCode).toBe(200);
  });

  test.each([
    [{ ...PARTS_REQUEST, parts: [{ partNumber: 'GWH-XX-99', quantity: 1 }] }, 'parts[0].partNumber'],
    [{ ...PARTS_REQUEST, parts: [...PARTS, { partNumber: 'NOPE', quantity: 1 }] }, 'parts[1].partNumber'],
    [{ ...PARTS_REQUEST, expectedBy: new Date(NOW - HOUR).toISOString() }, 'expectedBy'],
    [{ ...PARTS_REQUEST, expectedBy: new Date(NOW + 91 * DAY).toISOString() }, 'expectedBy'],
    [{ ...PARTS_REQUEST, expectedBy: 'next week' }, 'expectedBy'],
    [{ ...PARTS_REQUEST, parts: [{ partNumber: 'GWH-IGN-01', quantity: 0 }] }, 'parts.0.quantity'],
    [{ ...PARTS_REQUEST, parts: [] }, 'parts'],
    [{ parts: PARTS, expectedBy: EXPECTED_BY }, 'reason'],
  ])('400 for %j names %s; nothing is sent to the workflow', async (body, field) => {
    const id = seed('on_site');
    const res = await post(id, 'parts-request', T.tech1, body);
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toContain(field);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test.each([
    ['an integration', T.integration],
    ['the warehouse', T.warehouse],
  ])('403 for %s', async (_who, token) => {
    const id = seed('on_site');
    expect((await post(id, 'parts-request', token, PARTS_REQUEST)).statusCode).toBe(403);
  });

  test.each(['scheduled', 'waiting_parts', 'quote_pending'] as Status[])('409 from %s', async (from) => {
    const id = seed(from);
    expect((await post(id, 'parts-request', T.ops, PARTS_REQUEST)).statusCode).toBe(409);
  });
});

describe('POST /v1/service-requests/:id/parts-dispatched and parts-arrived', () => {
  test('200 by the warehouse: dispatched keeps the request waiting (a new date in UTC), arrived sends it back to booking', async () => {
    const id = seed('waiting_parts');
    const newDate = new Date(NOW + 2 * DAY).toISOString();
    const sent = await post(id, 'parts-dispatched', T.warehouse, { shipment: '顺丰 SF1234567890', expectedBy: newDate });
    expect(sent.statusCode).toBe(200);
    expect(sent.json().status).toBe('waiting_parts');
    expect(lastUpdate(id)?.args).toEqual({
      shipment: '顺丰 SF1234567890',
      expectedBy: newDate,
      by: { name: 'parts warehouse', role: 'warehouse' },
    });
    const arrived = await post(id, 'parts-arrived', T.warehouse, { note: '已到服务网点' });
    expect(arrived.statusCode).toBe(200);
    expect(arrived.json().status).toBe('accepted');
    expect(arrived.json().timeline.at(-1)).toMatchObject({ event: 'parts_arrived' });
  });

  test('ops may confirm both too', async () => {
    const id = seed('waiting_parts');
    expect((await post(id, 'parts-dispatched', T.ops, {})).statusCode).toBe(200);
    expect((await post(id, 'parts-arrived', T.ops, {})).statusCode).toBe(200);
  });

  test.each([
    [{ expectedBy: new Date(NOW - DAY).toISOString() }, 'expectedBy'],
    [{ shipment: '' }, 'shipment'],
    [{ carrier: 'SF' }, 'carrier'],
  ])('parts-dispatched: 400 for %j names %s', async (body, field) => {
    const id = seed('waiting_parts');
    const res = await post(id, 'parts-dispatched', T.warehouse, body);
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toContain(field);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test.each([
    ['parts-dispatched', 'the assigned technician', T.tech1],
    ['parts-dispatched', 'an integration', T.integration],
    ['parts-dispatched', 'the call centre', T.callcentre],
    ['parts-arrived', 'the assigned technician', T.tech1],
    ['parts-arrived', 'an integration', T.integration],
    ['parts-arrived', 'the call centre', T.callcentre],
  ])('%s: 403 for %s', async (path, _who, token) => {
    const id = seed('waiting_parts');
    expect((await post(id, path, token, {})).statusCode).toBe(403);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test.each([
    ['parts-dispatched', 'on_site'],
    ['parts-dispatched', 'accepted'],
    ['parts-arrived', 'on_site'],
    ['parts-arrived', 'scheduled'],
  ] as [string, Status][])('%s: 409 from %s', async (path, from) => {
    const id = seed(from);
    const res = await post(id, path, T.warehouse, {});
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain('allowed when waiting_parts');
  });
});

describe('completion with partsUsed and the service report', () => {
  const report = { testRun: { done: true, minutes: 10 }, useExplained: true };

  test('200 with parts the catalogue knows (any case)', async () => {
    const id = seed('on_site');
    const partsUsed = [{ partNumber: 'gwh-ign-01', quantity: 1, oldPartShown: true }];
    const res = await post(id, 'completion', T.tech1, { ...COMPLETION, partsUsed, report });
    expect(res.statusCode).toBe(200);
    expect(lastUpdate(id)?.args).toMatchObject({ partsUsed, report });
  });

  test('400 naming a part the catalogue does not know; a part without oldPartShown', async () => {
    const id = seed('on_site');
    const unknown = await post(id, 'completion', T.tech1, {
      ...COMPLETION,
      partsUsed: [
        { partNumber: 'GWH-IGN-01', quantity: 1, oldPartShown: true },
        { partNumber: 'GWH-IGN-99', quantity: 1, oldPartShown: true },
      ],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().details).toEqual([{ path: 'partsUsed[1].partNumber', message: 'unknown part "GWH-IGN-99"' }]);
    const shown = await post(id, 'completion', T.tech1, { ...COMPLETION, partsUsed: [{ partNumber: 'GWH-IGN-01', quantity: 1 }] });
    expect(shown.statusCode).toBe(400);
    expect(paths(shown)).toContain('partsUsed.0.oldPartShown');
    expect(updatesTo(id)).toHaveLength(0);
  });
});

describe('without a catalogue in the API, the workflow judges the lines (InvalidArgument → 400 naming them)', () => {
  let bare: V4App;
  beforeAll(async () => {
    bare = await makeV4App({ catalogue: false });
  });
  afterAll(async () => {
    await bare?.close();
  });

  test('unknown lines reach the workflow, which refuses each at its path', async () => {
    bare.port.seed({ requestId: 'sr-V4-BARE', status: 'on_site', technicianId: 't1001' });
    const res = await post(
      'sr-V4-BARE',
      'quote',
      T.tech1,
      {
        lines: [
          { kind: 'labour', code: 'GAS-IGNITION', quantity: 1 },
          { kind: 'part', partNumber: 'GWH-TC-09', quantity: 1 },
        ],
      },
      bare.app,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'bad_request',
      message: 'lines[1].partNumber: unknown part "GWH-TC-09"',
      details: [{ path: 'lines[1].partNumber', message: 'unknown part "GWH-TC-09"' }],
    });
    expect(updatesTo('sr-V4-BARE', bare.port)).toHaveLength(1);
  });
});

describe('the warehouse role', () => {
  const own = ['partsDispatched', 'partsArrived'];
  const others = (Object.keys(LIFECYCLE) as Action[]).filter((a) => LIFECYCLE[a].path && !own.includes(a));

  test.each(others)('may not %s', async (action) => {
    const id = seed('on_site');
    const res = await post(id, LIFECYCLE[action].path!, T.warehouse, {});
    expect(res.statusCode).toBe(403);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test.each([
    ['POST', '/v1/service-requests', validBody({ externalId: 'CRM-V4-WH' })],
    ['GET', '/v1/service-requests/sr-V4-1', undefined],
    ['GET', '/v1/service-requests', undefined],
    ['POST', '/v1/service-requests/sr-V4-1/photos', { kind: 'before' }],
    ['GET', '/v1/reports/daily?date=2025-06-01', undefined],
  ] as const)('may not %s %s', async (method, url, payload) => {
    const res = await t.app.inject({ method, url, headers: bearer(T.warehouse), ...(payload ? { payload } : {}) });
    expect(res.statusCode).toBe(403);
  });
});

describe('requests on an older lifecycle refuse the version-4 actions', () => {
  test.each([
    ['diagnosis', 'on_site', T.tech1, DIAGNOSIS],
    ['quote', 'on_site', T.tech1, { lines: LINES }],
    ['payment', 'on_site', T.tech1, { method: 'on_site', amount: 100 }],
    ['parts-request', 'on_site', T.tech1, PARTS_REQUEST],
    ['quote-decision', 'quote_pending', T.ops, { approved: true, note: 'ok' }],
    ['parts-dispatched', 'waiting_parts', T.warehouse, {}],
    ['parts-arrived', 'waiting_parts', T.warehouse, {}],
  ] as [string, Status, string, object][])('409 for %s on a lifecycle 3 request', async (path, from, token, body) => {
    const id = seed(from, { lifecycleVersion: 3 });
    const res = await post(id, path, token, body);
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain('lifecycle version 3');
    expect(t.port.states.get(id)?.status).toBe(from);
  });
});

describe('OpenAPI document', () => {
  interface Operation {
    description: string;
    requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> };
    responses: Record<string, { content?: Record<string, unknown> }>;
  }
  let doc: { paths: Record<string, Record<string, Operation>> };
  beforeAll(async () => {
    doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
  });

  test.each([
    ['diagnosis', 'technician (assigned technician only)', 'on_site'],
    ['quote', 'ops, technician (a technician only when assigned; ops for whoever is assigned)', 'on_site'],
    ['quote-decision', 'ops', 'quote_pending'],
    ['payment', 'ops, technician', 'on_site, quote_pending, completed, follow_up'],
    ['parts-request', 'ops, technician', 'on_site'],
    ['parts-dispatched', 'ops, warehouse', 'waiting_parts'],
    ['parts-arrived', 'ops, warehouse', 'waiting_parts'],
  ])('%s: listed with its roles (%s) and states', (path, roles, states) => {
    const op = doc.paths[`/v1/service-requests/{id}/${path}`]?.post;
    expect(op).toBeDefined();
    expect(op!.description).toContain(`Allowed for: ${roles}`);
    expect(op!.description).toContain(`in states ${states}.`);
    expect(op!.requestBody?.content['application/json']?.schema).toBeDefined();
  });

  test('bodies: payment amount an integer; quote lines; completion partsUsed and report', () => {
    const body = (path: string) => doc.paths[`/v1/service-requests/{id}/${path}`]!.post!.requestBody!.content['application/json']!.schema;
    expect(body('payment').properties?.amount).toMatchObject({ type: 'integer', minimum: 0 });
    expect(body('payment').required).toEqual(['method', 'amount']);
    expect(body('quote').required).toEqual(['lines']);
    expect(Object.keys(body('completion').properties ?? {})).toEqual(expect.arrayContaining(['partsUsed', 'report']));
  });

  test('the quote page: GET and POST /q/{token}, HTML pages for every outcome', () => {
    const get = doc.paths['/q/{token}']?.get;
    const form = doc.paths['/q/{token}']?.post;
    expect(get?.responses['200']?.content).toHaveProperty(['text/html']);
    for (const status of ['404', '409', '410', '503']) expect(get?.responses[status]?.content).toHaveProperty(['text/html']);
    expect(form?.requestBody?.content).toHaveProperty(['application/x-www-form-urlencoded']);
    expect(doc.paths['/q/assets/quote.css']).toBeUndefined();
  });
});

describe('catalogueCheck', () => {
  test('names unknown codes and part numbers at their paths; compares like priceLines (trimmed, any case)', () => {
    expect(
      catalogueProblems(catalogue, 'quote', {
        lines: [
          { kind: 'labour', code: ' gen-diag ', quantity: 1 },
          { kind: 'labour', code: 'GEN-NOPE', quantity: 1 },
          { kind: 'part', partNumber: 'gwh-tc-01', quantity: 1 },
          { kind: 'part', partNumber: 'GWH-TC-99', quantity: 1 },
        ],
      }),
    ).toEqual([
      { path: 'lines[1].code', message: 'unknown labour code "GEN-NOPE"' },
      { path: 'lines[3].partNumber', message: 'unknown part "GWH-TC-99"' },
    ]);
    expect(catalogueProblems(catalogue, 'partsRequest', { parts: [{ partNumber: 'X', quantity: 1 }] })).toEqual([
      { path: 'parts[0].partNumber', message: 'unknown part "X"' },
    ]);
    expect(catalogueProblems(catalogue, 'completion', { resolved: true, notes: 'x' })).toEqual([]);
    expect(catalogueProblems(catalogue, 'completion', { partsUsed: [{ partNumber: 'AC-CAP-01' }] })).toEqual([]);
  });

  test('nothing to say without a catalogue, or for other actions', () => {
    expect(catalogueProblems(undefined, 'quote', { lines: [{ kind: 'part', partNumber: 'NOPE', quantity: 1 }] })).toEqual([]);
    expect(catalogueProblems(catalogue, 'hold', { reason: 'x' })).toEqual([]);
  });
});

describe('the workflow InvalidArgument reasons as details', () => {
  test.each([
    ['score: must be an integer 1..5', [{ path: 'score', message: 'must be an integer 1..5' }]],
    ['answers.fixed: is required', [{ path: 'answers.fixed', message: 'is required' }]],
    [
      'lines[1].partNumber: unknown part "X"; lines[2].code: "GWH-FLUE" (Flue) does not apply to category "air_conditioner"',
      [
        { path: 'lines[1].partNumber', message: 'unknown part "X"' },
        { path: 'lines[2].code', message: '"GWH-FLUE" (Flue) does not apply to category "air_conditioner"' },
      ],
    ],
    ['parts_used[0].part_number: unknown', [{ path: 'parts_used[0].part_number', message: 'unknown' }]],
    [
      'reason: required when waived; approvedBy: required when waived',
      [
        { path: 'reason', message: 'required when waived' },
        { path: 'approvedBy', message: 'required when waived' },
      ],
    ],
    ['note: first; second half', [{ path: 'note', message: 'first; second half' }]],
    ['the arguments are not valid', [{ path: 'body', message: 'the arguments are not valid' }]],
  ])('%s', (reason, details) => {
    expect(argumentProblems(reason)).toEqual(details);
  });
});
