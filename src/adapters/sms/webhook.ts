import { createHmac, timingSafeEqual } from 'node:crypto';
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

export const SIGNATURE_HEADER = 'X-Aftercare-Signature';
export const TIMESTAMP_HEADER = 'X-Aftercare-Timestamp';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** What the receiver gets as the JSON body. `timestamp` repeats the header inside the signed bytes. */
export interface WebhookPayload {
  to: string;
  kind: SmsMessage['kind'];
  text: string;
  idempotencyKey: string;
  requestId: string;
  /** Unix seconds of this attempt; equal to the X-Aftercare-Timestamp header. */
  timestamp: number;
}

export interface WebhookOptions {
  url: string;
  /** Shared HMAC secret; the receiver verifies with `verifyWebhookSignature`. */
  secret: string;
  /** Per-attempt limit, connect to last body byte. Default 10 s. */
  timeoutMs?: number;
  now?: () => Date;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * Hands each message to an HTTP receiver (a company SMS gateway, an ops bot, a test server).
 * The receiver is expected to dedupe by Idempotency-Key and answer 409 for a key it already has.
 */
export class WebhookSmsProvider implements SmsProvider {
  readonly name = 'webhook';
  private readonly url: string;
  private readonly secret: string;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  private readonly fetchImpl: typeof fetch;
  private readonly dedupe = new Deduper();

  constructor(opts: WebhookOptions) {
    let parsed: URL;
    try {
      parsed = new URL(opts.url);
    } catch {
      throw new Error('webhook SMS provider: url is not a valid URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('webhook SMS provider: url must be http(s)');
    if (!opts.secret) throw new Error('webhook SMS provider needs a signing secret');
    this.url = parsed.toString();
    this.secret = opts.secret;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.now = opts.now ?? (() => new Date());
    this.fetchImpl = opts.fetch ?? fetch;
  }

  async send(msg: SmsMessage): Promise<SendResult> {
    assertValidMessage(msg, this.name);
    return this.dedupe.run(msg.idempotencyKey, () => this.post(msg));
  }

  private async post(msg: SmsMessage): Promise<SendResult> {
    const timestamp = Math.floor(this.now().getTime() / 1000);
    const payload: WebhookPayload = {
      to: msg.to,
      kind: msg.kind,
      text: msg.text,
      idempotencyKey: msg.idempotencyKey,
      requestId: msg.requestId,
      timestamp,
    };
    const body = JSON.stringify(payload);
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          [SIGNATURE_HEADER]: signWebhookBody(body, this.secret),
          [TIMESTAMP_HEADER]: String(timestamp),
          [IDEMPOTENCY_HEADER]: msg.idempotencyKey,
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text(); // read fully (within the timeout) so the connection can be reused
    } catch (err) {
      throw transportError(this.name, err);
    }

    if (res.status === 409) return { status: 'duplicate' };
    if (res.ok) {
      const id = messageIdFrom(text);
      return id === undefined ? { status: 'sent' } : { status: 'sent', providerMessageId: id };
    }
    // The receiver's body is not echoed: it may quote the number or text back.
    throw new SmsProviderError(`webhook receiver answered HTTP ${res.status}`, {
      provider: this.name,
      retryable: isRetryableStatus(res.status),
      status: res.status,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    });
  }
}

/** `sha256=<hex HMAC-SHA256(body, secret)>` — the X-Aftercare-Signature value for a raw body. */
export function signWebhookBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Receiver side: true when `header` is the signature of exactly these raw body bytes (verify before parsing).
 * Constant-time compare; any malformed or missing header is simply false.
 */
export function verifyWebhookSignature(body: string | Buffer, header: string | string[] | null | undefined, secret: string): boolean {
  if (typeof header !== 'string' || !secret) return false;
  const expected = Buffer.from(signWebhookBody(body, secret), 'utf8');
  const given = Buffer.from(header.trim().toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Accepts `{ id }`, `{ messageId }` or `{ providerMessageId }` from the receiver; anything else is fine too. */
function messageIdFrom(text: string): string | undefined {
  if (!text) return undefined;
  try {
    const json = JSON.parse(text) as Record<string, unknown> | null;
    const id = json?.providerMessageId ?? json?.messageId ?? json?.id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}
