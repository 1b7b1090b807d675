/**
 * SMS behind one interface (SPEC §6). Activities get an `SmsProvider` from `createSmsProvider(config)` and
 * texts from `renderSms`; which gateway is behind it is configuration.
 */
import { OutboxSmsProvider } from './outbox';
import { TwilioSmsProvider } from './twilio';
import type { SmsProvider } from './types';
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
  renderSms,
  SmsTemplateError,
  DEFAULT_SMS_TIME_ZONE,
  type SmsLang,
  type SmsTime,
  type SmsVars,
  type SmsVarsByKind,
} from './templates';

export type SmsProviderName = 'outbox' | 'webhook' | 'twilio';

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
  /** Per-attempt HTTP timeout for webhook/twilio; default 10 s. */
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
      return wrap(() => new WebhookSmsProvider({ url: cfg.webhookUrl as string, secret: cfg.webhookSecret as string, timeoutMs: cfg.timeoutMs }));
    }
    case 'twilio': {
      const t = cfg.twilio;
      const missing = [!t?.accountSid && 'twilio.accountSid', !t?.authToken && 'twilio.authToken'].filter(Boolean);
      if (t && !t.from && !t.messagingServiceSid) missing.push('twilio.from or twilio.messagingServiceSid');
      if (!t || missing.length > 0) throw new SmsConfigError(`SMS provider 'twilio' needs ${missing.join(', ') || 'twilio settings'}`);
      return wrap(() => new TwilioSmsProvider({ ...t, timeoutMs: cfg.timeoutMs }));
    }
    default:
      throw new SmsConfigError(`unknown SMS provider '${String((cfg as { provider?: unknown }).provider)}' (outbox, webhook or twilio)`);
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
