/**
 * SMS to the customer and technicians and pages to escalation contacts. Every message runs in the background,
 * never cancelled (a cancel, or a deadline met right after its warning, must not drop it), and the workflow
 * waits for all of them before it ends. A message that failed for good is reported to `onFailure` (an
 * `sms_failure` escalation); the request runs on.
 */
import { ActivityFailure, CancellationScope, isCancellation, patched } from '@temporalio/workflow';
import { MILESTONE_LABEL } from '../../src/domain/labels';
import type { CustomerSmsKind, EscalationNotice, SmsVars, TechnicianSmsKind } from '../../activities/contract';
import { pageFactKind, type SmsFact } from '../../src/domain/reporting';
import { countSmsUndelivered, type SmsRecipient } from '../metrics';
import { notifier } from '../proxies';
import { nowIso, type RequestRecord } from './record';

const DEFAULT_SMS_BUDGET_MS = 2 * 3600_000;

export interface FailedMessage {
  detail: string;
  /** false for a failed page: paging about it again would loop while the gateway is down. */
  pageOps: boolean;
}

export class Notifications {
  /** Set once the escalation piece exists (they depend on each other). */
  onFailure: (f: FailedMessage) => void = () => undefined;
  private readonly acts: ReturnType<typeof notifier>;
  private readonly pending: Promise<unknown>[] = [];
  private readonly smsSeq = new Map<string, number>();
  private noticeSeq = 0;
  /** Each message's fate once known (sent, or failed for good): the reporting database's SMS events. */
  readonly facts: SmsFact[] = [];

  constructor(
    private readonly record: RequestRecord,
    private readonly language: 'zh' | 'en',
    smsBudgetMs: number | undefined,
  ) {
    this.acts = notifier(smsBudgetMs ?? DEFAULT_SMS_BUDGET_MS);
  }

  customer(kind: CustomerSmsKind, vars: SmsVars, onSent?: () => void): void {
    const seq = this.nextSeq(kind);
    // Scheduled at once (no await before it): its command keeps its place among those of the same activation.
    const fact = { kind, to: 'customer', seq } as const;
    this.background(() => this.sendCustomer(kind, seq, vars).then(() => onSent?.()), `customer SMS ${kind}`, true, fact, [
      'customer',
      kind,
    ]);
  }

  /**
   * As `customer`, with variables that take an activity first (the status page link of a receipt): the message,
   * waited for like every other, goes once they are there.
   */
  customerWith(kind: CustomerSmsKind, vars: () => Promise<SmsVars>, onSent?: () => void): void {
    const seq = this.nextSeq(kind);
    const send = async () => this.sendCustomer(kind, seq, await vars());
    this.background(() => send().then(() => onSent?.()), `customer SMS ${kind}`, true, { kind, to: 'customer', seq }, ['customer', kind]);
  }

  private sendCustomer(kind: CustomerSmsKind, seq: number, vars: SmsVars): Promise<void> {
    const { phone } = this.record.input.request.customer;
    return this.acts.sendCustomerSms.executeWithOptions({ summary: `SMS to customer: ${kind.replace(/_/g, ' ')}` }, [
      { requestId: this.record.requestId, kind, seq, phone, language: this.language, vars: { ticketNo: this.record.ticket, ...vars } },
    ]);
  }

  technician(technicianId: string, kind: TechnicianSmsKind, vars: SmsVars): void {
    const seq = this.nextSeq(kind);
    const send = () =>
      this.acts.sendTechnicianSms.executeWithOptions({ summary: `SMS to technician: ${kind.replace(/^tech_/, '').replace(/_/g, ' ')}` }, [
        { requestId: this.record.requestId, kind, seq, technicianId, vars: { ticketNo: this.record.ticket, ...vars } },
      ]);
    this.background(send, `technician SMS ${kind}`, true, { kind, to: 'technician', seq }, ['technician', kind]);
  }

  page(n: Omit<EscalationNotice, 'requestId' | 'ticket' | 'seq'>): void {
    const seq = ++this.noticeSeq;
    const summary = `${n.kind === 'warning' ? 'Warning' : 'Escalation'} L${n.level} → ${n.contact.role}${n.milestone ? `: ${MILESTONE_LABEL[n.milestone]}` : ''}`;
    const send = () =>
      this.acts.notifyEscalation.executeWithOptions({ summary }, [
        { ...n, requestId: this.record.requestId, ticket: this.record.ticket, seq },
      ]);
    this.background(send, `${summary} (${n.kind})`, false, { kind: pageFactKind(n.kind, n.level), to: 'ops', seq }, ['escalation', n.kind]);
  }

  /** Work that goes on beside the main line (photo re-checks); waited for like the messages. */
  alongside(work: () => Promise<void>): void {
    this.pending.push(CancellationScope.nonCancellable(work));
  }

  /** Waits for every message, including failure pages queued meanwhile. */
  async drain(): Promise<void> {
    let done = 0;
    while (done < this.pending.length) {
      const upTo = this.pending.length;
      await Promise.all(this.pending.slice(done, upTo));
      // Before the patch the mark moved past messages queued during the wait (a failure's page): never awaited, the
      // workflow could end before scheduling them. Asked only when that happened, so other histories replay as they were.
      done = this.pending.length > upTo && patched('drain-queued-meanwhile') ? upTo : this.pending.length;
    }
  }

  private nextSeq(kind: string): number {
    const n = (this.smsSeq.get(kind) ?? 0) + 1;
    this.smsSeq.set(kind, n);
    return n;
  }

  /** `start` runs inside the non-cancellable scope: scheduled from the caller's scope it would be cancelled with it. */
  private background(
    start: () => Promise<unknown>,
    what: string,
    pageOps: boolean,
    fact: Omit<SmsFact, 'at' | 'ok'>,
    metric: [SmsRecipient, string],
  ): void {
    const guarded = CancellationScope.nonCancellable(() =>
      start().then(
        () => void this.facts.push({ ...fact, at: nowIso(), ok: true }),
        (err: unknown) => {
          if (isCancellation(err)) return;
          if (err instanceof ActivityFailure) {
            this.facts.push({ ...fact, at: nowIso(), ok: false });
            countSmsUndelivered(...metric);
            this.onFailure({ detail: `${what} failed: ${err.cause?.message ?? err.message}`, pageOps });
            return;
          }
          throw err;
        },
      ),
    );
    this.pending.push(guarded);
  }
}
