import type { ServiceActivities } from './contract';
import type { ActivityDeps } from './deps';
import { pageSmsKind } from '../src/adapters/sms';
import { sendSms } from './notify';

/** Pages the escalation contact (docs/lifecycle.md, Warnings and escalation): SMS, plus their webhook when they have one. */
export function escalateActivities(deps: ActivityDeps): Pick<ServiceActivities, 'notifyEscalation'> {
  return {
    async notifyEscalation(n) {
      const kind = pageSmsKind(n.kind);
      const vars =
        kind === 'escalation_warning'
          ? { ticketNo: n.ticket, milestone: n.milestone, dueAt: n.dueAt }
          : kind === 'escalation_breach'
            ? { ticketNo: n.ticket, milestone: n.milestone, level: Math.max(1, n.level), overdueMs: n.lateByMs ?? 0 }
            : { ticketNo: n.ticket, summary: `${n.ticket} L${n.level} ${n.kind}${n.detail ? `: ${n.detail}` : ''}` };
      const seq = `L${n.level}:${n.seq}`;
      await sendSms(deps, n.requestId, kind, seq, n.contact.phone, 'zh', vars);
      if (n.contact.webhookUrl && deps.postWebhook) {
        await deps.postWebhook(
          n.contact.webhookUrl,
          { type: kind, ...n, contact: { role: n.contact.role, level: n.contact.level } },
          `${n.requestId}:${kind}:${seq}`,
        );
      }
    },
  };
}
