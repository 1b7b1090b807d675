/**
 * Lifecycle version 1, frozen: the requests started before lifecycle versions were recorded run this code
 * until they close, so that their histories replay (test/histories/v1). Do not change it; delete
 * workflows/legacy/v1 once no such request is open (README: "Deploying a new lifecycle").
 *
 * One service request:
 *   received → dispatching → assigned → accepted → scheduled → on_site → completed
 *   completed(resolved)   → photo check → completion SMS → call-back → score → (follow-up) → closed
 *   completed(unresolved) → escalated → re-dispatch to a higher tier → …
 *   anything before completed → cancelled;  scheduled/on_site ↔ on_hold
 * Outside actions arrive as updates (validated against the transition table); the main line below waits
 * for them, runs dispatch, and hands deadlines to `Deadlines`.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  setHandler,
  uuid4,
} from '@temporalio/workflow';
import { refusal, type Action } from '../../../src/domain/lifecycle/actions';
import type { Status } from '../../../src/domain/types';
import { ticketNumber } from '../../../src/temporal/ids';
import type { CandidateSummary } from '../../../activities/contract';
import { Deadlines } from '../../deadlines';
import { RequestContext } from './context';
import { ACTION_UPDATES, intakeUpdate, photoUploadedSignal, stateQuery, type ServiceRequestStart } from '../../messages';
import type { ServiceRequestState } from './state';
import { acts } from '../../proxies';

type VisitEnd = 'resolved' | 'unresolved' | 'reassigned';
type Answer = { kind: 'accepted' | 'declined'; reason?: string };
const REQUIRED_PHOTOS = ['before', 'after', 'signature'] as const;

export async function serviceRequestV1(input: ServiceRequestStart): Promise<ServiceRequestState> {
  const run = new ServiceRequestRun(input);
  run.registerHandlers();
  await run.lifecycle();
  await condition(allHandlersFinished);
  await run.drainNotifications();
  return run.ctx.state;
}

class ServiceRequestRun {
  readonly ctx: RequestContext;
  private readonly deadlines: Deadlines;
  private readonly main = new CancellationScope();
  /** Set by the assign update; the main line picks it up wherever it is waiting. */
  private manual?: CandidateSummary;
  private answer?: Answer;
  private completion?: { resolved: boolean };
  private feedbackAt?: number;
  private readonly ratingTokens = new Set<string>();
  private readonly usedTokens = new Set<string>();

  constructor(input: ServiceRequestStart) {
    this.ctx = new RequestContext(input);
    const ctx = this.ctx;
    this.deadlines = new Deadlines({
      calendar: ctx.calendar,
      warningAt: input.policy.warningAt,
      context: `${input.request.urgency}${input.request.vip ? ', VIP' : ''}`,
      onWarn: (d) => ctx.warn(d),
      onBreach: (d) => this.onBreach(d.id),
    });
    ctx.deadlines = this.deadlines;
  }

  // ── Main line ───────────────────────────────────────────────────────────────────────────────────
  async lifecycle(): Promise<void> {
    const ctx = this.ctx;
    try {
      await this.main.run(async () => {
        this.acknowledge();
        this.startRequestDeadlines();
        for (;;) {
          await this.dispatch();
          const end = await this.visit();
          if (end === 'resolved') break;
          if (end === 'unresolved') this.nextTier();
        }
        await this.afterCompletion();
      });
    } catch (err) {
      if (!isCancellation(err)) throw err;
      // Cancelled by the cancel update: the customer is told, every timer is gone.
      this.deadlines.cancelAll();
      // Notifications run outside the cancelled scope (RequestContext.background).
      ctx.smsCustomer('cancelled', { reason: ctx.state.cancelReason });
      ctx.close('cancelled');
    }
  }

  private acknowledge(): void {
    const ctx = this.ctx;
    const d = this.deadlines.start('acknowledge', ctx.span('acknowledge'), { warn: false, fromMs: ctx.receivedMs });
    ctx.smsCustomer('received', {}, () => this.deadlines.met(d.id));
  }

  /** Deadlines that count from receipt (docs/lifecycle.md, Deadlines), with type overrides and the VIP dispatch rule. */
  private startRequestDeadlines(): void {
    const ctx = this.ctx;
    const from = { fromMs: ctx.receivedMs };
    this.deadlines.start('dispatch', ctx.dispatchSpan(), from);
    this.deadlines.start('response', ctx.span('response'), from);
    this.deadlines.start('on_site', ctx.span('on_site'), from);
    this.deadlines.start('resolution', ctx.span('resolution'), from);
    const max = ctx.overrides.resolution_max;
    if (max) this.deadlines.start('resolution_max', max, from);
  }

  /** Dispatch (派工): ranked candidates one after another until one accepts; none → level 1 and wait for ops. */
  private async dispatch(): Promise<void> {
    const ctx = this.ctx;
    ctx.setStatus('dispatching');
    const tried = new Set(ctx.state.assignments.filter((a) => a.visit === ctx.state.visit).map((a) => a.technicianId));
    const exclude = ctx.unresolvedTechnicians();
    const category = ctx.input.request.product.category;
    const candidates = await acts.findCandidates.executeWithOptions(
      { summary: `Find technicians: ${category}${ctx.state.visit > 1 ? `, visit ${ctx.state.visit}, tier ≥ ${ctx.minTier()}` : ''}` },
      [
        {
          requestId: ctx.requestId,
          category,
          type: ctx.input.request.type,
          location: ctx.input.request.location,
          exclude: [...exclude],
          minTier: ctx.minTier(),
          policy: ctx.policy.dispatch,
        },
      ],
    );
    ctx.log('candidates', candidates.map((c) => `${c.technicianId} (${c.reason})`).join('; ') || 'none');
    let delayed = false;
    for (;;) {
      let next: CandidateSummary | undefined = this.takeManual();
      if (!next) next = candidates.find((c) => !tried.has(c.technicianId));
      if (!next) {
        ctx.setStatus('dispatching');
        ctx.escalate({ reason: 'no_candidate', minLevel: 1, raiseBy: 0, detail: 'no technician left to try' });
        await condition(() => this.manual !== undefined);
        continue;
      }
      tried.add(next.technicianId);
      this.assign(next);
      const outcome = await this.awaitAnswer(next.technicianId);
      if (outcome === 'accepted') return;
      if (outcome === 'reassigned') continue;
      // Declined or silent: skip to the next candidate and tell the customer once (致歉 SMS).
      if (!delayed) {
        ctx.smsCustomer('delay', {});
        delayed = true;
      }
    }
  }

  private takeManual(): CandidateSummary | undefined {
    const m = this.manual;
    this.manual = undefined;
    return m;
  }

  private assign(tech: CandidateSummary, by: 'auto' | 'manual' = tech.reason === 'manual' ? 'manual' : 'auto'): void {
    const ctx = this.ctx;
    ctx.recordAssignment(tech, by);
    this.deadlines.met(ctx.visitDeadlineId('dispatch'));
    ctx.setStatus('assigned');
    const r = ctx.input.request;
    ctx.smsCustomer('assigned', { technicianId: tech.technicianId });
    ctx.smsTechnician(tech.technicianId, 'tech_assignment', {
      urgency: r.urgency,
      productModel: r.product.model,
      address: r.customer.address,
      problem: r.problem.description,
    });
  }

  /** The accept window (1 h after assignment by default, else re-dispatch) raced against the technician. */
  private async awaitAnswer(technicianId: string): Promise<'accepted' | 'declined' | 'timeout' | 'reassigned'> {
    const ctx = this.ctx;
    this.answer = undefined;
    const seq = ctx.state.assignments.length;
    const accept = this.deadlines.start('accept', ctx.span('accept'), { visit: seq, warn: false });
    await condition(() => this.answer !== undefined || this.manual !== undefined || accept.status === 'breached');
    const current = ctx.currentAssignment();
    // Re-read after the wait: handlers changed it meanwhile.
    const answer = this.answer as Answer | undefined;
    if (answer?.kind === 'accepted') {
      this.deadlines.met(accept.id);
      return 'accepted';
    }
    this.deadlines.cancel(accept.id);
    if (this.manual) {
      ctx.replaceAssignment();
      return 'reassigned';
    }
    if (current && answer?.kind === 'declined') {
      ctx.log('declined', `${technicianId}${answer.reason ? `: ${answer.reason}` : ''}`);
      return 'declined';
    }
    if (current) current.timedOutAt = new Date().toISOString();
    ctx.log('accept_timeout', technicianId);
    return 'timeout';
  }

  /** From acceptance to completion; the updates move the status, this waits for the visit's end. */
  private async visit(): Promise<VisitEnd> {
    this.completion = undefined;
    await condition(() => this.completion !== undefined || this.manual !== undefined);
    const completion = this.completion as { resolved: boolean } | undefined;
    if (!completion) {
      this.ctx.replaceAssignment();
      return 'reassigned';
    }
    return completion.resolved ? 'resolved' : 'unresolved';
  }

  /** An unresolved visit goes to the next support tier; the second reaches level 3. */
  private nextTier(): void {
    const ctx = this.ctx;
    const unresolved = (ctx.state.completion ?? []).filter((c) => !c.resolved).length;
    ctx.setStatus('escalated');
    ctx.escalate({ reason: 'unresolved', minLevel: unresolved >= 2 ? 3 : 2, raiseBy: 0, detail: `visit ${ctx.state.visit} unresolved` });
    ctx.state.visit += 1;
    const v = { visit: ctx.state.visit };
    // The revisit gets its own dispatch, response and on-site clocks; resolution keeps counting from receipt.
    this.deadlines.start('dispatch', ctx.dispatchSpan(), v);
    this.deadlines.start('response', ctx.span('response'), v);
    this.deadlines.start('on_site', ctx.span('on_site'), v);
  }

  private async afterCompletion(): Promise<void> {
    const ctx = this.ctx;
    const completedAt = Date.now();
    await this.photoCheck();
    const tokenId = uuid4();
    this.ratingTokens.add(tokenId);
    const expiresAt = new Date(completedAt + ctx.policy.callbackDelay.ms + ctx.policy.feedbackWindow.ms).toISOString();
    const { url } = await acts.issueRatingLink.executeWithOptions({ summary: 'Rating link for the customer' }, [
      { requestId: ctx.requestId, tokenId, expiresAt, language: ctx.language },
    ]);
    ctx.smsCustomer('completed', { ratingLink: url });

    // Satisfaction call-back 24 h after completion, unless the customer already rated through the link.
    const rated = await condition(
      () => this.feedbackAt !== undefined,
      Math.max(1, completedAt + ctx.policy.callbackDelay.ms - Date.now()),
      {
        summary: `Satisfaction call-back ${ctx.policy.callbackDelay.text} after completion`,
      },
    );
    if (!rated) {
      ctx.smsCustomer('survey', { ratingLink: url });
      ctx.log('callback', 'satisfaction call-back task created');
      await acts.createCallbackTask.executeWithOptions({ summary: 'Call-back task: satisfaction survey' }, [
        {
          requestId: ctx.requestId,
          ticket: ticketNumber(ctx.requestId),
          phone: ctx.input.request.customer.phone,
          dueAt: new Date().toISOString(),
          ratingUrl: url,
          language: ctx.language,
        },
      ]);
      const answered = await condition(() => this.feedbackAt !== undefined, ctx.policy.feedbackWindow.ms, {
        summary: `Feedback window ${ctx.policy.feedbackWindow.text}`,
      });
      if (!answered) {
        ctx.log('no_feedback', `no score within ${ctx.policy.feedbackWindow.text}`);
        ctx.close('no_feedback');
        return;
      }
    }
    const score = ctx.state.feedback?.score ?? 0;
    if (score <= ctx.policy.followUpThreshold) {
      ctx.setStatus('follow_up');
      const d = this.deadlines.start('follow_up', ctx.span('follow_up'), { fromMs: this.feedbackAt });
      ctx.smsCustomer('follow_up_apology', { contactWithinHours: Math.max(1, Math.round(ctx.span('follow_up').ms / 3600_000)) });
      await condition(() => ctx.state.followUp !== undefined);
      this.deadlines.met(d.id, Date.parse(ctx.state.followUp!.at));
    }
    ctx.close('closed');
  }

  /**
   * The photo check: at the 30-minute mark (or as soon as every kind is announced) verify the photos in storage.
   * The completion SMS waits only for this first check; reminders and re-checks on later uploads go on
   * in the background until the photos pass or the request closes.
   */
  private async photoCheck(): Promise<void> {
    const ctx = this.ctx;
    const st = ctx.state;
    const d = this.deadlines.start('photos', ctx.span('photos'), { warn: false });
    const allAnnounced = (): boolean => REQUIRED_PHOTOS.every((k) => st.photos.some((p) => p.kind === k));
    await condition(() => allAnnounced() || d.status === 'breached');
    let ok = await this.runPhotoCheck();
    if (ok) {
      this.deadlines.met(d.id);
      return;
    }
    let reminded = false;
    const followUp = async (): Promise<void> => {
      while (!ok && st.outcome === undefined) {
        const seen = st.photos.length;
        await condition(() => st.photos.length > seen || (d.status === 'breached' && !reminded) || st.outcome !== undefined);
        if (d.status === 'breached' && !reminded) {
          reminded = true;
          this.photosMissing();
        }
        if (st.photos.length > seen) {
          ok = await this.runPhotoCheck();
          if (ok) this.deadlines.met(d.id);
        }
      }
    };
    ctx.background(followUp);
  }

  private photosMissing(): void {
    const ctx = this.ctx;
    const last = ctx.state.photoChecks[ctx.state.photoChecks.length - 1];
    const tech = ctx.state.technicianId;
    if (tech) ctx.smsTechnician(tech, 'tech_photo_reminder', { missingPhotos: last?.missing ?? [] });
    ctx.escalate({ reason: 'photos_missing', minLevel: 1, raiseBy: 0, milestone: 'photos', detail: (last?.missing ?? []).join(', ') });
  }

  private async runPhotoCheck(): Promise<boolean> {
    const ctx = this.ctx;
    const r = await acts.checkPhotos.executeWithOptions({ summary: 'Photo check: before, after, signature' }, [
      { requestId: ctx.requestId, required: [...REQUIRED_PHOTOS] },
    ]);
    ctx.state.photoChecks.push({ at: new Date().toISOString(), ok: r.ok, missing: r.missing, invalid: r.invalid });
    ctx.log(
      'photo_check',
      r.ok ? 'all photos present' : `missing ${r.missing.join(', ') || '-'}; invalid ${r.invalid.map((i) => i.kind).join(', ') || '-'}`,
    );
    return r.ok;
  }

  private onBreach(id: string): void {
    const d = this.deadlines.get(id);
    if (!d) return;
    // An accept timeout re-dispatches instead of escalating; photos have their own rule (reminder SMS, then escalation).
    if (d.milestone === 'accept' || d.milestone === 'photos') return;
    this.ctx.breach(d);
  }

  async drainNotifications(): Promise<void> {
    await this.ctx.drain();
  }

  // ── Updates ────────────────────────────────────────────────────────────────────────────────────
  registerHandlers(): void {
    const ctx = this.ctx;
    const st = ctx.state;
    const guard =
      (action: Action, extra?: () => string | undefined) =>
      (_arg?: unknown): void => {
        const why = refusal(action, st.status) ?? extra?.();
        if (why) throw ApplicationFailure.nonRetryable(why, 'InvalidTransition');
      };
    const mustBeAssignee = (technicianId: string) => (): string | undefined =>
      st.technicianId === technicianId ? undefined : `technician ${technicianId} is not assigned to this request`;

    setHandler(stateQuery, () => st);

    setHandler(intakeUpdate, ({ startAttemptId, bodyHash }) => ({
      created: startAttemptId === ctx.input.startAttemptId,
      bodyHashMatches: bodyHash === ctx.input.bodyHash,
      state: st,
    }));

    setHandler(
      ACTION_UPDATES.assign,
      async ({ technicianId }) => {
        const tech = await acts.getTechnician.executeWithOptions({ summary: `Look up technician ${technicianId}` }, [{ technicianId }]);
        if (!tech) throw ApplicationFailure.nonRetryable(`technician ${technicianId} is unknown or inactive`, 'UnknownTechnician');
        this.manual = { ...tech, reason: 'manual' };
        await condition(() => (this.manual === undefined && st.technicianId === technicianId) || st.outcome !== undefined);
        return st;
      },
      {
        validator: ({ technicianId }) => {
          guard('assign')();
          if (st.technicianId === technicianId && st.status !== 'dispatching' && st.status !== 'escalated') {
            throw ApplicationFailure.nonRetryable(`technician ${technicianId} is already assigned`, 'InvalidTransition');
          }
        },
      },
    );

    setHandler(
      ACTION_UPDATES.accept,
      ({ technicianId }) => {
        const a = ctx.currentAssignment();
        if (a) a.acceptedAt = new Date().toISOString();
        this.answer = { kind: 'accepted' };
        ctx.setStatus('accepted');
        ctx.log('accepted', technicianId);
        return st;
      },
      { validator: ({ technicianId }) => guard('accept', mustBeAssignee(technicianId))() },
    );

    setHandler(
      ACTION_UPDATES.decline,
      ({ technicianId, reason }) => {
        const a = ctx.currentAssignment();
        if (a) {
          a.declinedAt = new Date().toISOString();
          a.declineReason = reason;
        }
        this.answer = { kind: 'declined', reason };
        ctx.log('decline', technicianId);
        return st;
      },
      { validator: ({ technicianId }) => guard('decline', mustBeAssignee(technicianId))() },
    );

    setHandler(
      ACTION_UPDATES.appointment,
      ({ at }) => {
        const rebooked = st.status === 'scheduled';
        st.appointmentAt = new Date(at).toISOString();
        this.deadlines.met(ctx.visitDeadlineId('response'));
        ctx.setStatus('scheduled');
        ctx.log(rebooked ? 'visit_changed' : 'visit_booked', st.appointmentAt);
        ctx.smsCustomer('visit_booked', { technicianId: st.technicianId, visitAt: st.appointmentAt, rescheduled: rebooked });
        return st;
      },
      {
        validator: ({ technicianId, at }) => {
          guard('appointment', mustBeAssignee(technicianId))();
          if (Number.isNaN(Date.parse(at))) throw ApplicationFailure.nonRetryable(`at: "${at}" is not a date-time`, 'InvalidArgument');
        },
      },
    );

    setHandler(
      ACTION_UPDATES.arrival,
      ({ technicianId }) => {
        this.deadlines.met(ctx.visitDeadlineId('on_site'));
        ctx.setStatus('on_site');
        ctx.log('arrived', technicianId);
        return st;
      },
      { validator: ({ technicianId }) => guard('arrival', mustBeAssignee(technicianId))() },
    );

    setHandler(
      ACTION_UPDATES.completion,
      ({ technicianId, resolved, notes }) => {
        const at = new Date().toISOString();
        (st.completion ??= []).push({ at, resolved, notes, technicianId });
        if (resolved) {
          this.deadlines.met('resolution');
          this.deadlines.met('resolution_max');
          ctx.setStatus('completed');
        }
        ctx.log(resolved ? 'completed' : 'completed_unresolved', notes);
        this.completion = { resolved };
        return st;
      },
      { validator: ({ technicianId }) => guard('completion', mustBeAssignee(technicianId))() },
    );

    setHandler(
      ACTION_UPDATES.hold,
      ({ reason }) => {
        st.onHold = { since: new Date().toISOString(), reason, resumeTo: st.status };
        // The resolution clock pauses (docs/lifecycle.md, Holds); so does a pending on-site clock — the customer asked to wait.
        this.deadlines.pause(
          this.deadlines
            .pending()
            .filter((d) => ['resolution', 'resolution_max', 'on_site'].includes(d.milestone))
            .map((d) => d.id),
        );
        ctx.setStatus('on_hold');
        ctx.log('on_hold', reason);
        return st;
      },
      { validator: guard('hold') },
    );

    setHandler(
      ACTION_UPDATES.resume,
      ({ reason }) => {
        const back: Status = st.onHold?.resumeTo ?? 'scheduled';
        const resumed = this.deadlines.resume();
        st.onHold = undefined;
        ctx.setStatus(back);
        ctx.log('resumed', `${reason}; ${resumed.map((d) => `${d.id} due ${d.dueAt}`).join(', ')}`);
        return st;
      },
      { validator: guard('resume') },
    );

    setHandler(
      ACTION_UPDATES.feedback,
      ({ score, comment, tokenId }) => {
        this.usedTokens.add(tokenId);
        st.feedback = { score, comment, at: new Date().toISOString() };
        this.feedbackAt = Date.now();
        ctx.setScore(score);
        ctx.log('feedback', `score ${score}`);
        return st;
      },
      {
        validator: ({ score, tokenId }) => {
          guard('feedback')();
          if (!this.ratingTokens.has(tokenId))
            throw ApplicationFailure.nonRetryable('rating link is not valid for this request', 'InvalidToken');
          if (this.usedTokens.has(tokenId) || st.feedback)
            throw ApplicationFailure.nonRetryable('rating link was already used', 'TokenUsed');
          if (!Number.isInteger(score) || score < 1 || score > 5)
            throw ApplicationFailure.nonRetryable('score: must be an integer 1..5', 'InvalidArgument');
        },
      },
    );

    setHandler(
      ACTION_UPDATES.followUp,
      ({ notes }) => {
        st.followUp = { notes, at: new Date().toISOString() };
        ctx.log('follow_up', notes);
        return st;
      },
      { validator: guard('followUp') },
    );

    setHandler(
      ACTION_UPDATES.cancel,
      ({ reason }) => {
        st.cancelReason = reason;
        ctx.log('cancel', reason);
        this.main.cancel();
        return st;
      },
      { validator: guard('cancel') },
    );

    setHandler(photoUploadedSignal, (photo) => {
      if (photo.kind === 'invoice') return; // lifecycle 4 only: the API never sends one here
      st.photos.push(photo);
      ctx.log('photo', `${photo.kind} ${photo.key}`);
    });
  }
}
