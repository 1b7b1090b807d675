/**
 * What happens when a deadline breaks, per milestone (docs/lifecycle.md). One table, applied in one place by
 * the workflow (workflows/lifecycle/kit.ts):
 * - escalate:   raise the request by one level and page that level's contact;
 * - redispatch: the technician did not accept in time, so the main line moves to the next candidate;
 * - remind:     the step waiting for it acts: the photo check reminds the technician and raises to level 1; an
 *               expired quote escalates or closes (policy); late parts page the warehouse and tell the customer; a
 *               late step of a return or exchange raises to the level its policy names (`returns.<step>.escalateTo`).
 */
import type { Milestone } from '../types';

export type BreachRule = 'escalate' | 'redispatch' | 'remind';

export const BREACH_RULES: Record<Milestone, BreachRule> = {
  acknowledge: 'escalate',
  dispatch: 'escalate',
  accept: 'redispatch',
  response: 'escalate',
  on_site: 'escalate',
  resolution: 'escalate',
  resolution_max: 'escalate',
  photos: 'remind',
  follow_up: 'escalate',
  // Late arrival at a booked visit, and a call-back not made in its window (lifecycle 3).
  appointment: 'escalate',
  callback: 'escalate',
  // Lifecycle 4: the step waiting for the decision / the parts acts (reminder, warehouse page, customer told).
  quote: 'remind',
  parts: 'remind',
  // Lifecycle 5, returns and exchanges: the step waiting for it raises to the level the policy names for it.
  return_inspection: 'remind',
  return_approval: 'remind',
  return_settlement: 'remind',
  // Lifecycle 5: a complaint step not done in time goes one level up (the step keeps waiting).
  complaint_analysis: 'escalate',
  complaint_solution: 'escalate',
  complaint_implementation: 'escalate',
  complaint_feedback: 'escalate',
};
