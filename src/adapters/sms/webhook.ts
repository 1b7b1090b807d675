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
/** Receivers refuse a signature whose timestamp is further than this from their clock (replays). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

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
          [SIGNATURE_HEADER]: signWebhookBody(body, this.secret, timestamp),
          [TIMESTAMP_HEADER]: String(timestamp),
          [IDEMPOTENCY_HEADER]: msg.idempotencyKey,
        },
        body,
        // The signed body carries the customer's number and text: it goes to the configured receiver or nowhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text(); // read fully (within the timeout) so the connection can be reused
    } catch (err) {
      throw transportError(this.name, err);
    }

    if (res.status >= 300 && res.status < 400) {
      throw new SmsProviderError(`webhook receiver answered a redirect (HTTP ${res.status}); redirects are not followed`, {
        provider: this.name,
        retryable: false,
        status: res.status,
      });
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

/**
 * The X-Aftercare-Signature value for a raw body sent at `timestamp` (Unix seconds, also sent as
 * X-Aftercare-Timestamp): `t=<timestamp>,sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
 * The timestamp is inside the MAC, so a receiver can refuse replays (see `verifyWebhookSignature`).
 */
export function signWebhookBody(body: string | Buffer, secret: string, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error('webhook signature needs a Unix timestamp in seconds');
  return `t=${timestamp},sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export interface VerifyOptions {
  /** The receiver's clock (default Date.now()). */
  nowMs?: number;
  /** Largest accepted distance between the signed timestamp and now (default 300 s). */
  toleranceSeconds?: number;
  /** The X-Aftercare-Timestamp header, when the receiver has it: must equal the signed timestamp. */
  timestamp?: string | string[] | null;
}

/**
 * Receiver side: true when `header` signs exactly these raw body bytes (verify before parsing) at a timestamp
 * within five minutes of now. Constant-time compare; any malformed or missing header is simply false. Receivers
 * also remember Idempotency-Keys (answer 409 for a known one), so a replay inside the window does nothing twice.
 */
export function verifyWebhookSignature(
  body: string | Buffer,
  header: string | string[] | null | undefined,
  secret: string,
  opts: VerifyOptions = {},
): boolean {
  if (typeof header !== 'string' || !secret) return false;
  const m = /^t=(\d{1,15}),sha256=([0-9a-f]{64})$/.exec(header.trim().toLowerCase());
  if (!m) return false;
  const timestamp = Number(m[1]);
  if (opts.timestamp !== undefined && opts.timestamp !== null && (typeof opts.timestamp !== 'string' || opts.timestamp.trim() !== m[1]))
    return false;
  const nowSeconds = (opts.nowMs ?? Date.now()) / 1000;
  if (Math.abs(nowSeconds - timestamp) > (opts.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(signWebhookBody(body, secret, timestamp), 'utf8');
  const given = Buffer.from(header.trim().toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface SignedPostOptions {
  url: string;
  /** The exact JSON text to send (and sign). */
  body: string;
  secret: string;
  idempotencyKey: string;
  /** Names the receiver in errors ("call-centre webhook"). */
  what: string;
  /** Refuse plain http (production: the signed bodies carry customer data). */
  requireHttps?: boolean;
  /** Default 10 s. */
  timeoutMs?: number;
  now?: () => Date;
  fetch?: typeof fetch;
}

/**
 * POSTs a signed JSON body (X-Aftercare-Signature over timestamp and body, X-Aftercare-Timestamp,
 * Idempotency-Key) and returns the response, body read. Redirects are never followed: a 3xx is an error.
 */
export async function postSignedJson(o: SignedPostOptions): Promise<Response> {
  if (!o.secret) throw new Error(`${o.what} needs a signing secret`);
  const protocol = new URL(o.url).protocol;
  if (protocol !== 'https:' && (o.requireHttps || protocol !== 'http:')) throw new Error(`${o.what} must use https`);
  const timestamp = Math.floor((o.now?.() ?? new Date()).getTime() / 1000);
  const res = await (o.fetch ?? fetch)(o.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      [SIGNATURE_HEADER]: signWebhookBody(o.body, o.secret, timestamp),
      [TIMESTAMP_HEADER]: String(timestamp),
      [IDEMPOTENCY_HEADER]: o.idempotencyKey,
    },
    body: o.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
  });
  await res.arrayBuffer().catch(() => undefined); // drained, so the connection can be reused
  if (res.status >= 300 && res.status < 400)
    throw new Error(`${o.what} answered a redirect (HTTP ${res.status}); redirects are not followed`);
  return res;
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
