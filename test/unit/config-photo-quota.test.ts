/** PHOTO_MAX_PER_REQUEST / PHOTO_MAX_MB_PER_REQUEST: parsed and checked by loadConfig, and the API server takes them from the config. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from '../../src/adapters/storage/local';
import { buildServer } from '../../src/api/server';
import { ConfigError, loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { FakePort } from '../api/fakePort';
import { bearer, multipart, SECRET, TOKENS, tokenStore } from '../api/support';
import { makePng } from '../support/imageFiles';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('loadConfig: photo quota per request', () => {
  test('defaults: 30 photos, 60 MB', () => {
    expect(loadConfig({}).photoQuota).toEqual({ maxPerRequest: 30, maxBytesPerRequest: 60 * 1024 * 1024 });
  });

  test('set in photos and MB', () => {
    expect(loadConfig({ PHOTO_MAX_PER_REQUEST: '12', PHOTO_MAX_MB_PER_REQUEST: '25' }).photoQuota).toEqual({
      maxPerRequest: 12,
      maxBytesPerRequest: 25 * 1024 * 1024,
    });
  });

  test.each(['0', '-1', '2.5', 'many'])('refused: %s', (v) => {
    expect(problemsOf({ PHOTO_MAX_PER_REQUEST: v })).toEqual([expect.stringContaining('PHOTO_MAX_PER_REQUEST=')]);
    expect(problemsOf({ PHOTO_MAX_MB_PER_REQUEST: v })).toEqual([expect.stringContaining('PHOTO_MAX_MB_PER_REQUEST=')]);
  });
});

test('the API server applies the configured quota', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aftercare-quota-'));
  const port = new FakePort();
  port.seed({ requestId: 'sr-Q1', status: 'on_site', technicianId: 't1001' });
  const app = await buildServer({
    config: {
      publicBaseUrl: 'http://localhost:3000',
      ratingLinkSecret: SECRET,
      photoQuota: { maxPerRequest: 1, maxBytesPerRequest: 1024 * 1024 },
    },
    logger: createLogger('silent'),
    requests: port,
    storage: new LocalStorage(dir),
    tokens: tokenStore(),
    metrics: false,
  });
  try {
    const send = (data: Buffer) => {
      const { payload, headers } = multipart([
        { name: 'kind', value: 'after' },
        { name: 'file', filename: 'a.png', contentType: 'image/png', data },
      ]);
      return app.inject({
        method: 'POST',
        url: '/v1/service-requests/sr-Q1/photos',
        headers: { ...headers, ...bearer(TOKENS.tech1) },
        payload,
      });
    };
    expect((await send(makePng(2, 2))).statusCode).toBe(201);
    const second = await send(makePng(3, 3));
    expect(second.statusCode).toBe(409);
    expect(second.json().error).toBe('quota_exceeded');
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
