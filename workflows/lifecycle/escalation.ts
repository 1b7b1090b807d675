/**
 * Escalation (服务事件升级): levels 0 → 1 dispatch lead → 2 supervisor / technical support → 3 centre manager.
 * `raiseBy` moves up from the current level (a broken deadline: one level), `raiseTo` makes sure of a level
 * (no candidate: 1; an unresolved visit: 2, the second: 3). Each raise is recorded and pages that level's
 * contact; warnings go to the contact who would be paged if the deadline broke.
 */
import type { EscalationLevel } from '../../src/domain/types';
import type { EscalationContact, ResolvedPolicy } from '../../src/domain/policyTypes';
import type { DeadlineState } from '../deadlines';
import type { Notifications } from './notifications';
import { nowIso, type Escalation as EscalationEntry, type RequestRecord } from './record';
import type { Visibility } from './visibility';

export type Raise = Pick<EscalationEntry, 'reason' | 'deadlineId' | 'milestone' | 'lateByMs' | 'detail'> & {
  dueAt?: string;
  /** false: record only (the page about a failed page must not loop while the gateway is down). */
  notify?: boolean;
  /** Page this contact instead of the level's (late parts: the warehouse). */
  contact?: EscalationContact;
};

const clamp = (n: number): EscalationLevel => Math.min(3, Math.max(0, n)) as EscalationLevel;

export class Escalation {
  constructor(
    private readonly record: RequestRecord,
    private readonly policy: ResolvedPolicy,
    private readonly visibility: Visibility,
    private readonly notify: Notifications,
  ) {}

  raiseBy(levels: number, e: Raise): void {
    this.raise(clamp(this.record.data.escalationLevel + levels), e);
  }

  raiseTo(level: EscalationLevel, e: Raise): void {
    this.raise(clamp(Math.max(this.record.data.escalationLevel, level)), e);
  }

  breach(d: DeadlineState): void {
    this.raiseBy(1, { reason: 'breach', deadlineId: d.id, milestone: d.milestone, lateByMs: d.lateByMs, dueAt: d.dueAt });
  }

  warn(d: DeadlineState): void {
    const level = clamp(this.record.data.escalationLevel + 1);
    const contact = this.policy.escalation.find((c) => c.level === level);
    this.record.log('warning', `${d.id} due ${d.dueAt}`);
    if (contact) this.notify.page({ level, kind: 'warning', contact, milestone: d.milestone, dueAt: d.dueAt });
  }

  private raise(level: EscalationLevel, e: Raise): void {
    const data = this.record.data;
    const contact = e.contact ?? this.policy.escalation.find((c) => c.level === Math.max(level, 1));
    data.escalationLevel = level;
    data.escalations.push({
      at: nowIso(),
      level,
      reason: e.reason,
      deadlineId: e.deadlineId,
      milestone: e.milestone,
      lateByMs: e.lateByMs,
      contactRole: contact?.role,
      detail: e.detail,
    });
    this.record.log('escalated', `level ${level}: ${e.reason}${e.milestone ? ` (${e.milestone})` : ''}${e.detail ? ` — ${e.detail}` : ''}`);
    this.visibility.upsert();
    if (contact && e.notify !== false) {
      this.notify.page({ level, kind: e.reason, contact, milestone: e.milestone, dueAt: e.dueAt, lateByMs: e.lateByMs, detail: e.detail });
    }
  }
}
