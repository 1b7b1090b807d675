import { TwilioSmsProvider } from '../../src/adapters/sms/twilio';
import { SmsProviderError, type SmsMessage } from '../../src/adapters/sms/types';
import { json, startTestServer, type TestServer } from './sms-testServer';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'auth-token-xyz';

function msg(key = 'sr-ext-1:received:1'): SmsMessage {
  return {
    to: '+8613800138000',
    kind: 'received',
    text: '【Aftercare】您的服务单 SR-1 已受理 & 处理中',
    idempotencyKey: key,
    requestId: 'sr-ext-1',
  };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const created = { sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' };

describe('TwilioSmsProvider', () => {
  it('sends the documented Messages.json request', async () => {
    server = await startTestServer((_req, res) => json(res, 201, created));
    const twilio = new TwilioSmsProvider({ accountSid: SID, authToken: TOKEN, from: '+15005550006', baseUrl: `${server.url}/` });
    await expect(twilio.send(msg())).resolves.toEqual({ status: 'sent', providerMessageId: created.sid });

    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers['i-twilio-idempotency-token']).toBe('sr-ext-1:received:1');
    const form = new URLSearchParams(req.body);
    expect(Object.fromEntries(form)).toEqual({ To: '+8613800138000', From: '+15005550006', Body: msg().text });
  });

  it('uses the Messaging Service instead of From when configured', async () => {
    server = await startTestServer((_req, res) => json(res, 201, created));
    const twilio = new TwilioSmsProvider({
      accountSid: SID,
      authToken: TOKEN,
      from: '+15005550006',
      messagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
      baseUrl: server.url,
    });
    await twilio.send(msg());
    const form = new URLSearchParams(server.requests[0]!.body);
    expect(form.get('MessagingServiceSid')).toBe('MG0123456789abcdef0123456789abcdef');
    expect(form.has('From')).toBe(false);
  });

  it('maps a Twilio 400 error to a non-retryable error without echoing the number', async () => {
    server = await startTestServer((_req, res) =>
      json(res, 400, {
        code: 21211,
        message: "The 'To' number +8613800138000 is not a valid phone number.",
        more_info: 'https://www.twilio.com/docs/errors/21211',
        status: 400,
      }),
    );
    const twilio = new TwilioSmsProvider({ accountSid: SID, authToken: TOKEN, from: '+15005550006', baseUrl: server.url });
    const err = await twilio.send(msg()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmsProviderError);
    expect(err).toMatchObject({ provider: 'twilio', retryable: false, status: 400, code: 21211 });
    expect((err as Error).message).toContain('21211');
    expect((err as Error).message).not.toMatch(/13800138000/);
    expect((err as Error).message).not.toContain(TOKEN);
  });

  it('maps 429 and 5xx to retryable errors', async () => {
    let calls = 0;
    server = await startTestServer((_req, res) =>
      ++calls === 1
        ? json(res, 429, { code: 20429, message: 'Too Many Requests', status: 429 }, { 'retry-after': '2' })
        : json(res, 503, { message: 'Service Unavailable' }),
    );
    const twilio = new TwilioSmsProvider({ accountSid: SID, authToken: TOKEN, from: '+15005550006', baseUrl: server.url });
    await expect(twilio.send(msg())).rejects.toMatchObject({ retryable: true, status: 429, code: 20429, retryAfterMs: 2000 });
    await expect(twilio.send(msg())).rejects.toMatchObject({ retryable: true, status: 503 });
    expect(server.requests.map((r) => r.headers['i-twilio-idempotency-token'])).toEqual(['sr-ext-1:received:1', 'sr-ext-1:received:1']);
  });

  it('treats 401 (bad credentials) as final', async () => {
    server = await startTestServer((_req, res) => json(res, 401, { code: 20003, message: 'Authenticate', status: 401 }));
    const twilio = new TwilioSmsProvider({ accountSid: SID, authToken: 'wrong', from: '+15005550006', baseUrl: server.url });
    await expect(twilio.send(msg())).rejects.toMatchObject({ retryable: false, status: 401, code: 20003 });
  });

  it('drops a repeat of an accepted key locally', async () => {
    server = await startTestServer((_req, res) => json(res, 201, created));
    const twilio = new TwilioSmsProvider({ accountSid: SID, authToken: TOKEN, from: '+15005550006', baseUrl: server.url });
    const results = await Promise.all([twilio.send(msg()), twilio.send(msg()), twilio.send(msg('other:key:1'))]);
    expect(results.map((r) => r.status)).toEqual(['sent', 'duplicate', 'sent']);
    expect(server.requests).toHaveLength(2);
  });

  it('times out a silent API as retryable', async () => {
    server = await startTestServer(() => undefined);
    const twilio = new TwilioSmsProvider({ accountSid: SID, authToken: TOKEN, from: '+1', baseUrl: server.url, timeoutMs: 150 });
    await expect(twilio.send(msg())).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/timed out/) });
  });

  it('refuses incomplete configuration', () => {
    expect(() => new TwilioSmsProvider({ accountSid: '', authToken: TOKEN, from: '+1' })).toThrow(/accountSid/);
    expect(() => new TwilioSmsProvider({ accountSid: SID, authToken: '', from: '+1' })).toThrow(/authToken/);
    expect(() => new TwilioSmsProvider({ accountSid: SID, authToken: TOKEN })).toThrow(/from or messagingServiceSid/);
  });
});

describe('TwilioSmsProvider input checks', () => {
  it('rejects (not throws) a malformed number before any request, as final', async () => {
    const twilio = new TwilioSmsProvider({ accountSid: SID, authToken: TOKEN, from: '+15005550006', baseUrl: 'http://127.0.0.1:9' });
    const pending = twilio.send({ ...msg(), to: '138 0013 8000' });
    await expect(pending).rejects.toMatchObject({ name: 'SmsProviderError', retryable: false });
  });
});
