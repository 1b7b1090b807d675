/**
 * TemporalRequests and customer history, without a server: the start sets `CustomerKey` and `ProductKey` (never the
 * phone) and passes the earlier requests in the start input; lists filter on both keys, quoted like every value;
 * list items carry the product key (for intake's `sameProduct`).
 */
import { encodeUnifiedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { requestInput } from '../support/fixtures';
import { buildListQuery, TemporalRequests } from '../../src/temporal/requests';
import { SA } from '../../src/temporal/searchAttributes';
import type { EarlierRequest } from '../../workflows/messages';

const KEY = '0123456789abcdef0123456789abcdef';
const HISTORY: EarlierRequest[] = [{ requestId: 'sr-crm-1', ticket: 'CRM-1', startedAt: '2025-05-01T00:00:00.000Z', sameProduct: true }];

function stubClient(extra: Record<string, unknown>, listWorkflowExecutions = jest.fn()) {
  return {
    options: { namespace: 'default' },
    withDeadline: (_d: number, fn: () => Promise<unknown>) => fn(),
    workflow: { getHandle: () => ({}), ...extra },
    workflowService: { describeNamespace: jest.fn(), listWorkflowExecutions },
  } as never;
}
const policy = () => ({ version: 'test' }) as never;

test('start: CustomerKey and ProductKey are search attributes from the start, the history is in the input', async () => {
  const state = { requestId: 'sr-1', bodyHash: 'h1', owner: 'crm' };
  const executeUpdateWithStart = jest.fn().mockResolvedValue({ created: true, bodyHashMatches: true, state });
  const port = new TemporalRequests({ client: stubClient({ executeUpdateWithStart }), taskQueue: 'q', policy });
  const input = requestInput();
  await port.start(input, { requestId: 'sr-1', bodyHash: 'h1', owner: 'crm', customerKey: KEY, productKey: 'SN:AB12', history: HISTORY });
  const options = executeUpdateWithStart.mock.calls[0][1].startWorkflowOperation.options;
  expect(options.typedSearchAttributes).toEqual(
    expect.arrayContaining([
      { key: SA.CustomerKey, value: KEY },
      { key: SA.ProductKey, value: 'SN:AB12' },
      { key: SA.Owner, value: 'crm' },
    ]),
  );
  expect(options.args[0].history).toEqual(HISTORY);
  // No search attribute or UI text holds the customer's phone.
  const phoneDigits = input.customer.phone.replace(/\D/g, '').slice(-11);
  expect(JSON.stringify([options.typedSearchAttributes, options.staticSummary, options.staticDetails])).not.toContain(phoneDigits);

  // Without customer history (no secret): neither attribute, no history in the input.
  await port.start(input, { requestId: 'sr-1', bodyHash: 'h1', owner: 'crm' });
  const plain = executeUpdateWithStart.mock.calls[1][1].startWorkflowOperation.options;
  const names = plain.typedSearchAttributes.map((p: { key: { name: string } }) => p.key.name);
  expect(names).not.toContain('CustomerKey');
  expect(names).not.toContain('ProductKey');
  expect(plain.args[0]).not.toHaveProperty('history');
});

test('list query: one customer, and any of the product keys, quoted; unsafe values refused', () => {
  expect(buildListQuery({ customerKey: KEY })).toBe(`WorkflowType = 'serviceRequest' AND CustomerKey = '${KEY}'`);
  expect(buildListQuery({ customerKey: KEY, productKey: ['SN:AB12', 'MODEL:AB12'] })).toBe(
    `WorkflowType = 'serviceRequest' AND CustomerKey = '${KEY}' AND ProductKey IN ('SN:AB12', 'MODEL:AB12')`,
  );
  expect(buildListQuery({ productKey: ['MODEL:燃气热水器JSQ25'] })).toContain("ProductKey IN ('MODEL:燃气热水器JSQ25')");
  for (const customerKey of ["x' OR CustomerKey != '", '', 'a b']) expect(() => buildListQuery({ customerKey })).toThrow(/unsafe/);
  for (const key of ["SN:x' OR '1'='1", 'SN:a\\b', 'SN:a b', 'SN:a"b', 'PHONE:13800138000', 'SN:', `MODEL:${'x'.repeat(101)}`]) {
    expect(() => buildListQuery({ productKey: [key] })).toThrow(/unsafe/);
  }
  expect(() => buildListQuery({ productKey: [] })).toThrow(/empty/);
});

test('list items carry the ProductKey search attribute', async () => {
  const indexedFields = encodeUnifiedSearchAttributes(undefined, [
    { key: SA.ServiceStatus, value: 'received' },
    { key: SA.ProductKey, value: 'SN:AB12' },
    { key: SA.EscalationLevel, value: 0 },
  ]);
  const listWorkflowExecutions = jest.fn().mockResolvedValue({
    executions: [
      {
        execution: { workflowId: 'sr-crm-1' },
        status: 1,
        startTime: msToTs(Date.parse('2025-05-01T00:00:00Z')),
        searchAttributes: { indexedFields },
      },
    ],
  });
  const port = new TemporalRequests({ client: stubClient({}, listWorkflowExecutions), taskQueue: 'q', policy });
  const page = await port.list({ customerKey: KEY }, undefined, 11);
  expect(listWorkflowExecutions.mock.calls[0][0]).toMatchObject({
    query: `WorkflowType = 'serviceRequest' AND CustomerKey = '${KEY}'`,
    pageSize: 11,
  });
  expect(page.items).toEqual([expect.objectContaining({ requestId: 'sr-crm-1', status: 'received', productKey: 'SN:AB12' })]);
});
