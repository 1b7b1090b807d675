/**
 * TemporalRequests without a server: the visibility query builder, cursors and the SDK-error translation,
 * with a stub client. The real round trips are covered by the e2e tests on the dev server.
 */
import {
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { requestInput } from '../support/fixtures';
import { BusyError, InvalidCursorError, NotFoundError, RejectedTransitionError, UnavailableError } from '../../src/api/port';
import { buildListQuery, decodeCursor, encodeCursor, grpcCode, TemporalRequests } from '../../src/temporal/requests';

test('list query from validated filters only', () => {
  expect(buildListQuery({})).toBe("WorkflowType = 'serviceRequest'");
  expect(buildListQuery({ status: 'assigned', urgency: 'critical', type: 'repair', technicianId: 't1001', escalated: true })).toBe(
    "WorkflowType = 'serviceRequest' AND ServiceStatus = 'assigned' AND Urgency = 'critical' AND RequestType = 'repair' AND TechnicianId = 't1001' AND EscalationLevel > 0",
  );
  expect(buildListQuery({ escalated: false })).toContain('EscalationLevel = 0');
  expect(() => buildListQuery({ technicianId: "t1' OR '1'='1" })).toThrow(/unsafe/);
  expect(() => buildListQuery({ status: 'lost' as never })).toThrow(/unsafe/);
});

test("an integration's list is limited to its own requests by the Owner search attribute", () => {
  expect(buildListQuery({ owner: 'crm (demo)', status: 'assigned' })).toBe(
    "WorkflowType = 'serviceRequest' AND Owner = 'crm (demo)' AND ServiceStatus = 'assigned'",
  );
  expect(buildListQuery({ owner: '客服热线' })).toBe("WorkflowType = 'serviceRequest' AND Owner = '客服热线'");
  for (const owner of ["crm' OR Owner != '", 'crm\\', 'a"b', 'a\nb', '', 'x'.repeat(101)]) {
    expect(() => buildListQuery({ owner })).toThrow(/unsafe/);
  }
});

test('cursors are bound to their query', () => {
  const q = buildListQuery({ status: 'assigned' });
  const c = encodeCursor(q, Buffer.from([1, 2, 3, 250]));
  expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
  expect([...decodeCursor(q, c)]).toEqual([1, 2, 3, 250]);
  expect(() => decodeCursor(buildListQuery({ status: 'closed' }), c)).toThrow(InvalidCursorError);
  expect(() => decodeCursor(q, 'AAAA')).toThrow(InvalidCursorError);
});

test('grpcCode finds the status on nested causes', () => {
  const grpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
    code: 14,
    details: 'No connection established',
    metadata: {},
  });
  expect(grpcCode(new ServiceError('Failed to query', { cause: grpc }))).toBe(14);
  expect(grpcCode(new Error('plain'))).toBeUndefined();
});

function stubClient(handle: Record<string, jest.Mock>, extra: Record<string, unknown> = {}) {
  return {
    options: { namespace: 'default' },
    withDeadline: (_d: number, fn: () => Promise<unknown>) => fn(),
    workflow: { getHandle: () => handle, ...extra },
    workflowService: { describeNamespace: jest.fn(), listWorkflowExecutions: jest.fn() },
  } as never;
}
const policy = () => ({ version: 'test' }) as never;

test("a failed update is a RejectedTransitionError with the validator's message", async () => {
  const handle = {
    executeUpdate: jest
      .fn()
      .mockRejectedValue(
        new WorkflowUpdateFailedError(
          'Workflow Update failed',
          ApplicationFailure.nonRetryable('cannot accept a request that is scheduled'),
        ),
      ),
  };
  const port = new TemporalRequests({ client: stubClient(handle), taskQueue: 'q', policy });
  await expect(port.update('sr-1', 'accept', { technicianId: 't1' })).rejects.toEqual(
    new RejectedTransitionError('accept', 'cannot accept a request that is scheduled'),
  );
});

test('the failure type travels with the rejection', async () => {
  const handle = {
    executeUpdate: jest
      .fn()
      .mockRejectedValue(
        new WorkflowUpdateFailedError(
          'Workflow Update failed',
          ApplicationFailure.nonRetryable('technician t9 is unknown or inactive', 'UnknownTechnician'),
        ),
      ),
  };
  const err = await new TemporalRequests({ client: stubClient(handle), taskQueue: 'q', policy })
    .update('sr-1', 'assign', { technicianId: 't9' })
    .catch((e) => e);
  expect(err).toMatchObject({ reason: 'technician t9 is unknown or inactive', failureType: 'UnknownTechnician' });
});

test('unknown workflow is NotFound; a closed one refuses with 409', async () => {
  const missing = new WorkflowNotFoundError('not found', 'sr-1', undefined);
  const gone = { executeUpdate: jest.fn().mockRejectedValue(missing), describe: jest.fn().mockRejectedValue(missing) };
  await expect(
    new TemporalRequests({ client: stubClient(gone), taskQueue: 'q', policy }).update('sr-1', 'cancel', { reason: 'x' }),
  ).rejects.toBeInstanceOf(NotFoundError);

  const closed = {
    executeUpdate: jest.fn().mockRejectedValue(missing),
    describe: jest.fn().mockResolvedValue({ status: { name: 'COMPLETED' } }),
  };
  const err = await new TemporalRequests({ client: stubClient(closed), taskQueue: 'q', policy })
    .update('sr-1', 'cancel', { reason: 'x' })
    .catch((e) => e);
  expect(err).toBeInstanceOf(RejectedTransitionError);
  expect(err.message).toContain('closed (completed)');
});

test('connection trouble and timeouts are UnavailableError', async () => {
  const grpc = Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: 'No connection established', metadata: {} });
  const deadline = Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4, details: 'Deadline exceeded', metadata: {} });
  for (const e of [
    new ServiceError('Failed to query Workflow', { cause: grpc }),
    new WorkflowUpdateRPCTimeoutOrCancelledError('timeout', { cause: deadline }),
    deadline,
  ]) {
    const handle = {
      query: jest.fn().mockRejectedValue(e),
      executeUpdate: jest.fn().mockRejectedValue(e),
      signal: jest.fn().mockRejectedValue(e),
    };
    const port = new TemporalRequests({ client: stubClient(handle), taskQueue: 'q', policy });
    await expect(port.get('sr-1')).rejects.toBeInstanceOf(UnavailableError);
    await expect(port.update('sr-1', 'hold', { reason: 'x' })).rejects.toBeInstanceOf(UnavailableError);
    await expect(port.signalPhoto('sr-1', { kind: 'after', key: 'k', at: 'now' })).rejects.toBeInstanceOf(UnavailableError);
  }
});

test('start: update-with-start result, body-hash conflict, closed-workflow fallback', async () => {
  const state = { requestId: 'sr-1', bodyHash: 'h1', owner: 'crm' };
  const executeUpdateWithStart = jest.fn().mockResolvedValue({ created: true, bodyHashMatches: true, state });
  const port = new TemporalRequests({ client: stubClient({}, { executeUpdateWithStart }), taskQueue: 'q', policy });
  const input = requestInput({ urgency: 'urgent', channel: 'app' });
  await expect(port.start(input, { requestId: 'sr-1', bodyHash: 'h1', owner: 'crm' })).resolves.toEqual({ created: true, state });
  const [, opts] = executeUpdateWithStart.mock.calls[0];
  expect(opts.args[0]).toEqual({ startAttemptId: expect.any(String), bodyHash: 'h1' });
  expect(opts.startWorkflowOperation.options).toMatchObject({
    workflowId: 'sr-1',
    taskQueue: 'q',
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    staticSummary: expect.stringContaining('JSQ25-13A'),
  });
  // The UI summary names the product, never the customer.
  expect(
    JSON.stringify([opts.startWorkflowOperation.options.staticSummary, opts.startWorkflowOperation.options.staticDetails]),
  ).not.toMatch(/陈静|13812345678|漕溪北路/);
  expect(opts.startWorkflowOperation.options.args[0]).toMatchObject({
    requestId: 'sr-1',
    bodyHash: 'h1',
    policy: { version: 'test' },
    startAttemptId: opts.args[0].startAttemptId,
    owner: 'crm',
  });

  executeUpdateWithStart.mockResolvedValueOnce({ created: false, bodyHashMatches: false, state });
  await expect(port.start(input, { requestId: 'sr-1', bodyHash: 'h2', owner: 'crm' })).rejects.toThrow(/different body/);

  const { WorkflowExecutionAlreadyStartedError } = await import('@temporalio/client');
  const closedHandle = { query: jest.fn().mockResolvedValue(state) };
  const closedPort = new TemporalRequests({
    client: stubClient(closedHandle, {
      executeUpdateWithStart: jest.fn().mockRejectedValue(new WorkflowExecutionAlreadyStartedError('started', 'sr-1', 'serviceRequest')),
    }),
    taskQueue: 'q',
    policy,
  });
  await expect(closedPort.start(input, { requestId: 'sr-1', bodyHash: 'h1', owner: 'crm' })).resolves.toEqual({ created: false, state });
  await expect(closedPort.start(input, { requestId: 'sr-1', bodyHash: 'h9', owner: 'crm' })).rejects.toThrow(/different body/);
});

test("start: the owner goes into the input and the Owner search attribute; another owner's request is a conflict, never its state", async () => {
  const { KeyConflictError } = await import('../../src/api/port');
  const { SA } = await import('../../src/temporal/searchAttributes');
  const theirs = { requestId: 'sr-1', bodyHash: 'h1', owner: 'hotline' };
  const executeUpdateWithStart = jest.fn().mockResolvedValue({ created: false, bodyHashMatches: true, state: theirs });
  const port = new TemporalRequests({ client: stubClient({}, { executeUpdateWithStart }), taskQueue: 'q', policy });
  const input = requestInput();
  await expect(port.start(input, { requestId: 'sr-1', bodyHash: 'h1', owner: 'crm' })).rejects.toBeInstanceOf(KeyConflictError);
  const options = executeUpdateWithStart.mock.calls[0][1].startWorkflowOperation.options;
  expect(options.args[0]).toMatchObject({ owner: 'crm' });
  expect(options.typedSearchAttributes).toContainEqual({ key: SA.Owner, value: 'crm' });
  // The lifecycle version too: the dispatch board counts requests without it from visibility.
  expect(options.typedSearchAttributes).toContainEqual({ key: SA.LifecycleVersion, value: options.args[0].lifecycleVersion });
  expect(options.args[0].lifecycleVersion).toEqual(expect.any(Number));

  // A request from before owners (none recorded) is nobody's to repeat.
  executeUpdateWithStart.mockResolvedValueOnce({ created: false, bodyHashMatches: true, state: { requestId: 'sr-1', bodyHash: 'h1' } });
  await expect(port.start(input, { requestId: 'sr-1', bodyHash: 'h1', owner: 'crm' })).rejects.toBeInstanceOf(KeyConflictError);

  const { WorkflowExecutionAlreadyStartedError } = await import('@temporalio/client');
  const closedPort = new TemporalRequests({
    client: stubClient(
      { query: jest.fn().mockResolvedValue(theirs) },
      {
        executeUpdateWithStart: jest.fn().mockRejectedValue(new WorkflowExecutionAlreadyStartedError('started', 'sr-1', 'serviceRequest')),
      },
    ),
    taskQueue: 'q',
    policy,
  });
  await expect(closedPort.start(input, { requestId: 'sr-1', bodyHash: 'h1', owner: 'crm' })).rejects.toBeInstanceOf(KeyConflictError);
});

describe("Temporal's per-workflow limits (issue 17): retried briefly, then BusyError", () => {
  /** What the SDK throws for them: the gRPC status (code 8) directly (update-with-start) or as a ServiceError's cause. */
  const exhausted = (details = 'limit on number of concurrent in-flight updates has been reached (10)') =>
    Object.assign(new Error(`8 RESOURCE_EXHAUSTED: ${details}`), { code: 8, details, metadata: {} });
  const wrapped = () => new ServiceError('Workflow Update failed', { cause: exhausted() });
  /** No real waiting: a clock that moves only when the retry sleeps. */
  function quick() {
    let t = 0;
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      t += ms;
      sleeps.push(ms);
    };
    return { sleeps, busyRetry: { now: () => t, sleep } };
  }

  test('an update refused twice, then taken: the caller sees only the result', async () => {
    const state = { requestId: 'sr-1', status: 'on_hold' };
    const handle = { executeUpdate: jest.fn().mockRejectedValueOnce(wrapped()).mockRejectedValueOnce(wrapped()).mockResolvedValue(state) };
    const { busyRetry, sleeps } = quick();
    const port = new TemporalRequests({ client: stubClient(handle), taskQueue: 'q', policy, busyRetry });
    await expect(port.update('sr-1', 'hold', { reason: 'x' }, { updateId: 'u-1' })).resolves.toBe(state);
    expect(handle.executeUpdate).toHaveBeenCalledTimes(3);
    // The same update id every time: a retry can never apply the action twice.
    for (const [, opts] of handle.executeUpdate.mock.calls) expect(opts.updateId).toBe('u-1');
    expect(sleeps).toHaveLength(2);
  });

  test('an update without an id from the caller is retried under one id of its own', async () => {
    const state = { requestId: 'sr-1', status: 'on_hold' };
    const handle = { executeUpdate: jest.fn().mockRejectedValueOnce(wrapped()).mockResolvedValue(state) };
    const port = new TemporalRequests({ client: stubClient(handle), taskQueue: 'q', policy, busyRetry: quick().busyRetry });
    await expect(port.update('sr-1', 'hold', { reason: 'x' })).resolves.toBe(state);
    const ids = handle.executeUpdate.mock.calls.map(([, opts]) => opts.updateId as string);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toBe(ids[0]);
  });

  test('still refused after the budget: BusyError (a kind of UnavailableError) for update, query and signal', async () => {
    const handle = {
      executeUpdate: jest.fn().mockRejectedValue(wrapped()),
      query: jest
        .fn()
        .mockRejectedValue(new ServiceError('Failed to query Workflow', { cause: exhausted('consistent query buffer is full') })),
      signal: jest.fn().mockRejectedValue(new ServiceError('Failed to signal Workflow', { cause: exhausted() })),
    };
    const { busyRetry, sleeps } = quick();
    const port = new TemporalRequests({ client: stubClient(handle), taskQueue: 'q', policy, busyRetry });
    for (const call of [
      () => port.update('sr-1', 'hold', { reason: 'x' }),
      () => port.get('sr-1'),
      () => port.signalPhoto('sr-1', { kind: 'after', key: 'k', at: 'now' }),
    ]) {
      sleeps.length = 0;
      const err = await call().catch((e) => e);
      expect(err).toBeInstanceOf(BusyError);
      expect(err).toBeInstanceOf(UnavailableError);
      expect(err).toMatchObject({ requestId: 'sr-1', retryAfterSeconds: 1 });
      expect(sleeps.length).toBeGreaterThan(2);
      expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2_000);
    }
    for (const m of [handle.executeUpdate, handle.query, handle.signal]) expect(m.mock.calls.length).toBeGreaterThan(3);
  });

  test('update-with-start refused: retried with a fresh operation carrying the same start (and startAttemptId)', async () => {
    const state = { requestId: 'sr-1', bodyHash: 'h1', owner: 'crm' };
    const executeUpdateWithStart = jest
      .fn()
      .mockRejectedValueOnce(exhausted())
      .mockResolvedValue({ created: true, bodyHashMatches: true, state });
    const port = new TemporalRequests({ client: stubClient({}, { executeUpdateWithStart }), taskQueue: 'q', policy, ...quick() });
    await expect(port.start(requestInput(), { requestId: 'sr-1', bodyHash: 'h1', owner: 'crm' })).resolves.toEqual({
      created: true,
      state,
    });
    expect(executeUpdateWithStart).toHaveBeenCalledTimes(2);
    const [[, first], [, second]] = executeUpdateWithStart.mock.calls;
    // An operation object may be executed once only.
    expect(second.startWorkflowOperation).not.toBe(first.startWorkflowOperation);
    expect(second.startWorkflowOperation.options).toEqual(first.startWorkflowOperation.options);
    expect(second.args).toEqual(first.args);

    executeUpdateWithStart.mockReset().mockRejectedValue(exhausted());
    await expect(port.start(requestInput(), { requestId: 'sr-1', bodyHash: 'h1', owner: 'crm' })).rejects.toBeInstanceOf(BusyError);
  });

  test('a read that timed out while the request was refusing calls for its limits is busy (429), otherwise 503', async () => {
    const deadline = () =>
      new ServiceError('Failed to query Workflow', {
        cause: Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4, details: 'Deadline exceeded', metadata: {} }),
      });
    // The read is admitted and waits; meanwhile an action on the same request is refused for the limits.
    let timeOut: (e: Error) => void = () => undefined;
    const query = jest.fn(() => new Promise((_resolve, reject) => (timeOut = reject)));
    const handle = { query, executeUpdate: jest.fn().mockRejectedValue(wrapped()) };
    const port = new TemporalRequests({ client: stubClient(handle), taskQueue: 'q', policy, ...quick() });
    const read = port.get('sr-1').catch((e) => e);
    await expect(port.update('sr-1', 'hold', { reason: 'x' })).rejects.toBeInstanceOf(BusyError);
    timeOut(deadline());
    await expect(read).resolves.toBeInstanceOf(BusyError);
    // The same when the deadline cut the SDK's own retries short (CANCELLED).
    const cancelled = new ServiceError('Failed to query Workflow', {
      cause: Object.assign(new Error('1 CANCELLED: Call cancelled'), { code: 1, details: 'Call cancelled', metadata: {} }),
    });
    const read2 = port.get('sr-1').catch((e) => e);
    await expect(port.update('sr-1', 'hold', { reason: 'x' })).rejects.toBeInstanceOf(BusyError);
    timeOut(cancelled);
    await expect(read2).resolves.toBeInstanceOf(BusyError);

    // Another request, never refused: its timed-out read is Temporal (or its worker) not answering.
    query.mockRejectedValueOnce(deadline());
    const other = await port.get('sr-2').catch((e) => e);
    expect(other).toBeInstanceOf(UnavailableError);
    expect(other).not.toBeInstanceOf(BusyError);
    // A busy refusal from before the read started does not count either.
    query.mockRejectedValueOnce(deadline());
    await new Promise((r) => setTimeout(r, 5));
    expect(await port.get('sr-1').catch((e) => e)).not.toBeInstanceOf(BusyError);
  });

  test('a request whose workflow task keeps failing (its worker too slow, say): 503, not 500', async () => {
    const failing = (what: string) =>
      Object.assign(new Error(`9 FAILED_PRECONDITION: Unable to ${what} due to Workflow Task in failed state.`), {
        code: 9,
        details: `Unable to ${what} due to Workflow Task in failed state.`,
        metadata: {},
      });
    const handle = {
      executeUpdate: jest
        .fn()
        .mockRejectedValue(new ServiceError('Workflow Update failed', { cause: failing('perform workflow execution update') })),
      query: jest.fn().mockRejectedValue(new ServiceError('Failed to query Workflow', { cause: failing('query workflow') })),
    };
    const port = new TemporalRequests({ client: stubClient(handle), taskQueue: 'q', policy, ...quick() });
    for (const err of [await port.update('sr-1', 'hold', { reason: 'x' }).catch((e) => e), await port.get('sr-1').catch((e) => e)]) {
      expect(err).toBeInstanceOf(UnavailableError);
      expect(err).not.toBeInstanceOf(BusyError);
      expect(err.message).toContain('workflow task is failing');
    }
    // Other failed preconditions are not Temporal being unavailable.
    handle.query.mockRejectedValue(
      new ServiceError('Failed to query Workflow', {
        cause: Object.assign(new Error('9 FAILED_PRECONDITION: x'), { code: 9, details: 'x' }),
      }),
    );
    expect(await port.get('sr-1').catch((e) => e)).not.toBeInstanceOf(UnavailableError);
  });

  test('other failures are not retried; a list refused for the namespace stays a 503 (UnavailableError)', async () => {
    const unavailable = Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: 'No connection established', metadata: {} });
    const handle = { executeUpdate: jest.fn().mockRejectedValue(new ServiceError('Workflow Update failed', { cause: unavailable })) };
    const client = stubClient(handle) as unknown as { workflowService: { listWorkflowExecutions: jest.Mock } };
    client.workflowService.listWorkflowExecutions.mockRejectedValue(exhausted('namespace rate limit exceeded'));
    const port = new TemporalRequests({ client: client as never, taskQueue: 'q', policy, ...quick() });
    const err = await port.update('sr-1', 'hold', { reason: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).not.toBeInstanceOf(BusyError);
    expect(handle.executeUpdate).toHaveBeenCalledTimes(1);
    const listErr = await port.list({}, undefined, 10).catch((e) => e);
    expect(listErr).toBeInstanceOf(UnavailableError);
    expect(listErr).not.toBeInstanceOf(BusyError);
    expect(client.workflowService.listWorkflowExecutions).toHaveBeenCalledTimes(1);
  });

  test("the workflow's own Busy refusal is a RejectedTransitionError of type Busy, not retried", async () => {
    const handle = {
      executeUpdate: jest
        .fn()
        .mockRejectedValue(
          new WorkflowUpdateFailedError(
            'Workflow Update failed',
            ApplicationFailure.nonRetryable('another action on this request is being applied; retry', 'Busy'),
          ),
        ),
    };
    const port = new TemporalRequests({ client: stubClient(handle), taskQueue: 'q', policy, ...quick() });
    await expect(port.update('sr-1', 'hold', { reason: 'x' })).rejects.toEqual(
      new RejectedTransitionError('hold', 'another action on this request is being applied; retry', 'Busy'),
    );
    expect(handle.executeUpdate).toHaveBeenCalledTimes(1);
  });
});
