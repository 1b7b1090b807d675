/**
 * SMS behind one interface (docs/lifecycle.md, Messages sent). Activities get an `SmsProvider` from `createSmsProvider(config)` and
 * texts from `renderSms`; which gateway is behind it is configuration.
 */
import { AliyunSmsProvider } from './aliyun';
import { OutboxSmsProvider } from './outbox';
import { TwilioSmsProvider } from './twilio';
import type { SmsKind, SmsProvider } from './types';
import { WebhookSmsProvider } from './webhook';

export * from './types';
export { Deduper, withDedupe } from './dedupe';
export { OutboxSmsProvider, readOutbox, type OutboxLine, type OutboxOptions } from './outbox';
export {
  WebhookSmsProvider,
  signWebhookBody,
  verifyWebhookSignature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  IDEMPOTENCY_HEADER,
  type WebhookOptions,
  type WebhookPayload,
} from './webhook';
export { TwilioSmsProvider, TWILIO_IDEMPOTENCY_HEADER, type TwilioOptions } from './twilio';
export {
  AliyunSmsProvider,
  ALIYUN_SMS_DEFAULT_ENDPOINT,
  ALIYUN_ERROR_CODES,
  aliyunPhoneNumber,
  aliyunRpcSignature,
  isRetryableAliyunCode,
  type AliyunOptions,
} from './aliyun';
export {
  ALIYUN_TEMPLATE_PARAMS,
  DEFAULT_ALIYUN_PARAM_MAX_LENGTH,
  aliyunTemplateParams,
  aliyunTemplateProblems,
  AliyunParamError,
} from './aliyunTemplates';
export {
  renderSms,
  SmsTemplateError,
  DEFAULT_SMS_TIME_ZONE,
  type SmsLang,
  type SmsTime,
  type SmsVars,
  type SmsVarsByKind,
} from './templates';

export type SmsProviderName = 'outbox' | 'webhook' | 'twilio' | 'aliyun';

export interface SmsConfig {
  provider: SmsProviderName;
  outboxFile?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  twilio?: {
    accountSid: string;
    authToken: string;
    from?: string;
    messagingServiceSid?: string;
    baseUrl?: string;
  };
  aliyun?: {
    accessKeyId: string;
    accessKeySecret: string;
    signName: string;
    /** Message kind → template code (SMS_…), one for every kind. */
    templates: Partial<Record<SmsKind, string>>;
    endpoint?: string;
    /** Longest free-text template value; default 35. */
    paramMaxLength?: number;
  };
  /** Per-attempt HTTP timeout for webhook/twilio/aliyun; default 10 s. */
  timeoutMs?: number;
}

/** A configuration that cannot work; thrown at start-up so a misconfigured worker never starts polling. */
export class SmsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmsConfigError';
  }
}

export function createSmsProvider(cfg: SmsConfig): SmsProvider {
  switch (cfg.provider) {
    case 'outbox':
      if (!cfg.outboxFile) throw new SmsConfigError("SMS provider 'outbox' needs outboxFile (path of the JSON Lines file)");
      return new OutboxSmsProvider({ file: cfg.outboxFile });
    case 'webhook': {
      const missing = [!cfg.webhookUrl && 'webhookUrl', !cfg.webhookSecret && 'webhookSecret'].filter(Boolean);
      if (missing.length > 0) throw new SmsConfigError(`SMS provider 'webhook' needs ${missing.join(' and ')}`);
      return wrap(
        () => new WebhookSmsProvider({ url: cfg.webhookUrl as string, secret: cfg.webhookSecret as string, timeoutMs: cfg.timeoutMs }),
      );
    }
    case 'twilio': {
      const t = cfg.twilio;
      const missing = [!t?.accountSid && 'twilio.accountSid', !t?.authToken && 'twilio.authToken'].filter(Boolean);
      if (t && !t.from && !t.messagingServiceSid) missing.push('twilio.from or twilio.messagingServiceSid');
      if (!t || missing.length > 0) throw new SmsConfigError(`SMS provider 'twilio' needs ${missing.join(', ') || 'twilio settings'}`);
      return wrap(() => new TwilioSmsProvider({ ...t, timeoutMs: cfg.timeoutMs }));
    }
    case 'aliyun': {
      const a = cfg.aliyun;
      const missing = [
        !a?.accessKeyId && 'aliyun.accessKeyId',
        !a?.accessKeySecret && 'aliyun.accessKeySecret',
        !a?.signName && 'aliyun.signName',
        !a?.templates && 'aliyun.templates',
      ].filter(Boolean);
      if (!a || missing.length > 0) throw new SmsConfigError(`SMS provider 'aliyun' needs ${missing.join(', ')}`);
      return wrap(() => new AliyunSmsProvider({ ...a, timeoutMs: cfg.timeoutMs }));
    }
    default:
      throw new SmsConfigError(
        `unknown SMS provider '${String((cfg as { provider?: unknown }).provider)}' (outbox, webhook, twilio or aliyun)`,
      );
  }
}

/** Constructor validation (bad URL …) surfaces as a config error too. */
function wrap(build: () => SmsProvider): SmsProvider {
  try {
    return build();
  } catch (err) {
    throw new SmsConfigError(err instanceof Error ? err.message : String(err));
  }
}
