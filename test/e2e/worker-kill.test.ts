/**
 * Issue 3, acceptance 4: a worker SIGKILLed mid-lifecycle and restarted finishes the same requests; every
 * deadline still fires and the outbox holds no duplicate message. Real processes, real dev server, fast policy.
 * Issue 15: the worker projects into a real PostgreSQL server; after the kills each request's rows are counted —
 * none missing, none doubled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { readOutbox } from '../../src/adapters/sms';
import { LocalStorage } from '../../src/adapters/storage';
import { verifyRatingToken } from '../../src/ratingLink';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import {
  ACTION_UPDATES,
  CURRENT_LIFECYCLE,
  photoUploadedSignal,
  SERVICE_REQUEST_WORKFLOW,
  stateQuery,
  type ServiceRequestState,
} from '../../workflows/messages';
import type { PhotoKind } from '../../src/domain/types';
import { requestInput } from '../support/fixtures';
import { makePng } from '../support/images';
import { fastPolicyVariant, RATING_WINDOWS } from '../support/policies';
import { historyToJSON } from '../workflows/support/historyJson';
import { saveArtifact } from './api-stack';
import { startProcess, type Proc } from '../support/processes';
import { startPostgres, type PostgresServer } from '../support/postgres';
import { expectProjected } from '../support/reportingRows';
import { reportingPool } from '../../src/reporting/pool';

const SECRET = 'worker-kill-secret';
const taskQueue = `kill-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'aftercare-kill-'));
const outboxFile = join(dir, 'outbox.jsonl');
const storage = new LocalStorage(join(dir, 'photos'));
// fast.yaml, but the rating link (and the wait for the score) outlives the whole test: a request completed
// right after a worker restart on a busy machine must still be rated with its link (fast.yaml's is 14 s).
// SMS retried for 10 minutes, not fast.yaml's 20 s: three kills on a busy machine must delay messages, not drop them.
const policy = fastPolicyVariant('2026.1-fast-worker-kill', { ...RATING_WINDOWS, smsRetryBudget: '10m' });
const workerEnv: Record<string, string> = {
  TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS as string,
  TEMPORAL_TASK_QUEUE: taskQueue,
  SMS_OUTBOX_FILE: outboxFile,
  PHOTO_STORAGE_DIR: join(dir, 'photos'),
  AFTERCARE_POLICY: join(PROJECT_ROOT, 'policy', 'fast.yaml'),
  RATING_LINK_SECRET: SECRET,
};

let connection: Connection;
let client: Client;
let postgres: PostgresServer;
let worker: Proc | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS });
  client = new Client({ connection });
  postgres = await startPostgres();
  workerEnv.DATABASE_URL = postgres.url;
}, 120_000);
afterAll(async () => {
  await Promise.all(started.map((w) => w.kill('SIGKILL')));
  await connection?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(id: string): Promise<WorkflowHandle> {
  return client.workflow.start(SERVICE_REQUEST_WORKFLOW, {
    taskQueue,
    workflowId: id,
    args: [
      {
        requestId: id,
        request: requestInput({ urgency: 'urgent' }),
        policy,
        bodyHash: 'h',
        startAttemptId: 'a',
        lifecycleVersion: CURRENT_LIFECYCLE,
      },
    ],
  });
}

/**
 * How long one step may wait for a worker that was killed. Each kill times out the workflow tasks it held (10 s);
 * two timeouts in a row put a request's task at attempt 3, where the server refuses updates until a task completes
 * and retries with longer timeouts. On a loaded machine (CI shares its 2 cores) that took longer than 60 s.
 * An activity the kill interrupted waits out its start-to-close timeout (the service report's is 1 min).
 */
const STEP_BUDGET_MS = 150_000;

/**
 * Why a request's workflow tasks keep failing or timing out, read from its history: what a failure report needs. The
 * history is kept too (test-artifacts/worker-kill-<id>.json), to replay a nondeterminism with the worker's bundle.
 */
async function workflowTaskTrouble(h: WorkflowHandle): Promise<string> {
  const history = await h.fetchHistory().catch(() => undefined);
  if (history) saveArtifact(`worker-kill-${h.workflowId}.json`, `${historyToJSON(history)}\n`);
  const events = (history?.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes || e.workflowTaskTimedOutEventAttributes);
  return events
    .slice(-3)
    .map((e) =>
      e.workflowTaskFailedEventAttributes
        ? `task failed (${String(e.workflowTaskFailedEventAttributes.cause)}): ${e.workflowTaskFailedEventAttributes.failure?.message ?? ''}`
        : `task timed out (${String(e.workflowTaskTimedOutEventAttributes?.timeoutType)})`,
    )
    .join('; ');
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 60_000, h?: WorkflowHandle): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    const v = await f().catch((err: unknown) => {
      lastError =
        err instanceof Error ? `${err.name}: ${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
      return undefined;
    });
    if (v !== undefined) return v;
    // The last refusal says why (worker still down, or the workflow refused it): what a failure on a busy machine needs.
    if (Date.now() > end) {
      const trouble = h ? await workflowTaskTrouble(h) : '';
      throw new Error(
        `timed out waiting for ${what}${lastError ? `; last error: ${lastError}` : ''}${trouble ? `; history: ${trouble}` : ''}`,
      );
    }
    await sleep(200);
  }
}

const kills: number[] = [];
const started: Proc[] = [];
let chaosChain = Promise.resolve();
function startWorker(): void {
  worker = startProcess('worker', workerEnv);
  started.push(worker);
}
/** One kill-and-restart at a time, so no worker escapes the final clean-up. */
function killAndRestart(): Promise<void> {
  chaosChain = chaosChain.then(async () => {
    kills.push(Date.now());
    await worker!.kill('SIGKILL');
    await sleep(500);
    startWorker();
  });
  return chaosChain;
}

/**
 * Drives one request through a technician's whole visit, surviving worker restarts (updates wait).
 * `chaos` kills the worker mid-lifecycle: after acceptance and after arrival.
 */
async function drive(h: WorkflowHandle, chaos = false): Promise<void> {
  // Each step may follow a kill: it gets the step budget, and on timeout names this request's task failures.
  const step = <T>(what: string, f: () => Promise<T | undefined>): Promise<T> => until(what, f, STEP_BUDGET_MS, h);
  // While the worker is down the 5 s accept window can lapse and the request moves to the next candidate:
  // accept as whoever is assigned now.
  const technicianId = await step('an accepted assignment', async () => {
    const s = await h.query(stateQuery);
    if (s.status !== 'assigned' || !s.technicianId) return undefined;
    await h.executeUpdate(ACTION_UPDATES.accept, { args: [{ technicianId: s.technicianId }] });
    return s.technicianId;
  });
  if (chaos) await killAndRestart();
  // A worker killed mid-update makes the RPC fail; the same updateId makes the retry safe.
  const at = new Date(Date.now() + 60_000).toISOString();
  await step('appointment', () =>
    h.executeUpdate(ACTION_UPDATES.appointment, { args: [{ technicianId, at }], updateId: 'appointment' }).then(() => true),
  );
  await step('arrival', () => h.executeUpdate(ACTION_UPDATES.arrival, { args: [{ technicianId }], updateId: 'arrival' }).then(() => true));
  if (chaos) await killAndRestart();
  for (const kind of ['before', 'after', 'signature'] as PhotoKind[]) {
    const stored = await storage.put(h.workflowId, kind, makePng(), 'image/png');
    await h.signal(photoUploadedSignal, { kind, key: stored.key, at: new Date().toISOString() });
  }
  await step('completion', () =>
    h
      .executeUpdate(ACTION_UPDATES.completion, {
        args: [{ technicianId, resolved: true, notes: 'replaced thermocouple' }],
        updateId: 'completion',
      })
      .then(() => true),
  );
  // A worker killed while it stored the service report: the retry waits out the activity's 1 min start-to-close.
  const link = await step('rating link', async () => {
    const line = (await readOutbox(outboxFile)).find((l) => l.requestId === h.workflowId && l.kind.startsWith('completed'));
    return line?.text.match(/\/r\/([A-Za-z0-9_.-]+)/)?.[1];
  });
  const token = verifyRatingToken(link, SECRET, Date.now());
  if ('error' in token) throw new Error(`bad token: ${token.error}`);
  await h.executeUpdate(ACTION_UPDATES.feedback, { args: [{ score: 5, tokenId: token.tokenId }] });
}

test('SIGKILLed worker: requests finish, deadlines fire, no duplicate SMS', async () => {
  startWorker();
  const driven = await Promise.all([1, 2, 3].map((i) => start(`sr-kill-drive-${process.pid}-${i}`)));
  const abandoned = await Promise.all([1, 2, 3].map((i) => start(`sr-kill-idle-${process.pid}-${i}`)));

  // Kill the worker while requests are in flight: once on a timer (dispatch under way), twice at lifecycle steps.
  const early = sleep(1500).then(killAndRestart);
  await Promise.all([drive(driven[0]!, true), ...driven.slice(1).map((h) => drive(h)), early]);
  expect(kills).toHaveLength(3);

  const results = await Promise.all(driven.map((h) => h.result() as Promise<ServiceRequestState>));
  for (const r of results) {
    expect(r.status).toBe('closed');
    expect(r.feedback?.score).toBe(5);
    expect(r.photoChecks.at(-1)?.ok).toBe(true);
  }

  // Untouched requests: every request-level deadline fires (urgent: response 8s, on site 15s, resolution 25s).
  await sleep(Math.max(0, policy.deadlines.resolution.urgent.ms + 3000 - 14_000));
  for (const h of abandoned) {
    const s = await until(
      'breaches',
      async () => {
        const st = await h.query(stateQuery);
        const fired = ['response', 'on_site', 'resolution'].every((m) => st.deadlines.some((d) => d.id === m && d.status === 'breached'));
        return fired ? st : undefined;
      },
      40_000,
    );
    expect(s.escalationLevel).toBe(3);
    for (const m of ['response', 'on_site', 'resolution']) {
      expect(s.escalations.some((e) => e.reason === 'breach' && e.milestone === m)).toBe(true);
    }
  }

  const lines = await readOutbox(outboxFile);
  const keys = lines.map((l) => l.idempotencyKey);
  expect(new Set(keys).size).toBe(keys.length);
  driven.forEach((h, i) => {
    for (const kind of ['received', 'visit_booked']) {
      expect(lines.filter((l) => l.requestId === h.workflowId && l.kind === kind)).toHaveLength(1);
    }
    // One completion SMS: with the service report's link (lifecycle 4), or without it.
    expect(lines.filter((l) => l.requestId === h.workflowId && l.kind.startsWith('completed'))).toHaveLength(1);
    // One "assigned" per assignment: a lapsed accept window (worker down) re-dispatches.
    expect(lines.filter((l) => l.requestId === h.workflowId && l.kind === 'assigned')).toHaveLength(results[i]!.assignments.length);
  });
  for (const h of abandoned) await h.terminate('test over');

  // The reporting database after three kills: each finished request's row and events, none missing, none doubled.
  const pool = reportingPool({ url: postgres.url });
  try {
    for (const r of results) {
      await expectProjected(
        pool,
        r,
        lines.filter((l) => l.requestId === r.requestId),
      );
    }
  } finally {
    await pool.end();
  }
}, 480_000);
