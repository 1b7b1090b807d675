/**
 * Customer history over HTTP: `GET /v1/customers/{phone}/service-requests` (ops only; the phone normalised, so any
 * spelling finds the same requests; a product filter; the list's paging) and intake linking a customer's earlier
 * requests in the new request's state (best effort: a slow or failing visibility never fails intake). No phone, in
 * any spelling, in the answers, the port's filters or the log lines.
 */
import { customerKeyOfPhone, productKey } from '../../src/customers/keys';
import { safeUrl } from '../../src/api/logging';
import { UnavailableError } from '../../src/api/port';
import type { ServiceRequestState } from '../../workflows/messages';
import { allLogLines, bearer, CUSTOMER_SECRET, NOW, PII, validBody } from './support';
import { makeV4App, V4_TOKENS as T, type V4App } from './v4App';

/** Customer A (PII.phone, 139 1234 5678) in every spelling a caller might use; customer B is PII.altPhone. */
const A_SPELLINGS = ['13912345678', '+8613912345678', '+86 139 1234 5678', '139-1234-5678', '+86-139-1234-5678'];
/** What must never show: the phones' digits (any 8 in a row), and their URL-encoded forms. */
const PHONE_DIGITS = ['8613912345678', '8613987654321'];
const ENCODED = ['%2B86', '139%201234', '139%208765', '1234%205678', '8765%204321'];

function expectNoPhone(text: string): void {
  for (const digits of PHONE_DIGITS) {
    for (let i = 0; i + 8 <= digits.length; i++) {
      if (text.includes(digits.slice(i, i + 8))) throw new Error(`phone digits ${digits.slice(i, i + 8)} in: ${text.slice(0, 400)}`);
    }
  }
  for (const e of ENCODED) if (text.toUpperCase().includes(e)) throw new Error(`encoded phone ${e} in: ${text.slice(0, 400)}`);
}

let t: V4App;
let logsFrom = 0;
beforeEach(async () => {
  t = await makeV4App();
  logsFrom = allLogLines.length;
});
afterEach(async () => {
  // Nothing this test wrote to the log holds a phone (support.ts checks the fixture PII again after all).
  for (const line of allLogLines.slice(logsFrom)) expectNoPhone(line);
  await t.close();
});

const start = (body: Record<string, unknown>, token: string = T.integration) =>
  t.app.inject({ method: 'POST', url: '/v1/service-requests', headers: bearer(token), payload: body });
/** `token` null: no Authorization header. */
const history = (phone: string, qs = '', token: string | null = T.ops) =>
  t.app.inject({
    method: 'GET',
    url: `/v1/customers/${encodeURIComponent(phone)}/service-requests${qs}`,
    headers: token === null ? {} : bearer(token),
  });
const ids = (res: { json(): { items: { requestId: string }[] } }) => res.json().items.map((i) => i.requestId);

/** Three requests: A's with a serial number, A's (another spelling) without one, and B's. */
async function threeRequests(): Promise<void> {
  const product = { model: 'JSQ25-HT3', purchaseDate: '2023-04-18', category: 'gas_water_heater' };
  for (const [externalId, phone, serialNumber] of [
    ['A-1', PII.phone, 'SN2023-0418A'],
    ['A-2', '+86 139 1234 5678', undefined],
    ['B-1', PII.altPhone, undefined],
  ] as const) {
    const body = validBody({ externalId, product: { ...product, ...(serialNumber ? { serialNumber } : {}) } });
    (body.customer as Record<string, string>).phone = phone;
    expect((await start(body)).statusCode).toBe(201);
  }
}

describe('GET /v1/customers/{phone}/service-requests', () => {
  test("ops: 200 with the customer's requests only, newest first, as list summaries without customer data", async () => {
    await threeRequests();
    const res = await history(PII.phone);
    expect(res.statusCode).toBe(200);
    expect(ids(res)).toEqual(['sr-crm-A-2', 'sr-crm-A-1']);
    expect(res.json().nextCursor).toBeUndefined();
    expect(res.json().items[0]).toEqual({
      requestId: 'sr-crm-A-2',
      ticket: 'CRM-A-2',
      status: 'received',
      urgency: 'urgent',
      type: 'repair',
      escalationLevel: 0,
      breachedDeadlines: [],
      execution: 'RUNNING',
      startedAt: new Date(NOW).toISOString(),
    });
    expectNoPhone(res.body);
    // The port is asked for the keyed hash, never the phone; the general list leaves out the internal product key too.
    expect(t.port.calls.at(-1)).toEqual({
      method: 'list',
      filter: { customerKey: customerKeyOfPhone(PII.phone, CUSTOMER_SECRET) },
      cursor: undefined,
      pageSize: 20,
    });
    expectNoPhone(JSON.stringify(t.port.calls.filter((c) => c.method === 'list')));
    const list = await t.app.inject({ method: 'GET', url: '/v1/service-requests', headers: bearer(T.ops) });
    expect(list.body).not.toContain('productKey');
    expect(list.body).not.toContain('SN:');
    expect(ids(await history(PII.altPhone))).toEqual(['sr-crm-B-1']);
    expect(ids(await history('13800138000'))).toEqual([]);
  });

  test('every spelling of the phone finds the same requests', async () => {
    await threeRequests();
    for (const phone of A_SPELLINGS) {
      const res = await history(phone);
      expect({ phone, status: res.statusCode, ids: ids(res) }).toEqual({ phone, status: 200, ids: ['sr-crm-A-2', 'sr-crm-A-1'] });
    }
    // A `+` written as is in the path, not encoded.
    const raw = await t.app.inject({ method: 'GET', url: '/v1/customers/+8613912345678/service-requests', headers: bearer(T.ops) });
    expect(ids(raw)).toEqual(['sr-crm-A-2', 'sr-crm-A-1']);
  });

  test.each([
    ['integration', T.integration],
    ['technician', T.tech1],
    ['warehouse', T.warehouse],
    ['call centre', T.callcentre],
  ])('403 for the %s role, before anything is looked up', async (_role, token) => {
    const res = await history(PII.phone, '', token);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'forbidden' });
    expectNoPhone(res.body);
    expect(t.port.count('list')).toBe(0);
  });

  test('401 without a token or with an unknown one', async () => {
    expect((await history(PII.phone, '', null)).statusCode).toBe(401);
    expect((await history(PII.phone, '', 'unknown-token-0123456789abcdef')).statusCode).toBe(401);
    expect(t.port.count('list')).toBe(0);
  });

  test.each([
    ['too short to be a mobile', '12345'],
    ['a landline', '010-6552-9988'],
    ['letters', 'call-me-maybe'],
    ['too long', '1'.repeat(40)],
    ['a mobile with a digit too many', '139123456789'],
  ])('400 naming params.phone for %s, without repeating it', async (_what, phone) => {
    const res = await history(phone);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('bad_request');
    expect(body.details.map((d: { path: string }) => d.path)).toEqual(['params.phone']);
    expect(res.body).not.toContain(phone);
    expect(t.port.count('list')).toBe(0);
  });

  test('product: the unit by its serial number, or the model of requests taken without one', async () => {
    await threeRequests();
    expect(ids(await history(PII.phone, '?product=sn2023-0418a'))).toEqual(['sr-crm-A-1']);
    expect(t.port.calls.at(-1)).toMatchObject({ filter: { productKey: ['SN:SN2023-0418A', 'MODEL:SN2023-0418A'] } });
    // The model finds the request without a serial; the one with a serial is that unit's (SN:) only.
    expect(ids(await history(PII.phone, `?product=${encodeURIComponent(' jsq25-ht3 ')}`))).toEqual(['sr-crm-A-2']);
    expect(ids(await history(PII.phone, '?product=OTHER-MODEL'))).toEqual([]);
    for (const bad of ["x'%20OR%20'1'='1", '%20%20', 'a%5Cb', '']) {
      const res = await history(PII.phone, `?product=${bad}`);
      const paths = [...new Set(res.json().details?.map((d: { path: string }) => d.path))];
      expect({ bad, status: res.statusCode, paths }).toEqual({
        bad,
        status: 400,
        paths: ['query.product'],
      });
    }
  });

  test('pages like the list: pageSize and the cursor it hands out; unknown query fields refused', async () => {
    await threeRequests();
    const first = (await history(PII.phone, '?pageSize=1')).json();
    expect(first.items.map((i: { requestId: string }) => i.requestId)).toEqual(['sr-crm-A-2']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await history(PII.phone, `?pageSize=1&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((i: { requestId: string }) => i.requestId)).toEqual(['sr-crm-A-1']);
    expect(second.nextCursor).toBeUndefined();
    for (const qs of ['?pageSize=0', '?pageSize=101', '?cursor=%00', '?phone=13912345678', '?customerKey=ab']) {
      const res = await history(PII.phone, qs);
      expect({ qs, status: res.statusCode }).toEqual({ qs, status: 400 });
      expect(res.json().details[0].path).toMatch(/^query\./);
    }
  });

  test('503 when Temporal is down', async () => {
    t.port.unavailable = true;
    const res = await history(PII.phone);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
  });

  test('the request log shows the path without the phone, in every spelling and on every answer', async () => {
    await threeRequests();
    const from = allLogLines.length;
    for (const phone of [...A_SPELLINGS, '12345']) await history(phone);
    await history(PII.phone, '', T.integration);
    await t.app.inject({ method: 'GET', url: '/v1/customers/%2B86%20139%201234%205678/service-requests', headers: bearer(T.ops) });
    await t.app.inject({ method: 'GET', url: '/V1/CUSTOMERS/%2B86%20139%201234%205678/nothing', headers: bearer(T.ops) });
    await t.app.inject({ method: 'GET', url: '/v1//customers/139%201234%205678', headers: bearer(T.ops) });
    const lines = allLogLines.slice(from);
    const urls = lines.map((l) => (JSON.parse(l) as { req?: { url?: string } }).req?.url).filter((u): u is string => u !== undefined);
    expect(urls.length).toBeGreaterThanOrEqual(A_SPELLINGS.length + 4);
    expect(urls).toContain('/v1/customers/…/service-requests');
    for (const u of urls) expect(u).toMatch(/\/customers\/+…/i);
    for (const line of lines) expectNoPhone(line);
  });

  test('safeUrl renders the phone segment as …, whatever follows it or how it is written', () => {
    expect(safeUrl('/v1/customers/%2B86%20138%200013%208000/service-requests?product=x')).toBe('/v1/customers/…/service-requests');
    expect(safeUrl('/v1/customers/13800138000/service-requests')).toBe('/v1/customers/…/service-requests');
    expect(safeUrl('/v1/customers/138-0013-8000')).toBe('/v1/customers/…');
    expect(safeUrl('/V1/Customers/13800138000/x')).toBe('/V1/Customers/…/x');
    expect(safeUrl('/v1//customers//13800138000/service-requests')).toBe('/v1//customers//…/service-requests');
    expect(safeUrl('/v1/customers%2F13800138000%2Fservice-requests')).toBe('/v1/customers%2F…');
    // Everything else as before.
    expect(safeUrl('/v1/service-requests/sr-crm-CRM-1001?x=1')).toBe('/v1/service-requests/sr-crm-CRM-1001');
    expect(safeUrl('/v1/customers')).toBe('/v1/customers');
  });

  test('is in the OpenAPI document, ops-only, with the phone, product and paging parameters', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const op = doc.paths['/v1/customers/{phone}/service-requests']?.get;
    expect(op).toBeDefined();
    expect(op.tags).toEqual(['customers']);
    expect(op.security).toEqual([{ bearer: [] }]);
    expect(op.parameters.map((p: { in: string; name: string }) => `${p.in}.${p.name}`).sort()).toEqual([
      'path.phone',
      'query.cursor',
      'query.pageSize',
      'query.product',
    ]);
    for (const status of ['200', '400', '401', '403', '429', '503']) expect(op.responses[status]).toBeDefined();
    expect(doc.tags.map((tag: { name: string }) => tag.name)).toContain('customers');
  });
});

describe("intake links the customer's earlier requests", () => {
  const second = () => {
    const body = validBody({ externalId: 'CRM-2' });
    (body.customer as Record<string, string>).phone = '+86 139 1234 5678';
    return body;
  };

  test('a second request of the same customer names the first in earlierRequests; the first has none', async () => {
    const first = await start(validBody());
    expect(first.statusCode).toBe(201);
    expect(first.json().earlierRequests).toEqual([]);
    const res = await start(second());
    expect(res.statusCode).toBe(201);
    expect(res.json().earlierRequests).toEqual([
      {
        requestId: 'sr-crm-CRM-10023',
        ticket: 'CRM-CRM-10023',
        startedAt: new Date(NOW).toISOString(),
        status: 'received',
        type: 'repair',
        sameProduct: true,
      },
    ]);
    // Both started with the same customer key and product key as search attributes; no phone in the start options.
    const starts = t.port.calls.flatMap((c) => (c.method === 'start' ? [c] : []));
    const key = customerKeyOfPhone(PII.phone, CUSTOMER_SECRET);
    expect(starts.map((c) => [c.opts.customerKey, c.opts.productKey])).toEqual([
      [key, productKey({ model: 'JSQ25-HT3' })],
      [key, 'MODEL:JSQ25-HT3'],
    ]);
    expectNoPhone(JSON.stringify(starts.map((c) => c.opts)));
    // Ops read it the same way.
    const read = await t.app.inject({ method: 'GET', url: '/v1/service-requests/sr-crm-CRM-2', headers: bearer(T.ops) });
    expect((read.json() as ServiceRequestState).earlierRequests?.map((e) => e.requestId)).toEqual(['sr-crm-CRM-10023']);
  });

  test('a fixed repair of the same product carries when and by whom, read from its state (not undone by a call-back)', async () => {
    await start(validBody());
    const first = t.port.states.get('sr-crm-CRM-10023')!;
    const fixedAt = new Date(NOW - 3_600_000).toISOString();
    Object.assign(first, {
      status: 'closed',
      completion: [
        { at: new Date(NOW - 7_200_000).toISOString(), resolved: false, notes: 'needs a part', technicianId: 't-0001' },
        { at: fixedAt, resolved: true, notes: 'replaced the thermocouple', technicianId: 't-0002' },
      ],
    });
    const res = await start(second());
    expect(res.json().earlierRequests).toEqual([
      expect.objectContaining({ requestId: first.requestId, sameProduct: true, type: 'repair', resolvedAt: fixedAt, resolvedBy: 't-0002' }),
    ]);
    // Reopened by a call-back after that fix: not fixed, so no repeat can be counted against it.
    Object.assign(first, { reopened: [{ at: new Date(NOW - 1_800_000).toISOString(), visit: 3, excluded: ['t-0002'] }] });
    const third = second();
    (third as Record<string, unknown>).externalId = 'CRM-5';
    const linked = (await start(third)).json().earlierRequests as Record<string, unknown>[];
    expect(linked.find((e) => e.requestId === first.requestId)).not.toHaveProperty('resolvedAt');
  });

  test('the state of an earlier repair unreadable: linked without its fix, and the request starts', async () => {
    await start(validBody());
    Object.assign(t.port.states.get('sr-crm-CRM-10023')!, { status: 'completed' });
    const get = t.port.get.bind(t.port);
    t.port.get = async (id: string) => {
      if (id === 'sr-crm-CRM-10023') throw new UnavailableError('the workflow service is unavailable; retry later');
      return get(id);
    };
    const res = await start(second());
    expect(res.statusCode).toBe(201);
    expect(res.json().earlierRequests).toEqual([expect.objectContaining({ requestId: 'sr-crm-CRM-10023', status: 'completed' })]);
    expect(res.json().earlierRequests[0]).not.toHaveProperty('resolvedAt');
  });

  test('another product of the same customer is linked with sameProduct false; another customer is not linked', async () => {
    await start(validBody());
    const other = validBody({
      externalId: 'CRM-3',
      product: { model: 'KFR-35GW', purchaseDate: '2023-04-18', category: 'air_conditioner' },
    });
    expect((await start(other)).json().earlierRequests).toEqual([
      expect.objectContaining({ requestId: 'sr-crm-CRM-10023', sameProduct: false }),
    ]);
    const b = validBody({ externalId: 'CRM-4' });
    (b.customer as Record<string, string>).phone = PII.altPhone;
    expect((await start(b)).json().earlierRequests).toEqual([]);
  });

  test('a retried intake (same key, same body) is the same request: 200, nothing new started, its links as they were', async () => {
    await start(validBody());
    const created = await start(second());
    const again = await start(second());
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(created.json());
    expect(t.port.states.size).toBe(2);
  });

  test('at most 10, newest first, never the request itself', async () => {
    for (let i = 1; i <= 12; i++) expect((await start(validBody({ externalId: `CRM-H${i}` }))).statusCode).toBe(201);
    const res = await start(validBody({ externalId: 'CRM-H13' }));
    const linked = (res.json() as ServiceRequestState).earlierRequests?.map((e) => e.requestId);
    expect(linked).toEqual(Array.from({ length: 10 }, (_, i) => `sr-crm-CRM-H${12 - i}`));
    expect(t.port.calls.filter((c) => c.method === 'list').at(-1)).toMatchObject({ pageSize: 11 });
  });

  test('visibility failing: the request starts without links, and the warning holds no phone', async () => {
    t.port.list = async () => {
      throw new UnavailableError('the workflow service is unavailable; retry later');
    };
    const from = allLogLines.length;
    const res = await start(second());
    expect(res.statusCode).toBe(201);
    expect(res.json()).not.toHaveProperty('earlierRequests');
    const warning = allLogLines.slice(from).find((l) => l.includes('customer history unavailable'));
    expect(JSON.parse(warning!)).toMatchObject({
      level: 40,
      requestId: 'sr-crm-CRM-2',
      reason: expect.stringMatching(/^UnavailableError/),
    });
    // The keys are set all the same: later requests find this one.
    expect((t.port.calls.find((c) => c.method === 'start') as { opts: { customerKey?: string } }).opts.customerKey).toMatch(
      /^[0-9a-f]{32}$/,
    );
  });

  test('visibility not answering: the request starts without links after the lookup limit', async () => {
    await t.close();
    t = await makeV4App({ limits: { historyLookupMs: 50 } });
    t.port.list = () => new Promise(() => undefined);
    const from = allLogLines.length;
    const began = Date.now();
    const res = await start(validBody());
    expect(res.statusCode).toBe(201);
    expect(Date.now() - began).toBeLessThan(5000);
    expect(res.json()).not.toHaveProperty('earlierRequests');
    expect(allLogLines.slice(from).some((l) => l.includes('customer history unavailable') && l.includes('LookupTimeout'))).toBe(true);
  });

  test("an integration sees only its own requests among the earlier ones; ops see every integration's", async () => {
    await start(validBody());
    // The same customer's request from another integration (`hotline`, key `hl`).
    const key = customerKeyOfPhone(PII.phone, CUSTOMER_SECRET);
    t.port.seed({ requestId: 'sr-hl-HL-9', owner: 'hotline', receivedAt: new Date(NOW).toISOString() });
    t.port.searchKeys.set('sr-hl-HL-9', { customerKey: key, productKey: 'MODEL:JSQ25-HT3' });
    const res = await start(second());
    expect((res.json() as ServiceRequestState).earlierRequests?.map((e) => e.requestId)).toEqual(['sr-crm-CRM-10023']);
    const own = await t.app.inject({ method: 'GET', url: '/v1/service-requests/sr-crm-CRM-2', headers: bearer(T.integration) });
    expect((own.json() as ServiceRequestState).earlierRequests?.map((e) => e.requestId)).toEqual(['sr-crm-CRM-10023']);
    const ops = await t.app.inject({ method: 'GET', url: '/v1/service-requests/sr-crm-CRM-2', headers: bearer(T.ops) });
    expect((ops.json() as ServiceRequestState).earlierRequests?.map((e) => e.requestId)).toEqual(['sr-hl-HL-9', 'sr-crm-CRM-10023']);
  });
});
