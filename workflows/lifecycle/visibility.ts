/**
 * What ops see without opening a request: search attributes (filters in the Temporal UI) and the UI's current
 * details. The main line moves the status through here.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { MILESTONE_LABEL } from '../../src/domain/labels';
import type { Status } from '../../src/domain/types';
import { SA } from '../../src/temporal/searchAttributes';
import type { Deadlines } from '../deadlines';
import type { RequestRecord } from './record';

export class Visibility {
  /** Told after each upsert: what ops filter on changed, so the reporting projection follows (projection.ts). */
  onChange: () => void = () => undefined;

  constructor(
    private readonly record: RequestRecord,
    private readonly deadlines: () => Deadlines | undefined,
  ) {}

  setStatus(status: Status): void {
    const d = this.record.data;
    if (d.status === status) return;
    d.status = status;
    this.record.log('status', status);
    this.upsert();
  }

  setScore(score: number): void {
    upsertSearchAttributes([{ key: SA.SatisfactionScore, value: score }]);
    this.refreshDetails();
    this.onChange();
  }

  upsert(): void {
    const d = this.record.data;
    const r = this.record.input.request;
    const all = this.deadlines()?.all ?? [];
    const breached = [...new Set(all.filter((x) => x.breachedAt).map((x) => x.milestone))];
    const technicianId = this.record.technicianId;
    upsertSearchAttributes([
      { key: SA.ServiceStatus, value: d.status },
      { key: SA.Urgency, value: r.urgency },
      { key: SA.RequestType, value: r.type },
      { key: SA.Channel, value: r.channel },
      { key: SA.EscalationLevel, value: d.escalationLevel },
      { key: SA.BreachedDeadlines, value: breached },
      ...(technicianId ? [{ key: SA.TechnicianId, value: technicianId }] : []),
    ]);
    this.refreshDetails();
    this.onChange();
  }

  /** The request's current details in the Temporal UI (no customer data). */
  refreshDetails(): void {
    const d = this.record.data;
    const r = this.record.input.request;
    const all = this.deadlines()?.all ?? [];
    const open = all.filter((x) => x.status === 'pending' || x.status === 'paused');
    const breached = all.filter((x) => x.breachedAt);
    const tech = this.record.technicianId;
    setCurrentDetails(
      [
        `**${this.record.ticket}** · ${r.type} · ${r.urgency}${r.vip ? ' · VIP' : ''} · **${d.status}**`,
        `Escalation level: ${d.escalationLevel}${tech ? ` · technician ${tech}` : ''}`,
        open.length
          ? `Open deadlines: ${open.map((x) => `${MILESTONE_LABEL[x.milestone]} due ${x.dueAt}${x.status === 'paused' ? ' (paused)' : ''}`).join('; ')}`
          : 'No open deadlines',
        breached.length
          ? `Breached: ${breached.map((x) => `${MILESTONE_LABEL[x.milestone]}${x.visit > 1 ? ` (visit ${x.visit})` : ''} at ${x.breachedAt}`).join('; ')}`
          : '',
        d.feedback ? `Score: ${d.feedback.score}/5` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
}
