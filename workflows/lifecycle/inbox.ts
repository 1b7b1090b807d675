/**
 * The request's inbox: update handlers post the actions they accepted, deadline rules post breaches, and the
 * main line takes them in order where it waits for them. The main line alone moves the status; a handler waits
 * until its action has been taken ("settled") and answers with the view as it was then.
 */
import { condition } from '@temporalio/workflow';
import type { Action, ActionArgs } from '../../src/domain/lifecycle/actions';
import type { CandidateSummary } from '../../activities/contract';
import type { PricedLines } from '../../src/domain/charges';
import type { ServiceRequestState } from '../messages';
import type { DeadlineState } from '../deadlines';

export interface ActionEvent<A extends Action = Action> {
  kind: 'action';
  action: A;
  args: ActionArgs<A>;
  /** A manual assignment's technician, looked up by the handler. */
  technician?: CandidateSummary;
  /** Quote, parts or parts-used lines priced by the handler (lifecycle 4). */
  priced?: PricedLines;
  settled: boolean;
  /** The view when the main line took it, or why it could not. */
  result?: ServiceRequestState;
  refused?: string;
}

export interface BreachEvent {
  kind: 'breach';
  deadline: DeadlineState;
}

export type InboxEvent = ActionEvent | BreachEvent;

export const isAction =
  <A extends Action>(...actions: A[]) =>
  (e: InboxEvent): e is ActionEvent<A> =>
    e.kind === 'action' && (actions as Action[]).includes(e.action);

export const isBreach =
  (deadlineId: string) =>
  (e: InboxEvent): e is BreachEvent =>
    e.kind === 'breach' && e.deadline.id === deadlineId;

export class Inbox {
  private readonly queue: InboxEvent[] = [];
  private closedWith?: string;
  /**
   * Handlers between their validator and their post, looking something up (a technician, prices): their action
   * is accepted but not queued yet, and a second action must not slip in meanwhile.
   */
  lookingUp = 0;

  constructor(private readonly view: () => ServiceRequestState) {}

  post<A extends Action>(action: A, args: ActionArgs<A>, looked: Pick<ActionEvent, 'technician' | 'priced'> = {}): ActionEvent<A> {
    const e: ActionEvent<A> = { kind: 'action', action, args, ...looked, settled: false };
    if (this.closedWith) this.refuse(e, this.closedWith);
    else this.queue.push(e as ActionEvent);
    return e;
  }

  postBreach(deadline: DeadlineState): void {
    this.queue.push({ kind: 'breach', deadline });
  }

  /** Actions accepted but not yet taken by the main line. */
  busy(): boolean {
    return this.lookingUp > 0 || this.queue.some((e) => e.kind === 'action' && !e.settled);
  }

  find<E extends InboxEvent>(match: (e: InboxEvent) => e is E): E | undefined {
    return this.queue.find(match) as E | undefined;
  }

  /** The first event that matches, once there is one (it stays in the inbox until settled or dropped). */
  async next<E extends InboxEvent>(match: (e: InboxEvent) => e is E): Promise<E> {
    await condition(() => this.queue.some(match));
    return this.find(match) as E;
  }

  /** As next(), or undefined when nothing matched within `timeoutMs` (a timer in the history). */
  async within<E extends InboxEvent>(match: (e: InboxEvent) => e is E, timeoutMs: number, summary: string): Promise<E | undefined> {
    const got = await condition(() => this.queue.some(match), timeoutMs, { summary });
    return got ? this.find(match) : undefined;
  }

  /** The main line took the action: its caller gets the view as it is now. */
  settle(e: ActionEvent): void {
    this.drop(e);
    e.result = this.view();
    e.settled = true;
  }

  refuse(e: ActionEvent, why: string): void {
    this.drop(e);
    e.refused = why;
    e.settled = true;
  }

  drop(e: InboxEvent): void {
    const i = this.queue.indexOf(e);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** The request closed: whatever is still waiting is refused, later posts too. */
  close(why: string): void {
    this.closedWith = why;
    for (const e of [...this.queue]) {
      if (e.kind === 'action') this.refuse(e, why);
      else this.drop(e);
    }
  }
}
