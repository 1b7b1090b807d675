/**
 * Lifecycle 5, complaints over HTTP. Intake: `complaint.classification` and `complaint.relatesTo` (the earlier
 * request's id or ticket, resolved before anything starts: its technician goes into the start; a wrong one, or
 * another integration's request, is a 400 naming the field and starts nothing). The process's routes
 * (complaint-analysis, complaint-solution, complaint-implementation, complaint-feedback: ops): 200 with the right caller, 403 for the others, 400 naming the field (schema, and a service complaint's
 * missing accountability), 409 where the status does not allow it and on requests of older lifecycles.
 */
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

const { seed, post, updatesTo } = actionRoutes(() => t, 'sr-crm-V5', {
  type: 'complaint',
  complaint: { classification: 'service_attitude' },
});
let n = 0;
const start = (body: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/v1/service-requests', headers: bearer(T.integration), payload: body });
const starts = () => t.port.calls.filter((c) => c.method === 'start').length;

const ACCOUNTABILITY = { responsible: { kind: 'person', name: '张伟', technicianId: 't1001' }, action: '通报批评并安排服务礼仪培训' };

describe('POST /v1/service-requests: a complaint, classified and linked', () => {
  const earlier = (): string => {
    const id = `sr-crm-R-${++n}`;
    t.port.seed({
      requestId: id,
      status: 'closed',
      technicianId: 't1001',
      assignments: [
        { technicianId: 't1001', name: '张伟', workNumber: 'T1001', tier: 1, visit: 1, by: 'auto', assignedAt: '2025-05-20T01:00:00.000Z' },
      ],
    });
    return id;
  };
  const complaint = (relatesTo: string | undefined, externalId: string, classification = 'service_attitude') =>
    validBody({ type: 'complaint', externalId, complaint: { classification, ...(relatesTo ? { relatesTo } : {}) } });

  test('201 linked by request id: in analysis, the earlier request and its technician in the start and the state', async () => {
    const id = earlier();
    const res = await start(complaint(id, `CP-${n}`));
    expect(res.statusCode).toBe(201);
    const link = { requestId: id, ticket: id.slice(3).toUpperCase(), type: 'repair', technicianId: 't1001', technicianName: '张伟' };
    expect(res.json()).toMatchObject({ status: 'analysis', complaint: { classification: 'service_attitude', relatesTo: link } });
    const call = t.port.calls.filter((c) => c.method === 'start').at(-1) as { opts: { complaintLink?: unknown }; input: unknown };
    expect(call.opts.complaintLink).toEqual(link);
    expect(call.input).toMatchObject({ complaint: { classification: 'service_attitude', relatesTo: id } });
  });

  test('201 linked by ticket number (any case)', async () => {
    const id = earlier();
    const ticket = id.slice(3).toUpperCase();
    const res = await start(complaint(ticket.toLowerCase(), `CP-${n}`));
    expect(res.statusCode).toBe(201);
    expect(res.json().complaint.relatesTo).toMatchObject({ requestId: id, ticket, technicianId: 't1001' });
  });

  test('201 without a link; the class alone', async () => {
    const res = await start(complaint(undefined, `CP-${++n}`, 'product_quality'));
    expect(res.statusCode).toBe(201);
    expect(res.json().complaint).toEqual({ classification: 'product_quality' });
  });

  test.each([
    ['an unknown request id', 'sr-crm-NOPE-1'],
    ['an unknown ticket', 'CRM-NOPE-2'],
    ["another integration's request", 'sr-hl-THEIRS-1'],
  ])('400 naming complaint.relatesTo for %s; nothing started', async (_what, ref) => {
    t.port.seed({ requestId: 'sr-hl-THEIRS-1', status: 'closed' });
    const before = starts();
    const res = await start(complaint(ref, `CP-${++n}`));
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toEqual(['complaint.relatesTo']);
    expect(res.json().details[0].message).toBe('no request of yours has this id or ticket number');
    expect(starts()).toBe(before);
  });

  test('400 for a complaint about itself', async () => {
    const res = await start(complaint('sr-crm-SELF-1', 'SELF-1'));
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual([{ path: 'complaint.relatesTo', message: 'a complaint cannot be about itself' }]);
  });

  test.each([
    ['on another request type', validBody({ externalId: 'X-1', complaint: { classification: 'other' } }), 'complaint'],
    [
      'an unknown class',
      validBody({ type: 'complaint', externalId: 'X-2', complaint: { classification: 'rudeness' } }),
      'complaint.classification',
    ],
    ['no class', validBody({ type: 'complaint', externalId: 'X-3', complaint: { relatesTo: 'sr-crm-R-1' } }), 'complaint.classification'],
    [
      'a malformed reference',
      validBody({ type: 'complaint', externalId: 'X-4', complaint: { classification: 'other', relatesTo: 'sr crm 1' } }),
      'complaint.relatesTo',
    ],
  ])('400 for %s, naming the field', async (_what, body, field) => {
    const before = starts();
    const res = await start(body);
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toContain(field);
    expect(starts()).toBe(before);
  });
});

const STEPS = [
  {
    path: 'complaint-analysis',
    action: 'complaintAnalysis',
    from: 'analysis',
    to: 'solution',
    body: { findings: '工程师迟到两小时未通知' },
  },
  {
    path: 'complaint-solution',
    action: 'complaintSolution',
    from: 'solution',
    to: 'implementation',
    body: { solution: '致歉并免除上门费' },
  },
  {
    path: 'complaint-implementation',
    action: 'complaintImplementation',
    from: 'implementation',
    to: 'complaint_feedback',
    body: { notes: '已致歉退费' },
  },
  {
    path: 'complaint-feedback',
    action: 'complaintFeedback',
    from: 'complaint_feedback',
    to: 'closed',
    body: { satisfied: true, feedback: '接受', accountability: ACCOUNTABILITY },
  },
] as const;

describe.each(STEPS)('POST /v1/service-requests/:id/$path', ({ path, action, from, to, body }) => {
  test('200 by ops: the next status, who took it recorded', async () => {
    const id = seed(from);
    const res = await post(id, path, T.ops, body);
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe(to);
    expect(updatesTo(id).at(-1)).toMatchObject({ action, args: { ...body, by: { name: 'ops desk', role: 'ops' } } });
  });

  const refused: [string, string][] = [
    ['a technician', T.tech1],
    ['an integration', T.integration],
    ['the warehouse', T.warehouse],
  ];
  refused.push(['the call centre', T.callcentre]);
  test.each(refused)('403 for %s', async (_who, token) => {
    const id = seed(from);
    expect((await post(id, path, token, body)).statusCode).toBe(403);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('400 naming the field for a bad body (an unknown field, an empty text)', async () => {
    const id = seed(from);
    const extra = await post(id, path, T.ops, { ...body, surprise: 1 });
    expect(extra.statusCode).toBe(400);
    const [field] = Object.keys(body) as string[];
    const empty = await post(id, path, T.ops, { ...body, [field!]: typeof body[field as keyof typeof body] === 'string' ? '' : 'x' });
    expect(empty.statusCode).toBe(400);
    expect(paths(empty)).toContain(field);
    expect(updatesTo(id)).toHaveLength(0);
  });

  test('409 in another status, and on a request of lifecycle 4', async () => {
    const wrong = seed(from === 'analysis' ? 'solution' : 'analysis');
    const res = await post(wrong, path, T.ops, body);
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toMatch(new RegExp(`cannot ${action} a request that is`));
    const old = seed(from, { lifecycleVersion: 4 });
    const v4 = await post(old, path, T.ops, body);
    expect(v4.statusCode).toBe(409);
    expect(v4.json().message).toMatch(/runs lifecycle version 4, which has no such action \(from version 5\)/);
  });
});

describe('complaint-feedback: accountability', () => {
  test('recorded with who is responsible and what was done', async () => {
    const id = seed('complaint_feedback');
    const res = await post(id, 'complaint-feedback', T.ops, { satisfied: false, feedback: '仍不满意', accountability: ACCOUNTABILITY });
    expect(res.statusCode).toBe(200);
    expect(res.json().complaint.accountability).toMatchObject(ACCOUNTABILITY);
  });

  test.each(['service_attitude', 'timeliness', 'charges'] as const)(
    '400 naming accountability for a %s complaint without it',
    async (c) => {
      const id = seed('complaint_feedback', { complaint: { classification: c } });
      const res = await post(id, 'complaint-feedback', T.ops, { satisfied: true, feedback: '接受' });
      expect(res.statusCode).toBe(400);
      expect(paths(res)).toEqual(['accountability']);
    },
  );

  test.each(['product_quality', 'other'] as const)('200 for a %s complaint without it', async (c) => {
    const id = seed('complaint_feedback', { complaint: { classification: c } });
    expect((await post(id, 'complaint-feedback', T.ops, { satisfied: true, feedback: '接受' })).statusCode).toBe(200);
  });

  test('400 for a malformed accountability (kind, missing action)', async () => {
    const id = seed('complaint_feedback');
    const res = await post(id, 'complaint-feedback', T.ops, {
      satisfied: true,
      feedback: '接受',
      accountability: { responsible: { kind: 'team', name: '二组' } },
    });
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toEqual(expect.arrayContaining(['accountability.responsible.kind', 'accountability.action']));
  });
});

test('OpenAPI lists every complaint route with its body', async () => {
  const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
  for (const { path } of STEPS) {
    const op = doc.paths[`/v1/service-requests/{id}/${path}`]?.post;
    expect(op).toBeDefined();
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '409']));
  }
  expect(JSON.stringify(doc)).toContain('product_quality');
});
