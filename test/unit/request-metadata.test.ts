/** What the Temporal UI shows at the top of a request: useful to ops, free of customer PII. */
import { join } from 'node:path';
import { loadPolicyFile } from '../../src/policy';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { requestMetadata } from '../../src/temporal/metadata';
import { workerRuntimeOptions } from '../../src/metrics/worker';
import { requestInput } from '../support/fixtures';

const policy = loadPolicyFile(join(PROJECT_ROOT, 'policy', 'default.yaml'));

test('summary and details: ticket, type, urgency, channel, product — no name, phone, address or problem text', () => {
  const request = requestInput({ urgency: 'urgent', vip: true, externalId: 'CRM-10023' });
  const m = requestMetadata({ requestId: 'sr-CRM-10023', request, policy });
  expect(m.staticSummary).toBe('CRM-10023 · repair · urgent, VIP · JSQ25-13A');
  expect(m.staticDetails).toContain('**Ticket** CRM-10023');
  expect(m.staticDetails).toContain('**Type** repair · **Urgency** urgent · **VIP** · **Channel** hotline');
  expect(m.staticDetails).toContain('**Product** JSQ25-13A (gas\\_water\\_heater), purchased 2024-03-18');
  expect(m.staticDetails).toContain(`**Policy** ${policy.version}`);
  const all = m.staticSummary + m.staticDetails;
  for (const pii of [request.customer.name, '13812345678', '漕溪北路', request.problem.description]) expect(all).not.toContain(pii);
});

test('caller text cannot inject markdown or extra lines', () => {
  const request = requestInput({
    product: { model: 'X1 **bold** [link](http://evil)\nsecond line', purchaseDate: '2024-01-01', category: 'air_conditioner' },
  });
  const m = requestMetadata({ requestId: 'sr-1', request, policy });
  expect(m.staticSummary).not.toContain('\n');
  expect(m.staticSummary).toContain('\\*\\*bold\\*\\* \\[link\\]\\(http://evil\\)');
  expect(m.staticDetails.split('\n')).toHaveLength(4);
});

test('worker runtime: Prometheus on host:port, none for port 0', () => {
  const on = workerRuntimeOptions({ metricsPort: 9464, host: '127.0.0.1' });
  expect(on.telemetryOptions?.metrics).toMatchObject({ metricPrefix: 'temporal_', prometheus: { bindAddress: '127.0.0.1:9464' } });
  expect(workerRuntimeOptions({ metricsPort: 0 }).telemetryOptions).toBeUndefined();
});
