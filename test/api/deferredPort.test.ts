import { DeferredPort } from '../../src/api/deferredPort';
import { UnavailableError } from '../../src/api/port';
import { FakePort } from './fakePort';

test('503-style UnavailableError until connected, then delegates', async () => {
  const port = new DeferredPort();
  expect(port.connected).toBe(false);
  await expect(port.ready()).rejects.toBeInstanceOf(UnavailableError);
  await expect(port.get('sr-1')).rejects.toMatchObject({ retryAfterSeconds: 2 });
  const fake = new FakePort();
  fake.seed({ requestId: 'sr-1' });
  port.set(fake);
  expect(port.connected).toBe(true);
  await expect(port.ready()).resolves.toBeUndefined();
  await expect(port.get('sr-1')).resolves.toMatchObject({ requestId: 'sr-1' });
  await expect(port.update('sr-1', 'cancel', { reason: 'x' })).resolves.toMatchObject({ status: 'cancelled' });
  await expect(port.list({}, undefined, 10)).resolves.toMatchObject({ items: [expect.any(Object)] });
  await expect(port.signalPhoto('sr-1', { kind: 'after', key: 'k', at: 'now' })).resolves.toBeUndefined();
});
