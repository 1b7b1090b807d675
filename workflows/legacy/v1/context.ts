/**
 * Lifecycle version 1, frozen: runs the requests started before lifecycle versions were recorded, unchanged so
 * that their histories replay (test/histories/v1). Delete with the rest of workflows/legacy/v1 once no such
 * request is open (README: "Deploying a new lifecycle").
 *
 * A request's state and the bookkeeping every step shares: timeline, status with search attributes and UI
 * details, policy look-ups, escalation and notifications. Workflow-safe; I/O happens only in activities.
 */
import {
  ActivityFailure,
  CancellationScope,
  isCancellation,
  log as wfLog,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CalendarSpec, ResolvedPolicy, Span, TypeOverride } from '../../../src/domain/policyTypes';
import type { EscalationLevel, Milestone, Status, Urgency } from '../../../src/domain/types';
import { ticketNumber } from '../../../src/temporal/ids';
import { SA } from '../../../src/temporal/searchAttributes';
import type { CandidateSummary, CustomerSmsKind, EscalationNotice, SmsVars, TechnicianSmsKind } from '../../../activities/contract';
import { MILESTONE_LABEL } from '../../../src/domain/labels';
import type { DeadlineState, Deadlines } from '../../deadlines';
import { countDeadlineBreach, countDeadlineWarning } from '../../metrics';
import type { ServiceRequestStart } from '../../messages';
import type { AssignmentRecord, EscalationRecord, Outcome, ServiceRequestState } from './state';
import { notifier } from '../../proxies';

const STRICTER: Record<Urgency, Urgency> = { normal: 'urgent', urgent: 'critical', critical: 'critical' };
const DEFAULT_SMS_BUDGET_MS = 2 * 3600_000;
type SpanMilestone = Exclude<
  Milestone,
  'resolution_max' | 'appointment' | 'callback' | 'quote' | 'parts' | `complaint_${'analysis' | 'solution' | 'implementation' | 'feedback'}`
>;

export class RequestContext {
  readonly state: ServiceRequestState;
  readonly requestId: string;
  readonly policy: ResolvedPolicy;
  readonly receivedMs: number;
  /** Critical requests run round the clock (全天候24小时). */
  readonly calendar: CalendarSpec;
  readonly overrides: TypeOverride;
  readonly language: 'zh' | 'en';
  private deadlineTimers?: Deadlines;
  private readonly notify: ReturnType<typeof notifier>;
  private readonly pendingWork: Promise<unknown>[] = [];
  private readonly smsSeq = new Map<string, number>();
  private noticeSeq = 0;

  constructor(readonly input: ServiceRequestStart) {
    const { request, policy } = input;
    this.requestId = input.requestId;
    this.policy = policy;
    this.receivedMs = workflowInfo().startTime.getTime();
    this.calendar = request.urgency === 'critical' ? { ...policy.calendar, allHours: true } : policy.calendar;
    this.overrides = policy.typeOverrides[request.type] ?? {};
    this.language = request.customer.language ?? policy.language;
    this.notify = notifier(policy.smsRetryBudget?.ms ?? DEFAULT_SMS_BUDGET_MS);
    this.state = {
      requestId: input.requestId,
      ticket: ticketNumber(input.requestId),
      status: 'received',
      type: request.type,
      urgency: request.urgency,
      channel: request.channel,
      vip: request.vip ?? false,
      externalId: request.externalId,
      bodyHash: input.bodyHash,
      policyVersion: policy.version,
      receivedAt: new Date(this.receivedMs).toISOString(),
      assignments: [],
      visit: 1,
      deadlines: [],
      escalationLevel: 0,
      escalations: [],
      timeline: [],
      photos: [],
      photoChecks: [],
    };
    this.log(
      'received',
      `${request.type}, ${request.urgency}${request.vip ? ', VIP' : ''}, via ${request.channel}; policy ${policy.version}`,
    );
    this.refreshDetails();
  }

  get deadlines(): Deadlines {
    return this.deadlineTimers as Deadlines;
  }

  /** Set once by the workflow; warnings and breaches of every milestone are counted (metrics, no commands). */
  set deadlines(d: Deadlines) {
    this.deadlineTimers = d;
    const urgency = this.state.urgency;
    d.observe({
      warned: (s) => countDeadlineWarning(s.milestone, urgency),
      breached: (s) => countDeadlineBreach(s.milestone, urgency),
    });
  }

  // ── Policy look-ups ──
  span(m: SpanMilestone): Span {
    const o = this.overrides[m as keyof TypeOverride];
    return o ?? this.policy.deadlines[m][this.input.request.urgency];
  }

  dispatchSpan(): Span {
    const u = this.input.request.urgency;
    return this.policy.deadlines.dispatch[this.input.request.vip && this.policy.vipStricterDispatch ? STRICTER[u] : u];
  }

  visitDeadlineId(m: Milestone): string {
    return this.state.visit > 1 ? `${m}#${this.state.visit}` : m;
  }

  // ── Timeline, status, search attributes ──
  log(event: string, detail?: string): void {
    this.state.timeline.push({ at: new Date().toISOString(), event, detail });
    wfLog.info(event, { requestId: this.requestId, detail });
  }

  setStatus(status: Status): void {
    if (this.state.status === status) return;
    this.state.status = status;
    this.log('status', status);
    this.upsert();
  }

  setScore(score: number): void {
    upsertSearchAttributes([{ key: SA.SatisfactionScore, value: score }]);
    this.refreshDetails();
  }

  upsert(): void {
    const st = this.state;
    const breached = [...new Set(st.deadlines.filter((d) => d.breachedAt).map((d) => d.milestone))];
    upsertSearchAttributes([
      { key: SA.ServiceStatus, value: st.status },
      { key: SA.Urgency, value: st.urgency },
      { key: SA.RequestType, value: st.type },
      { key: SA.Channel, value: st.channel },
      { key: SA.EscalationLevel, value: st.escalationLevel },
      { key: SA.BreachedDeadlines, value: breached },
      ...(st.technicianId ? [{ key: SA.TechnicianId, value: st.technicianId }] : []),
    ]);
    this.refreshDetails();
  }

  /** What the Temporal UI shows as the request's current details. */
  private refreshDetails(): void {
    const st = this.state;
    st.deadlines = this.deadlineTimers ? this.deadlineTimers.all : st.deadlines;
    const open = st.deadlines.filter((d) => d.status === 'pending' || d.status === 'paused');
    const breached = st.deadlines.filter((d) => d.breachedAt);
    setCurrentDetails(
      [
        `**${st.ticket}** · ${st.type} · ${st.urgency}${st.vip ? ' · VIP' : ''} · **${st.status}**`,
        `Escalation level: ${st.escalationLevel}${st.technicianId ? ` · technician ${st.technicianId}` : ''}`,
        open.length
          ? `Open deadlines: ${open.map((d) => `${MILESTONE_LABEL[d.milestone]} due ${d.dueAt}${d.status === 'paused' ? ' (paused)' : ''}`).join('; ')}`
          : 'No open deadlines',
        breached.length
          ? `Breached: ${breached.map((d) => `${MILESTONE_LABEL[d.milestone]}${d.visit > 1 ? ` (visit ${d.visit})` : ''} at ${d.breachedAt}`).join('; ')}`
          : '',
        st.feedback ? `Score: ${st.feedback.score}/5` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }

  close(outcome: Outcome): void {
    this.deadlines.cancelAll();
    this.state.outcome = outcome;
    this.state.closedAt = new Date().toISOString();
    this.log('closed', outcome);
    this.setStatus(outcome === 'cancelled' ? 'cancelled' : 'closed');
  }

  // ── Assignments ──
  recordAssignment(t: CandidateSummary, by: 'auto' | 'manual'): void {
    this.state.assignments.push({
      technicianId: t.technicianId,
      name: t.name,
      workNumber: t.workNumber,
      tier: t.tier,
      visit: this.state.visit,
      by,
      assignedAt: new Date().toISOString(),
    });
    this.state.technicianId = t.technicianId;
    this.log('assigned', `${t.technicianId} (${by}: ${t.reason})`);
  }

  currentAssignment(): AssignmentRecord | undefined {
    const list = this.state.assignments;
    return list[list.length - 1];
  }

  replaceAssignment(): void {
    const a = this.currentAssignment();
    if (a && !a.replacedAt) a.replacedAt = new Date().toISOString();
  }

  /** Technicians whose visit ended unresolved: the next tier must be someone else. */
  unresolvedTechnicians(): Set<string> {
    return new Set((this.state.completion ?? []).filter((c) => !c.resolved).map((c) => c.technicianId));
  }

  /** After an unresolved visit the next technician must be of a higher skill tier than any who failed. */
  minTier(): number {
    const failed = this.unresolvedTechnicians();
    const tiers = this.state.assignments.filter((a) => failed.has(a.technicianId)).map((a) => a.tier);
    return tiers.length ? Math.max(...tiers) + 1 : 0;
  }

  // ── Escalation (docs/lifecycle.md, Warnings and escalation) ──
  breach(d: DeadlineState): void {
    this.escalate({ reason: 'breach', raiseBy: 1, deadlineId: d.id, milestone: d.milestone, lateByMs: d.lateByMs, dueAt: d.dueAt });
  }

  escalate(e: {
    reason: EscalationRecord['reason'];
    raiseBy: number;
    minLevel?: EscalationLevel;
    deadlineId?: string;
    milestone?: Milestone;
    lateByMs?: number;
    dueAt?: string;
    detail?: string;
    /** false: record only — the page about a failed page must not loop while the gateway is down. */
    notify?: boolean;
  }): void {
    const st = this.state;
    const level = Math.min(3, Math.max(st.escalationLevel + e.raiseBy, e.minLevel ?? 0)) as EscalationLevel;
    const contact = this.policy.escalation.find((c) => c.level === Math.max(level, 1));
    st.escalationLevel = level;
    st.escalations.push({
      at: new Date().toISOString(),
      level,
      reason: e.reason,
      deadlineId: e.deadlineId,
      milestone: e.milestone,
      lateByMs: e.lateByMs,
      contactRole: contact?.role,
      detail: e.detail,
    });
    this.log('escalated', `level ${level}: ${e.reason}${e.milestone ? ` (${e.milestone})` : ''}${e.detail ? ` — ${e.detail}` : ''}`);
    this.upsert();
    if (contact && e.notify !== false) {
      const kind = e.reason === 'breach' ? 'breach' : e.reason;
      this.sendNotice({ level, kind, contact, milestone: e.milestone, dueAt: e.dueAt, lateByMs: e.lateByMs, detail: e.detail });
    }
  }

  /** 80 % warning: goes to the contact who would be paged if the deadline broke. */
  warn(d: DeadlineState): void {
    const level = Math.min(3, this.state.escalationLevel + 1) as EscalationLevel;
    const contact = this.policy.escalation.find((c) => c.level === level);
    this.log('warning', `${d.id} due ${d.dueAt}`);
    if (contact) this.sendNotice({ level, kind: 'warning', contact, milestone: d.milestone, dueAt: d.dueAt });
  }

  private sendNotice(n: Omit<EscalationNotice, 'requestId' | 'ticket' | 'seq'>): void {
    const seq = ++this.noticeSeq;
    const summary = `${n.kind === 'warning' ? 'Warning' : 'Escalation'} L${n.level} → ${n.contact.role}${n.milestone ? `: ${MILESTONE_LABEL[n.milestone]}` : ''}`;
    this.background(
      () =>
        this.notify.notifyEscalation.executeWithOptions({ summary }, [{ ...n, requestId: this.requestId, ticket: this.state.ticket, seq }]),
      { what: `${summary} (${n.kind})`, pageOps: false },
    );
  }

  // ── Notifications: in the background, never cancelled, failures alert ops ──
  smsCustomer(kind: CustomerSmsKind, vars: SmsVars, onSent?: () => void): void {
    const seq = this.nextSeq(kind);
    const c = this.input.request.customer;
    const send = () =>
      this.notify.sendCustomerSms.executeWithOptions({ summary: `SMS to customer: ${kind.replace(/_/g, ' ')}` }, [
        { requestId: this.requestId, kind, seq, phone: c.phone, language: this.language, vars: { ticketNo: this.state.ticket, ...vars } },
      ]);
    this.background(() => send().then(() => onSent?.()), { what: `customer SMS ${kind}` });
  }

  smsTechnician(technicianId: string, kind: TechnicianSmsKind, vars: SmsVars): void {
    const seq = this.nextSeq(kind);
    const send = () =>
      this.notify.sendTechnicianSms.executeWithOptions({ summary: `SMS to technician: ${kind.replace(/^tech_/, '').replace(/_/g, ' ')}` }, [
        { requestId: this.requestId, kind, seq, technicianId, vars: { ticketNo: this.state.ticket, ...vars } },
      ]);
    this.background(send, { what: `technician SMS ${kind}` });
  }

  private nextSeq(kind: string): number {
    const n = (this.smsSeq.get(kind) ?? 0) + 1;
    this.smsSeq.set(kind, n);
    return n;
  }

  /**
   * Work that runs beside the lifecycle; it survives cancellation and the workflow waits for it at the end.
   * `start` is called inside the non-cancellable scope: an activity scheduled from the caller's scope (the main
   * line, or a deadline's timer scope) would be cancelled with it — a cancel, or the deadline being met right
   * after its warning, would drop the SMS.
   * A message that failed for good (provider down longer than the retry budget) escalates to ops (sms_failure) and the
   * request runs on; only a failed page is recorded without paging again, so a dead gateway cannot loop.
   */
  background(start: () => Promise<unknown>, failure?: { what: string; pageOps?: boolean }): void {
    const guarded = CancellationScope.nonCancellable(() =>
      start().catch((err: unknown) => {
        if (isCancellation(err)) return;
        if (err instanceof ActivityFailure && failure) {
          const detail = `${failure.what} failed: ${err.cause?.message ?? err.message}`;
          this.escalate({ reason: 'sms_failure', raiseBy: 0, minLevel: 1, detail, notify: failure.pageOps !== false });
          return;
        }
        throw err;
      }),
    );
    this.pendingWork.push(guarded);
  }

  async drain(): Promise<void> {
    // New work can be queued while we wait (an SMS failure alert); loop until none is left.
    for (let done = 0; done < this.pendingWork.length; done = this.pendingWork.length) {
      await Promise.all(this.pendingWork.slice(done));
    }
  }
}
