/**
 * Lifecycle 3's routes (issue 12): remote resolution (ops, or the assigned technician), visit needed (ops, from
 * first-line handling) and the call-back outcome (ops and the call centre; the answers and score exactly when the
 * customer was reached), and the appointment's `requestedBy`. Requests on an older lifecycle refuse the new
 * actions with 409. The call centre's token on every other route: test/api/callcentre-role.test.ts.
 */
import { FakePort } from './fakePort';
import type { Status } from '../../src/domain/types';
import { RejectedTransitionError } from '../../src/api/port';
import type { ServiceRequestState } from '../../workflows/messages';
import { bearer, makeApp, NOW, TOKENS, validBody, type TestApp } from './support';
import { actionRoutes, paths } from './actionRoutes';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});

const { seed, post, updatesTo, lastUpdate } = actionRoutes(() => t, 'sr-V3', { technicianId: 't1001' });

const NOTES = '指导客户重置燃气阀，试机正常';
const SLOT = new Date(NOW + 2 * 3_600_000).toISOString();
const REACHED = { reached: true, answers: { satisfiedWithTechnician: true, useExplained: true, fixed: true }, score: 5 };

describe('POST /v1/service-requests/:id/remote-resolution', () => {
  test.each(['first_line', 'dispatching', 'assigned', 'accepted', 'scheduled', 'escalated'] as Status[])(
    '200 by ops from %s: completed, for whoever is assigned (technicianId optional)',
    async (from) => {
      const id = seed(from);
      const res = await post(id, 'remote-resolution', TOKENS.ops, { notes: NOTES });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ requestId: id, status: 'completed', remoteResolution: { notes: NOTES, by: 'ops desk (ops)' } });
      // Ops act for the request: no technician is filled in from the token.
      expect(lastUpdate(id)?.args).toEqual({ notes: NOTES, by: { name: 'ops desk', role: 'ops' } });
    },
  );

  test("200 by the assigned technician: the token's technicianId is what the workflow gets", async () => {
    const id = seed('scheduled');
    const res = await post(id, 'remote-resolution', TOKENS.tech1, { notes: NOTES });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'completed', remoteResolution: { technicianId: 't1001', by: 'tech t1001 (technician)' } });
    expect(lastUpdate(id)).toMatchObject({ action: 'remoteResolution', args: { technicianId: 't1001', notes: NOTES } });
  });

  test('ops may name the technician who resolved it', async () => {
    const id = seed('accepted');
    const res = await post(id, 'remote-resolution', TOKENS.ops, { notes: NOTES, technicianId: 't1001' });
    expect(res.statusCode).toBe(200);
    expect(res.json().remoteResolution).toMatchObject({ technicianId: 't1001', by: 'ops desk (ops)' });
  });

  test('400 naming notes when they are missing, empty or too long; nothing is sent to the workflow', async () => {
    const id = seed('accepted');
    for (const body of [{}, { notes: '' }, { notes: 'x'.repeat(2001) }, { technicianId: 't1001' }]) {
      const res = await post(id, 'remote-resolution', TOKENS.ops, body);
      expect(res.statusCode).toBe(400);
      expect(paths(res)).toContain('notes');
    }
    const extra = await post(id, 'remote-resolution', TOKENS.tech1, { notes: NOTES, resolved: true });
    expect(extra.statusCode).toBe(400);
    expect(paths(extra)).toContain('resolved');
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('403 for an integration token', async () => {
    const id = seed('accepted');
    const res = await post(id, 'remote-resolution', TOKENS.integration, { notes: NOTES });
    expect(res.statusCode).toBe(403);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('403 when a technician names another technician', async () => {
    const id = seed('accepted');
    const res = await post(id, 'remote-resolution', TOKENS.tech1, { notes: NOTES, technicianId: 't1002' });
    expect(res.statusCode).toBe(403);
    expect(paths(res)).toEqual(['technicianId']);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('a technician the request is not assigned to gets 404, as for a missing request (checked before the workflow)', async () => {
    for (const id of [seed('accepted'), seed('first_line', { technicianId: undefined, type: 'consultation' })]) {
      const res = await post(id, 'remote-resolution', TOKENS.tech2, { notes: NOTES });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: 'not_found', details: [{ path: 'params.id' }] });
      expect(updatesTo(id)).toHaveLength(0);
    }
  });

  test.each(['received', 'on_site', 'on_hold', 'completed', 'closed'] as Status[])(
    "409 with the workflow's reason from %s",
    async (from) => {
      const id = seed(from);
      const res = await post(id, 'remote-resolution', TOKENS.ops, { notes: NOTES });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: 'invalid_transition', message: expect.stringContaining(`is ${from}`) });
      expect(t.port.states.get(id)?.status).toBe(from);
    },
  );
});

describe('POST /v1/service-requests/:id/visit-needed', () => {
  test('200: a consultation started through the API is at first_line; ops send it to dispatch, its clock starting then', async () => {
    const start = await t.app.inject({
      method: 'POST',
      url: '/v1/service-requests',
      headers: bearer(TOKENS.integration),
      payload: validBody({ type: 'consultation', externalId: 'CRM-V3-CONSULT' }),
    });
    expect(start.statusCode).toBe(201);
    const { requestId, status, deadlines } = start.json() as ServiceRequestState;
    expect(status).toBe('first_line');
    expect(deadlines.filter((d) => d.milestone === 'dispatch')).toEqual([]);

    const res = await post(requestId, 'visit-needed', TOKENS.ops, { reason: '需上门检查燃气管路' });
    expect(res.statusCode).toBe(200);
    const after = res.json() as ServiceRequestState;
    expect(after.status).toBe('dispatching');
    expect(after.deadlines.filter((d) => d.milestone === 'dispatch')).toMatchObject([
      { status: 'pending', startedAt: new Date(NOW).toISOString() },
    ]);
    expect(after.timeline.at(-1)).toMatchObject({ event: 'visit_needed' });
  });

  test('400 naming reason when it is missing or too long; nothing is sent to the workflow', async () => {
    const id = seed('first_line', { type: 'consultation', technicianId: undefined });
    for (const body of [{}, { reason: '' }, { reason: 'x'.repeat(501) }]) {
      const res = await post(id, 'visit-needed', TOKENS.ops, body);
      expect(res.statusCode).toBe(400);
      expect(paths(res)).toContain('reason');
    }
    expect(updatesTo(id)).toHaveLength(0);
  });

  test.each([
    ['an integration', TOKENS.integration],
    ['a technician', TOKENS.tech1],
  ])('403 for %s token', async (_who, token) => {
    const id = seed('first_line', { type: 'consultation' });
    const res = await post(id, 'visit-needed', token, { reason: 'needs a visit' });
    expect(res.statusCode).toBe(403);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('409 on a repair: it never is at first-line handling', async () => {
    const start = await t.app.inject({
      method: 'POST',
      url: '/v1/service-requests',
      headers: bearer(TOKENS.integration),
      payload: validBody({ type: 'repair', externalId: 'CRM-V3-REPAIR' }),
    });
    const { requestId, status } = start.json() as ServiceRequestState;
    expect(status).toBe('received');
    const res = await post(requestId, 'visit-needed', TOKENS.ops, { reason: 'needs a visit' });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain('is received (allowed when first_line)');
    const dispatching = seed('dispatching');
    expect((await post(dispatching, 'visit-needed', TOKENS.ops, { reason: 'again' })).statusCode).toBe(409);
  });
});

describe('POST /v1/service-requests/:id/callback-outcome', () => {
  test.each([
    ['fixed, good score: closed', REACHED, 'closed'],
    ['low score: follow-up', { ...REACHED, score: 3 }, 'follow_up'],
    ['just above the threshold: closed', { ...REACHED, score: 4 }, 'closed'],
    ['not fixed: a revisit', { ...REACHED, answers: { ...REACHED.answers, fixed: false }, score: 4 }, 'dispatching'],
    ['not reached: still completed, another call due', { reached: false, note: '无人接听' }, 'completed'],
  ] as const)('200 %s', async (_what, body, to) => {
    const id = seed('completed');
    const res = await post(id, 'callback-outcome', TOKENS.ops, body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ requestId: id, status: to });
    expect(lastUpdate(id)).toMatchObject({ action: 'callbackOutcome', args: { ...body, by: { name: 'ops desk', role: 'ops' } } });
  });

  test('200 records the answers, complaints and who called; a not-fixed answer opens visit 2', async () => {
    const id = seed('completed', {
      completion: [{ at: new Date(NOW).toISOString(), resolved: true, notes: 'replaced igniter', technicianId: 't1001' }],
    });
    const body = {
      reached: true,
      answers: { satisfiedWithTechnician: false, useExplained: true, fixed: false, suggestions: '希望提前电话' },
      score: 2,
      staffComplaint: '师傅迟到',
      productComplaint: '噪音大',
    };
    const res = await post(id, 'callback-outcome', TOKENS.ops, body);
    expect(res.statusCode).toBe(200);
    const s = res.json() as ServiceRequestState;
    expect(s).toMatchObject({
      status: 'dispatching',
      visit: 2,
      reopened: [{ visit: 2, excluded: ['t1001'] }],
      callback: { outcome: { fixed: false, score: 2, suggestions: '希望提前电话', by: 'ops desk (ops)' } },
    });
    expect(s.callbackComplaints?.map((c) => [c.kind, c.text])).toEqual([
      ['staff', '师傅迟到'],
      ['product', '噪音大'],
    ]);
  });

  test.each([
    ['reached without answers or score', { reached: true }, ['answers', 'score']],
    ['reached without a score', { reached: true, answers: REACHED.answers }, ['score']],
    ['reached without answers', { reached: true, score: 4 }, ['answers']],
    ['not reached with a score', { reached: false, score: 4 }, ['score']],
    ['not reached with answers', { reached: false, answers: REACHED.answers }, ['answers']],
    ['not reached with a complaint', { reached: false, staffComplaint: 'rude' }, ['staffComplaint']],
    ['reached missing', { answers: REACHED.answers, score: 5 }, ['reached']],
    ['a score out of 1..5', { ...REACHED, score: 6 }, ['score']],
    ['a fractional score', { ...REACHED, score: 4.5 }, ['score']],
    ['an answer missing', { ...REACHED, answers: { satisfiedWithTechnician: true, useExplained: true } }, ['answers.fixed']],
    ['an unknown answer', { ...REACHED, answers: { ...REACHED.answers, polite: true } }, ['answers.polite']],
  ] as const)('400 %s names %j; nothing is sent to the workflow', async (_what, body, fields) => {
    const id = seed('completed');
    const res = await post(id, 'callback-outcome', TOKENS.ops, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('bad_request');
    expect(paths(res)).toEqual(expect.arrayContaining([...fields]));
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('403 for an integration token', async () => {
    const id = seed('completed');
    const res = await post(id, 'callback-outcome', TOKENS.integration, REACHED);
    expect(res.statusCode).toBe(403);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test.each(['received', 'assigned', 'scheduled', 'on_site', 'follow_up', 'closed'] as Status[])(
    '409 from %s (a call-back only follows completion)',
    async (from) => {
      const id = seed(from);
      const res = await post(id, 'callback-outcome', TOKENS.ops, REACHED);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: 'invalid_transition', message: expect.stringContaining(`is ${from}`) });
      expect(t.port.states.get(id)?.status).toBe(from);
    },
  );
});

describe('appointment: requestedBy', () => {
  const at = SLOT;

  test.each([
    [{ at, requestedBy: 'customer' }, 'customer'],
    [{ at, requestedBy: 'technician' }, 'technician'],
    [{ at }, 'technician'],
  ] as const)('200 %j: the slot is recorded as chosen by %s', async (body, by) => {
    const id = seed('accepted');
    const res = await post(id, 'appointment', TOKENS.tech1, body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'scheduled', appointment: { at, requestedBy: by } });
    expect(lastUpdate(id)?.args).toEqual({ ...body, technicianId: 't1001', by: { name: 'tech t1001', role: 'technician' } });
  });

  test.each(['ops', 'Customer', '', 7])('400 naming requestedBy for %j', async (requestedBy) => {
    const id = seed('accepted');
    const res = await post(id, 'appointment', TOKENS.tech1, { at, requestedBy });
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toContain('requestedBy');
    expect(updatesTo(id)).toHaveLength(0);
  });
});

describe('requests on an older lifecycle refuse the new actions', () => {
  test.each([
    ['remote-resolution', 'accepted', { notes: NOTES }],
    ['visit-needed', 'first_line', { reason: 'needs a visit' }],
    ['callback-outcome', 'completed', REACHED],
  ] as const)('409 for %s on a lifecycle 2 request', async (path, from, body) => {
    const id = seed(from, { lifecycleVersion: 2 });
    const res = await post(id, path, TOKENS.ops, body);
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain('lifecycle version 2');
    expect(t.port.states.get(id)?.status).toBe(from);
  });

  test('the same request on lifecycle 3 takes them', async () => {
    const id = seed('accepted', { lifecycleVersion: 3 });
    expect((await post(id, 'remote-resolution', TOKENS.ops, { notes: NOTES })).statusCode).toBe(200);
  });
});

describe("the fake follows the workflow's assignee rule", () => {
  const fake = () => {
    const port = new FakePort();
    port.seed({ requestId: 'sr-F1', status: 'accepted', technicianId: 't1001' });
    return port;
  };

  test('a technician caller must be the assigned one', async () => {
    const by = { name: 'tech t1002', role: 'technician' as const };
    await expect(fake().update('sr-F1', 'remoteResolution', { notes: NOTES, technicianId: 't1002', by })).rejects.toThrow(
      new RejectedTransitionError('remoteResolution', 'technician t1002 is not assigned to this request'),
    );
    await expect(fake().update('sr-F1', 'appointment', { technicianId: 't1002', at: SLOT, by })).rejects.toThrow(/not assigned/);
  });

  test('ops act for whoever is assigned, only where the action lists ops', async () => {
    const by = { name: 'ops desk', role: 'ops' as const };
    const state = await fake().update('sr-F1', 'remoteResolution', { notes: NOTES, by } as never);
    expect(state.status).toBe('completed');
    // appointment lists technicians only: whoever calls, the technician must be the assigned one.
    await expect(fake().update('sr-F1', 'appointment', { technicianId: 't1002', at: SLOT, by })).rejects.toThrow(/not assigned/);
  });

  test('the workflow-side checks refuse what the API would have (InvalidArgument)', async () => {
    const port = fake();
    port.seed({ requestId: 'sr-F2', status: 'completed' });
    await expect(port.update('sr-F2', 'callbackOutcome', { reached: false, score: 3 })).rejects.toMatchObject({
      failureType: 'InvalidArgument',
      reason: expect.stringMatching(/^score:/),
    });
  });
});

describe('OpenAPI document', () => {
  interface Schema {
    type?: string;
    properties?: Record<string, Schema>;
    required?: string[];
    enum?: unknown[];
    anyOf?: Schema[];
    minimum?: number;
    maximum?: number;
    maxLength?: number;
  }
  interface Operation {
    description: string;
    requestBody?: { content: Record<string, { schema: Schema }> };
  }
  let doc: { paths: Record<string, Record<string, Operation>> };
  beforeAll(async () => {
    doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
  });
  const bodyOf = (path: string): Schema | undefined =>
    doc.paths[`/v1/service-requests/{id}/${path}`]?.post?.requestBody?.content['application/json']?.schema;
  const enumOf = (s: Schema | undefined): unknown[] => s?.enum ?? (s?.anyOf ?? []).map((x) => (x as { const?: unknown }).const);

  test('remote-resolution: notes required, technicianId optional; for ops and technicians', () => {
    const body = bodyOf('remote-resolution');
    expect(Object.keys(body?.properties ?? {}).sort()).toEqual(['notes', 'technicianId']);
    expect(body?.required).toEqual(['notes']);
    expect(body?.properties?.notes?.maxLength).toBe(2000);
    const description = doc.paths['/v1/service-requests/{id}/remote-resolution']?.post?.description;
    expect(description).toContain('ops, technician (a technician only when assigned; ops for whoever is assigned)');
    expect(description).toContain('first_line');
    expect(doc.paths['/v1/service-requests/{id}/accept']?.post?.description).toContain('technician (assigned technician only)');
  });

  test('visit-needed: reason required; for ops; from first_line', () => {
    const body = bodyOf('visit-needed');
    expect(Object.keys(body?.properties ?? {})).toEqual(['reason']);
    expect(body?.required).toEqual(['reason']);
    expect(doc.paths['/v1/service-requests/{id}/visit-needed']?.post?.description).toContain('in states first_line.');
  });

  test('callback-outcome: reached required, the answers A–D and a 1..5 score; for ops and callcentre', () => {
    const body = bodyOf('callback-outcome');
    expect(Object.keys(body?.properties ?? {}).sort()).toEqual([
      'answers',
      'note',
      'productComplaint',
      'reached',
      'score',
      'staffComplaint',
    ]);
    expect(body?.required).toEqual(['reached']);
    const answers = body?.properties?.answers;
    expect(Object.keys(answers?.properties ?? {}).sort()).toEqual(['fixed', 'satisfiedWithTechnician', 'suggestions', 'useExplained']);
    expect([...(answers?.required ?? [])].sort()).toEqual(['fixed', 'satisfiedWithTechnician', 'useExplained']);
    expect(body?.properties?.score).toMatchObject({ type: 'integer', minimum: 1, maximum: 5 });
    const description = doc.paths['/v1/service-requests/{id}/callback-outcome']?.post?.description;
    expect(description).toContain('ops, callcentre');
    expect(description).toContain('in states completed.');
  });

  test('appointment: optional requestedBy, customer or technician', () => {
    const body = bodyOf('appointment');
    expect(body?.required).toEqual(['at']);
    expect(enumOf(body?.properties?.requestedBy).sort()).toEqual(['customer', 'technician']);
  });
});
