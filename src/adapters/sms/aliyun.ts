/**
 * Aliyun SMS (Dysmsapi `SendSms`, API version 2017-05-25) for deployments in mainland China.
 *
 * Plain HTTP with the documented RPC signature (v1: HMAC-SHA1 over the canonicalised parameters), no SDK:
 * the official `@alicloud/dysmsapi20170525` (4.x) has no install scripts, but its declared tree is ~25 packages
 * (openapi-core, credentials, gateway-pop, the darabonba runtime with lodash, moment(-timezone), ws, xml2js,
 * three proxy agents, an @types/node@12 …) for one signed POST, and it retries on its own, which Aliyun advises
 * turning off for SendSms (the activity's retry policy is the one retry loop here). The signing is ~15 lines,
 * pinned to Aliyun's published examples in test/unit/sms-aliyun.test.ts. Like the Twilio adapter, the endpoint is
 * configurable so tests (and a regional endpoint) can stand in.
 *
 * Idempotency: SendSms has none (Aliyun: "implement your own idempotence controls"). As for the other providers,
 * a key already sent, or being sent, in this process is dropped locally; the key also goes out as `OutId`, which
 * Aliyun returns in delivery receipts and QuerySendDetails, so a suspected duplicate can be traced. A retry after
 * a timeout in which Aliyun did accept the message can still send it twice: the price of a message that is
 * never lost.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { aliyunTemplateParams, aliyunTemplateProblems, AliyunParamError, DEFAULT_ALIYUN_PARAM_MAX_LENGTH } from './aliyunTemplates';
import { Deduper } from './dedupe';
import {
  assertValidMessage,
  isRetryableStatus,
  parseRetryAfter,
  SmsProviderError,
  transportError,
  type SendResult,
  type SmsKind,
  type SmsMessage,
  type SmsProvider,
} from './types';

export const ALIYUN_SMS_DEFAULT_ENDPOINT = 'https://dysmsapi.aliyuncs.com';
export const ALIYUN_SMS_API_VERSION = '2017-05-25';

export interface AliyunOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** The registered signature (签名名称), without 【】: Aliyun adds them. */
  signName: string;
  /** Message kind → approved template code (SMS_…); every kind must have one. */
  templates: Partial<Record<SmsKind, string>>;
  /** Default https://dysmsapi.aliyuncs.com; tests point it at a local server. */
  endpoint?: string;
  /** RPC RegionId; default cn-hangzhou (Dysmsapi's region for mainland China). */
  regionId?: string;
  /** Longest free-text template value; default 35 (see aliyunTemplates.ts). */
  paramMaxLength?: number;
  /** Per-attempt limit. Default 10 s (Aliyun advises at least 1 s for SendSms). */
  timeoutMs?: number;
  now?: () => Date;
  /** SignatureNonce source; default a random UUID per attempt. */
  nonce?: () => string;
  fetch?: typeof fetch;
}

/** Aliyun's documented answer: `{ Code, Message, RequestId, BizId }`; gateway errors add HostId and Recommend. */
interface AliyunResponse {
  Code?: string;
  Message?: string;
  RequestId?: string;
  BizId?: string;
}

/**
 * Error codes whose meaning is known (Aliyun SMS error-code reference and the RPC gateway's common errors):
 * true = another attempt may pass. Codes not listed fall back to their prefix (isv.* = the request or account is
 * wrong → final; isp.* = Aliyun's side → retry; Throttling* → retry), then to the HTTP status.
 */
export const ALIYUN_ERROR_CODES: Readonly<Record<string, boolean>> = {
  // retry: flow control (per number per minute/hour/day), throttling, Aliyun-side faults
  'isv.BUSINESS_LIMIT_CONTROL': true,
  'isp.SYSTEM_ERROR': true,
  Throttling: true,
  'Throttling.User': true,
  'Throttling.Api': true,
  ServiceUnavailable: true,
  InternalError: true,
  SignatureNonceUsed: true, // every attempt has a fresh nonce
  // final: the message itself
  'isv.MOBILE_NUMBER_ILLEGAL': false,
  'isv.MOBILE_COUNT_OVER_LIMIT': false,
  'isv.TEMPLATE_MISSING_PARAMETERS': false,
  'isv.TEMPLATE_PARAMS_ILLEGAL': false,
  'isv.INVALID_JSON_PARAM': false,
  'isv.INVALID_PARAMETERS': false,
  'isv.PARAM_LENGTH_LIMIT': false,
  'isv.PARAM_NOT_SUPPORT_URL': false,
  'isv.BLACK_KEY_CONTROL_LIMIT': false,
  // final: configuration or account (an operator has to act; the activity records an sms_failure)
  'isv.SMS_TEMPLATE_ILLEGAL': false,
  'isv.SMS_SIGNATURE_ILLEGAL': false,
  'isv.DAY_LIMIT_CONTROL': false,
  'isv.AMOUNT_NOT_ENOUGH': false,
  'isv.OUT_OF_SERVICE': false,
  'isv.PRODUCT_UN_SUBSCRIPT': false,
  'isv.PRODUCT_UNSUBSCRIBE': false,
  'isv.ACCOUNT_NOT_EXISTS': false,
  'isv.ACCOUNT_ABNORMAL': false,
  'isp.RAM_PERMISSION_DENY': false,
  'InvalidAccessKeyId.NotFound': false,
  'InvalidAccessKeyId.Inactive': false,
  SignatureDoesNotMatch: false,
  IncompleteSignature: false,
  'InvalidTimeStamp.Expired': false, // the worker's clock is off by more than 15 min
  'InvalidTimeStamp.Format': false,
  MissingParameter: false,
  InvalidVersion: false,
  'InvalidAction.NotFound': false,
  'Forbidden.RAM': false,
};

/** Whether an Aliyun refusal may pass on another attempt; see ALIYUN_ERROR_CODES. */
export function isRetryableAliyunCode(code: string | undefined, status: number): boolean {
  if (code !== undefined && code !== '') {
    const known = ALIYUN_ERROR_CODES[code];
    if (known !== undefined) return known;
    if (code.startsWith('Throttling')) return true;
    if (code.startsWith('isv.')) return false;
    if (code.startsWith('isp.')) return true;
  }
  return isRetryableStatus(status);
}

/**
 * RFC 3986 percent-encoding as Aliyun's RPC signature defines it: UTF-8, everything but A–Z a–z 0–9 - _ . ~
 * encoded, upper-case hex (so space → %20, * → %2A, ~ stays).
 */
export function aliyunPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Parameters sorted by name (code-unit order), each `enc(name)=enc(value)`, joined with &. */
export function aliyunCanonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(params[k] as string)}`)
    .join('&');
}

/** Signature v1: Base64(HMAC-SHA1(secret + "&", METHOD & enc("/") & enc(canonical query))). */
export function aliyunRpcSignature(method: 'GET' | 'POST', params: Readonly<Record<string, string>>, accessKeySecret: string): string {
  const stringToSign = `${method}&${aliyunPercentEncode('/')}&${aliyunPercentEncode(aliyunCanonicalQuery(params))}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/**
 * E.164 → SendSms PhoneNumbers: mainland numbers as the 11-digit mobile number without +86, others as
 * country code + number without "+" (Aliyun's international format, e.g. 85291234567).
 * Throws a non-retryable error for a +86 number that is not a mainland mobile (Aliyun sends to mobiles only).
 */
export function aliyunPhoneNumber(e164: string): string {
  // E.164 country codes are prefix-free: nothing else starts with 86.
  if (e164.startsWith('+86')) {
    const national = e164.slice(3);
    if (!/^1\d{10}$/.test(national)) {
      throw new SmsProviderError('aliyun: a +86 number must be an 11-digit mainland mobile number', {
        provider: 'aliyun',
        retryable: false,
      });
    }
    return national;
  }
  return e164.replace(/^\+/, '');
}

export class AliyunSmsProvider implements SmsProvider {
  readonly name = 'aliyun';
  private readonly url: string;
  private readonly accessKeyId: string;
  private readonly accessKeySecret: string;
  private readonly signName: string;
  private readonly templates: Record<SmsKind, string>;
  private readonly regionId: string;
  private readonly paramMaxLength: number;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  private readonly nonce: () => string;
  private readonly fetchImpl: typeof fetch;
  private readonly dedupe = new Deduper();

  constructor(opts: AliyunOptions) {
    const missing = [
      !opts.accessKeyId && 'accessKeyId',
      !opts.accessKeySecret && 'accessKeySecret',
      !opts.signName?.trim() && 'signName',
    ].filter(Boolean);
    if (missing.length > 0) throw new Error(`aliyun SMS provider needs ${missing.join(', ')}`);
    const problems = aliyunTemplateProblems(opts.templates);
    if (problems.length > 0) throw new Error(`aliyun SMS provider templates: ${problems.join('; ')}`);
    let endpoint: URL;
    try {
      endpoint = new URL(opts.endpoint ?? ALIYUN_SMS_DEFAULT_ENDPOINT);
    } catch {
      throw new Error('aliyun SMS provider: endpoint is not a valid URL');
    }
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw new Error('aliyun SMS provider: endpoint must be http(s)');
    // RPC APIs live at "/", which is also what the signature covers.
    this.url = `${endpoint.origin}/`;
    this.accessKeyId = opts.accessKeyId;
    this.accessKeySecret = opts.accessKeySecret;
    this.signName = opts.signName.trim();
    this.templates = { ...opts.templates } as Record<SmsKind, string>;
    this.regionId = opts.regionId ?? 'cn-hangzhou';
    this.paramMaxLength = opts.paramMaxLength ?? DEFAULT_ALIYUN_PARAM_MAX_LENGTH;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.now = opts.now ?? (() => new Date());
    this.nonce = opts.nonce ?? randomUUID;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  async send(msg: SmsMessage): Promise<SendResult> {
    assertValidMessage(msg, this.name);
    // Built before the dedupe slot is taken: a message that can never be sent fails the same way every time.
    const business = this.businessParams(msg);
    return this.dedupe.run(msg.idempotencyKey, () => this.post(business));
  }

  /** The SendSms parameters of one message (everything but the per-attempt signature parameters). */
  private businessParams(msg: SmsMessage): Record<string, string> {
    if (msg.vars === undefined || msg.vars === null || typeof msg.vars !== 'object') {
      throw new SmsProviderError(`aliyun sends approved templates and needs the template variables of '${msg.kind}' (SmsMessage.vars)`, {
        provider: this.name,
        retryable: false,
      });
    }
    let params: Record<string, string>;
    try {
      params = aliyunTemplateParams(msg.kind, msg.vars, { maxLength: this.paramMaxLength });
    } catch (err) {
      if (!(err instanceof AliyunParamError)) throw err;
      throw new SmsProviderError(err.message, { provider: this.name, retryable: false, cause: err });
    }
    return {
      PhoneNumbers: aliyunPhoneNumber(msg.to),
      SignName: this.signName,
      TemplateCode: this.templates[msg.kind],
      TemplateParam: JSON.stringify(params),
      OutId: msg.idempotencyKey,
    };
  }

  private async post(business: Record<string, string>): Promise<SendResult> {
    const params: Record<string, string> = {
      AccessKeyId: this.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      RegionId: this.regionId,
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: this.nonce(),
      SignatureVersion: '1.0',
      Timestamp: this.now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      Version: ALIYUN_SMS_API_VERSION,
      ...business,
    };
    const signature = aliyunRpcSignature('POST', params, this.accessKeySecret);
    // POST with a form body (not the documented GET query) keeps numbers and names out of URLs and access logs.
    const body = `${aliyunCanonicalQuery(params)}&Signature=${aliyunPercentEncode(signature)}`;

    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw transportError(this.name, err);
    }

    const json = parseJson(text);
    if (res.ok && json?.Code === 'OK') {
      return typeof json.BizId === 'string' && json.BizId !== '' ? { status: 'sent', providerMessageId: json.BizId } : { status: 'sent' };
    }
    throw aliyunError(res, json);
  }
}

function aliyunError(res: Response, body: AliyunResponse | undefined): SmsProviderError {
  const code = typeof body?.Code === 'string' && body.Code !== '' ? body.Code : undefined;
  const parts = [`aliyun answered HTTP ${res.status}`];
  if (code !== undefined) parts.push(`code ${code}`);
  else if (res.ok) parts.push('an unreadable body'); // may or may not have been sent: retryable, as a timeout
  if (typeof body?.Message === 'string' && body.Message !== '') parts.push(scrub(body.Message));
  if (typeof body?.RequestId === 'string') parts.push(`RequestId ${body.RequestId}`);
  return new SmsProviderError(parts.join(': '), {
    provider: 'aliyun',
    retryable: isRetryableAliyunCode(code, res.status),
    status: res.status,
    ...(code !== undefined ? { code } : {}),
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
  });
}

/**
 * Keeps Aliyun's explanation, not the data: SignatureDoesNotMatch quotes the whole string to sign (numbers,
 * names, addresses), and some messages quote the number.
 */
function scrub(message: string): string {
  const cut = message.split(/(?:server )?string to sign/i)[0] ?? '';
  const clean = cut
    .replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > 160 ? `${clean.slice(0, 159)}…` : clean;
}

function parseJson(text: string): AliyunResponse | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' ? (v as AliyunResponse) : undefined;
  } catch {
    return undefined;
  }
}
