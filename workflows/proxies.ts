import { proxyActivities } from '@temporalio/workflow';
import type { ServiceActivities } from '../activities/contract';

/** Lookups and checks: quick, retried briefly; the lifecycle waits for them. */
// Every call is short (provider HTTP timeouts are 10 s); a tight start-to-close bounds how long a task
// held by a crashed worker waits before it is retried elsewhere.
export const acts = proxyActivities<ServiceActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});

/**
 * Notifications: retried with back-off for as long as the policy's SMS budget; they run beside the lifecycle
 * so a provider outage never holds a deadline back. Idempotency keys make every retry safe.
 */
export function notifier(budgetMs: number) {
  return proxyActivities<ServiceActivities>({
    startToCloseTimeout: '15s',
    scheduleToCloseTimeout: budgetMs,
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m', nonRetryableErrorTypes: ['SmsRejected'] },
  });
}
