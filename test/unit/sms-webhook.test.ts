import { createHmac } from 'node:crypto';
import { signWebhookBody, verifyWebhookSignature, WebhookSmsProvider, type WebhookPayload } from '../../src/adapters/sms/webhook';
import { SmsProviderError, type SmsMessage } from '../../src/adapters/sms/types';
import { json, startTestServer, type TestServer } from './sms-testServer';

const SECRET = 'test-secret-不要外传';
const NOW = new Date('2024-06-12T06:00:00.000Z');

function msg(key = 'sr-ext-1:assigned:1'): SmsMessage {
  return {
    to: '+8613800138000',
    kind: 'assigned',
    text: '【Aftercare】工程师张伟（工号 T1024）为您服务。',
    idempotencyKey: key,
    requestId: 'sr-ext-1',
  };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function provider(url: string, timeoutMs?: number): WebhookSmsProvider {
  return new WebhookSmsProvider({ url: `${url}/sms`, secret: SECRET, now: () => NOW, timeoutMs });
}

describe('WebhookSmsProvider', () => {
  it('POSTs signed JSON that the receiver can verify', async () => {
    let verified: boolean | undefined;
    server = await startTestServer((req, res) => {
      verified = verifyWebhookSignature(req.body, req.headers['x-aftercare-signature'], SECRET, {
        timestamp: req.headers['x-aftercare-timestamp'],
        nowMs: NOW.getTime(),
      });
      json(res, 202, { id: 'gw-42' });
    });
    const result = await provider(server.url).send(msg());

    expect(result).toEqual({ status: 'sent', providerMessageId: 'gw-42' });
    expect(verified).toBe(true);
    const [req] = server.requests;
    expect(req).toBeDefined();
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/sms');
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
    expect(req!.headers['idempotency-key']).toBe('sr-ext-1:assigned:1');
    expect(req!.headers['x-aftercare-timestamp']).toBe(String(NOW.getTime() / 1000));
    expect(req!.headers['x-aftercare-signature']).toMatch(/^t=\d+,sha256=[0-9a-f]{64}$/);
    const body = JSON.parse(req!.body) as WebhookPayload;
    expect(body).toEqual({ ...msg(), timestamp: NOW.getTime() / 1000 });
  });

  it('treats 409 (key already known to the receiver) as duplicate', async () => {
    server = await startTestServer((_req, res) => json(res, 409, { error: 'duplicate' }));
    await expect(provider(server.url).send(msg())).resolves.toEqual({ status: 'duplicate' });
  });

  it('turns 500 into a retryable error, and the retry carries the same Idempotency-Key', async () => {
    let calls = 0;
    server = await startTestServer((_req, res) => (++calls === 1 ? json(res, 500, { error: 'boom' }) : json(res, 200, {})));
    const p = provider(server.url);
    const err = await p.send(msg()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmsProviderError);
    expect(err).toMatchObject({ provider: 'webhook', retryable: true, status: 500 });
    await expect(p.send(msg())).resolves.toEqual({ status: 'sent' });
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['sr-ext-1:assigned:1', 'sr-ext-1:assigned:1']);
  });

  it('classifies 4xx as final, 429 as retryable with Retry-After', async () => {
    server = await startTestServer((req, res) =>
      req.headers['idempotency-key'] === 'k:400' ? json(res, 400, { error: 'bad' }) : json(res, 429, {}, { 'retry-after': '7' }),
    );
    await expect(provider(server.url).send(msg('k:400'))).rejects.toMatchObject({ retryable: false, status: 400 });
    await expect(provider(server.url).send(msg('k:429'))).rejects.toMatchObject({ retryable: true, status: 429, retryAfterMs: 7000 });
  });

  it('times out a receiver that never answers (retryable)', async () => {
    server = await startTestServer(() => {
      /* hold the request open */
    });
    const err = await provider(server.url, 150)
      .send(msg())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SmsProviderError', retryable: true });
    expect((err as Error).message).toMatch(/timed out/);
  });

  it('reports an unreachable receiver as retryable', async () => {
    const gone = await startTestServer(() => undefined);
    await gone.close();
    await expect(provider(gone.url).send(msg())).rejects.toMatchObject({ retryable: true });
  });

  it('does not call the receiver again for a key it already accepted', async () => {
    server = await startTestServer((_req, res) => json(res, 200, {}));
    const p = provider(server.url);
    const results = await Promise.all([p.send(msg()), p.send(msg())]);
    expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'sent']);
    await expect(p.send(msg())).resolves.toEqual({ status: 'duplicate' });
    expect(server.requests).toHaveLength(1);
  });

  it('does not follow redirects: the signed body with customer data goes to the configured receiver or nowhere', async () => {
    const elsewhere = await startTestServer((_req, res) => json(res, 200, { id: 'stolen' }));
    try {
      server = await startTestServer((_req, res) => {
        res.writeHead(307, { location: `${elsewhere.url}/collect` });
        res.end();
      });
      const err = await provider(server.url)
        .send(msg())
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SmsProviderError);
      expect(err).toMatchObject({ retryable: false, status: 307 });
      expect((err as Error).message).toMatch(/redirect/);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('refuses bad configuration', () => {
    expect(() => new WebhookSmsProvider({ url: 'not a url', secret: 's' })).toThrow(/valid URL/);
    expect(() => new WebhookSmsProvider({ url: 'ftp://x', secret: 's' })).toThrow(/http/);
    expect(() => new WebhookSmsProvider({ url: 'http://x', secret: '' })).toThrow(/secret/);
  });
});

describe('verifyWebhookSignature', () => {
  const body = JSON.stringify({ hello: '世界' });
  const TS = 1_718_172_000;
  const sig = signWebhookBody(body, SECRET, TS);
  const at = (seconds: number) => ({ nowMs: seconds * 1000 });

  it('signs the timestamp with the body: t=<unix seconds>,sha256=<hex HMAC of "<t>.<body>">', () => {
    expect(sig).toBe(`t=${TS},sha256=${createHmac('sha256', SECRET).update(`${TS}.${body}`).digest('hex')}`);
  });

  it('accepts the exact body, as string or bytes, within five minutes of the timestamp', () => {
    expect(verifyWebhookSignature(body, sig, SECRET, at(TS))).toBe(true);
    expect(verifyWebhookSignature(Buffer.from(body, 'utf8'), sig, SECRET, at(TS + 299))).toBe(true);
    expect(verifyWebhookSignature(body, sig.toUpperCase().replace('T=', 't=').replace('SHA256=', 'sha256='), SECRET, at(TS - 60))).toBe(
      true,
    );
    expect(verifyWebhookSignature(body, sig, SECRET, { ...at(TS), timestamp: String(TS) })).toBe(true);
  });

  it('refuses replays: older than five minutes (or too far ahead), or a timestamp header that disagrees', () => {
    expect(verifyWebhookSignature(body, sig, SECRET, at(TS + 301))).toBe(false);
    expect(verifyWebhookSignature(body, sig, SECRET, at(TS - 301))).toBe(false);
    expect(verifyWebhookSignature(body, sig, SECRET, { ...at(TS), timestamp: String(TS + 1) })).toBe(false);
    // Moving the timestamp breaks the signature.
    const moved = sig.replace(`t=${TS}`, `t=${TS + 600}`);
    expect(verifyWebhookSignature(body, moved, SECRET, at(TS + 600))).toBe(false);
  });

  it('rejects a changed body, another secret, or a missing/malformed header', () => {
    expect(verifyWebhookSignature(`${body} `, sig, SECRET, at(TS))).toBe(false);
    expect(verifyWebhookSignature(body, sig, 'other', at(TS))).toBe(false);
    expect(verifyWebhookSignature(body, undefined, SECRET, at(TS))).toBe(false);
    expect(verifyWebhookSignature(body, 'sha256=abc', SECRET, at(TS))).toBe(false);
    expect(verifyWebhookSignature(body, sig.slice(sig.indexOf('sha256=')), SECRET, at(TS))).toBe(false);
    expect(verifyWebhookSignature(body, sig.slice(sig.indexOf('sha256=') + 'sha256='.length), SECRET, at(TS))).toBe(false);
    expect(verifyWebhookSignature(body, [sig], SECRET, at(TS))).toBe(false);
    expect(verifyWebhookSignature(body, sig, '', at(TS))).toBe(false);
  });
});
