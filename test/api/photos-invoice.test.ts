/**
 * The purchase invoice (kind `invoice`, 购买发票) on the photo route: proof of purchase for the warranty, lifecycle 4
 * only, in every open status from `received` on, by the assigned technician or the integration that started the
 * request (which may upload nothing else). Same content checks and storage layout as the visit's photos.
 */
import type { Status } from '../../src/domain/types';
import type { ServiceRequestState } from '../../workflows/messages';
import { makeJpeg, makePng } from '../support/imageFiles';
import { bearer, makeApp, multipart, TOKENS, type TestApp } from './support';

const ID = 'sr-crm-INV-1';
const WARRANTY: NonNullable<ServiceRequestState['warranty']> = {
  status: 'in_warranty',
  coverUntil: '2027-03-17',
  months: 36,
  terms: 'gas_water_heater',
  covers: ['parts', 'labour'],
};

let t: TestApp;
beforeEach(async () => {
  t = await makeApp({ limits: { photoMaxBytes: 64 * 1024 } });
});

const seed = (status: Status, over: Partial<ServiceRequestState> = {}): void => {
  const assigned = !['received', 'dispatching'].includes(status);
  t.port.seed({ requestId: ID, status, owner: 'crm', warranty: WARRANTY, ...(assigned ? { technicianId: 't1001' } : {}), ...over });
};

const upload = (kind: string, token: string, data = makeJpeg(), id = ID) => {
  const png = data.subarray(1, 4).toString('latin1') === 'PNG';
  const { payload, headers } = multipart([
    { name: 'kind', value: kind },
    { name: 'file', filename: png ? 'invoice.png' : 'invoice.jpg', contentType: png ? 'image/png' : 'image/jpeg', data },
  ]);
  return t.app.inject({ method: 'POST', url: `/v1/service-requests/${id}/photos`, headers: { ...headers, ...bearer(token) }, payload });
};

describe('accepted on lifecycle 4', () => {
  test('the CRM at intake (received): 201, filed under invoice/, the workflow told, the warranty has its proof', async () => {
    seed('received');
    const res = await upload('invoice', TOKENS.integration);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ kind: 'invoice', contentType: 'image/jpeg', size: makeJpeg().length });
    expect(body.key).toMatch(new RegExp(`^${ID}/invoice/[0-9a-f]{64}\\.jpg$`));
    expect(await t.storage.list(ID)).toEqual([expect.objectContaining({ key: body.key, kind: 'invoice' })]);
    expect(t.port.calls.at(-1)).toEqual({
      method: 'signalPhoto',
      id: ID,
      record: { kind: 'invoice', key: body.key, at: expect.any(String) },
    });
    const state = t.port.states.get(ID);
    expect(state?.warranty?.proof).toEqual({ invoicePhoto: body.key, at: expect.any(String) });
    expect(state?.photos).toEqual([]);
  });

  test.each<Status>([
    'received',
    'dispatching',
    'assigned',
    'accepted',
    'on_site',
    'quote_pending',
    'waiting_parts',
    'completed',
    'follow_up',
  ])('%s: 201 for the CRM and for the assigned technician', async (status) => {
    seed(status);
    expect((await upload('invoice', TOKENS.integration)).statusCode).toBe(201);
    if (status !== 'received' && status !== 'dispatching') {
      expect((await upload('invoice', TOKENS.tech1, makePng())).statusCode).toBe(201);
    }
  });

  test('the visit photos keep their rules: before acceptance a technician may send the invoice, not a "before" photo', async () => {
    seed('assigned');
    expect((await upload('invoice', TOKENS.tech1)).statusCode).toBe(201);
    const before = await upload('before', TOKENS.tech1, makePng());
    expect(before.statusCode).toBe(409);
    expect(before.json()).toMatchObject({ error: 'invalid_transition', details: [{ path: 'status' }] });
    expect(before.json().message).toContain('not accepted');
    expect((await t.storage.list(ID)).map((p) => p.kind)).toEqual(['invoice']);
  });

  test('the same invoice again lands on the same key', async () => {
    seed('on_site');
    const a = await upload('invoice', TOKENS.tech1);
    const b = await upload('invoice', TOKENS.integration);
    expect(b.json().key).toBe(a.json().key);
    expect(await t.storage.list(ID)).toHaveLength(1);
  });

  test('same content checks as any photo: a text file is 400 naming file, nothing stored', async () => {
    seed('received');
    const res = await upload('invoice', TOKENS.integration, Buffer.from('scan of the receipt, honest'));
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0]).toEqual({ path: 'file', message: expect.stringContaining('not a valid image') });
    expect(await t.storage.list(ID)).toEqual([]);
    expect(t.port.count('signalPhoto')).toBe(0);
  });
});

describe('refused', () => {
  test("a lifecycle 3 request: 409 naming kind, before the CRM's file is read; the technician's too; nothing stored", async () => {
    seed('on_site', { lifecycleVersion: 3 });
    const crm = await upload('invoice', TOKENS.integration);
    expect(crm.statusCode).toBe(409);
    expect(crm.json()).toMatchObject({ error: 'invalid_transition', details: [{ path: 'kind' }] });
    expect(crm.json().message).toContain('lifecycle version 3');
    expect(crm.headers.connection).toBe('close'); // nothing else the CRM could send: refused before the body
    const tech = await upload('invoice', TOKENS.tech1);
    expect(tech.statusCode).toBe(409);
    expect(tech.json()).toMatchObject({ error: 'invalid_transition', details: [{ path: 'kind' }] });
    expect(tech.json().message).toContain('lifecycle version 3');
    // The technician's visit photos are unchanged on lifecycle 3.
    expect((await upload('before', TOKENS.tech1, makePng())).statusCode).toBe(201);
    expect((await t.storage.list(ID)).map((p) => p.kind)).toEqual(['before']);
    expect(t.port.count('signalPhoto')).toBe(1);
  });

  test('an unknown kind is still 400 naming kind, the invoice among the kinds offered', async () => {
    seed('on_site');
    const res = await upload('receipt', TOKENS.tech1);
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual([{ path: 'kind', message: 'must be one of: before, after, signature, invoice' }]);
    expect(await t.storage.list(ID)).toEqual([]);
  });

  test.each<Status>(['closed', 'cancelled'])('%s: 409 for the CRM and the technician, nothing read or stored', async (status) => {
    seed(status);
    for (const token of [TOKENS.integration, TOKENS.tech1]) {
      const res = await upload('invoice', token);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: 'invalid_transition', details: [{ path: 'status' }] });
      expect(res.json().message).toContain(status);
      expect(res.headers.connection).toBe('close');
    }
    expect(await t.storage.list(ID)).toEqual([]);
    expect(t.port.count('signalPhoto')).toBe(0);
  });

  test("the CRM may not upload the visit's photos (403 naming kind), nor to another integration's request (404); ops may not upload", async () => {
    seed('on_site');
    const before = await upload('before', TOKENS.integration, makePng());
    expect(before.statusCode).toBe(403);
    expect(before.json()).toMatchObject({ error: 'forbidden', details: [{ path: 'kind' }] });
    expect((await upload('invoice', TOKENS.integration2)).statusCode).toBe(404);
    expect((await upload('invoice', TOKENS.ops)).statusCode).toBe(403);
    expect((await upload('invoice', TOKENS.tech2)).statusCode).toBe(404);
    expect(await t.storage.list(ID)).toEqual([]);
    expect(t.port.count('signalPhoto')).toBe(0);
  });
});
