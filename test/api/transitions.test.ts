import type { Status } from '../../src/domain/types';
import { bearer, makeApp, NOW, TOKENS, type TestApp } from './support';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});

interface Case {
  path: string;
  /** Who may call it. */
  token: string;
  /** A state that allows it, and the state after. */
  from: Status;
  to: Status;
  body: Record<string, unknown>;
  /** A body with field errors and the paths they must name. */
  bad: [Record<string, unknown>, string[]];
  /** A state that refuses it. */
  refusedIn: Status;
  /** A caller of the wrong role. */
  wrongRole: string;
}

const IN_TWO_HOURS = new Date(NOW + 2 * 3_600_000).toISOString();

const CASES: Case[] = [
  {
    path: 'assignment',
    token: TOKENS.ops,
    from: 'dispatching',
    to: 'assigned',
    body: { technicianId: 't1002' },
    bad: [{ technicianId: 'a b', extra: true }, ['technicianId', 'extra']],
    refusedIn: 'completed',
    wrongRole: TOKENS.integration,
  },
  {
    path: 'accept',
    token: TOKENS.tech1,
    from: 'assigned',
    to: 'accepted',
    body: { technicianId: 't1001' },
    bad: [{ technicianId: 7 }, ['technicianId']],
    refusedIn: 'scheduled',
    wrongRole: TOKENS.ops,
  },
  {
    path: 'decline',
    token: TOKENS.tech1,
    from: 'assigned',
    to: 'dispatching',
    body: { reason: '不在该区域' },
    bad: [{ reason: 'x'.repeat(501) }, ['reason']],
    refusedIn: 'on_site',
    wrongRole: TOKENS.integration,
  },
  {
    path: 'appointment',
    token: TOKENS.tech1,
    from: 'accepted',
    to: 'scheduled',
    body: { at: IN_TWO_HOURS },
    bad: [{ at: 'tomorrow' }, ['at']],
    refusedIn: 'assigned',
    wrongRole: TOKENS.ops,
  },
  {
    path: 'arrival',
    token: TOKENS.tech1,
    from: 'scheduled',
    to: 'on_site',
    body: {},
    bad: [{ when: 'now' }, ['when']],
    refusedIn: 'accepted',
    wrongRole: TOKENS.ops,
  },
  {
    path: 'completion',
    token: TOKENS.tech1,
    from: 'on_site',
    to: 'completed',
    body: { resolved: true, notes: '更换点火针，试机正常' },
    bad: [{ resolved: 'yes' }, ['resolved', 'notes']],
    refusedIn: 'scheduled',
    wrongRole: TOKENS.ops,
  },
  {
    path: 'hold',
    token: TOKENS.ops,
    from: 'on_site',
    to: 'on_hold',
    body: { reason: '等待配件' },
    bad: [{}, ['reason']],
    refusedIn: 'received',
    wrongRole: TOKENS.tech1,
  },
  {
    path: 'resume',
    token: TOKENS.ops,
    from: 'on_hold',
    to: 'scheduled',
    body: { reason: '配件已到' },
    bad: [{ reason: '' }, ['reason']],
    refusedIn: 'on_site',
    wrongRole: TOKENS.integration,
  },
  {
    path: 'follow-up',
    token: TOKENS.ops,
    from: 'follow_up',
    to: 'closed',
    body: { notes: '已致电客户致歉并安排回访' },
    bad: [{ notes: 5 }, ['notes']],
    refusedIn: 'completed',
    wrongRole: TOKENS.tech1,
  },
  {
    path: 'cancel',
    token: TOKENS.ops,
    from: 'scheduled',
    to: 'cancelled',
    body: { reason: '客户取消' },
    bad: [{ reason: 'a\u0000' }, ['reason']],
    refusedIn: 'closed',
    wrongRole: TOKENS.integration,
  },
];

function seed(status: Status, technicianId = 't1001') {
  return t.port.seed({
    requestId: 'sr-T1',
    status,
    technicianId,
    ...(status === 'on_hold' ? { onHold: { since: new Date(NOW).toISOString(), reason: 'parts', resumeTo: 'scheduled' as Status } } : {}),
  });
}

const post = (path: string, token: string | undefined, body: unknown, id = 'sr-T1') =>
  t.app.inject({ method: 'POST', url: `/v1/service-requests/${id}/${path}`, headers: token ? bearer(token) : {}, payload: body as object });

describe.each(CASES)('POST /v1/service-requests/:id/$path', (c) => {
  test('200 applies the transition and returns the state', async () => {
    seed(c.from);
    const res = await post(c.path, c.token, c.body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ requestId: 'sr-T1', status: c.to });
  });

  test('400 names each offending field; nothing is sent to the workflow', async () => {
    seed(c.from);
    const res = await post(c.path, c.token, c.bad[0]);
    expect(res.statusCode).toBe(400);
    const paths = res.json().details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(c.bad[1]));
    expect(t.port.count('update')).toBe(0);
  });

  test('401 without a token', async () => {
    seed(c.from);
    expect((await post(c.path, undefined, c.body)).statusCode).toBe(401);
    expect((await post(c.path, 'wrong-token-wrong-token', c.body)).statusCode).toBe(401);
  });

  test('403 for the wrong role', async () => {
    seed(c.from);
    const res = await post(c.path, c.wrongRole, c.body);
    expect(res.statusCode).toBe(403);
    expect(t.port.count('update')).toBe(0);
  });

  test('404 for an unknown request', async () => {
    const res = await post(c.path, c.token, c.body, 'sr-MISSING');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found', details: [{ path: 'params.id' }] });
  });

  test("409 with the workflow's reason when the state does not allow it", async () => {
    seed(c.refusedIn);
    const res = await post(c.path, c.token, c.body);
    expect(res.statusCode).toBe(409);
    const body = res.json();
    expect(body.error).toBe('invalid_transition');
    expect(body.message).toContain(`is ${c.refusedIn}`);
    expect(t.port.states.get('sr-T1')?.status).toBe(c.refusedIn);
  });

  test('503 with Retry-After while Temporal is down', async () => {
    seed(c.from);
    t.port.unavailable = true;
    const res = await post(c.path, c.token, c.body);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
  });
});

describe('technician rules', () => {
  test('404 for a technician the request is not assigned to, as for a missing one (checked before the workflow)', async () => {
    seed('assigned', 't1001');
    const res = await post('accept', TOKENS.tech2, {});
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found', details: [{ path: 'params.id', message: 'no such request' }] });
    expect(t.port.count('update')).toBe(0);
  });

  test("403 when the body names another technician; the token's id is what the workflow gets", async () => {
    seed('assigned', 't1001');
    const res = await post('accept', TOKENS.tech1, { technicianId: 't1002' });
    expect(res.statusCode).toBe(403);
    expect(res.json().details[0].path).toBe('technicianId');
    const ok = await post('accept', TOKENS.tech1, {});
    expect(ok.statusCode).toBe(200);
    expect(t.port.calls.at(-1)).toMatchObject({ method: 'update', action: 'accept', args: { technicianId: 't1001' } });
  });

  test('appointment time is normalised and must be plausible', async () => {
    seed('accepted');
    const far = await post('appointment', TOKENS.tech1, { at: '2030-01-01T09:00:00+08:00' });
    expect(far.statusCode).toBe(400);
    expect(far.json().details[0].path).toBe('at');
    const ok = await post('appointment', TOKENS.tech1, { at: '2025-06-01T14:30:00+08:00' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().appointmentAt).toBe('2025-06-01T06:30:00.000Z');
  });

  test('workflow argument refusals are 400 naming the field', async () => {
    seed('received');
    const { RejectedTransitionError } = await import('../../src/api/port');
    t.port.update = async () => {
      throw new RejectedTransitionError('assign', 'technician t9999 is unknown or inactive', 'UnknownTechnician');
    };
    const res = await post('assignment', TOKENS.ops, { technicianId: 't9999' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'bad_request',
      message: 'technician t9999 is unknown or inactive',
      details: [{ path: 'technicianId', message: 'technician t9999 is unknown or inactive' }],
    });
  });

  test('manual assignment records who assigned', async () => {
    seed('received');
    await post('assignment', TOKENS.ops, { technicianId: 't1002' });
    expect(t.port.calls.at(-1)).toMatchObject({ action: 'assign', args: { technicianId: 't1002', by: { name: 'ops desk', role: 'ops' } } });
  });

  test('Idempotency-Key on a transition becomes the update id, bound to caller, action and body', async () => {
    seed('scheduled');
    await post('cancel', TOKENS.ops, { reason: 'dup' }).then(() => undefined);
    expect(t.port.calls.at(-1)).toMatchObject({ opts: {} });
    seed('scheduled');
    await t.app.inject({
      method: 'POST',
      url: '/v1/service-requests/sr-T1/cancel',
      headers: { ...bearer(TOKENS.ops), 'idempotency-key': 'retry-1' },
      payload: { reason: 'customer called' },
    });
    expect(t.port.calls.at(-1)).toMatchObject({
      opts: { updateId: expect.stringMatching(/^cancel:[0-9a-f]{64}$/) },
      args: { reason: 'customer called', idempotency: { key: 'retry-1', bodyHash: expect.stringMatching(/^[0-9a-f]{64}$/) } },
    });
  });

  test('JSON only: 415 for form posts, 400 for malformed JSON', async () => {
    seed('scheduled');
    const form = await t.app.inject({
      method: 'POST',
      url: '/v1/service-requests/sr-T1/cancel',
      headers: { ...bearer(TOKENS.ops), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'reason=x',
    });
    expect(form.statusCode).toBe(415);
    const broken = await t.app.inject({
      method: 'POST',
      url: '/v1/service-requests/sr-T1/cancel',
      headers: { ...bearer(TOKENS.ops), 'content-type': 'application/json' },
      payload: '{reason:',
    });
    expect(broken.statusCode).toBe(400);
  });
});
