/**
 * Deploying a new lifecycle with requests in flight (README "Deploying a new lifecycle"). Requests are started
 * the way the API started them before lifecycle versions existed, on a worker that runs only that code
 * (workflows/legacy/v1, the lifecycle as it was before version 2). Mid-flight that worker is stopped and a
 * worker with this checkout's code takes the queue. The old requests finish correctly on it: their timers fire
 * (call-back, accept window, response deadline), each SMS goes out once, and their histories replay on the new
 * code; a request started after the deploy runs version 2.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import type { OutboxLine } from '../../src/adapters/sms';
import { LocalStorage } from '../../src/adapters/storage';
import { parsePolicyText, resolvePolicy } from '../../src/policy';
import { isRatingTokenError, verifyRatingToken } from '../../src/ratingLink';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { SHARED_WORKFLOW_MODULES } from '../../src/temporal/bundle';
import { ACTION_UPDATES, photoUploadedSignal, type ServiceRequestState } from '../../workflows/messages';
import { workflowBundle } from '../support/bundle';
import { makePng } from '../support/images';
import { createOpsStack, type OpsStack } from '../support/opsStack';

const dir = mkdtempSync(join(tmpdir(), 'aftercare-upgrade-'));
let stack: OpsStack;
let legacy: { codePath: string };

/** The fast policy with windows long enough for a busy machine, and a call-back that fires after the deploy. */
const policy = (() => {
  const file = join(PROJECT_ROOT, 'policy', 'fast.yaml');
  const raw = parsePolicyText(readFileSync(file, 'utf8'), file) as Record<string, unknown>;
  const all = (span: string) => ({ normal: span, urgent: span, critical: span });
  Object.assign(raw, { version: '2026.1-upgrade', callbackDelay: '25s', feedbackWindow: '10m' });
  Object.assign(raw.deadlines as object, {
    accept: '15s',
    response: all('40s'),
    onSite: all('5m'),
    resolution: all('10m'),
    photos: '2m',
    followUp: '5m',
  });
  return resolvePolicy(raw, 'policy/fast.yaml (upgrade)');
})();

beforeAll(async () => {
  const bundle = await bundleWorkflowCode({
    workflowsPath: join(PROJECT_ROOT, 'workflows', 'legacy', 'v1', 'index.ts'),
    preloadModules: [...SHARED_WORKFLOW_MODULES],
    logger: new DefaultLogger('WARN'),
  });
  legacy = { codePath: join(dir, 'legacy-v1-bundle.js') };
  writeFileSync(legacy.codePath, bundle.code);
  stack = await createOpsStack({ workflowBundle: legacy });
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Started = Awaited<ReturnType<OpsStack['start']>>;
const stateOf = (h: Started, ok: (s: ServiceRequestState) => boolean, what: string) =>
  stack.until(`${h.workflowId}: ${what}`, async () => {
    const s = await h.state();
    return ok(s) ? s : undefined;
  });
const smsOf = async (h: Started, kind?: string): Promise<OutboxLine[]> =>
  (await stack.outbox()).filter((l) => l.requestId === h.workflowId && (!kind || l.kind === kind));

async function uploadPhotos(h: Started): Promise<void> {
  const storage = new LocalStorage(join(stack.dir, 'photos'));
  for (const kind of ['before', 'after', 'signature'] as const) {
    const stored = await storage.put(h.workflowId, kind, makePng(4, 3), 'image/png');
    await h.signal(photoUploadedSignal, { kind, key: stored.key, at: new Date().toISOString() });
  }
}

test('requests in flight finish on the new lifecycle code: timers fire, each SMS once, histories replay', async () => {
  // ── Before the deploy: the old code, started as the old API started requests (no lifecycle version). ──
  const a = await stack.start({}, { policy, lifecycleVersion: null });
  const b = await stack.start({}, { policy, lifecycleVersion: null });
  const techA = (await stateOf(a, (s) => s.status === 'assigned', 'assigned')).technicianId as string;
  await a.executeUpdate(ACTION_UPDATES.accept, { args: [{ technicianId: techA }] });
  await a.executeUpdate(ACTION_UPDATES.appointment, {
    args: [{ technicianId: techA, at: new Date(Date.now() + 3_600_000).toISOString() }],
  });
  await a.executeUpdate(ACTION_UPDATES.arrival, { args: [{ technicianId: techA }] });
  await uploadPhotos(a);
  const done = await a.executeUpdate(ACTION_UPDATES.completion, { args: [{ technicianId: techA, resolved: true, notes: '更换点火针' }] });
  // Version 1 answered before its main line moved on; the timeline has no principals.
  expect(done.status).toBe('completed');
  await stack.until('completion SMS', async () => (await smsOf(a, 'completed')).length === 1);
  const techB = (await stateOf(b, (s) => s.status === 'assigned', 'assigned')).technicianId as string;

  // ── The deploy: the old worker stops, the new code takes the queue. ──
  await stack.replaceWorker(workflowBundle());
  const deployedAt = Date.now();

  // A: the call-back timer fires on the new code (survey SMS), the customer rates, the request closes.
  await stack.until('survey SMS', async () => (await smsOf(a, 'survey')).length === 1, 90_000);
  const link = (await smsOf(a, 'completed'))[0]?.text ?? '';
  const token = /\/r\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(link)?.[1] as string;
  const verified = verifyRatingToken(token, 'ops-test-secret', Date.now());
  if (isRatingTokenError(verified)) throw new Error(`rating link: ${verified.error}`);
  await a.executeUpdate(ACTION_UPDATES.feedback, { args: [{ score: 5, tokenId: verified.tokenId }] });
  const finalA = (await a.result()) as ServiceRequestState;
  expect(finalA).toMatchObject({ status: 'closed', outcome: 'closed', feedback: { score: 5 } });

  // B: its accept window lapses on the new code (next candidate, the customer told of the delay once), its
  // response deadline breaks there and escalates; then ops cancel it.
  const s = await stateOf(
    b,
    (x) => x.assignments.length >= 2 && x.deadlines.some((d) => d.milestone === 'response' && d.status === 'breached'),
    'redispatched, response breached',
  );
  expect(s.assignments[0]).toMatchObject({ technicianId: techB });
  expect(s.assignments[0]?.timedOutAt).toBeDefined();
  const response = s.deadlines.find((d) => d.milestone === 'response');
  expect(Date.parse(response?.breachedAt as string)).toBeGreaterThanOrEqual(deployedAt - 1000);
  expect(s.escalations).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'breach', milestone: 'response' })]));
  await b.executeUpdate(ACTION_UPDATES.cancel, { args: [{ reason: '客户取消' }] });
  expect(await b.result()).toMatchObject({ outcome: 'cancelled' });

  // Every message of the old requests exactly once (no idempotency key twice), and the ones expected.
  const lines = [...(await smsOf(a)), ...(await smsOf(b))];
  const keys = lines.map((l) => l.idempotencyKey);
  expect(new Set(keys).size).toBe(keys.length);
  const kinds = (h: Started) => lines.filter((l) => l.requestId === h.workflowId && l.to !== '+8613900139001').map((l) => l.kind);
  expect(
    kinds(a)
      .filter((k) => k !== 'tech_assignment')
      .sort(),
  ).toEqual(['assigned', 'completed', 'received', 'survey', 'visit_booked']);
  expect(
    kinds(b)
      .filter((k) => ['delay', 'cancelled', 'received'].includes(k))
      .sort(),
  ).toEqual(['cancelled', 'delay', 'received']);

  // Their whole histories (old code's events, then the new code's) replay on the new code.
  for (const h of [a, b]) {
    await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, await h.fetchHistory(), h.workflowId);
  }

  // A request started after the deploy runs version 2: its answers carry who acted.
  const c = await stack.start({}, { policy });
  const techC = (await stateOf(c, (x) => x.status === 'assigned', 'assigned')).technicianId as string;
  const accepted = await c.executeUpdate(ACTION_UPDATES.accept, {
    args: [{ technicianId: techC, by: { name: techC, role: 'technician' } }],
  });
  expect(accepted.timeline).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'accepted', by: `${techC} (technician)` })]));
  await c.executeUpdate(ACTION_UPDATES.cancel, { args: [{ reason: 'test over' }] });
});
