/** Names people read for the lifecycle's deadlines: UI details, timer summaries, report sheets. */
import type { Milestone } from './types';

export const MILESTONE_LABEL: Record<Milestone, string> = {
  acknowledge: 'Acknowledge',
  dispatch: 'Dispatch',
  accept: 'Technician accept',
  response: 'Response (visit booked)',
  on_site: 'On site',
  resolution: 'Resolution',
  resolution_max: 'Resolution (hard limit)',
  photos: 'Photos',
  follow_up: 'Follow-up',
  appointment: 'Arrival at the booked time',
  callback: 'Satisfaction call-back',
  quote: 'Quote decision',
  parts: 'Spare parts arrival',
  return_inspection: 'Return inspection',
  return_approval: 'Return approval',
  return_settlement: 'Return settlement',
  complaint_analysis: 'Complaint analysed',
  complaint_solution: 'Complaint solution',
  complaint_implementation: 'Complaint solution implemented',
  complaint_feedback: 'Complaint feedback and closing',
};
