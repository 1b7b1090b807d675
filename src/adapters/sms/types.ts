/**
 * The SMS port: what activities call, whatever provider sits behind it (docs/lifecycle.md, Messages sent).
 * Pure and free of Node built-ins, so a workflow may import `smsKey` and `SMS_KINDS` to derive keys itself.
 */

/** Every message the system sends (docs/lifecycle.md, Messages sent): customer, technician, escalation and ops messages. */
export const SMS_KINDS = [
  // to the customer
  'received',
  'assigned',
  'delay',
  'visit_booked',
  'visit_reminder',
  'completed',
  'survey',
  'revisit',
  'follow_up_apology',
  'cancelled',
  // to the customer, lifecycle 4: a chargeable repair's quote, spare parts
  'quote',
  'quote_reminder',
  'quote_declined',
  'parts_expected',
  'parts_delayed',
  'parts_arrived',
  // lifecycle 4: the completion SMS with the service report's link
  'completed_report',
  // to the customer, lifecycle 5: a return or exchange accepted or refused at intake, inspected, approved, settled
  'return_accepted',
  'return_refused',
  'return_inspected',
  'return_approved',
  'return_settled',
  // to the customer, lifecycle 5: a complaint's process (registered, analysed, the solution, implemented, closed)
  'complaint_registered',
  'complaint_analysed',
  'complaint_solution',
  'complaint_implemented',
  'complaint_closed',
  // to the technician
  'tech_assignment',
  'tech_visit_reminder',
  'tech_photo_reminder',
  // to escalation contacts / ops
  'escalation_warning',
  'escalation_breach',
  'ops_alert',
] as const;
export type SmsKind = (typeof SMS_KINDS)[number];

/** The SMS kinds of pages to escalation contacts (activities/escalate.ts), as against messages to customers and technicians. */
export const PAGE_SMS_KINDS = ['escalation_warning', 'escalation_breach', 'ops_alert'] as const satisfies readonly SmsKind[];

/** A page's SMS kind from its notice's kind: a warning, a breach, or any other alert. */
export const pageSmsKind = (noticeKind: string): (typeof PAGE_SMS_KINDS)[number] =>
  noticeKind === 'warning' ? 'escalation_warning' : noticeKind === 'breach' ? 'escalation_breach' : 'ops_alert';

export interface SmsMessage {
  /** E.164, e.g. +8613800138000. */
  to: string;
  kind: SmsKind;
  text: string;
  /** Same key ⇒ same message: retries of it must never reach the phone twice. See `smsKey`. */
  idempotencyKey: string;
  /** The service request (workflow id) this message belongs to; for tracing, never shown to providers as PII. */
  requestId: string;
  /**
   * The variables `text` was rendered from (what `renderSms` got, `timeZone` included). Providers that send
   * approved templates instead of free text (aliyun) build their template parameters from these; the others
   * ignore them. Contains PII like `text`: never log it.
   */
  vars?: Record<string, unknown>;
}

export interface SendResult {
  /** 'duplicate': this key was sent before (locally known or the provider said so); nothing new went out. */
  status: 'sent' | 'duplicate';
  providerMessageId?: string;
}

export interface SmsProvider {
  readonly name: string;
  /** Resolves once the provider has accepted the message; throws `SmsProviderError` otherwise. */
  send(msg: SmsMessage): Promise<SendResult>;
}

export interface SmsProviderErrorOptions {
  provider: string;
  retryable: boolean;
  /** HTTP status, when there was a response. */
  status?: number;
  /** Provider error code (e.g. Twilio 21211). */
  code?: string | number;
  /** Server-advised wait (Retry-After), so the caller's back-off can honour it. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * A send that did not go through. `retryable` tells the activity whether another attempt can help
 * (5xx, 429, network, timeout) or whether the request itself is wrong (other 4xx, bad config, bad number).
 * Messages never carry the phone number or text.
 */
export class SmsProviderError extends Error {
  readonly provider: string;
  readonly retryable: boolean;
  readonly status?: number;
  readonly code?: string | number;
  readonly retryAfterMs?: number;

  constructor(message: string, opts: SmsProviderErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SmsProviderError';
    this.provider = opts.provider;
    this.retryable = opts.retryable;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.code !== undefined) this.code = opts.code;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

/** 4xx other than 429 means "this request will never work"; everything else may pass on a later try. */
export function isRetryableStatus(status: number): boolean {
  if (status === 429) return true;
  return !(status >= 400 && status < 500);
}

/** The idempotency key convention: one key per (request, kind, sequence number within that kind). */
export function smsKey(requestId: string, kind: SmsKind, seq: number | string): string {
  return `${requestId}:${kind}:${seq}`;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_KEY_LENGTH = 255;

/**
 * Rejects a malformed message before any I/O: such a message can never succeed, so the error is non-retryable.
 * Shared by all providers so they fail the same way.
 */
export function assertValidMessage(msg: SmsMessage, provider: string): void {
  const problems: string[] = [];
  if (typeof msg.to !== 'string' || !E164.test(msg.to)) problems.push('to must be an E.164 number');
  if (!(SMS_KINDS as readonly string[]).includes(msg.kind)) problems.push(`unknown kind ${String(msg.kind)}`);
  if (typeof msg.text !== 'string' || msg.text.trim() === '') problems.push('text must not be empty');
  if (typeof msg.idempotencyKey !== 'string' || msg.idempotencyKey === '' || msg.idempotencyKey.length > MAX_KEY_LENGTH)
    problems.push(`idempotencyKey must be 1..${MAX_KEY_LENGTH} characters`);
  if (typeof msg.requestId !== 'string' || msg.requestId === '') problems.push('requestId must not be empty');
  if (problems.length > 0) {
    throw new SmsProviderError(`invalid SMS message: ${problems.join('; ')}`, { provider, retryable: false });
  }
}

/** Parses a Retry-After header (seconds or HTTP date) into ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Wraps a failure that happened before any HTTP status arrived (DNS, refused connection, reset, timeout).
 * Always retryable: the provider may or may not have acted, and the idempotency key makes a retry safe.
 */
export function transportError(provider: string, err: unknown): SmsProviderError {
  // Duck-typed: the DOMException from AbortSignal.timeout may come from another realm (vm, jest), failing instanceof.
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  const what = name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : 'could not be reached';
  return new SmsProviderError(`${provider} ${what}`, { provider, retryable: true, cause: err });
}
