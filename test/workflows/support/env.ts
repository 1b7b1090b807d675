/**
 * Time-skipping test bed: real workflow code, real activities over temp folders (outbox, photo storage,
 * call-back tasks, the demo roster); only technician load is fixed, since visibility needs a dev server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { createWorker } from '../../../src/worker';
import { FileComplaintFeedback } from '../../../src/adapters/complaintFeedback';
import { FileCallCentre } from '../../../src/adapters/callcentre';
import { FileDirectory } from '../../../src/adapters/directory';
import { OutboxSmsProvider, readOutbox, SmsProviderError, type OutboxLine, type SmsMessage } from '../../../src/adapters/sms';
import { LocalStorage } from '../../../src/adapters/storage';
import type { ServiceReportDocument } from '../../../src/domain/serviceReport';
import type { ActivityDeps } from '../../../activities';
import { loadPolicyFile } from '../../../src/policy';
import { LINK_PATH, signRatingToken, type LinkPurpose } from '../../../src/ratingLink';
import { loadCatalogue } from '../../../src/catalogue';
import { PROJECT_ROOT } from '../../../src/temporal/binaries';
import type { ResolvedPolicy } from '../../../src/domain/policyTypes';
import type { ServiceRequestInput } from '../../../src/domain/types';
import {
  CURRENT_LIFECYCLE,
  SERVICE_REQUEST_WORKFLOW,
  stateQuery,
  type ServiceRequestStart,
  type ServiceRequestState,
} from '../../../workflows/messages';
import { createDevServerEnv, createTimeSkippingEnv } from '../../support/servers';
import { workflowBundle } from '../../support/bundle';
import { requestInput } from '../../support/fixtures';
import { MemoryBoard } from '../../support/memoryBoard';

export const RATING_SECRET = 'test-rating-secret';
export const defaultPolicy = (): ResolvedPolicy => loadPolicyFile(join(PROJECT_ROOT, 'policy', 'default.yaml'));

export interface Bed {
  env: TestWorkflowEnvironment;
  worker: Worker;
  dir: string;
  storage: LocalStorage;
  openJobs: Record<string, number>;
  /** Exact load (lifecycle 3): the claims of this bed's requests; a request that never ends keeps its claim. */
  board: MemoryBoard;
  /** Numbers the SMS gateway cannot reach (it answers 503, retryable) until removed: an outage for them. */
  gatewayDown: Set<string>;
  outbox(): Promise<OutboxLine[]>;
  /** `extra`: more of the start input than the request and policy (e.g. the customer's `history`). */
  start(over?: Partial<ServiceRequestInput>, policy?: ResolvedPolicy, id?: string, extra?: StartExtra): Promise<Handle>;
  /**
   * As if the workers were down: starts the request on a task queue nobody polls yet. `unpark()` then runs a
   * worker (same activities) on it, so whatever was sent meanwhile reaches the workflow in its first task.
   */
  startParked(over?: Partial<ServiceRequestInput>, policy?: ResolvedPolicy): Promise<Handle>;
  unpark(): Promise<{ stop(): Promise<void> }>;
  teardown(): Promise<void>;
}

export type Handle = Omit<Awaited<ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>>, 'result'> & {
  state(): Promise<ServiceRequestState>;
  result(): Promise<ServiceRequestState>;
};

/** Start input fields besides the request and its policy. */
export type StartExtra = Partial<Omit<ServiceRequestStart, 'requestId' | 'request' | 'policy'>>;

let seq = 0;

export interface BedOptions {
  /**
   * 'time-skipping' (default): the Java test server, timers skip. 'dev': a real dev server (real time), for
   * what the test server does differently — e.g. it writes a workflow task for a rejected update, where a real
   * server's speculative task writes nothing.
   */
  server?: 'time-skipping' | 'dev';
  /** The lifecycle version requests start with (default CURRENT_LIFECYCLE): older ones, as if started before a deploy. */
  lifecycleVersion?: number;
  /** Service report PDFs (default none, as on a worker without a CJK font). */
  reportPdf?: (doc: ServiceReportDocument, lang: 'zh' | 'en') => Promise<Buffer>;
  /** The reporting database the projection writes to (default none: projections are no-ops). */
  reporting?: ActivityDeps['reporting'];
  /** Customer links of these purposes cannot be issued (the activity fails for good), e.g. to send a receipt without its status link. */
  linksDown?: Exclude<LinkPurpose, 'rating'>[];
}

export async function createBed(taskQueue = `wf-${process.pid}-${++seq}`, opts: BedOptions = {}): Promise<Bed> {
  const env = opts.server === 'dev' ? await createDevServerEnv() : await createTimeSkippingEnv();
  const dir = mkdtempSync(join(tmpdir(), 'aftercare-wf-'));
  const outboxFile = join(dir, 'outbox.jsonl');
  const storage = new LocalStorage(join(dir, 'photos'));
  const openJobs: Record<string, number> = {};
  const gatewayDown = new Set<string>();
  const board = new MemoryBoard();
  const outbox = new OutboxSmsProvider({ file: outboxFile });
  const deps = {
    sms: {
      name: outbox.name,
      send: async (msg: SmsMessage) => {
        if (gatewayDown.has(msg.to))
          throw new SmsProviderError('gateway unavailable', { provider: outbox.name, retryable: true, status: 503 });
        return outbox.send(msg);
      },
    },
    directory: new FileDirectory(join(PROJECT_ROOT, 'policy', 'technicians.yaml')),
    storage,
    callCentre: new FileCallCentre(join(dir, 'callbacks.jsonl')),
    complaintFeedback: new FileComplaintFeedback(join(dir, 'complaint-feedback.jsonl')),
    openJobs: async (ids: string[]) => Object.fromEntries(ids.map((id) => [id, openJobs[id] ?? 0])),
    board,
    ratingLink: (p: { requestId: string; tokenId: string; expiresAt: string }) =>
      `http://aftercare.test/r/${signRatingToken(p, RATING_SECRET)}`,
    customerLink: (purpose: Exclude<LinkPurpose, 'rating'>, p: { requestId: string; tokenId: string; expiresAt: string }) => {
      if (opts.linksDown?.includes(purpose)) throw ApplicationFailure.nonRetryable(`${purpose} links are down`, 'LinksDown');
      return `http://aftercare.test/${LINK_PATH[purpose]}/${signRatingToken(p, RATING_SECRET, purpose)}`;
    },
    timeZone: 'Asia/Shanghai',
    catalogue: loadCatalogue({
      priceListFile: join(PROJECT_ROOT, 'catalogue', 'prices.yaml'),
      partsFile: join(PROJECT_ROOT, 'catalogue', 'parts.yaml'),
    }),
    reportPdf: opts.reportPdf,
    ...(opts.reporting ? { reporting: opts.reporting } : {}),
    logger: pino({ level: 'silent' }),
  };
  const workerOn = (queue: string, tuning?: { maxCachedWorkflows: number }) =>
    createWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue: queue,
      bundlePath: workflowBundle().codePath,
      deps,
      tuning,
    });
  // AFTERCARE_TEST_REPLAY_EVERY_TASK=1: no sticky cache, so every workflow task replays the whole history first —
  // any divergence between a run and its replay fails the task at once (the nondeterminism hunt, not the default).
  const worker = await workerOn(taskQueue, process.env.AFTERCARE_TEST_REPLAY_EVERY_TASK === '1' ? { maxCachedWorkflows: 0 } : undefined);
  const running = worker.run();
  const parkedQueue = `${taskQueue}-parked`;
  async function startOn(
    queue: string,
    over: Partial<ServiceRequestInput>,
    policy: ResolvedPolicy,
    id: string,
    extra: StartExtra = {},
  ): Promise<Handle> {
    const input: ServiceRequestStart = {
      requestId: id,
      request: requestInput(over),
      policy,
      bodyHash: 'hash',
      startAttemptId: 'attempt-1',
      lifecycleVersion: opts.lifecycleVersion ?? CURRENT_LIFECYCLE,
      ...extra,
    };
    const handle = await env.client.workflow.start(SERVICE_REQUEST_WORKFLOW, { workflowId: id, taskQueue: queue, args: [input] });
    return Object.assign(handle, { state: () => handle.query(stateQuery) }) as Handle;
  }

  return {
    env,
    worker,
    dir,
    storage,
    openJobs,
    board,
    gatewayDown,
    outbox: () => readOutbox(outboxFile),
    start: (over = {}, policy = defaultPolicy(), id = `sr-${randomUUID().slice(0, 8)}`, extra = {}) =>
      startOn(taskQueue, over, policy, id, extra),
    startParked: (over = {}, policy = defaultPolicy()) => startOn(parkedQueue, over, policy, `sr-${randomUUID().slice(0, 8)}`),
    async unpark() {
      // No sticky cache: a stopped worker's sticky queue would keep the next workflow task from the next worker.
      const parked = await workerOn(parkedQueue, { maxCachedWorkflows: 0 });
      const run = parked.run();
      return {
        async stop() {
          parked.shutdown();
          await run;
        },
      };
    },
    async teardown() {
      worker.shutdown();
      await running;
      await env.teardown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
