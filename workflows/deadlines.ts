/**
 * Deadline timers for one request. Each pending deadline owns a cancellable scope with up to two timers:
 * the warning (at `warningAt` of its span) and the breach. Meeting, cancelling or pausing a deadline
 * cancels its scope; nothing here does I/O — warnings and breaches are handed to the callbacks.
 */
import { CancellationScope, isCancellation, patched, sleep } from '@temporalio/workflow';
import { addBusinessTime, businessTimeBetween, dueAt } from '../src/domain/calendar';
import type { CalendarSpec, Span } from '../src/domain/policyTypes';
import { MILESTONE_LABEL } from '../src/domain/labels';
import type { Milestone } from '../src/domain/types';

export interface DeadlineState {
  /** Unique per instance: `dispatch`, or `dispatch#2` for the second visit's. */
  id: string;
  milestone: Milestone;
  visit: number;
  span: string;
  startedAt: string;
  dueAt: string;
  warnAt?: string;
  warnedAt?: string;
  metAt?: string;
  breachedAt?: string;
  /** How late it was met or how late it was when it broke, in ms. */
  lateByMs?: number;
  status: 'pending' | 'paused' | 'met' | 'breached' | 'cancelled';
  business: boolean;
}

export interface DeadlineHooks {
  calendar: CalendarSpec;
  warningAt: number;
  /** Label for timer summaries, e.g. "urgent". */
  context: string;
  onWarn(d: DeadlineState): void;
  onBreach(d: DeadlineState): void;
}

/** Watches deadlines without changing them (metrics); called before the hooks. */
export interface DeadlineObserver {
  warned?(d: DeadlineState): void;
  breached?(d: DeadlineState): void;
  /** Reached on time (a milestone reached after its breach is not met: it counted as breached). */
  met?(d: DeadlineState): void;
}

interface Live {
  state: DeadlineState;
  /** Span counted from `startedAt` for the warning fraction; business or elapsed ms. */
  spanMs: number;
  scope?: CancellationScope;
  /** Remaining span (business or elapsed ms) while paused. */
  remainingMs?: number;
  warnRemainingMs?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Patch: a milestone reached after its due time, while its breach timer had not been handled yet, is a breach.
 * That happens when the timer and the milestone's update reach the workflow in one task (worker down or busy),
 * or when the timer fires late. Requests started before this change kept "met" there; their histories replay so.
 */
export const LATE_MET_IS_BREACH = 'deadline-met-late-is-breach';

export class Deadlines {
  private readonly live = new Map<string, Live>();
  private readonly observers: DeadlineObserver[] = [];
  readonly all: DeadlineState[] = [];

  constructor(private readonly hooks: DeadlineHooks) {}

  /** Starts a deadline; `visit` > 1 makes a separate instance (`dispatch#2`). */
  start(milestone: Milestone, span: Span, opts: { visit?: number; fromMs?: number; warn?: boolean } = {}): DeadlineState {
    const visit = opts.visit ?? 1;
    const id = visit > 1 ? `${milestone}#${visit}` : milestone;
    const existing = this.live.get(id);
    if (existing && existing.state.status === 'pending') return existing.state;
    const from = opts.fromMs ?? Date.now();
    const due = dueAt(from, span, this.hooks.calendar);
    const warnFraction = opts.warn === false ? 0 : this.hooks.warningAt;
    const warnAt =
      warnFraction > 0 && warnFraction < 1
        ? dueAt(from, { ...span, ms: Math.round(span.ms * warnFraction) }, this.hooks.calendar)
        : undefined;
    const state: DeadlineState = {
      id,
      milestone,
      visit,
      span: span.text,
      startedAt: iso(from),
      dueAt: iso(due),
      warnAt: warnAt !== undefined ? iso(warnAt) : undefined,
      status: 'pending',
      business: span.business && !this.hooks.calendar.allHours,
    };
    this.all.push(state);
    const entry: Live = { state, spanMs: span.ms };
    this.live.set(id, entry);
    this.arm(entry);
    return state;
  }

  observe(o: DeadlineObserver): void {
    this.observers.push(o);
  }

  get(id: string): DeadlineState | undefined {
    return this.live.get(id)?.state;
  }

  pending(): DeadlineState[] {
    return this.all.filter((d) => d.status === 'pending' || d.status === 'paused');
  }

  /** Records the milestone as reached; a deadline met after its breach keeps "breached" with its metAt. */
  met(id: string, atMs = Date.now()): DeadlineState | undefined {
    const entry = this.live.get(id);
    if (!entry || entry.state.metAt || entry.state.status === 'cancelled') return entry?.state;
    entry.scope?.cancel();
    const s = entry.state;
    // Checked before patched() so that only requests that hit this case get the marker.
    if (s.status === 'pending' && atMs > Date.parse(s.dueAt) && patched(LATE_MET_IS_BREACH)) this.breach(s, atMs);
    s.metAt = iso(atMs);
    if (s.status === 'breached') {
      s.lateByMs = atMs - Date.parse(s.dueAt);
    } else {
      s.status = 'met';
      for (const o of this.observers) o.met?.(s);
    }
    return s;
  }

  cancel(id: string): void {
    const entry = this.live.get(id);
    if (!entry || (entry.state.status !== 'pending' && entry.state.status !== 'paused')) return;
    entry.scope?.cancel();
    entry.state.status = 'cancelled';
  }

  cancelAll(): void {
    for (const id of this.live.keys()) this.cancel(id);
  }

  /**
   * Moves a pending deadline's due time (the customer chose a later slot): no warning for the new time, the
   * span names why. Returns false when it is not pending (already met, breached, paused or cancelled).
   */
  moveDue(id: string, dueMs: number, why: string): boolean {
    const entry = this.live.get(id);
    if (!entry || entry.state.status !== 'pending') return false;
    entry.scope?.cancel();
    const s = entry.state;
    s.dueAt = iso(dueMs);
    s.span = why;
    if (!s.warnedAt) s.warnAt = undefined;
    this.arm(entry);
    return true;
  }

  /** Stops the clock of the given pending deadlines (on hold), remembering how much of each span is left. */
  pause(ids: string[]): void {
    const now = Date.now();
    for (const id of ids) {
      const entry = this.live.get(id);
      if (!entry || entry.state.status !== 'pending') continue;
      entry.scope?.cancel();
      entry.remainingMs = this.between(now, Date.parse(entry.state.dueAt), entry.state.business);
      entry.warnRemainingMs =
        entry.state.warnAt && !entry.state.warnedAt ? this.between(now, Date.parse(entry.state.warnAt), entry.state.business) : undefined;
      entry.state.status = 'paused';
    }
  }

  /** Pauses every pending deadline of these milestones (a hold, waiting for parts). */
  pauseMilestones(milestones: readonly Milestone[]): void {
    this.pause(
      this.pending()
        .filter((x) => milestones.includes(x.milestone))
        .map((x) => x.id),
    );
  }

  /** Restarts paused deadlines with the span they had left; their due times move by the time spent on hold. */
  resume(): DeadlineState[] {
    const now = Date.now();
    const resumed: DeadlineState[] = [];
    for (const entry of this.live.values()) {
      if (entry.state.status !== 'paused') continue;
      const s = entry.state;
      s.dueAt = iso(this.after(now, entry.remainingMs ?? 0, s.business));
      s.warnAt = entry.warnRemainingMs !== undefined ? iso(this.after(now, entry.warnRemainingMs, s.business)) : s.warnAt;
      s.status = 'pending';
      this.arm(entry);
      resumed.push(s);
    }
    return resumed;
  }

  private breach(s: DeadlineState, atMs: number): void {
    s.status = 'breached';
    s.breachedAt = iso(atMs);
    s.lateByMs = atMs - Date.parse(s.dueAt);
    for (const o of this.observers) o.breached?.(s);
    this.hooks.onBreach(s);
  }

  private between(from: number, to: number, business: boolean): number {
    if (to <= from) return 0;
    return business ? businessTimeBetween(from, to, this.hooks.calendar) : to - from;
  }

  private after(from: number, ms: number, business: boolean): number {
    return business ? addBusinessTime(from, ms, this.hooks.calendar) : from + ms;
  }

  private arm(entry: Live): void {
    const s = entry.state;
    // Accept windows are numbered per assignment, the others per visit.
    const label = `${MILESTONE_LABEL[s.milestone]}${s.visit > 1 ? ` (${s.milestone === 'accept' ? 'assignment' : 'visit'} ${s.visit})` : ''}`;
    entry.scope = new CancellationScope();
    entry.scope
      .run(async () => {
        if (s.warnAt && !s.warnedAt) {
          const wait = Date.parse(s.warnAt) - Date.now();
          // Named after its deadline: when the milestone is met early this is the only timer of it in the history.
          if (wait > 0)
            await sleep(wait, {
              summary: `${label} deadline ${s.span} (${this.hooks.context}): warning at ${Math.round(this.hooks.warningAt * 100)}%`,
            });
          s.warnedAt = iso(Date.now());
          for (const o of this.observers) o.warned?.(s);
          this.hooks.onWarn(s);
        }
        const wait = Date.parse(s.dueAt) - Date.now();
        if (wait > 0) await sleep(wait, { summary: `${label} deadline ${s.span} (${this.hooks.context})` });
        // The timer fired in the task where met() already found the milestone late and breached it (the patch).
        if (s.status === 'breached') return;
        this.breach(s, Date.now());
      })
      .catch((err: unknown) => {
        if (!isCancellation(err)) throw err;
      });
  }
}
