/** The error a bad policy file raises: every problem, each with its path, in one message. */
import { DURATION_HINT } from '../domain/duration';
import type { PolicyIssue } from '../domain/policy';

export type { PolicyIssue };

export class PolicyError extends Error {
  constructor(
    readonly issues: PolicyIssue[],
    /** Where the policy came from (a file name), for the message. */
    readonly source?: string,
  ) {
    const lines = issues.map((i) => `  - ${i.path || '(policy)'}: ${i.message}`);
    const hint = issues.some((i) => /is not a duration/.test(i.message)) ? [`  (durations: ${DURATION_HINT})`] : [];
    const n = issues.length;
    super([`Invalid policy${source ? ` ${source}` : ''} (${n} problem${n === 1 ? '' : 's'}):`, ...lines, ...hint].join('\n'));
    this.name = 'PolicyError';
  }
}
