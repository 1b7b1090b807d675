/**
 * A worker on a real dev server with the real activities over a temp folder (outbox, photos, call-backs, the
 * demo roster) and the ops features of issue 5 switchable: PII codec, SMS metrics, a custom roster. Requests
 * start the way the API starts them (search attributes, static summary/details).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { FileComplaintFeedback } from '../../src/adapters/complaintFeedback';
import { FileCallCentre } from '../../src/adapters/callcentre';
import { FileDirectory, type TechnicianDirectory } from '../../src/adapters/directory';
import { OutboxSmsProvider, readOutbox, type OutboxLine } from '../../src/adapters/sms';
import { LocalStorage } from '../../src/adapters/storage';
import type { ResolvedPolicy } from '../../src/domain/policyTypes';
import type { ServiceRequestInput } from '../../src/domain/types';
import { withSmsMetrics } from '../../src/metrics/sms';
import { loadPolicyFile } from '../../src/policy';
import { LINK_PATH, signRatingToken } from '../../src/ratingLink';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { requestMetadata } from '../../src/temporal/metadata';
import { SA } from '../../src/temporal/searchAttributes';
import {
  CURRENT_LIFECYCLE,
  SERVICE_REQUEST_WORKFLOW,
  stateQuery,
  type ServiceRequestStart,
  type ServiceRequestState,
} from '../../workflows/messages';
import { workflowBundle } from './bundle';
import { requestInput } from './fixtures';
import { MemoryBoard } from './memoryBoard';

export const fastPolicy = (): ResolvedPolicy => loadPolicyFile(join(PROJECT_ROOT, 'policy', 'fast.yaml'));

export interface OpsStackOptions {
  address?: string;
  taskQueue?: string;
  dataConverter?: DataConverter;
  directory?: TechnicianDirectory;
  /** The worker's workflow code (default: this checkout's bundle). */
  workflowBundle?: { codePath: string };
}

export interface OpsStack {
  client: Client;
  readonly worker: Worker;
  taskQueue: string;
  dir: string;
  outbox(): Promise<OutboxLine[]>;
  /** Starts a request as the API does; `lifecycleVersion: null` starts it as the API did before versions existed. */
  start(
    over?: Partial<ServiceRequestInput>,
    opts?: { policy?: ResolvedPolicy; id?: string; lifecycleVersion?: number | null; history?: ServiceRequestStart['history'] },
  ): Promise<WorkflowHandle & { state(): Promise<ServiceRequestState> }>;
  /** Stops the worker (in-flight tasks finish) and starts one with other workflow code on the same queue: a deploy. */
  replaceWorker(bundle: { codePath: string }): Promise<void>;
  until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function createOpsStack(o: OpsStackOptions = {}): Promise<OpsStack> {
  const address = o.address ?? process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS unset: run in the integration project');
  const taskQueue = o.taskQueue ?? `ops-${process.pid}-${randomUUID().slice(0, 6)}`;
  const dir = mkdtempSync(join(tmpdir(), 'aftercare-ops-'));
  const outboxFile = join(dir, 'outbox.jsonl');
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}) });
  const nativeConnection = await NativeConnection.connect({ address });
  const activities = createActivities({
    sms: withSmsMetrics(new OutboxSmsProvider({ file: outboxFile })),
    directory: o.directory ?? new FileDirectory(join(PROJECT_ROOT, 'policy', 'technicians.yaml')),
    storage: new LocalStorage(join(dir, 'photos')),
    callCentre: new FileCallCentre(join(dir, 'callbacks.jsonl')),
    complaintFeedback: new FileComplaintFeedback(join(dir, 'complaint-feedback.jsonl')),
    openJobs: async (ids) => Object.fromEntries(ids.map((id) => [id, 0])),
    board: new MemoryBoard(),
    ratingLink: (p) => `http://aftercare.test/r/${signRatingToken(p, 'ops-test-secret')}`,
    customerLink: (purpose, p) => `http://aftercare.test/${LINK_PATH[purpose]}/${signRatingToken(p, 'ops-test-secret', purpose)}`,
    timeZone: 'Asia/Shanghai',
    logger: pino({ level: 'silent' }),
  });
  const makeWorker = (bundle: { codePath: string }) =>
    Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}),
      activities,
    });
  let worker = await makeWorker(o.workflowBundle ?? workflowBundle());
  let running = worker.run();
  const started: WorkflowHandle[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  return {
    client,
    get worker() {
      return worker;
    },
    taskQueue,
    dir,
    outbox: () => readOutbox(outboxFile),
    async start(over = {}, opts = {}) {
      const id = opts.id ?? `sr-ops-${randomUUID().slice(0, 8)}`;
      const version = opts.lifecycleVersion === undefined ? CURRENT_LIFECYCLE : opts.lifecycleVersion;
      const input: ServiceRequestStart = {
        requestId: id,
        request: requestInput(over),
        policy: opts.policy ?? fastPolicy(),
        bodyHash: 'h',
        startAttemptId: 'a',
        ...(version === null ? {} : { lifecycleVersion: version }),
        ...(opts.history ? { history: opts.history } : {}),
      };
      const handle = await client.workflow.start(SERVICE_REQUEST_WORKFLOW, {
        workflowId: id,
        taskQueue,
        args: [input],
        ...requestMetadata(input),
        typedSearchAttributes: [
          { key: SA.ServiceStatus, value: 'received' },
          { key: SA.Urgency, value: input.request.urgency },
          { key: SA.RequestType, value: input.request.type },
          { key: SA.Channel, value: input.request.channel },
          { key: SA.EscalationLevel, value: 0 },
        ],
      });
      started.push(handle);
      return Object.assign(handle, { state: () => handle.query(stateQuery) });
    },
    async replaceWorker(bundle) {
      worker.shutdown();
      await running;
      worker = await makeWorker(bundle);
      running = worker.run();
    },
    async until(what, f, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const v = await f().catch(() => undefined);
        if (v !== undefined && v !== false) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(250);
      }
    },
    async close() {
      // Leave nothing running on the shared server: these requests would page escalation contacts forever.
      await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
