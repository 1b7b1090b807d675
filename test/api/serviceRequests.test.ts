import { bearer, makeApp, NOW, PII, TOKENS, validBody, type TestApp } from './support';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});

const start = (body: unknown, headers: Record<string, string> = {}, token: string = TOKENS.integration) =>
  t.app.inject({ method: 'POST', url: '/v1/service-requests', headers: { ...bearer(token), ...headers }, payload: body as object });

describe('POST /v1/service-requests', () => {
  test("201 starts a request with normalised input and the sr-<integration's key>-<externalId> id", async () => {
    const res = await start(validBody());
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe('/v1/service-requests/sr-crm-CRM-10023');
    const body = res.json();
    expect(body).toMatchObject({
      requestId: 'sr-crm-CRM-10023',
      ticket: 'CRM-CRM-10023',
      owner: 'crm',
      status: 'received',
      urgency: 'urgent',
      type: 'repair',
    });
    expect(body).not.toHaveProperty('bodyHash');
    const call = t.port.calls.find((c) => c.method === 'start');
    expect(call).toMatchObject({
      input: {
        customer: { phone: '+8613912345678', name: PII.name },
        product: { category: 'gas_water_heater' },
        vip: false,
        externalId: 'CRM-10023',
      },
      opts: { requestId: 'sr-crm-CRM-10023', owner: 'crm' },
    });
    expect((call as { opts: { bodyHash: string } }).opts.bodyHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('200 for the same key and body again; one workflow only', async () => {
    expect((await start(validBody())).statusCode).toBe(201);
    // Same content, different key order and spacing: still the same normalised body.
    const again = validBody({ customer: { address: `  ${PII.address} `, phone: '139 1234 5678', name: PII.name } });
    const res = await start(again);
    expect(res.statusCode).toBe(200);
    expect(res.json().requestId).toBe('sr-crm-CRM-10023');
    expect(t.port.states.size).toBe(1);
  });

  test('409 when the key is reused with another body', async () => {
    await start(validBody());
    const res = await start(validBody({ urgency: 'critical' }));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'idempotency_conflict', details: [{ path: 'externalId' }] });
  });

  test('Idempotency-Key header is the key when the body has no externalId', async () => {
    const { externalId: _drop, ...body } = validBody();
    const res = await start(body, { 'idempotency-key': 'HOTLINE-77' });
    expect(res.statusCode).toBe(201);
    expect(res.json().requestId).toBe('sr-crm-HOTLINE-77');
    expect((await start(body, { 'idempotency-key': 'HOTLINE-77' })).statusCode).toBe(200);
  });

  test('400 when externalId and Idempotency-Key disagree', async () => {
    const res = await start(validBody(), { 'idempotency-key': 'OTHER-1' });
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'externalId' })]));
    expect(t.port.count('start')).toBe(0);
  });

  test('generated id without any key', async () => {
    const { externalId: _drop, ...body } = validBody();
    const res = await start(body);
    expect(res.statusCode).toBe(201);
    expect(res.json().requestId).toMatch(/^sr-crm-250601-[0-9A-Z]{8}$/);
  });

  test('400 names every offending field and starts nothing', async () => {
    const res = await start({
      type: 'teleport',
      urgency: 'urgent',
      channel: 'fax',
      customer: { name: PII.name, address: 'x'.repeat(301), extra: 1 },
      product: { model: 'M', purchaseDate: '2023-4-1', category: 'gas_water_heater' },
      problem: {},
      location: { lat: 91, lng: 0 },
      externalId: '../etc/passwd',
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('bad_request');
    const paths = body.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'type',
        'channel',
        'customer.phone',
        'customer.address',
        'customer.extra',
        'product.purchaseDate',
        'problem.description',
        'location.lat',
        'externalId',
      ]),
    );
    expect(body.message).toContain('customer.phone');
    expect(t.port.count('start')).toBe(0);
  });

  test('400 names schema problems and the checks a schema cannot express together, and starts nothing', async () => {
    // A too-short address fails the schema; a landline, a blank name, an impossible date and a vague
    // description pass it and fail the field checks. One answer must name all of them.
    const res = await start(
      validBody({
        type: 'teleport',
        customer: { name: '   ', phone: '021-12345678', address: 'x' },
        product: { model: 'M1', purchaseDate: '2023-02-30', category: 'gas_water_heater' },
        problem: { description: '坏了坏了' },
      }),
    );
    expect(res.statusCode).toBe(400);
    const body = res.json();
    const paths = body.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'type',
        'customer.name',
        'customer.phone',
        'customer.address',
        'product.purchaseDate',
        'problem.description',
      ]),
    );
    expect(body.details).toContainEqual({ path: 'customer.phone', message: 'must be a mobile number (the customer is told by SMS)' });
    expect(body.message).toContain('customer.phone');
    expect(body.message).toContain('customer.address');
    expect(t.port.count('start')).toBe(0);
  });

  test('400 gives one message per field: a schema error is not repeated by the field check', async () => {
    const res = await start(validBody({ customer: { name: PII.name, phone: 'call me', address: PII.address } }));
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual([{ path: 'customer.phone', message: 'has an invalid format' }]);
  });

  test.each([
    ['malformed phone', { customer: { name: 'A', phone: '12345', address: '北京市朝阳区建国路1号' } }, 'customer.phone'],
    ['landline (no SMS)', { customer: { name: 'A', phone: '021-12345678', address: '北京市朝阳区建国路1号' } }, 'customer.phone'],
    ['future purchase date', { product: { model: 'M1', purchaseDate: '2025-06-02', category: 'x' } }, 'product.purchaseDate'],
    ['impossible date', { product: { model: 'M1', purchaseDate: '2023-02-30', category: 'x' } }, 'product.purchaseDate'],
    ['vague description', { problem: { description: '坏了坏了' } }, 'problem.description'],
    ['vague English', { problem: { description: 'broken!!!' } }, 'problem.description'],
    ['blank name', { customer: { name: '   ', phone: PII.phone, address: '北京市朝阳区建国路1号' } }, 'customer.name'],
    ['control characters', { customer: { name: 'A\u0000B', phone: PII.phone, address: '北京市朝阳区建国路1号' } }, 'customer.name'],
    ['oversized description', { problem: { description: 'x'.repeat(2001) } }, 'problem.description'],
    ['string vip', { vip: 'yes' }, 'vip'],
    ['unknown top-level field', { priority: 1 }, 'priority'],
    ['the phone as externalId', { externalId: 'TEL-13912345678' }, 'externalId'],
  ])('400 for %s', async (_name, override, path) => {
    const res = await start(validBody(override));
    expect(res.statusCode).toBe(400);
    expect(res.json().details.map((d: { path: string }) => d.path)).toContain(path);
    expect(t.port.count('start')).toBe(0);
  });

  test('400 for malformed JSON, 415 for another content type, 413 for a huge body', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/service-requests',
      headers: { ...bearer(TOKENS.integration), 'content-type': 'application/json' },
      payload: '{"type": "repair",',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_json', details: [] });

    const xml = await t.app.inject({
      method: 'POST',
      url: '/v1/service-requests',
      headers: { ...bearer(TOKENS.integration), 'content-type': 'application/xml' },
      payload: '<request/>',
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().error).toBe('unsupported_media_type');

    const huge = await start(validBody({ problem: { description: 'x'.repeat(100_000) } }));
    expect(huge.statusCode).toBe(413);
    expect(t.port.count('start')).toBe(0);
  });

  test('401 without or with an unknown token', async () => {
    const none = await t.app.inject({ method: 'POST', url: '/v1/service-requests', payload: validBody() });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    expect(none.json()).toMatchObject({ error: 'unauthorized', details: [] });
    expect((await start(validBody(), {}, 'not-a-real-token-at-all')).statusCode).toBe(401);
    expect(t.port.count('start')).toBe(0);
  });

  test('403 for technicians and ops', async () => {
    expect((await start(validBody(), {}, TOKENS.tech1)).statusCode).toBe(403);
    expect((await start(validBody(), {}, TOKENS.ops)).statusCode).toBe(403);
  });

  test('503 with Retry-After when Temporal is down', async () => {
    t.port.unavailable = true;
    const res = await start(validBody());
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.json()).toEqual({ error: 'unavailable', message: expect.any(String), details: [] });
  });
});

describe('GET /v1/service-requests/:id', () => {
  beforeEach(() => {
    t.port.seed({ requestId: 'sr-A1', status: 'assigned', technicianId: 't1001', owner: 'crm' });
  });
  const get = (id: string, token: string = TOKENS.integration) =>
    t.app.inject({ method: 'GET', url: `/v1/service-requests/${id}`, headers: bearer(token) });

  test('200 for integrations, ops and the assigned technician', async () => {
    for (const token of [TOKENS.integration, TOKENS.ops, TOKENS.tech1]) {
      const res = await get('sr-A1', token);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        requestId: 'sr-A1',
        status: 'assigned',
        technicianId: 't1001',
        deadlines: [],
        timeline: [expect.any(Object)],
      });
    }
  });
  test('404 for a technician it is not assigned to', async () => {
    const res = await get('sr-A1', TOKENS.tech2);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found', details: [{ path: 'params.id' }] });
  });
  test('404 for an unknown id', async () => {
    const res = await get('sr-NOPE');
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('not_found');
  });
  test('400 for a malformed id', async () => {
    for (const id of ['A1', 'sr-', 'sr-%2e%2e', 'sr-a%20b', `sr-${'x'.repeat(120)}`]) {
      const res = await get(id);
      expect(res.statusCode).toBe(400);
      expect(res.json().details[0].path).toBe('params.id');
    }
    expect(t.port.count('get')).toBe(0);
  });
  test('401 without a token', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/service-requests/sr-A1' })).statusCode).toBe(401);
  });
  test('503 when Temporal is down', async () => {
    t.port.unavailable = true;
    const res = await get('sr-A1');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
  });
});

describe('GET /v1/service-requests (list)', () => {
  beforeEach(() => {
    t.port.seed({ requestId: 'sr-L1', status: 'assigned', urgency: 'critical', technicianId: 't1001', owner: 'crm' });
    t.port.seed({ requestId: 'sr-L2', status: 'received', urgency: 'normal', escalationLevel: 2, owner: 'crm' });
    t.port.seed({ requestId: 'sr-L3', status: 'assigned', urgency: 'normal', technicianId: 't1002', owner: 'crm' });
  });
  const list = (qs: string, token: string = TOKENS.ops) =>
    t.app.inject({ method: 'GET', url: `/v1/service-requests${qs}`, headers: bearer(token) });

  test('200 with filters passed to the port', async () => {
    const res = await list('?status=assigned&urgency=critical&technicianId=t1001&escalated=false&pageSize=5');
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((i: { requestId: string }) => i.requestId)).toEqual(['sr-L1']);
    expect(t.port.calls.at(-1)).toEqual({
      method: 'list',
      filter: { status: 'assigned', urgency: 'critical', technicianId: 't1001', escalated: false },
      cursor: undefined,
      pageSize: 5,
    });
    const escalated = await list('?escalated=true', TOKENS.integration);
    expect(escalated.json().items.map((i: { requestId: string }) => i.requestId)).toEqual(['sr-L2']);
  });

  test('cursor paging', async () => {
    const first = (await list('?pageSize=2')).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await list(`?pageSize=2&cursor=${first.nextCursor}`)).json();
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeUndefined();
  });

  test('technicians see only their own requests', async () => {
    const res = await list('', TOKENS.tech1);
    expect(res.json().items.map((i: { requestId: string }) => i.requestId)).toEqual(['sr-L1']);
    expect((await list('?technicianId=t1002', TOKENS.tech1)).statusCode).toBe(403);
  });

  test('400 for unknown filters, bad enums and hostile values', async () => {
    for (const qs of [
      '?status=lost',
      '?urgency=asap',
      "?technicianId=t1'%20OR%20'1'='1",
      '?pageSize=1000',
      '?escalated=maybe',
      '?sort=desc',
      '?cursor=%00',
    ]) {
      const res = await list(qs);
      expect(res.statusCode).toBe(400);
      expect(res.json().details[0].path).toMatch(/^query\./);
    }
    expect(t.port.count('list')).toBe(0);
  });

  test('400 for a cursor the port rejects', async () => {
    const res = await list('?cursor=bm90LWEtbnVtYmVy');
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0].path).toBe('query.cursor');
  });

  test('401 and 503', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/service-requests' })).statusCode).toBe(401);
    t.port.unavailable = true;
    expect((await list('')).statusCode).toBe(503);
  });
});

test('the clock is pinned for intake checks', () => {
  expect(new Date(NOW).toISOString()).toBe('2025-06-01T02:00:00.000Z');
});
