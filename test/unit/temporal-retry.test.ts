/**
 * src/temporal/retry.ts: the brief, jittered, bounded retry of per-workflow refusals, and the API connection's
 * gRPC retries that leave those refusals to it (issue 17).
 */
import * as grpc from '@grpc/grpc-js';
import { Connection, defaultGrpcRetryOptions } from '@temporalio/client';
import {
  apiConnectionInterceptors,
  busyDelayMs,
  connectionRetryOptions,
  DEFAULT_BUSY_RETRY,
  methodName,
  retryWhileBusy,
  WORKFLOW_SCOPED_METHODS,
} from '../../src/temporal/retry';

const busy = Object.assign(new Error('8 RESOURCE_EXHAUSTED: limit on number of concurrent in-flight updates has been reached (10)'), {
  code: 8,
});
const isBusy = (e: unknown) => e === busy;

/** A clock that only moves when the retry sleeps. */
function fakeTime() {
  let t = 1_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

test('a busy refusal is retried until the call succeeds', async () => {
  const time = fakeTime();
  const fn = jest.fn().mockRejectedValueOnce(busy).mockRejectedValueOnce(busy).mockResolvedValue('done');
  await expect(retryWhileBusy(fn, isBusy, time)).resolves.toBe('done');
  expect(fn).toHaveBeenCalledTimes(3);
  expect(time.sleeps).toHaveLength(2);
});

test('other errors are thrown at once, never retried', async () => {
  const time = fakeTime();
  const other = new Error('14 UNAVAILABLE');
  const fn = jest.fn().mockRejectedValue(other);
  await expect(retryWhileBusy(fn, isBusy, time)).rejects.toBe(other);
  expect(fn).toHaveBeenCalledTimes(1);
  expect(time.sleeps).toEqual([]);
});

test('the total is bounded: the last refusal is thrown once the next attempt would start past the budget', async () => {
  for (const random of [() => 0, () => 0.5, () => 0.999]) {
    const time = fakeTime();
    const fn = jest.fn().mockRejectedValue(busy);
    await expect(retryWhileBusy(fn, isBusy, { ...time, random })).rejects.toBe(busy);
    const waited = time.sleeps.reduce((a, b) => a + b, 0);
    expect(waited).toBeLessThanOrEqual(DEFAULT_BUSY_RETRY.budgetMs);
    // Not given up early either: one more back-off (at most maxDelayMs) would have passed the budget.
    expect(waited + DEFAULT_BUSY_RETRY.maxDelayMs).toBeGreaterThan(DEFAULT_BUSY_RETRY.budgetMs);
    expect(fn).toHaveBeenCalledTimes(time.sleeps.length + 1);
  }
});

test('time spent in the attempts counts against the budget', async () => {
  const time = fakeTime();
  let t = 0;
  const fn = jest.fn(async () => {
    t += 900; // each refusal took 0.9 s to arrive
    throw busy;
  });
  await expect(retryWhileBusy(fn, isBusy, { sleep: time.sleep, now: () => t + time.now(), random: () => 0.5 })).rejects.toBe(busy);
  expect(fn).toHaveBeenCalledTimes(3);
});

test('a budget of 0 means no retry', async () => {
  const fn = jest.fn().mockRejectedValue(busy);
  await expect(retryWhileBusy(fn, isBusy, { ...fakeTime(), budgetMs: 0 })).rejects.toBe(busy);
  expect(fn).toHaveBeenCalledTimes(1);
});

test('back-off: doubling from 50 ms up to 400 ms, with jitter in the upper half of each step', () => {
  const steps = [50, 100, 200, 400, 400, 400];
  steps.forEach((step, attempt) => {
    expect(busyDelayMs(attempt, { random: () => 0 })).toBe(step / 2);
    expect(busyDelayMs(attempt, { random: () => 0.999999 })).toBeCloseTo(step, 2);
  });
  expect(busyDelayMs(1000, { random: () => 0 })).toBe(200);
  // Callers refused together do not come back together.
  const spread = new Set(Array.from({ length: 50 }, () => Math.round(busyDelayMs(3))));
  expect(spread.size).toBeGreaterThan(10);
});

const status = (code: number): grpc.StatusObject => ({ code, details: 'x', metadata: new grpc.Metadata() });

test("the API's connection leaves RESOURCE_EXHAUSTED on one workflow's calls to the API, and retries the rest as the SDK does", () => {
  const sdk = defaultGrpcRetryOptions();
  for (const method of ['UpdateWorkflowExecution', 'ExecuteMultiOperation', 'SignalWorkflowExecution', 'QueryWorkflow']) {
    expect(WORKFLOW_SCOPED_METHODS.has(method)).toBe(true);
    const o = connectionRetryOptions(method);
    expect(o.retryableDecider(1, status(8))).toBe(false);
    expect(o.retryableDecider(1, status(14))).toBe(true); // UNAVAILABLE: still the SDK's
    expect(o.retryableDecider(1, status(5))).toBe(false);
  }
  for (const method of ['ListWorkflowExecutions', 'DescribeNamespace', 'DescribeWorkflowExecution']) {
    const o = connectionRetryOptions(method);
    expect(o.retryableDecider(1, status(8))).toBe(sdk.retryableDecider(1, status(8)));
    expect(o.retryableDecider(1, status(8))).toBe(true);
  }
  expect(methodName('/temporal.api.workflowservice.v1.WorkflowService/QueryWorkflow')).toBe('QueryWorkflow');
});

/** A gRPC server that answers as Temporal's frontend does to a busy workflow: RESOURCE_EXHAUSTED. */
async function exhaustedServer(): Promise<{ address: string; calls: Record<string, number>; close: () => void }> {
  const calls: Record<string, number> = {};
  const raw = (b: Buffer) => b;
  const method = (name: string) => ({
    path: `/temporal.api.workflowservice.v1.WorkflowService/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  });
  const names = ['GetSystemInfo', 'QueryWorkflow', 'SignalWorkflowExecution', 'ListWorkflowExecutions'];
  const server = new grpc.Server();
  server.addService(
    Object.fromEntries(names.map((n) => [n, method(n)])),
    Object.fromEntries(
      names.map((n) => [
        n,
        (_call: unknown, done: grpc.sendUnaryData<Buffer>) => {
          calls[n] = (calls[n] ?? 0) + 1;
          // Connecting asks GetSystemInfo; the list is refused once, then answered (an empty message).
          if (n === 'GetSystemInfo' || (n === 'ListWorkflowExecutions' && calls[n] > 1)) done(null, Buffer.alloc(0));
          else
            done({
              code: grpc.status.RESOURCE_EXHAUSTED,
              details: 'limit on number of concurrent in-flight updates has been reached (10)',
            });
        },
      ]),
    ),
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, calls, close: () => server.forceShutdown() };
}

test('over gRPC: a refused query or signal comes back at once (one call); a refused list is retried by the connection', async () => {
  const srv = await exhaustedServer();
  const connection = await Connection.connect({ address: srv.address, interceptors: apiConnectionInterceptors() });
  try {
    const svc = connection.workflowService;
    await expect(svc.queryWorkflow({ namespace: 'default' })).rejects.toMatchObject({ code: 8 });
    await expect(svc.signalWorkflowExecution({ namespace: 'default' })).rejects.toMatchObject({ code: 8 });
    expect(srv.calls.QueryWorkflow).toBe(1);
    expect(srv.calls.SignalWorkflowExecution).toBe(1);
    // Not per workflow: the SDK's own back-off (about 1.7 s) and a second call that succeeds.
    await expect(svc.listWorkflowExecutions({ namespace: 'default' })).resolves.toBeDefined();
    expect(srv.calls.ListWorkflowExecutions).toBe(2);
  } finally {
    await connection.close();
    srv.close();
  }
}, 30_000);
