import { Deduper } from './dedupe';
import {
  assertValidMessage,
  isRetryableStatus,
  parseRetryAfter,
  SmsProviderError,
  transportError,
  type SendResult,
  type SmsMessage,
  type SmsProvider,
} from './types';

export const TWILIO_IDEMPOTENCY_HEADER = 'I-Twilio-Idempotency-Token';

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** Sender number (E.164) or alphanumeric sender id; needed unless messagingServiceSid is set. */
  from?: string;
  /** Messaging Service (MG…); when set it is used instead of `from` and Twilio picks the sender. */
  messagingServiceSid?: string;
  /** Default https://api.twilio.com; tests point it at a local server. */
  baseUrl?: string;
  /** Optional delivery-status callback URL (Twilio's StatusCallback parameter). */
  statusCallback?: string;
  /** Per-attempt limit. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Twilio's documented error body (see twilio.com/docs/usage/twilios-response). */
interface TwilioErrorBody {
  code?: number;
  message?: string;
  more_info?: string;
  status?: number;
}

/**
 * Twilio Programmable Messaging over plain HTTP (Messages resource, API version 2010-04-01), no SDK:
 * POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP Basic auth.
 */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = 'twilio';
  private readonly endpoint: string;
  private readonly authorization: string;
  private readonly sender: ['MessagingServiceSid' | 'From', string];
  private readonly statusCallback?: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly dedupe = new Deduper();

  constructor(opts: TwilioOptions) {
    if (!opts.accountSid) throw new Error('twilio SMS provider needs accountSid');
    if (!opts.authToken) throw new Error('twilio SMS provider needs authToken');
    if (!opts.from && !opts.messagingServiceSid) throw new Error('twilio SMS provider needs from or messagingServiceSid');
    const base = (opts.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
    this.endpoint = `${base}/2010-04-01/Accounts/${encodeURIComponent(opts.accountSid)}/Messages.json`;
    this.authorization = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`, 'utf8').toString('base64')}`;
    this.sender = opts.messagingServiceSid ? ['MessagingServiceSid', opts.messagingServiceSid] : ['From', opts.from as string];
    if (opts.statusCallback) this.statusCallback = opts.statusCallback;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  /**
   * Local dedupe is best-effort (one process, bounded memory); across restarts and worker replicas the
   * idempotency header sent with every attempt is what stands between a retry and a second SMS.
   */
  async send(msg: SmsMessage): Promise<SendResult> {
    assertValidMessage(msg, this.name);
    return this.dedupe.run(msg.idempotencyKey, () => this.post(msg));
  }

  private async post(msg: SmsMessage): Promise<SendResult> {
    const form = new URLSearchParams();
    form.set('To', msg.to);
    form.set(this.sender[0], this.sender[1]);
    form.set('Body', msg.text);
    if (this.statusCallback) form.set('StatusCallback', this.statusCallback);

    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(this.endpoint, {
        method: 'POST',
        headers: {
          authorization: this.authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          [TWILIO_IDEMPOTENCY_HEADER]: msg.idempotencyKey,
        },
        body: form.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw transportError(this.name, err);
    }

    const json = parseJson(text);
    if (res.ok) {
      const sid = typeof json?.sid === 'string' ? json.sid : undefined;
      return sid === undefined ? { status: 'sent' } : { status: 'sent', providerMessageId: sid };
    }
    throw twilioError(res, json as TwilioErrorBody | undefined);
  }
}

function twilioError(res: Response, body: TwilioErrorBody | undefined): SmsProviderError {
  const code = typeof body?.code === 'number' ? body.code : undefined;
  const parts = [`twilio answered HTTP ${res.status}`];
  if (code !== undefined) parts.push(`code ${code}`);
  if (typeof body?.message === 'string') parts.push(scrubNumbers(body.message));
  if (typeof body?.more_info === 'string') parts.push(body.more_info);
  return new SmsProviderError(parts.join(': '), {
    provider: 'twilio',
    retryable: isRetryableStatus(res.status),
    status: res.status,
    ...(code !== undefined ? { code } : {}),
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
  });
}

/** Twilio quotes the number in some messages ("The 'To' number +86… is not valid"): keep it out of errors/logs. */
function scrubNumbers(text: string): string {
  return text.replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]');
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
