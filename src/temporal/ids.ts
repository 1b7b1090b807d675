/** One place for workflow ids and the task queue (workflow-safe: no Node built-ins). */
export const DEFAULT_TASK_QUEUE = 'aftercare';
export const WORKFLOW_ID_PREFIX = 'sr-';

/** Ids callers may supply: keeps workflow ids readable and safe in URLs and visibility queries. */
export const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/**
 * The integration's key in its requests' ids (`sr-<key>-<externalId>`): the token file's `idPrefix`, or derived
 * from the token's name (src/tokens.ts, docs/roster-and-tokens.md). Letters and digits only, so the first `-`
 * after `sr-` ends it and two integrations' ids cannot collide.
 */
export const INTEGRATION_KEY_PATTERN = /^[A-Za-z0-9]{1,16}$/;

/**
 * An integration's name (its requests' `owner`): quoted as is in visibility queries, so no quotes, backslashes or
 * control characters (src/tokens.ts refuses others).
 */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
export const INTEGRATION_NAME_PATTERN = /^[^'"`\\\u0000-\u001f\u007f]{1,100}$/u;

/**
 * Everything after `sr-` in a request id: `<key>-<externalId>` (≤ 16 + 1 + 100 characters), or an externalId
 * alone in requests started before keys (`sr-CRM-1001`).
 */
export const REQUEST_ID_TAIL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,116}$/;
export const MAX_REQUEST_ID_LENGTH = WORKFLOW_ID_PREFIX.length + 117;

/** `sr-<integrationKey>-<externalId>`; without a key (requests from before keys, tests) `sr-<externalId>`. */
export function workflowIdFor(externalId: string, integrationKey?: string): string {
  return integrationKey === undefined ? `${WORKFLOW_ID_PREFIX}${externalId}` : `${WORKFLOW_ID_PREFIX}${integrationKey}-${externalId}`;
}

/** A well-formed request id (any era). */
export function isRequestId(id: unknown): id is string {
  return typeof id === 'string' && id.startsWith(WORKFLOW_ID_PREFIX) && REQUEST_ID_TAIL_PATTERN.test(id.slice(WORKFLOW_ID_PREFIX.length));
}

/** Ticket number shown to customers: the id without the prefix, upper-cased. */
export function ticketNumber(workflowId: string): string {
  return workflowId.startsWith(WORKFLOW_ID_PREFIX) ? workflowId.slice(WORKFLOW_ID_PREFIX.length).toUpperCase() : workflowId;
}
