/** The codec server: protocol, auth (ops token, codec token, key in the URL), CORS for the Web UI, no payloads in logs. */
import { randomBytes } from 'node:crypto';
import { DefaultPayloadConverter } from '@temporalio/common';
import { codecRoutes } from '../../src/api/routes/codec';
import { AesGcmCodec, toJsonPayload, type JsonPayload } from '../../src/codec';
import { miniApp, type MiniApp } from './miniApp';
import { bearer, expectNoPii, PII, tokenStore, TOKENS } from './support';

const CODEC_TOKEN = 'codec-ui-key-0123456789abcdef';
const UI = 'http://localhost:8233';
const codec = new AesGcmCodec([{ id: 'k1', key: randomBytes(32) }]);
const converter = new DefaultPayloadConverter();
const customer = { name: PII.name, phone: '+8613912345678', address: PII.address };

let app: MiniApp;
beforeAll(async () => {
  app = await miniApp((a) => a.register(codecRoutes, { codec, codecTokens: [CODEC_TOKEN], namespaces: ['default'] }));
});
afterAll(async () => {
  await app?.close();
  expectNoPii(app?.logs ?? []);
});

async function encrypted(): Promise<JsonPayload[]> {
  const payloads = await codec.encode([converter.toPayload({ customer }), converter.toPayload('plain text')]);
  return payloads.map(toJsonPayload);
}

const decodeJson = (body: { payloads: JsonPayload[] }) =>
  body.payloads.map((p) =>
    converter.fromPayload({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
      data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
    }),
  );

describe('with the API token store', () => {
  let withTokens: MiniApp;
  beforeAll(async () => {
    withTokens = await miniApp((a) => a.register(codecRoutes, { codec, tokens: tokenStore(), codecTokens: [CODEC_TOKEN] }));
  });
  afterAll(async () => {
    await withTokens?.close();
  });

  test('ops decode; integrations and technicians may not; no token is 401', async () => {
    const payloads = await encrypted();
    const ok = await withTokens.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { ...bearer(TOKENS.ops), 'x-namespace': 'default' },
      payload: { payloads },
    });
    expect(ok.statusCode).toBe(200);
    expect(decodeJson(ok.json())).toEqual([{ customer }, 'plain text']);
    expect(ok.headers['cache-control']).toBe('no-store');
    for (const t of [TOKENS.integration, TOKENS.tech1]) {
      expect(
        (await withTokens.inject({ method: 'POST', url: '/codec/decode', headers: bearer(t), payload: { payloads } })).statusCode,
      ).toBe(403);
    }
    expect((await withTokens.inject({ method: 'POST', url: '/codec/decode', payload: { payloads } })).statusCode).toBe(401);
    expect(
      (await withTokens.inject({ method: 'POST', url: '/codec/decode', headers: bearer('not-a-token-at-all-xyz'), payload: { payloads } }))
        .statusCode,
    ).toBe(401);
  });
});

test('encode then decode through the endpoints (codec token in the header)', async () => {
  const plain = [toJsonPayload(converter.toPayload({ customer }))];
  const enc = await app.inject({ method: 'POST', url: '/codec/encode', headers: bearer(CODEC_TOKEN), payload: { payloads: plain } });
  expect(enc.statusCode).toBe(200);
  const encBody = enc.json() as { payloads: JsonPayload[] };
  expect(Buffer.from(encBody.payloads[0]!.metadata!.encoding!, 'base64').toString()).toBe('binary/encrypted');
  expect(JSON.stringify(encBody)).not.toContain(Buffer.from('8613912345678').toString('base64').slice(0, 12));
  const dec = await app.inject({ method: 'POST', url: '/codec/decode', headers: bearer(CODEC_TOKEN), payload: encBody });
  expect(decodeJson(dec.json())).toEqual([{ customer }]);
});

test('the key in the URL works for the Web UI; a wrong key is refused', async () => {
  const payloads = await encrypted();
  const ok = await app.inject({
    method: 'POST',
    url: `/codec/${CODEC_TOKEN}/decode`,
    headers: { origin: UI, 'x-namespace': 'default' },
    payload: { payloads },
  });
  expect(ok.statusCode).toBe(200);
  expect(ok.headers['access-control-allow-origin']).toBe(UI);
  expect(decodeJson(ok.json())[0]).toEqual({ customer });
  const wrong = await app.inject({
    method: 'POST',
    url: '/codec/wrong-key-0123456789abcdef/decode',
    headers: { origin: UI },
    payload: { payloads },
  });
  expect(wrong.statusCode).toBe(403);
  // CORS headers ride on errors too, so the UI can show why.
  expect(wrong.headers['access-control-allow-origin']).toBe(UI);
});

test('CORS preflight for the UI origin allows POST with X-Namespace, Authorization and Content-Type', async () => {
  for (const url of ['/codec/decode', `/codec/${CODEC_TOKEN}/decode`, '/codec/encode']) {
    const res = await app.inject({
      method: 'OPTIONS',
      url,
      headers: {
        origin: UI,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace,authorization',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(String(res.headers['access-control-allow-headers']).split(/,\s*/)).toEqual(
      expect.arrayContaining(['content-type', 'x-namespace', 'authorization']),
    );
    expect(res.headers['access-control-allow-credentials']).toBe('true');
  }
  const evil = await app.inject({
    method: 'OPTIONS',
    url: '/codec/decode',
    headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
  });
  expect(evil.statusCode).toBe(403);
  expect(evil.headers['access-control-allow-origin']).toBeUndefined();
});

test('bad input: not base64, tampered ciphertext, other namespace', async () => {
  const notB64 = await app.inject({
    method: 'POST',
    url: '/codec/decode',
    headers: bearer(CODEC_TOKEN),
    payload: { payloads: [{ metadata: { encoding: '***' }, data: 'x' }] },
  });
  expect(notB64.statusCode).toBe(400);
  const [p] = await encrypted();
  const data = Buffer.from(p!.data!, 'base64');
  data[20] = data[20]! ^ 1;
  const tampered = await app.inject({
    method: 'POST',
    url: '/codec/decode',
    headers: bearer(CODEC_TOKEN),
    payload: { payloads: [{ ...p, data: data.toString('base64') }] },
  });
  expect(tampered.statusCode).toBe(422);
  expect(tampered.json().error).toBe('codec_error');
  const otherNs = await app.inject({
    method: 'POST',
    url: '/codec/decode',
    headers: { ...bearer(CODEC_TOKEN), 'x-namespace': 'prod' },
    payload: { payloads: [] },
  });
  expect(otherNs.statusCode).toBe(403);
  const noBody = await app.inject({ method: 'POST', url: '/codec/decode', headers: bearer(CODEC_TOKEN), payload: {} });
  expect(noBody.statusCode).toBe(400);
});

test('calls are logged with who and how many, never the contents', async () => {
  const line = app.logs.find((l) => l.includes('"msg":"codec"'));
  expect(line).toBeDefined();
  expect(JSON.parse(line!)).toMatchObject({ op: expect.any(String), count: expect.any(Number), who: expect.any(String) });
});
