/**
 * Issue 11: `npm start` took the embedded Temporal's port from TEMPORAL_ADDRESS only, so a second stack with
 * just TEMPORAL_DEV_PORT set found the first stack's server on 7233 and shared it.
 */
import { ConfigError, devServerAddress, loadConfig } from '../../src/config';

/** What src/dev.ts does with an environment: the address its dev server, worker and API use. */
const devAddressFor = (env: NodeJS.ProcessEnv) => devServerAddress(env.TEMPORAL_ADDRESS || undefined, loadConfig(env).dev.temporalPort);

describe('devServerAddress (npm start)', () => {
  it('defaults to 127.0.0.1:7233', () => {
    expect(devAddressFor({})).toEqual({ host: '127.0.0.1', port: 7233 });
    expect(devAddressFor({ TEMPORAL_DEV_PORT: '' })).toEqual({ host: '127.0.0.1', port: 7233 });
  });

  it('TEMPORAL_DEV_PORT alone decides the port: a second stack needs nothing else', () => {
    expect(devAddressFor({ TEMPORAL_DEV_PORT: '7234' })).toEqual({ host: '127.0.0.1', port: 7234 });
  });

  it('TEMPORAL_ADDRESS alone still works (host and port)', () => {
    expect(devAddressFor({ TEMPORAL_ADDRESS: '127.0.0.2:7300' })).toEqual({ host: '127.0.0.2', port: 7300 });
  });

  it('both: the host comes from TEMPORAL_ADDRESS; the ports must agree', () => {
    expect(devAddressFor({ TEMPORAL_ADDRESS: 'localhost:7234', TEMPORAL_DEV_PORT: '7234' })).toEqual({ host: 'localhost', port: 7234 });
    expect(() => devAddressFor({ TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_DEV_PORT: '7234' })).toThrow(ConfigError);
    expect(() => devAddressFor({ TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_DEV_PORT: '7234' })).toThrow(
      /TEMPORAL_DEV_PORT=7234 .*TEMPORAL_ADDRESS=127\.0\.0\.1:7233/,
    );
  });

  it('an unset TEMPORAL_DEV_PORT is undefined in the config (not a default that would hide TEMPORAL_ADDRESS)', () => {
    expect(loadConfig({}).dev.temporalPort).toBeUndefined();
    expect(loadConfig({ TEMPORAL_DEV_PORT: '7299' }).dev.temporalPort).toBe(7299);
    expect(() => loadConfig({ TEMPORAL_DEV_PORT: '70000' })).toThrow(/TEMPORAL_DEV_PORT="70000"/);
  });
});
