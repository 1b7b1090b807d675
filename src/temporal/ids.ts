/** One place for workflow ids and the task queue (workflow-safe: no Node built-ins). */
export const DEFAULT_TASK_QUEUE = 'aftercare';
export const WORKFLOW_ID_PREFIX = 'sr-';

/** Ids callers may supply: keeps workflow ids readable and safe in URLs and visibility queries. */
export const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export function workflowIdFor(externalId: string): string {
  return `${WORKFLOW_ID_PREFIX}${externalId}`;
}

/** Ticket number shown to customers: the id without the prefix, upper-cased. */
export function ticketNumber(workflowId: string): string {
  return workflowId.startsWith(WORKFLOW_ID_PREFIX) ? workflowId.slice(WORKFLOW_ID_PREFIX.length).toUpperCase() : workflowId;
}
