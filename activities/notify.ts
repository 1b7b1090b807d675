import { ApplicationFailure } from '@temporalio/activity';
import { renderSms, smsKey, SmsProviderError, type SmsKind, type SmsVars } from '../src/adapters/sms';
import { maskPhone } from '../src/logger';
import type { ServiceActivities } from './contract';
import type { ActivityDeps } from './deps';

/** Sends one SMS under its idempotency key; a provider's permanent refusal is not retried. */
export async function sendSms(
  deps: ActivityDeps,
  requestId: string,
  kind: SmsKind,
  seq: number | string,
  to: string,
  language: 'zh' | 'en',
  vars: Record<string, unknown>,
): Promise<void> {
  const idempotencyKey = smsKey(requestId, kind, seq);
  // Template providers (Aliyun) fill their own templates from the same variables.
  const merged = { timeZone: deps.timeZone, ...vars };
  let text: string;
  try {
    text = renderSms(kind, language, merged as unknown as SmsVars);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(`cannot render ${kind}: ${(err as Error).message}`, 'SmsTemplate');
  }
  try {
    const r = await deps.sms.send({ to, kind, text, idempotencyKey, requestId, vars: merged });
    deps.logger.info({ requestId, kind, to, idempotencyKey, status: r.status }, 'sms');
  } catch (err) {
    if (err instanceof SmsProviderError && !err.retryable) {
      throw ApplicationFailure.nonRetryable(`${deps.sms.name} refused ${kind} to ${maskPhone(to)}: ${err.message}`, 'SmsRejected');
    }
    throw err;
  }
}

async function technicianVars(deps: ActivityDeps, technicianId: unknown): Promise<Record<string, unknown>> {
  if (typeof technicianId !== 'string') return {};
  const t = await deps.directory.get(technicianId);
  if (!t) return {};
  return { technicianName: t.name, technicianNo: t.workNumber, technicianPhone: t.phone };
}

export function notifyActivities(deps: ActivityDeps): Pick<ServiceActivities, 'sendCustomerSms' | 'sendTechnicianSms'> {
  return {
    async sendCustomerSms({ requestId, kind, seq, phone, language, vars }) {
      await sendSms(deps, requestId, kind, seq, phone, language, { ...(await technicianVars(deps, vars.technicianId)), ...vars });
    },
    async sendTechnicianSms({ requestId, kind, seq, technicianId, vars }) {
      const t = await deps.directory.get(technicianId);
      if (!t) throw ApplicationFailure.nonRetryable(`technician ${technicianId} not in the directory`, 'UnknownTechnician');
      // Technicians read Chinese work orders; the ticket and product are what they act on.
      await sendSms(deps, requestId, kind, `${technicianId}:${seq}`, t.phone, 'zh', vars);
    },
  };
}
