/**
 * Counts SMS outcomes per message kind with the activity's metric meter (exported by the worker runtime's
 * Prometheus endpoint, see ./worker.ts): wrap the provider the activities use.
 *   aftercare_sms_sent{kind,provider,status="sent"|"duplicate"}
 *   aftercare_sms_failed{kind,provider,retryable="true"|"false"}
 * Outside an activity (scripts, tests calling the provider directly) nothing is recorded.
 */
import { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import { SmsProviderError, type SendResult, type SmsMessage, type SmsProvider } from '../adapters/sms';

export const SMS_SENT_METRIC = 'aftercare_sms_sent';
export const SMS_FAILED_METRIC = 'aftercare_sms_failed';

function activityMeter(): MetricMeter | undefined {
  try {
    return Context.current().metricMeter;
  } catch {
    return undefined;
  }
}

export function withSmsMetrics(provider: SmsProvider, meter: () => MetricMeter | undefined = activityMeter): SmsProvider {
  return {
    name: provider.name,
    async send(msg: SmsMessage): Promise<SendResult> {
      const m = meter();
      try {
        const r = await provider.send(msg);
        m?.createCounter(SMS_SENT_METRIC, 'messages', 'SMS accepted by the provider, by kind').add(1, {
          kind: msg.kind,
          provider: provider.name,
          status: r.status,
        });
        return r;
      } catch (err) {
        const retryable = err instanceof SmsProviderError ? err.retryable : true;
        m?.createCounter(SMS_FAILED_METRIC, 'messages', 'SMS sends that failed, by kind').add(1, {
          kind: msg.kind,
          provider: provider.name,
          retryable: String(retryable),
        });
        throw err;
      }
    },
  };
}
