import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSmsProvider,
  Deduper,
  isRetryableStatus,
  parseRetryAfter,
  readOutbox,
  SmsConfigError,
  smsKey,
  withDedupe,
  type SendResult,
  type SmsMessage,
  type SmsProvider,
} from '../../src/adapters/sms';

const message: SmsMessage = {
  to: '+8613800138000',
  kind: 'survey',
  text: '请评分',
  idempotencyKey: smsKey('sr-a', 'survey', 1),
  requestId: 'sr-a',
};

describe('smsKey', () => {
  it('follows requestId:kind:seq', () => {
    expect(smsKey('sr-ext-9', 'visit_booked', 2)).toBe('sr-ext-9:visit_booked:2');
  });
});

describe('isRetryableStatus / parseRetryAfter', () => {
  it('retries 5xx and 429 only', () => {
    expect([500, 502, 503, 429].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 422].some(isRetryableStatus)).toBe(false);
  });
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Wed, 12 Jun 2024 06:00:10 GMT', Date.parse('2024-06-12T06:00:00Z'))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('createSmsProvider', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aftercare-sms-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds each provider from its settings', async () => {
    const file = join(dir, 'out.jsonl');
    const outbox = createSmsProvider({ provider: 'outbox', outboxFile: file });
    expect(outbox.name).toBe('outbox');
    await outbox.send(message);
    expect(await readOutbox(file)).toHaveLength(1);
    expect(createSmsProvider({ provider: 'webhook', webhookUrl: 'http://127.0.0.1:9/sms', webhookSecret: 's' }).name).toBe('webhook');
    expect(createSmsProvider({ provider: 'twilio', twilio: { accountSid: 'AC1', authToken: 't', messagingServiceSid: 'MG1' } }).name).toBe(
      'twilio',
    );
  });

  it('names what is missing', () => {
    expect(() => createSmsProvider({ provider: 'outbox' })).toThrow(/outboxFile/);
    expect(() => createSmsProvider({ provider: 'webhook', webhookUrl: 'http://x' })).toThrow("SMS provider 'webhook' needs webhookSecret");
    expect(() => createSmsProvider({ provider: 'webhook' })).toThrow('webhookUrl and webhookSecret');
    expect(() => createSmsProvider({ provider: 'webhook', webhookUrl: '::', webhookSecret: 's' })).toThrow(SmsConfigError);
    expect(() => createSmsProvider({ provider: 'twilio' })).toThrow(/twilio.accountSid, twilio.authToken/);
    expect(() => createSmsProvider({ provider: 'twilio', twilio: { accountSid: 'AC1', authToken: 't' } })).toThrow(
      /from or twilio.messagingServiceSid/,
    );
    expect(() => createSmsProvider({ provider: 'carrier-pigeon' as never })).toThrow(/unknown SMS provider 'carrier-pigeon'/);
  });
});

describe('withDedupe / Deduper', () => {
  function counting(fail = 0): SmsProvider & { calls: number } {
    const p = {
      name: 'fake',
      calls: 0,
      async send(): Promise<SendResult> {
        p.calls++;
        await new Promise((r) => setTimeout(r, 5));
        if (p.calls <= fail) throw new Error('down');
        return { status: 'sent', providerMessageId: `m${p.calls}` };
      },
    };
    return p;
  }

  it('sends a key once, also when sends race', async () => {
    const inner = counting();
    const sms = withDedupe(inner);
    const results = await Promise.all([sms.send(message), sms.send(message), sms.send(message)]);
    expect(results.map((r) => r.status)).toEqual(['sent', 'duplicate', 'duplicate']);
    expect(await sms.send(message)).toEqual({ status: 'duplicate' });
    expect(inner.calls).toBe(1);
    expect(sms.name).toBe('fake');
  });

  it('forgets nothing on failure: a failed key can be sent again', async () => {
    const inner = counting(1);
    const sms = withDedupe(inner);
    const [a, b] = await Promise.allSettled([sms.send(message), sms.send(message)]);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected'); // the racer shares the winner's outcome
    await expect(sms.send(message)).resolves.toMatchObject({ status: 'sent' });
    expect(inner.calls).toBe(2);
  });

  it('stays bounded, evicting the least recently used key', async () => {
    const d = new Deduper(2);
    const ok = async (): Promise<SendResult> => ({ status: 'sent' });
    await d.run('a', ok);
    await d.run('b', ok);
    await d.run('a', ok); // touch a
    await d.run('c', ok); // evicts b
    expect(d.has('a')).toBe(true);
    expect(d.has('b')).toBe(false);
    expect(d.has('c')).toBe(true);
  });
});
