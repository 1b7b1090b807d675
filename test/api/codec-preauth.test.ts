/**
 * Issue 16, finding 2: the codec endpoint authenticates in onRequest, before Fastify reads, parses and validates a
 * body of up to 8 MiB. Unauthenticated uploads are refused without reading them (and the connection is closed so
 * the rest is never read either); /healthz keeps answering meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from '../../src/adapters/storage/local';
import { buildServer, type ApiServer } from '../../src/api/server';
import { AesGcmCodec } from '../../src/codec';
import { createLogger } from '../../src/logger';
import { FakePort } from './fakePort';
import { bearer, NOW, SECRET, tokenStore, TOKENS } from './support';

const CODEC_TOKEN = 'codec-ui-key-0123456789abcdef';
const EIGHT_MB = 8_000_000;
const codec = new AesGcmCodec([{ id: 'k1', key: randomBytes(32) }]);
const decode = jest.spyOn(codec, 'decode');
const dir = mkdtempSync(join(tmpdir(), 'aftercare-codec-preauth-'));
let app: ApiServer;
let base: { host: string; port: number };

beforeAll(async () => {
  const port = new FakePort();
  port.now = () => NOW;
  app = await buildServer({
    config: { publicBaseUrl: 'http://localhost:3000', ratingLinkSecret: SECRET },
    logger: createLogger('warn', { write: () => undefined }),
    requests: port,
    storage: new LocalStorage(dir),
    tokens: tokenStore(),
    clock: () => NOW,
    metrics: false,
    limits: { rateLimitPerMinute: 1_000_000, ipRateLimitPerMinute: 1_000_000, authFailuresPerWindow: 1_000_000 },
    codec: { codec, codecTokens: [CODEC_TOKEN] },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = { host: '127.0.0.1', port: (app.server.address() as AddressInfo).port };
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an unauthenticated 8 MB body is refused with 401 before it is parsed (not 400 for its invalid JSON)', async () => {
  const junk = Buffer.alloc(EIGHT_MB, 'x');
  const res = await app.inject({ method: 'POST', url: '/codec/decode', headers: { 'content-type': 'application/json' }, payload: junk });
  expect(res.statusCode).toBe(401);
  expect(res.json()).toMatchObject({ error: 'unauthorized', details: [] });
  const wrongKey = await app.inject({
    method: 'POST',
    url: '/codec/wrong-key-0123456789abcdef/decode',
    headers: { 'content-type': 'application/json' },
    payload: junk,
  });
  expect(wrongKey.statusCode).toBe(403);
  const notOps = await app.inject({
    method: 'POST',
    url: '/codec/decode',
    headers: { ...bearer(TOKENS.integration), 'content-type': 'application/json' },
    payload: junk,
  });
  expect(notOps.statusCode).toBe(403);
  expect(decode).not.toHaveBeenCalled();
  // Authenticated callers still get the 8 MiB limit: the same junk is now parsed (and refused as JSON).
  const ops = await app.inject({
    method: 'POST',
    url: '/codec/decode',
    headers: { ...bearer(TOKENS.ops), 'content-type': 'application/json' },
    payload: junk,
  });
  expect(ops.statusCode).toBe(400);
  expect(ops.json().error).toBe('invalid_json');
});

/** Starts an upload that announces `declared` bytes and sends only `sent` of them; resolves on the response. */
function stalledUpload(path: string, declared: number, sent: number, headers: Record<string, string> = {}) {
  let req!: ClientRequest;
  let closed = false;
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req = request({
      ...base,
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', 'content-length': String(declared), ...headers },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res);
    });
    req.on('error', (err) => (closed ? undefined : reject(err)));
    req.on('close', () => (closed = true));
    req.write(Buffer.alloc(sent, ' '));
  });
  const socketClosed = new Promise<void>((resolve) => req.on('close', () => resolve()));
  return { response, socketClosed, abort: () => req.destroy() };
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms).unref())]);

test('the 401 arrives while the body is still unsent, the server drops the connection, and /healthz answers meanwhile', async () => {
  const uploads = [0, 1, 2].map(() => stalledUpload('/codec/decode', EIGHT_MB, 64 * 1024));
  try {
    // The body is never completed: a server that waited for it to parse would never answer.
    const responses = await within(Promise.all(uploads.map((u) => u.response)), 20_000, 'response to the unauthenticated uploads');
    for (const r of responses) {
      expect(r.statusCode).toBe(401);
      expect(r.headers.connection).toBe('close');
    }
    // The server closes the socket instead of reading (or discarding) the remaining ~7.9 MB.
    await within(Promise.all(uploads.map((u) => u.socketClosed)), 20_000, 'close of the upload connections');
    const health = await fetch(`http://${base.host}:${base.port}/healthz`);
    expect(health.status).toBe(200);
  } finally {
    for (const u of uploads) u.abort();
  }
  expect(decode).not.toHaveBeenCalled();
});

test('/healthz answers while three unauthenticated uploads are still open', async () => {
  const uploads = [0, 1, 2].map(() => stalledUpload('/codec/decode', EIGHT_MB, 1024, bearer('not-a-known-token-0123456789')));
  try {
    const health = await within(fetch(`http://${base.host}:${base.port}/healthz`), 20_000, '/healthz');
    expect(health.status).toBe(200);
    const responses = await within(Promise.all(uploads.map((u) => u.response)), 20_000, 'response to the uploads');
    expect(responses.map((r) => r.statusCode)).toEqual([401, 401, 401]);
  } finally {
    for (const u of uploads) u.abort();
  }
});
