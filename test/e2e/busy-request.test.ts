/**
 * Issue 17: a burst at one request. Temporal refuses a workflow's calls beyond its per-workflow limits (10
 * updates in flight, a full query buffer); the API retries those briefly and then answers 429 with
 * Retry-After, never 500 or 503. 100 concurrent holds, resumes and reads at one scheduled request through the
 * real API on the dev server: every answer is a 2xx, a 409 (the status did not allow it, or another action was
 * being applied) or a 429, and afterwards the request holds exactly the actions that were answered 200.
 */
import type { ServiceRequestState } from '../../workflows/messages';
import { type ApiStack, type HttpResult, startApiStack, startBody, TOKENS } from './api-stack';

let stack: ApiStack;
const run = `${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  stack = await startApiStack('busy');
}, 90_000);
afterAll(async () => {
  await stack?.stop();
});

test('100 concurrent transitions and reads at one request: only 2xx, 409 and 429, and the state adds up', async () => {
  const created = await stack.call<ServiceRequestState>('POST', '/v1/service-requests', {
    token: TOKENS.integration,
    body: startBody(`BUSY-${run}`),
  });
  expect(created.status).toBe(201);
  const id = created.body.requestId;
  const assigned = await stack.until(
    'assigned',
    async () => {
      const s = await stack.state(id);
      return s.status === 'assigned' && s.technicianId ? s : undefined;
    },
    30_000,
  );
  const tech = TOKENS.technician(assigned.technicianId!);
  for (const [path, body] of [
    ['accept', {}],
    ['appointment', { at: new Date(Date.now() + 3_600_000).toISOString() }],
  ] as const) {
    const r = await stack.call('POST', `/v1/service-requests/${id}/${path}`, { token: tech, body });
    expect([path, r.status]).toEqual([path, 200]);
  }
  const before = await stack.state(id);
  expect(before.status).toBe('scheduled');

  const reasonOf = (i: number) => `burst ${i}`;
  // All at once: 40 holds, 40 resumes (ops) and 20 reads.
  type Kind = 'hold' | 'resume' | 'read';
  const kinds: Kind[] = Array.from({ length: 100 }, (_, i) => (i % 5 === 4 ? 'read' : i % 2 ? 'resume' : 'hold'));
  const answers = await Promise.all(
    kinds.map(async (kind, i): Promise<{ kind: Kind; res: HttpResult }> => {
      const res =
        kind === 'read'
          ? await stack.call('GET', `/v1/service-requests/${id}`, { token: TOKENS.ops })
          : await stack.call('POST', `/v1/service-requests/${id}/${kind}`, { token: TOKENS.ops, body: { reason: reasonOf(i) } });
      return { kind, res };
    }),
  );

  const unexpected = answers.filter(({ res }) => ![200, 409, 429].includes(res.status));
  expect(unexpected.map(({ kind, res }) => `${kind} ${res.status} ${JSON.stringify(res.body)}`)).toEqual([]);
  for (const { res } of answers.filter((a) => a.res.status === 429)) {
    expect(res.body).toEqual({ error: 'too_many_requests', message: expect.any(String), details: [] });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  }
  for (const { kind, res } of answers.filter((a) => a.res.status === 409)) {
    expect(kind).not.toBe('read');
    expect(res.body).toMatchObject({ error: 'invalid_transition', message: expect.any(String) });
  }
  // A hold answered 200 left the request on hold, a resume back where it was.
  const ok = (k: Kind) => answers.filter((a) => a.kind === k && a.res.status === 200);
  for (const { res } of ok('hold')) expect(res.body.status).toBe('on_hold');
  for (const { res } of ok('resume')) expect(res.body.status).toBe('scheduled');

  // Afterwards: exactly the actions answered 200 are in the timeline, once each (their reasons), nothing that
  // was refused, and the status follows from them.
  const after = await stack.state(id);
  const added = after.timeline.slice(before.timeline.length).filter((e) => e.event === 'on_hold' || e.event === 'resumed');
  const answeredOk = answers.flatMap((a, i) => (a.kind !== 'read' && a.res.status === 200 ? [`${a.kind} ${reasonOf(i)}`] : []));
  // (A resume's detail is its reason and the deadlines it restarted.)
  expect(added.map((e) => `${e.event === 'on_hold' ? 'hold' : 'resume'} ${e.detail?.split(';')[0]}`).sort()).toEqual(answeredOk.sort());
  const holds = ok('hold').length;
  const resumes = ok('resume').length;
  expect(holds - resumes).toBeGreaterThanOrEqual(0);
  expect(holds - resumes).toBeLessThanOrEqual(1);
  expect(after.status).toBe(holds > resumes ? 'on_hold' : 'scheduled');

  // Not left open on the shared server.
  expect((await stack.call('POST', `/v1/service-requests/${id}/cancel`, { token: TOKENS.ops, body: { reason: 'test over' } })).status).toBe(
    200,
  );

  const tally: Record<string, number> = {};
  for (const { kind, res } of answers) tally[`${kind} ${res.status}`] = (tally[`${kind} ${res.status}`] ?? 0) + 1;
  console.log(`busy burst: ${JSON.stringify(tally)}`);
}, 60_000);
