/** Issue 16, finding 4: the worker's Prometheus endpoint listens on loopback unless configured otherwise. */
import { workerRuntimeOptions } from '../../src/metrics/worker';

const bindAddress = (o: Parameters<typeof workerRuntimeOptions>[0]) =>
  (workerRuntimeOptions(o).telemetryOptions?.metrics as { prometheus?: { bindAddress?: string } } | undefined)?.prometheus?.bindAddress;

test('binds 127.0.0.1 by default, not every interface', () => {
  expect(bindAddress({ metricsPort: 9464 })).toBe('127.0.0.1:9464');
});

test('binds what WORKER_METRICS_HOST names (IPv6 in brackets)', () => {
  expect(bindAddress({ metricsPort: 9464, host: '0.0.0.0' })).toBe('0.0.0.0:9464');
  expect(bindAddress({ metricsPort: 9464, host: '::1' })).toBe('[::1]:9464');
  expect(bindAddress({ metricsPort: 0, host: '0.0.0.0' })).toBeUndefined();
});
