/**
 * Which outside action each lifecycle state allows (SPEC §4). The workflow's update validators consult this
 * table, so a refused transition is rejected before anything is written to history. Workflow-safe.
 */
import type { Status } from './types';

export const ACTIONS = [
  'assign',
  'accept',
  'decline',
  'appointment',
  'arrival',
  'completion',
  'hold',
  'resume',
  'feedback',
  'followUp',
  'cancel',
] as const;
export type Action = (typeof ACTIONS)[number];

/** States before completion: the ones a request can still be cancelled or reassigned from. */
const OPEN: Status[] = ['received', 'dispatching', 'assigned', 'accepted', 'scheduled', 'on_site', 'on_hold', 'escalated'];

export const ALLOWED_FROM: Record<Action, readonly Status[]> = {
  assign: ['received', 'dispatching', 'assigned', 'accepted', 'scheduled', 'escalated'],
  accept: ['assigned'],
  decline: ['assigned'],
  // Re-booking a visit keeps the request scheduled.
  appointment: ['accepted', 'scheduled'],
  arrival: ['scheduled'],
  completion: ['on_site'],
  hold: ['scheduled', 'on_site'],
  resume: ['on_hold'],
  feedback: ['completed'],
  followUp: ['follow_up'],
  cancel: OPEN,
};

/** Why an action is refused in a state, or undefined when it is allowed. */
export function refusal(action: Action, status: Status): string | undefined {
  const allowed = ALLOWED_FROM[action];
  if (allowed.includes(status)) return undefined;
  return `cannot ${action} a request that is ${status} (allowed when ${allowed.join(', ')})`;
}
