/**
 * Customer history through the real Temporal adapter on a dev server (SQL visibility, as `npm start`): intake sets
 * `CustomerKey` and `ProductKey` (never the phone), a later request of the same customer finds the earlier one in
 * visibility and shows it in its state, and the list filters by customer and by product (`ProductKey IN (…)`).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { customerAtIntake } from '../../src/customers/history';
import { customerKeyOfPhone } from '../../src/customers/keys';
import { TemporalRequests } from '../../src/temporal/requests';
import { SA } from '../../src/temporal/searchAttributes';
import { stateQuery } from '../../workflows/messages';
import { requestInput } from '../support/fixtures';
import { defaultPolicy, type Handle } from './support/env';
import { until, useBed } from './support/scenario';

const suite = useBed({ server: 'dev' });
const SECRET = 'dev-visibility-customer-key-secret-0123456789';
const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

test('keys at start, the earlier request found at intake, the list by customer and product', async () => {
  const { bed } = suite;
  const port = new TemporalRequests({ client: bed.env.client, taskQueue: bed.worker.options.taskQueue, policy: defaultPolicy });
  const run = randomUUID().slice(0, 8);
  // A phone of this run only: the dev server is shared by the file's tests.
  const national = `139${String(Date.now()).slice(-8)}`;
  const customer = { ...requestInput().customer, phone: `+86${national}` };
  const key = customerKeyOfPhone(national, SECRET)!;
  const intake = async (n: number, serialNumber: string) => {
    const input = requestInput({ customer, product: { ...requestInput().product, serialNumber }, externalId: `CH-${run}-${n}` });
    const requestId = `sr-ch-${run}-${n}`;
    const extra = await customerAtIntake(port, input, requestId, { secret: SECRET, lookupTimeoutMs: 5000, log });
    const r = await port.start(input, { requestId, bodyHash: `h${n}`, owner: 'crm', ...extra });
    const handle = bed.env.client.workflow.getHandle(requestId);
    suite.track(Object.assign(handle, { state: () => handle.query(stateQuery) }) as unknown as Handle);
    return r.state;
  };

  const first = await intake(1, 'sn-a1');
  expect(first.earlierRequests).toEqual([]);
  await until(
    () => port.list({ customerKey: key }, undefined, 10),
    (p) => p.items.length === 1,
    'the first request in visibility',
  );
  const second = await intake(2, 'SN-A1');
  expect(second.earlierRequests).toEqual([
    {
      requestId: first.requestId,
      ticket: first.ticket,
      startedAt: expect.any(String),
      status: expect.any(String),
      type: 'repair',
      sameProduct: true,
    },
  ]);

  // Search attributes: the keys, and nothing of the phone.
  const described = await bed.env.client.workflow.getHandle(first.requestId).describe();
  const attrs = described.typedSearchAttributes;
  expect([attrs.get(SA.CustomerKey), attrs.get(SA.ProductKey), attrs.get(SA.Owner)]).toEqual([key, 'SN:SN-A1', 'crm']);
  expect(JSON.stringify(attrs.getAll())).not.toContain(national.slice(3));

  const listed = await until(
    () => port.list({ customerKey: key }, undefined, 10),
    (p) => p.items.length === 2,
    'both requests in visibility',
  );
  expect(listed.items.map((i) => i.requestId)).toEqual([second.requestId, first.requestId]);
  expect((await port.list({ customerKey: key, productKey: ['SN:SN-A1', 'MODEL:SN-A1'] }, undefined, 10)).items).toHaveLength(2);
  expect((await port.list({ customerKey: key, productKey: ['SN:OTHER', 'MODEL:OTHER'] }, undefined, 10)).items).toEqual([]);
});
