/**
 * Issue 16 over HTTP, through the real Temporal adapter on the dev server (the API and worker processes of
 * api-stack.ts with the demo tokens):
 *   1. two integrations posting the same externalId get two requests; neither can read, list or repeat the
 *      other's (the `Owner` search attribute scopes the list)
 *   2. an Idempotency-Key reused with another body is refused by the workflow (409 conflict) and changes nothing;
 *      with the same body it is the first result
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import type { ServiceRequestState } from '../../workflows/messages';
import { type ApiStack, expectNoPii, saveArtifact, startApiStack, startBody, TOKENS } from './api-stack';

interface DemoToken {
  token: string;
  role: string;
  name: string;
}
const DEMO = JSON.parse(readFileSync(join(PROJECT_ROOT, 'policy', 'tokens.demo.json'), 'utf8')) as DemoToken[];
const [CRM, HOTLINE] = DEMO.filter((t) => t.role === 'integration') as [DemoToken, DemoToken];

let stack: ApiStack;
const run = `${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  stack = await startApiStack('owner-e2e');
}, 90_000);
afterAll(async () => {
  const output = stack?.api.output() ?? '';
  await stack?.stop();
  saveArtifact('owner-e2e.log', output);
  expectNoPii(output);
});

const listed = async (token: string, qs = ''): Promise<string[]> => {
  const r = await stack.call('GET', `/v1/service-requests?pageSize=100${qs}`, { token });
  if (r.status !== 200) throw new Error(`list: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.items.map((i: { requestId: string }) => i.requestId);
};

test('1. two integrations, one externalId: two requests, each integration sees only its own', async () => {
  const externalId = `SHARED-${run}`;
  const a = await stack.call<ServiceRequestState>('POST', '/v1/service-requests', { token: CRM.token, body: startBody(externalId) });
  const b = await stack.call<ServiceRequestState>('POST', '/v1/service-requests', { token: HOTLINE.token, body: startBody(externalId) });
  expect([a.status, b.status]).toEqual([201, 201]);
  expect(a.body.requestId).not.toBe(b.body.requestId);
  expect(a.body).toMatchObject({ externalId, owner: CRM.name });
  expect(b.body).toMatchObject({ externalId, owner: HOTLINE.name });
  const [idA, idB] = [a.body.requestId, b.body.requestId];

  // Read: the other's request is the same 404 as an id that was never used.
  const theirs = await stack.call('GET', `/v1/service-requests/${idB}`, { token: CRM.token });
  const never = await stack.call('GET', `/v1/service-requests/sr-crm-NEVER-${run}`, { token: CRM.token });
  expect(theirs.status).toBe(404);
  expect(theirs.body).toEqual({ ...never.body, message: never.body.message.replace(`sr-crm-NEVER-${run}`, idB) });
  expect((await stack.call('GET', `/v1/service-requests/${idB}`, { token: HOTLINE.token })).status).toBe(200);
  expect((await stack.state(idB)).owner).toBe(HOTLINE.name); // ops read everything

  // Repeat: the same body again is each one's own request, not the other's.
  const again = await stack.call<ServiceRequestState>('POST', '/v1/service-requests', {
    token: HOTLINE.token,
    body: startBody(externalId),
  });
  expect(again.status).toBe(200);
  expect(again.body.requestId).toBe(idB);

  // List (visibility, about a second behind): once each sees its own, neither sees the other's.
  await stack.until('both listed for ops', async () => {
    const all = await listed(TOKENS.ops, '&urgency=urgent');
    return all.includes(idA) && all.includes(idB) ? true : undefined;
  });
  await stack.until('each listed for its owner', async () =>
    (await listed(CRM.token)).includes(idA) && (await listed(HOTLINE.token)).includes(idB) ? true : undefined,
  );
  expect(await listed(CRM.token)).not.toContain(idB);
  expect(await listed(HOTLINE.token)).not.toContain(idA);
  expect(await listed(CRM.token, '&urgency=urgent')).not.toContain(idB);

  for (const id of [idA, idB])
    await stack.call('POST', `/v1/service-requests/${id}/cancel`, { token: TOKENS.ops, body: { reason: 'test over' } });
}, 120_000);

test('2. an Idempotency-Key reused with another body: the workflow refuses it; with the same body, the first result', async () => {
  const created = await stack.call<ServiceRequestState>('POST', '/v1/service-requests', {
    token: CRM.token,
    body: startBody(`IDEM-${run}`),
  });
  expect(created.status).toBe(201);
  const id = created.body.requestId;
  const post = (path: string, token: string, body: unknown, key: string) =>
    stack.call('POST', `/v1/service-requests/${id}/${path}`, { token, body, headers: { 'idempotency-key': key } });

  // Auto-dispatch assigns someone; that technician accepts (a timed-out assignment moves on to the next one).
  const tech = await stack.until(
    'accepted',
    async () => {
      const s = await stack.state(id);
      if (s.status !== 'assigned' || !s.technicianId) return undefined;
      const r = await post('accept', TOKENS.technician(s.technicianId), {}, `accept-${s.assignments.length}`);
      return r.status === 200 ? s.technicianId : undefined;
    },
    60_000,
  );
  const token = TOKENS.technician(tech);
  const at = new Date(Date.now() + 3_600_000).toISOString();
  const booked = await post('appointment', token, { at }, 'book-1');
  expect(booked.status).toBe(200);
  expect(booked.body.status).toBe('scheduled');
  const retried = await post('appointment', token, { at }, 'book-1');
  expect(retried.status).toBe(200);
  expect(retried.body).toEqual(booked.body); // Temporal's answer to the first update, not a second booking

  const moved = await post('appointment', token, { at: new Date(Date.now() + 7_200_000).toISOString() }, 'book-1');
  expect(moved.status).toBe(409);
  expect(moved.body).toMatchObject({ error: 'conflict', details: [{ path: 'headers.idempotency-key' }] });

  // The finding: a hold sent later with a reused key answered 200 with the old on_hold state.
  expect((await post('hold', TOKENS.ops, { reason: '等待配件' }, `hold-${run}`)).body.status).toBe('on_hold');
  expect((await post('resume', TOKENS.ops, { reason: '配件已到' }, `resume-${run}`)).body.status).toBe('scheduled');
  const reused = await post('hold', TOKENS.ops, { reason: '客户改期' }, `hold-${run}`);
  expect(reused.status).toBe(409);
  expect(reused.body.error).toBe('conflict');

  const now = await stack.state(id);
  expect(now.status).toBe('scheduled');
  expect(now.appointmentAt).toBe(at);
  expect(now.timeline.filter((e) => e.event === 'visit_booked' || e.event === 'visit_changed')).toHaveLength(1);
  expect(now.timeline.filter((e) => e.event === 'on_hold')).toHaveLength(1);
  await stack.call('POST', `/v1/service-requests/${id}/cancel`, { token: TOKENS.ops, body: { reason: 'test over' } });
}, 120_000);
