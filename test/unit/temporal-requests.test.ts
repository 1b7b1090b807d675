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
import { InvalidCursorError, NotFoundError, RejectedTransitionError, UnavailableError } from '../../src/api/port';
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
  const state = { requestId: 'sr-1', bodyHash: 'h1' };
  const executeUpdateWithStart = jest.fn().mockResolvedValue({ created: true, bodyHashMatches: true, state });
  const port = new TemporalRequests({ client: stubClient({}, { executeUpdateWithStart }), taskQueue: 'q', policy });
  const input = requestInput({ urgency: 'urgent', channel: 'app' });
  await expect(port.start(input, { requestId: 'sr-1', bodyHash: 'h1' })).resolves.toEqual({ created: true, state });
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
  });

  executeUpdateWithStart.mockResolvedValueOnce({ created: false, bodyHashMatches: false, state });
  await expect(port.start(input, { requestId: 'sr-1', bodyHash: 'h2' })).rejects.toThrow(/different body/);

  const { WorkflowExecutionAlreadyStartedError } = await import('@temporalio/client');
  const closedHandle = { query: jest.fn().mockResolvedValue(state) };
  const closedPort = new TemporalRequests({
    client: stubClient(closedHandle, {
      executeUpdateWithStart: jest.fn().mockRejectedValue(new WorkflowExecutionAlreadyStartedError('started', 'sr-1', 'serviceRequest')),
    }),
    taskQueue: 'q',
    policy,
  });
  await expect(closedPort.start(input, { requestId: 'sr-1', bodyHash: 'h1' })).resolves.toEqual({ created: false, state });
  await expect(closedPort.start(input, { requestId: 'sr-1', bodyHash: 'h9' })).rejects.toThrow(/different body/);
});
